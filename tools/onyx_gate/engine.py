"""Rego evaluation behind one small interface, so the gate never depends on an engine's quirks.

`EmbeddedEngine` runs regopy in-process (the pre-commit hook needs no server). regopy diverges from OPA in
ways that make a rule silently never fire (README "Dependencies"), so this adapter fails closed: every policy
package must produce a defined `deny` set, every finding must have the finding shape, and any engine error —
a parse error (printed by the C library on fd 1, captured here), an undefined function (surfacing as a JSON
decode error), a conflict — is an EngineError naming the file or policy.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Protocol

from .cache import cache_dir, digest, dist_version, write_atomic
from .errors import EngineError

FINDING_KEYS = ("id", "severity", "title", "kind", "name", "field", "file", "message")
_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)


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
    """regopy, in-process. Fails closed, and is fast enough for a pre-commit hook:

    - regopy recompiles every module on each plain query (~50 ms), so policies are compiled once into bundles,
      cached on disk under a key that hashes the engine version, the query, every module and the data; a cached
      bundle is verified by its own checksum before it is loaded.
    - Evaluating every policy on prod costs ~430 ms in one interpreter, so the packages are split into shards,
      each with its own interpreter (sharing one between threads segfaults), evaluated in parallel threads
      (regopy releases the GIL). On a single CPU there is one shard.
    """

    name = "embedded"

    def __init__(self, policies: PolicySet, shards: int | None = None) -> None:
        try:
            from regopy import BundleFormat, Interpreter
        except ImportError as error:  # pragma: no cover - depends on the platform's wheels
            raise EngineError(f"the embedded Rego engine (regopy) is not installed: {error}") from None
        self._policies = policies
        count = max(1, min(shards or os.cpu_count() or 1, 4, len(policies.packages)))
        data_json = json.dumps(policies.data, sort_keys=True)
        self._shards = [_Shard(Interpreter, BundleFormat.Binary, policies, group, data_json)
                        for group in _partition(policies, count)]

    def evaluate(self, model: dict[str, Any]) -> list[dict[str, Any]]:
        model = _checked_input(model)
        # fd 1 is redirected once, around all shards: a per-thread dup2 of the same descriptor would race
        with _capture_fd1() as captured:
            try:
                if len(self._shards) == 1:
                    results = [self._shards[0].evaluate(model)]
                else:
                    with ThreadPoolExecutor(max_workers=len(self._shards), thread_name_prefix="rego") as pool:
                        results = list(pool.map(lambda shard: shard.evaluate(model), self._shards))
                failure = None
            except EngineError:
                raise
            except Exception as error:  # undefined functions and recursion surface as JSON decode errors
                failure = error
        if failure is not None:
            raise EngineError(f"embedded Rego engine failed while evaluating the policies: "
                              f"{_first_line(captured(), failure)}")
        defined = set().union(*(result[0] for result in results))
        findings = [finding for result in results for finding in result[1]]
        missing = sorted(self._policies.packages - defined)
        if missing:
            raise EngineError(f"policy package(s) {', '.join('onyx.' + m for m in missing)} produced no `deny` "
                              "set in the embedded engine (a rule that never fires is a hole in the gate)")
        return check_findings(findings, "embedded Rego engine")


def _partition(policies: PolicySet, count: int) -> list[list[str]]:
    """Balance packages over shards, using each package's source size as its cost estimate."""
    size = {package: 0 for package in policies.packages}
    for text in policies.modules.values():
        match = _PACKAGE.search(text)
        package = match.group(1).removeprefix("onyx.") if match else ""
        if package in size:
            size[package] += len(text)
    groups: list[list[str]] = [[] for _ in range(count)]
    loads = [0] * count
    for package in sorted(size, key=lambda p: (-size[p], p)):
        lightest = loads.index(min(loads))
        groups[lightest].append(package)
        loads[lightest] += size[package]
    return [sorted(group) for group in groups if group]


