"""One exception family for everything that stops the gate before it can judge an overlay.

Each subclass carries the exit code it maps to, so the CLI never has to guess: exit codes are an API
(0 clean, 1 findings, 2 usage/input error, 3 internal or engine error).
"""

from __future__ import annotations

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_INPUT = 2
EXIT_INTERNAL = 3


class GateError(Exception):
    """Base class; `str(error)` is the one sentence the user sees (file and cause)."""

    exit_code = EXIT_INTERNAL


class InputError(GateError):
    """The path given is not an overlay, escapes the repository, or a file is hostile or malformed."""

    exit_code = EXIT_INPUT


class RenderError(GateError):
    """Kustomize refused the overlay: a broken overlay is a finding about the change, hence exit 1."""

    exit_code = EXIT_FINDINGS


class EngineError(GateError):
    """The policy engine could not load the policies, was unreachable, timed out or answered garbage."""

    exit_code = EXIT_INTERNAL
