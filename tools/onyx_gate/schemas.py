"""Strict schema validation of rendered objects: Kubernetes 1.30 built-ins and the CRDs this repo uses.

Kubernetes schemas are the strict ones bundled by kubernetes-validate (OpenShift 4.17 runs Kubernetes 1.30).
kubernetes_validate.validate() re-parses a 1.8 MB definitions file per call (13 ms per object, first error
only), so validators are built once per kind and cached (0.3 ms per object, every error). CRD schemas are
generated into schemas/crds/ by tools/gen_crd_schemas.py (see schemas/crds/SOURCES.md).
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Iterator

from .cache import cache_dir, digest, dist_version, write_atomic

KUBERNETES_VERSION = "1.30"
CRD_SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas" / "crds"
_CORE_GROUP = re.compile(r"^([^./]*)(?:\.[^/]*)?/")


class ValidObjects:
    """Digests of objects that already passed the exact same schemas, persisted between runs.

    A pre-commit run usually re-renders objects that did not change; skipping their validation also skips
    importing jsonschema (~40 ms of the ~60 ms schema step). Objects that fail are never recorded."""

    def __init__(self) -> None:
        self._dir = cache_dir()
        self._path: Path | None = None
        self._known: set[str] = set()
        self._new: set[str] = set()
        if self._dir is None:
            return
        crd_files = sorted(CRD_SCHEMA_DIR.rglob("*.json"))
        key = digest(dist_version("kubernetes_validate"), dist_version("jsonschema"), KUBERNETES_VERSION,
                     Path(__file__).read_bytes(),  # this module's code too: it decides what "valid" means
                     *(f"{path.name}:{path.stat().st_size}:{path.stat().st_mtime_ns}" for path in crd_files))
        self._path = self._dir / f"valid-objects-{key}.txt"
        try:
            self._known = set(self._path.read_text(encoding="ascii").split())
        except (OSError, UnicodeDecodeError):
            self._known = set()

    def errors(self, obj: dict[str, Any]) -> list[str]:
        key = digest(json.dumps(obj, sort_keys=True, separators=(",", ":")))
        if key in self._known:
            return []
        problems = schema_errors(obj)
        if not problems:
            self._new.add(key)
        return problems

    def save(self) -> None:
        if self._path is not None and self._new:
            write_atomic(self._path, "\n".join(sorted(self._known | self._new)).encode("ascii"))
            self._known |= self._new
            self._new = set()


def schema_errors(obj: dict[str, Any]) -> list[str]:
    """Every schema violation of one rendered object, as `<json path>: <message>` strings."""
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return ["$: apiVersion and kind are required strings"]
    validator = _validator_for(api_version, kind)
    if validator is None:
        return [f"$: no schema for {kind} {api_version} (neither Kubernetes {KUBERNETES_VERSION} nor a CRD in "
                "schemas/crds/); the API server would reject it or it needs a CRD schema added"]
    return [f"{error.json_path}: {error.message}" for error in _sorted(validator.iter_errors(obj))]


def _sorted(errors: Iterator[Any]) -> list[Any]:
    return sorted(errors, key=lambda error: (error.json_path, error.message))


@cache
def _validator_for(api_version: str, kind: str) -> Any:
    if "." in api_version.split("/")[0] and "/" in api_version:
        crd = _crd_validator(api_version, kind)
        if crd is not None:
            return crd
    return _kubernetes_validator(api_version, kind)


def _crd_validator(api_version: str, kind: str) -> Any:
    group, version = api_version.split("/", 1)
    path = CRD_SCHEMA_DIR / group / f"{kind.lower()}_{version}.json"
    if not path.is_file():
        return None
    from jsonschema import Draft7Validator  # imported only when an object has to be validated

    schema = json.loads(path.read_text(encoding="utf-8"))
    return Draft7Validator(schema)


def _kubernetes_validator(api_version: str, kind: str) -> Any:
    directory = _kubernetes_schema_dir()
    suffix = _CORE_GROUP.sub(r"\1-", api_version)
    path = directory / f"{kind.lower()}-{suffix}.json"
    if not path.is_file():
        return None
    from jsonschema import Draft202012Validator

    schema = json.loads(path.read_text(encoding="utf-8"))
    return Draft202012Validator(schema, registry=_kubernetes_registry())


@cache
def _kubernetes_schema_dir() -> Path:
    spec = find_spec("kubernetes_validate")  # locate without importing (its import pulls in jsonschema)
    if spec is None or spec.origin is None:
        raise RuntimeError("kubernetes-validate is not installed (it provides the Kubernetes schemas)")
    return Path(spec.origin).parent / "kubernetes-json-schema" / f"v{KUBERNETES_VERSION}.0-local-strict"


@cache
def _kubernetes_registry() -> Any:
    from referencing import Registry, Resource

    definitions = json.loads((_kubernetes_schema_dir() / "_definitions.json").read_text(encoding="utf-8"))
    return Resource.from_contents(definitions) @ Registry()
