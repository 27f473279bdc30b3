"""Finds the Celery invocation in a container's command line and parses its app, role and queues.

Shapes handled (all seen in real manifests): `command` + `args` split anywhere, `-Q a,b`, `-Qa,b`,
`--queues a,b`, `--queues=a,b`, `-A x`/`--app=x`, `python -m celery …`, and a shell script
(`sh -c "… && exec celery …"`) whose segments are split on `&&`, `||`, `;` and `|`.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

_SHELLS = {"sh", "bash", "ash", "dash", "zsh"}
_SEPARATORS = {"&&", "||", ";", "|", "&"}
_CELERY_DEFAULT_QUEUE = "celery"  # Celery's task_default_queue; Onyx sets no other (fact sheet §3 Routing)


@dataclass(frozen=True)
class CeleryInvocation:
    app: str  # last dotted segment of -A, e.g. "primary" for onyx.background.celery.versioned_apps.primary
    app_module: str
    role: str  # "worker" | "beat"
    queues: list[str]

    def as_dict(self) -> dict[str, object]:
        return {"app": self.app, "app_module": self.app_module, "role": self.role, "queues": self.queues}


def parse_celery(command: list[str] | None, args: list[str] | None) -> CeleryInvocation | None:
    argv = [str(part) for part in (command or [])] + [str(part) for part in (args or [])]
    for segment in _segments(argv):
        invocation = _parse_segment(segment)
        if invocation is not None:
            return invocation
    return None


def _segments(argv: list[str]) -> list[list[str]]:
    """The argv itself, or the simple commands of a `sh -c` script."""
    if len(argv) >= 3 and argv[0].rsplit("/", 1)[-1] in _SHELLS and "-c" in argv[1:-1]:
        script = argv[argv.index("-c", 1) + 1]
        try:
            lexer = shlex.shlex(script, posix=True, punctuation_chars=";&|")
            lexer.whitespace_split = True
            tokens = list(lexer)
        except ValueError:
            return []  # unbalanced quotes: not a command we can read, and not a worker either
        segments, current = [], []
        for token in tokens:
            if token in _SEPARATORS:
                segments.append(current)
                current = []
            else:
                current.append(token)
        segments.append(current)
        return [segment for segment in segments if segment]
    return [argv]


def _parse_segment(segment: list[str]) -> CeleryInvocation | None:
    tokens = list(segment)
    while tokens and (tokens[0] in ("exec", "env") or "=" in tokens[0] and not tokens[0].startswith("-")):
        tokens.pop(0)  # `exec celery …`, `env X=1 celery …`, `X=1 celery …`
    if not tokens:
        return None
    program = tokens[0].rsplit("/", 1)[-1]
    if program.startswith("python") and tokens[1:3] == ["-m", "celery"]:
        rest = tokens[3:]
    elif program == "celery":
        rest = tokens[1:]
    else:
        return None
    app_module, role, queues = "", "", None
    index = 0
    while index < len(rest):
        token = rest[index]
        value, consumed = _option_value(rest, index, ("-A", "--app"))
        if value is not None:
            app_module, index = value, index + consumed
            continue
        value, consumed = _option_value(rest, index, ("-Q", "--queues"))
        if value is not None:
            queues = [queue.strip() for queue in value.split(",") if queue.strip()]
            index += consumed
            continue
        if not role and token in ("worker", "beat"):
            role = token
        index += 1
    if not role:
        return None
    if role == "worker" and queues is None:
        queues = [_CELERY_DEFAULT_QUEUE]
    app = app_module.rsplit(".", 1)[-1] if app_module else ""
    return CeleryInvocation(app=app, app_module=app_module, role=role, queues=queues or [])


def _option_value(tokens: list[str], index: int, names: tuple[str, str]) -> tuple[str | None, int]:
    """Value of a short/long option at tokens[index]: `-Q v`, `-Qv`, `--queues v`, `--queues=v`."""
    token = tokens[index]
    short, long = names
    if token in names:
        return (tokens[index + 1], 2) if index + 1 < len(tokens) else ("", 1)
    if token.startswith(long + "="):
        return token[len(long) + 1:], 1
    if token.startswith(short) and not token.startswith("--") and len(token) > len(short):
        return token[len(short):], 1
    return None, 0
