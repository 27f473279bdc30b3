"""Screens every file an overlay would load before Kustomize sees it.

Why: hostile YAML reaches the Go library unguarded. A 300-byte alias bomb made an in-process
pykustomize build run past 60 s and then abort the whole Python process (SIGABRT) — nothing to catch
(measured, see README "Dependencies"). Kubernetes manifests never need anchors or aliases, so any is
refused; sizes are bounded; every path a kustomization names must stay inside the repository.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import yaml

from .errors import InputError

MAX_FILE_BYTES = 1 << 20  # 1 MiB: the largest file in this repo is a few KiB
MAX_TOTAL_BYTES = 16 << 20
MAX_FILES = 2000
KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")

# Kustomization fields whose entries are paths (strings, or mappings with `path`).
_PATH_LIST_FIELDS = (
    "resources", "components", "bases", "crds", "generators", "transformers", "validators", "configurations",
)
_PATCH_FIELDS = ("patches", "patchesJson6902", "replacements")
_GENERATOR_FIELDS = ("configMapGenerator", "secretGenerator")

try:  # libyaml is ~10x faster; PyYAML wheels ship it, the pure-Python parser is the fallback
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader


@dataclass
class ScreenReport:
    """What the screen walked: the kustomization roots and every file they load."""

    kustomizations: list[Path] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    total_bytes: int = 0
    # (kind, name) → repo-relative file that defines it (files listed under `resources:`), and generated
    # ConfigMaps/Secrets → the kustomization whose generator makes them: where each object comes from
    generated: dict[tuple[str, str], str] = field(default_factory=dict)
    resource_files: list[tuple[Path, str]] = field(default_factory=list)
    _origins: dict[tuple[str, str], str] | None = None
    # every byte Kustomize can read for this overlay, in walk order (paths, contents, kustomization names):
    # the key under which a render may be reused (gate.py)
    inputs: "hashlib._Hash" = field(default_factory=hashlib.sha256)

    @property
    def origins(self) -> dict[tuple[str, str], str]:
        """(kind, name) → repo file defining it; built on first use (only a finding needs it)."""
        if self._origins is None:
            found: dict[tuple[str, str], str] = {}
            for path, relative in self.resource_files:
                for document in yaml.load_all(path.read_text(encoding="utf-8"), Loader=_Loader):
                    _index_origin(document, relative, found)
            for key, file in self.generated.items():
                found.setdefault(key, file)
            self._origins = found
        return self._origins


def find_kustomization(directory: Path) -> Path | None:
    for name in KUSTOMIZATION_NAMES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


def screen_overlay(overlay: Path, repo_root: Path) -> ScreenReport:
    """Walk the kustomization graph from `overlay`; raise InputError on the first unsafe thing."""
    root = repo_root.resolve()
    report = ScreenReport()
    seen: set[Path] = set()
    _walk_kustomization_dir(overlay.resolve(), root, report, seen, referrer=None)
    return report


def _walk_kustomization_dir(directory: Path, root: Path, report: ScreenReport, seen: set[Path],
                            referrer: Path | None) -> None:
    if directory in seen:
        return  # Kustomize itself reports real cycles; a diamond (two overlays, one base) is normal
    seen.add(directory)
    kustomization = find_kustomization(directory)
    # Kustomize refuses a directory with two kustomization files: their presence is an input too
    present = [name for name in KUSTOMIZATION_NAMES if (directory / name).is_file()]
    report.inputs.update(f"dir\0{_rel(directory, root)}\0{','.join(present)}\0".encode())
    if kustomization is None:
        where = f" (named in {_rel(referrer, root)})" if referrer else ""
        raise InputError(f"{_rel(directory, root)}: no kustomization.yaml in this directory{where}")
    data = _load_checked(kustomization, root, report)
    report.kustomizations.append(kustomization)
    if data is None:
        return
    if not isinstance(data, dict):
        raise InputError(f"{_rel(kustomization, root)}: a kustomization must be a YAML mapping")
    for key in _GENERATOR_FIELDS:
        for generator in _as_list(data.get(key)):
            if isinstance(generator, dict) and isinstance(generator.get("name"), str):
                kind = "ConfigMap" if key == "configMapGenerator" else "Secret"
                report.generated.setdefault((kind, generator["name"]), _rel(kustomization, root))
    for field_name, reference in _referenced_paths(data, kustomization, root):
        target = _inside_repo(directory / reference, root, kustomization, reference)
        if target.is_dir():
            _walk_kustomization_dir(target, root, report, seen, referrer=kustomization)
        elif target.is_file():
            _load_all_checked(target, root, report, construct=False)
            if field_name == "resources":
                report.resource_files.append((target, _rel(target, root)))
        # a missing path is left to Kustomize, whose message names it precisely


def _index_origin(document: object, file: str, found: dict[tuple[str, str], str]) -> None:
    if isinstance(document, dict):
        metadata = document.get("metadata")
        name = metadata.get("name") if isinstance(metadata, dict) else None
        if isinstance(document.get("kind"), str) and isinstance(name, str):
            found.setdefault((document["kind"], name), file)


def _referenced_paths(data: dict, kustomization: Path, root: Path) -> Iterator[tuple[str, str]]:
    """(field, path) of every file or directory a kustomization names."""
    if data.get("helmCharts") or data.get("helmChartInflationGenerator"):
        raise InputError(f"{_rel(kustomization, root)}: helm chart inflation is not allowed in this repository")
    for key in _PATH_LIST_FIELDS:
        for entry in _as_list(data.get(key)):
            if isinstance(entry, str):
                if "://" in entry or entry.startswith(("github.com/", "git@")):
                    raise InputError(f"{_rel(kustomization, root)}: remote {key} entry {entry!r} is not allowed "
                                     "(the gate and Argo CD must render the same pinned, reviewed files)")
                yield ("resources" if key in ("resources", "bases") else key), entry
    for key in _PATCH_FIELDS:
        for entry in _as_list(data.get(key)):
            if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                yield key, entry["path"]
    for entry in _as_list(data.get("patchesStrategicMerge")):
        if isinstance(entry, str) and "\n" not in entry:
            yield "patchesStrategicMerge", entry
    for key in _GENERATOR_FIELDS:
        for generator in _as_list(data.get(key)):
            if not isinstance(generator, dict):
                continue
            for source in _as_list(generator.get("files")):
                if isinstance(source, str):
                    yield key, source.split("=", 1)[-1]
            for source in [*_as_list(generator.get("envs")), generator.get("env")]:
                if isinstance(source, str):
                    yield key, source
    openapi = data.get("openapi")
    if isinstance(openapi, dict) and isinstance(openapi.get("path"), str):
        yield "openapi", openapi["path"]


def _as_list(value: object) -> list:
    return value if isinstance(value, list) else []


def _inside_repo(path: Path, root: Path, kustomization: Path, reference: str) -> Path:
    resolved = Path(os.path.realpath(path))
    if resolved != root and root not in resolved.parents:
        raise InputError(f"{_rel(kustomization, root)}: {reference!r} points outside the repository "
                         f"({resolved}); overlays may only load files from this repository")
    return resolved


def _load_checked(path: Path, root: Path, report: ScreenReport) -> object:
    """Size-check and parse one file, refusing anchors and aliases. Returns the first document."""
    documents = _load_all_checked(path, root, report)
    return documents[0] if documents else None


def _load_all_checked(path: Path, root: Path, report: ScreenReport, construct: bool = True) -> list[object]:
    """Size-check, hash and parse one file. Without `construct`, only the syntax is checked (libyaml events):
    Kustomize builds the objects itself, and constructing them in Python cost more than the rest of the screen."""
    size = path.stat().st_size
    name = _rel(path, root)
    if size > MAX_FILE_BYTES:
        raise InputError(f"{name}: file is {size} bytes, over the {MAX_FILE_BYTES}-byte limit for a manifest")
    report.total_bytes += size
    report.files.append(path)
    if len(report.files) > MAX_FILES or report.total_bytes > MAX_TOTAL_BYTES:
        raise InputError(f"{name}: the overlay loads more than {MAX_FILES} files or {MAX_TOTAL_BYTES} bytes")
    raw = path.read_bytes()
    report.inputs.update(f"file\0{name}\0{len(raw)}\0".encode())
    report.inputs.update(raw)
    if path.suffix not in (".yaml", ".yml", "") and path.name != "Kustomization":
        return []  # env files, nginx templates …: bounded in size, not YAML
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"{name}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    if not construct:
        _check_events(text, name)
        return []
    _refuse_aliases(text, name)
    try:
        return list(yaml.load_all(text, Loader=_Loader))
    except yaml.YAMLError as error:
        raise InputError(f"{name}: malformed YAML: {_yaml_reason(error)}") from None
    except ValueError as error:  # e.g. an impossible date such as 2027-02-30, rejected by the timestamp resolver
        raise InputError(f"{name}: malformed YAML value: {error}") from None


def _check_events(text: str, name: str) -> None:
    """Well-formed YAML without anchors or aliases, checked on libyaml's event stream."""
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                mark = event.start_mark
                raise InputError(f"{name}:{mark.line + 1}:{mark.column + 1}: YAML anchors and aliases are not "
                                 "allowed in manifests (they can expand exponentially: an alias bomb)")
    except yaml.YAMLError as error:
        raise InputError(f"{name}: malformed YAML: {_yaml_reason(error)}") from None


def _refuse_aliases(text: str, name: str) -> None:
    if "&" in text or "*" in text:  # the common case needs no event walk: no anchor or alias can be in it
        _check_events(text, name)


def _yaml_reason(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    return f"{problem} (line {mark.line + 1}, column {mark.column + 1})" if mark else problem


def _rel(path: Path | None, root: Path) -> str:
    if path is None:
        return ""
    try:
        return str(Path(path).resolve().relative_to(root))
    except ValueError:
        return str(path)


def iter_yaml_documents(path: Path, root: Path) -> list[object]:
    """Every non-empty document of one screened YAML file (argocd/, policy data, waivers)."""
    return [doc for doc in _load_all_checked(path, root, ScreenReport()) if doc is not None]
