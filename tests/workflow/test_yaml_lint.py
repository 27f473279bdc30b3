"""The YAML lint hook (tools/onyx_gate/yaml_lint.py): each rule on a small input, and the repository is clean."""

from __future__ import annotations

import subprocess
import sys

import pytest

from onyx_gate.yaml_lint import lint_text

from .support import REPO_ROOT


@pytest.mark.parametrize(("text", "expected"), [
    ("a: 1\nb: 2\na: 3\n", [(3, 1, "duplicate-key")]),
    ("spec:\n  template:\n    x: 1\n    x: 2\n", [(4, 5, "duplicate-key")]),
    ("items:\n  - name: a\n    name: b\n", [(3, 5, "duplicate-key")]),
    ("a: &x 1\nb: *x\n", [(1, 4, "anchors"), (2, 4, "anchors")]),
    ("a:\n\tb: 1\n", [(2, 1, "syntax"), (2, 1, "tabs")]),
    ("a: 1  \n", [(1, 5, "trailing-spaces")]),
    ("a: 1\r\nb: 2\r\n", [(1, 1, "crlf")]),
    ("a: 1", [(1, 1, "final-newline")]),
    ("a: [1, 2\n", [(2, 1, "syntax")]),
    ("---\na: 1\n---\na: 2\n", []),  # the same key in two documents is fine
    ("a: |\n  text with a: colon\n  a: not a key\n", []),
])
def test_rules(text: str, expected: list[tuple[int, int, str]]):
    assert [(p.line, p.column, p.rule) for p in lint_text(text, "f.yaml")] == expected


def test_the_repository_yaml_is_clean_and_the_cli_reports_problems(tmp_path):
    listed = subprocess.run(["git", "-C", str(REPO_ROOT), "ls-files", "--cached", "--others", "--exclude-standard",
                             "*.yaml", "*.yml"], capture_output=True, text=True, check=True).stdout.split()
    files = [str(REPO_ROOT / name) for name in listed if (REPO_ROOT / name).is_file()]
    assert len(files) > 50
    clean = subprocess.run([sys.executable, str(REPO_ROOT / "tools/lint_yaml.py"), *files], capture_output=True,
                           text=True, check=False)
    assert (clean.returncode, clean.stdout) == (0, "")
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: 1\na: 2\n")
    failed = subprocess.run([sys.executable, str(REPO_ROOT / "tools/lint_yaml.py"), str(bad)], capture_output=True,
                            text=True, check=False)
    assert failed.returncode == 1 and failed.stdout.startswith(f"{bad}:2:1: [duplicate-key]")
