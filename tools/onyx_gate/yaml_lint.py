"""A small YAML linter for this repository (the pre-commit hook `yaml-lint`, `python tools/lint_yaml.py FILE…`).

Why not yamllint: it is GPL-3.0-or-later, and what it would add here is mostly layout (indentation style,
document-start markers) that Kustomize output and the existing files do not follow. The checks below are the
ones that change meaning or break a consumer:

- syntax: the file does not parse (Kustomize, Argo CD and the gate all refuse it);
- duplicate-key: a mapping repeats a key — PyYAML (policy data, waivers) silently keeps the last value while
  Go's yaml.v3 (Kustomize, Argo CD) refuses the file, so the same file means two things or nothing;
- anchors: anchors and aliases, which the gate refuses in manifests (alias bombs, screen.py) and which hide
  what a reviewer reads;
- tabs (in indentation), trailing-spaces, crlf, final-newline: invisible in review, noisy in diffs.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterator, Sequence

import yaml

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: [{self.rule}] {self.message}"


def lint_text(text: str, name: str) -> list[Problem]:
    problems: list[Problem] = []
    if "\r\n" in text:
        problems.append(Problem(name, text[: text.index("\r\n")].count("\n") + 1, 1, "crlf",
                                "Windows line endings (CRLF); use LF"))
    if text and not text.endswith("\n"):
        problems.append(Problem(name, text.count("\n") + 1, 1, "final-newline", "no newline at end of file"))
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.rstrip("\r")
        if stripped != stripped.rstrip(" \t"):
            problems.append(Problem(name, number, len(stripped.rstrip(" \t")) + 1, "trailing-spaces",
                                    "trailing whitespace"))
        indent = stripped[: len(stripped) - len(stripped.lstrip(" \t"))]
        if "\t" in indent:
            problems.append(Problem(name, number, indent.index("\t") + 1, "tabs", "tab in indentation"))
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                mark = event.start_mark
                problems.append(Problem(name, mark.line + 1, mark.column + 1, "anchors",
                                        "YAML anchor or alias; write the value out (the gate refuses them)"))
        for document in yaml.compose_all(text, Loader=_Loader):
            problems += _duplicate_keys(document, name)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        problems.append(Problem(name, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1, "syntax",
                                str(problem)))
    return sorted(problems, key=lambda p: (p.line, p.column, p.rule))


def _duplicate_keys(node: yaml.Node | None, name: str) -> Iterator[Problem]:
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen and key.tag != "tag:yaml.org,2002:merge":
                        yield Problem(name, key.start_mark.line + 1, key.start_mark.column + 1, "duplicate-key",
                                      f"duplicate key {key.value!r} (first on line {seen[key.value]}): PyYAML keeps "
                                      "the last value, Kustomize and Argo CD refuse the file")
                    seen.setdefault(key.value, key.start_mark.line + 1)
                stack += [key, value]
        elif isinstance(current, yaml.SequenceNode):
            stack += current.value


def lint_files(paths: Sequence[str], out: IO[str]) -> int:
    """Lint every file; print one line per problem; 0 clean, 1 problems, 2 unreadable file."""
    code = 0
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            out.write(f"{path}: cannot read: {error}\n")
            code = 2
            continue
        for problem in lint_text(text, path):
            out.write(f"{problem}\n")
            code = max(code, 1)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        sys.stderr.write("usage: lint_yaml.py FILE…  (checks: syntax, duplicate-key, anchors, tabs, "
                         "trailing-spaces, crlf, final-newline)\n")
        return 0 if args else 2
    return lint_files(args, sys.stdout)
