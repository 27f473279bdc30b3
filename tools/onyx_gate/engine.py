"""Rego evaluation behind one small interface, so the gate never depends on an engine's quirks.

`EmbeddedEngine` runs regopy in-process (the pre-commit hook needs no server). regopy diverges from OPA in
ways that make a rule silently never fire (README "Dependencies"), so this adapter fails closed: every policy
package must produce a defined `deny` set, every finding must have the finding shape, and any engine error —
a parse error (printed by the C library on fd 1, captured here), an undefined function (surfacing as a JSON
decode error), a conflict — is an EngineError naming the file or policy.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Protocol

from .errors import EngineError

FINDING_KEYS = ("id", "severity", "title", "kind", "name", "field", "file", "message")
_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)
_QUERY = ("defined := {p | some p; data.onyx[p].deny}; "
          "findings := [f | some p; some f in data.onyx[p].deny]")


@dataclass(frozen=True)
class PolicySet:
    modules: dict[str, str]  # repo-relative file name → Rego source (tests excluded)
    data: dict[str, Any]  # merged policy data (data.catalog, data.profiles, …)
    packages: frozenset[str]  # `onyx.<policy>` packages that must define `deny`


class Engine(Protocol):
    name: str

    def evaluate(self, model: dict[str, Any]) -> list[dict[str, Any]]: ...


def load_policy_set(policy_dir: Path, data: dict[str, Any]) -> PolicySet:
    modules: dict[str, str] = {}
    packages: set[str] = set()
    for path in sorted(policy_dir.rglob("*.rego")):
        if path.name.endswith("_test.rego"):
            continue
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(policy_dir.parent))
        modules[name] = text
        match = _PACKAGE.search(text)
        if match is None:
            raise EngineError(f"{name}: no package declaration")
        package = match.group(1)
        if package.startswith("onyx.") and not package.startswith("onyx.lib."):
            packages.add(package.removeprefix("onyx."))
    if not packages:
        raise EngineError(f"{policy_dir}: no policies found (refusing to pass an overlay unjudged)")
    return PolicySet(modules=modules, data=data, packages=frozenset(packages))


def check_findings(raw: Any, source: str) -> list[dict[str, Any]]:
    """Shape-check what an engine returned; anything unexpected is an engine error, never a pass."""
    if not isinstance(raw, list):
        raise EngineError(f"{source}: policy result is not a list of findings")
    for finding in raw:
        if not isinstance(finding, dict) or any(not isinstance(finding.get(key), str) for key in FINDING_KEYS):
            raise EngineError(f"{source}: a policy returned a malformed finding: {json.dumps(finding)[:200]}")
    return raw


class EmbeddedEngine:
    """regopy, one Interpreter per engine (sharing one between threads segfaults: keep it per thread)."""

    name = "embedded"

    def __init__(self, policies: PolicySet) -> None:
        try:
            from regopy import Interpreter
        except ImportError as error:  # pragma: no cover - depends on the platform's wheels
            raise EngineError(f"the embedded Rego engine (regopy) is not installed: {error}") from None
        self._policies = policies
        self._interpreter = Interpreter()
        for name, text in policies.modules.items():
            with _capture_fd1() as captured:
                try:
                    self._interpreter.add_module(name, text)
                    failure = None
                except Exception as error:  # regopy.RegoError carries an S-expression; the text went to fd 1
                    failure = error
            if failure is not None:
                raise EngineError(f"{name}: policy failed to load: {_first_line(captured(), failure)}")
        with _capture_fd1() as captured:
            try:
                self._interpreter.add_data_json(json.dumps(policies.data))
                failure = None
            except Exception as error:
                failure = error
        if failure is not None:
            raise EngineError(f"policies/data: policy data failed to load: {_first_line(captured(), failure)}")

    def evaluate(self, model: dict[str, Any]) -> list[dict[str, Any]]:
        with _capture_fd1() as captured:
            try:
                self._interpreter.set_input_term(json.dumps(model))
                output = self._interpreter.query(_QUERY)
                failure = None
            except Exception as error:  # undefined functions and recursion surface as JSON decode errors
                failure = error
        if failure is not None:
            raise EngineError(f"embedded Rego engine failed while evaluating the policies: "
                              f"{_first_line(captured(), failure)}")
        if not output.ok():
            raise EngineError("embedded Rego engine returned an error result (a conflict in a policy, "
                              "e.g. a complete rule with two values)")
        defined = set(json.loads(output.binding("defined").json()))
        missing = sorted(self._policies.packages - defined)
        if missing:
            raise EngineError(f"policy package(s) {', '.join('onyx.' + m for m in missing)} produced no `deny` "
                              "set in the embedded engine (a rule that never fires is a hole in the gate)")
        return check_findings(json.loads(output.binding("findings").json()), "embedded Rego engine")


def _first_line(captured: str, error: BaseException) -> str:
    for line in captured.splitlines():
        if line.strip():
            return line.strip()
    text = str(error).strip()
    return text.splitlines()[0][:300] if text else type(error).__name__


@contextmanager
def _capture_fd1() -> Iterator[Any]:
    """regopy's C layer writes diagnostics straight to file descriptor 1; keep them off our stdout."""
    with tempfile.TemporaryFile(mode="w+b") as sink:
        try:
            import sys
            sys.stdout.flush()
        except (AttributeError, ValueError):
            pass
        saved = os.dup(1)
        os.dup2(sink.fileno(), 1)
        text: list[str] = []
        try:
            yield lambda: "".join(text)
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            sink.seek(0)
            text.append(sink.read().decode("utf-8", "replace"))