class _Shard:
    """One interpreter and one compiled bundle for a subset of the policy packages."""

    def __init__(self, interpreter: Any, binary: Any, policies: PolicySet, packages: list[str],
                 data_json: str) -> None:
        # one binding per package: `some p in [..]; data.onyx[p]` was measured 3.5x slower in regopy
        self.packages = packages
        self.query = "; ".join(f"p{index} := data.onyx.{package}.deny" for index, package in enumerate(packages))
        self._policies = policies
        self._data_json = data_json
        self._model: dict[str, Any] = {}
        self._interpreter = interpreter()
        key = digest(dist_version("regopy"), self.query, data_json,
                     *(f"{name}\0{text}" for name, text in sorted(policies.modules.items())))
        directory = cache_dir()
        path = directory / f"policies-{key}.rbb" if directory else None
        self._bundle = self._load_cached(path, binary)
        if self._bundle is None:
            self._bundle = self._compile(data_json)
            if path is not None:
                self._save(path, binary)

    def _load_cached(self, path: Path | None, binary: Any) -> Any:
        if path is None or not path.is_file():
            return None
        try:
            expected = path.with_suffix(".sha256").read_text(encoding="ascii").strip()
            if hashlib.sha256(path.read_bytes()).hexdigest() != expected:
                return None
            return self._interpreter.load_bundle(str(path), binary)
        except Exception:  # an unreadable or foreign cache entry only costs a recompile
            return None

    def _compile(self, data_json: str) -> Any:
        for name, text in self._policies.modules.items():
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
                self._interpreter.add_data_json(data_json)
                failure = None
            except Exception as error:
                failure = error
        if failure is not None:
            raise EngineError(f"policies/data: policy data failed to load: {_first_line(captured(), failure)}")
        with _capture_fd1() as captured:
            try:
                bundle = self._interpreter.build(self.query)
                failure = None
            except Exception as error:  # e.g. a call to an undefined function, caught at compile time
                failure = error
        if failure is not None:
            raise EngineError(f"policies/: the policies failed to compile: {_first_line(captured(), failure)}")
        return bundle

    def _save(self, path: Path, binary: Any) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".tmp-{os.getpid()}-{path.name}")
            self._interpreter.save_bundle(str(temporary), self._bundle, binary)
            write_atomic(path.with_suffix(".sha256"), hashlib.sha256(temporary.read_bytes()).hexdigest().encode())
            os.replace(temporary, path)
        except Exception:  # a read-only checkout simply runs uncached
            return

    def evaluate(self, model: dict[str, Any]) -> tuple[set[str], list[Any]]:
        """Never called by two threads at once: a shard belongs to one pool task per evaluation.
        The caller captures fd 1 (regopy's diagnostics) and turns any exception into an EngineError."""
        self._model = model
        self._interpreter.set_input(model)
        output = self._interpreter.query_bundle(self._bundle)
        if not output.ok():
            raise EngineError("embedded Rego engine returned an error result (a conflict in a policy, "
                              "e.g. a complete rule with two values)")
        # read the bindings regopy already parsed: Output.binding() on an undefined result aborts the process
        bindings = output.results[0].bindings if output.results else {}
        if len(bindings) < len(self.packages):
            return self._defined_one_by_one(), []  # the conjunction is undefined: find which package
        findings: list[Any] = []
        for index, package in enumerate(self.packages):
            value = bindings.get(f"p{index}")
            if not isinstance(value, list):
                raise EngineError(f"embedded Rego engine: onyx.{package}.deny is not a set of findings")
            findings.extend(value)
        return set(self.packages), findings

    def _defined_one_by_one(self) -> set[str]:
        """Error path only: which packages of this shard define `deny` (so the error can name the others).
        A fresh interpreter, because one that loaded a cached bundle holds no modules for plain queries."""
        interpreter = type(self._interpreter)()
        for name, text in self._policies.modules.items():
            interpreter.add_module(name, text)
        interpreter.add_data_json(self._data_json)
        interpreter.set_input(self._model)
        defined = set()
        for package in self.packages:
            output = interpreter.query(f"x := data.onyx.{package}.deny")
            if output.ok() and output.results and "x" in output.results[0].bindings:
                defined.add(package)
        return defined


def _checked_input(model: dict[str, Any]) -> dict[str, Any]:
    """regopy's dict conversion turns integers beyond 64 bits into 0 silently; refuse them instead."""
    stack: list[Any] = [model]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, int) and not isinstance(node, bool) and abs(node) >= 2 ** 53:
            raise EngineError(f"the model holds the integer {node}, beyond what the policies can compare exactly")
        elif isinstance(node, float) and node != node:
            raise EngineError("the model holds a NaN, which the embedded engine cannot take")
    return model


def _first_line(captured: str, error: BaseException) -> str:
    """One line out of regopy's diagnostic: `<message> at <file:line:col>` when it printed one."""
    lines = [line.strip() for line in captured.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if line.startswith("-- ") and index > 0:
            return f"{lines[index - 1]} at {line[3:]}"
    for line in lines:
        if line not in ("Errors:",) and not set(line) <= {"-", "~"}:
            return line
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
