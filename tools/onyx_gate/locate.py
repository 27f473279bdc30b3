"""Finds the line in this repository that introduced a finding's offending value.

Kustomize origin annotations give the file an object was defined in (Finding.file), not the file that set the
field last. So, in order:

1. an override in a kustomization the overlay loads (the overlay's own first, then its components and bases):
   `replicas:` for spec.replicas, `images:` for a container image, `namespace:`, and patches — inline
   (`patches[].patch`, lines counted inside a `|` block) or in a patch file, strategic-merge or JSON 6902 —
   that target the finding's kind/name and set its field;
2. the field in the document of that kind/name in Finding.file (yaml.compose marks), else that document's
   metadata.name;
3. for an overlay-level finding (an absent workload, a removal): a `$patch: delete` of that object, else the
   overlay kustomization's `components:`/`resources:` line; the waiver entry for a waiver finding.

Line and column are 1-based. Parsing is cached per file; every file read is a repository file the gate has
already screened (or policies/waivers.yaml, which load_waivers screened).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import yaml

from .findings import Finding
from .screen import KUSTOMIZATION_NAMES, find_kustomization, screen_overlay

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader

_SEGMENT = re.compile(r"""\.?([^.\[\]]+)|\[(\d+)\]|\[['"]([^'"]*)['"]\]|\[([^\]]*)\]""")
Segment = str | int


@dataclass(frozen=True)
class Location:
    file: str  # repo-relative
    line: int  # 1-based; 0 when the file is unknown or unreadable
    column: int = 1


def parse_field(path: str) -> list[Segment]:
    """`spec.template.spec.containers[0].command` → [..., "containers", 0, "command"]; also JSON paths
    (`$.spec['x.y']`) and label keys (`metadata.labels[onyx-gitops/profile]`)."""
    path = path.strip()
    path = path[1:] if path.startswith("$") else path
    segments: list[Segment] = []
    for match in _SEGMENT.finditer(path):
        key, index, quoted, bare = match.groups()
        if index is not None:
            segments.append(int(index))
        else:
            segments.append(key if key is not None else quoted if quoted is not None else bare)
    return segments


def _pointer_segments(pointer: str) -> list[Segment]:
    """JSON pointer (`/spec/template/spec/containers/0/command`) → segments."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.strip().split("/")[1:]]
    return [int(p) if p.isdigit() else p for p in parts]


class Locator:
    def __init__(self, repo_root: Path) -> None:
        self.root = repo_root.resolve()
        self._documents: dict[str, list[yaml.Node]] = {}
        self._chains: dict[str, list[str]] = {}

    def __call__(self, finding: Finding) -> Location:
        return self.locate(finding)

    def locate(self, finding: Finding) -> Location:
        try:
            return self._locate(finding)
        except Exception:  # noqa: BLE001 - a locator never breaks a report: the finding keeps its file
            return Location(finding.file, 1 if finding.file and (self.root / finding.file).is_file() else 0)

    # --- the three steps --------------------------------------------------------------------------------

    def _locate(self, finding: Finding) -> Location:
        if finding.file and Path(finding.file).name == "waivers.yaml":
            found = self._waiver(finding)
            if found:
                return found
        chain = self._chain(finding.overlay)
        origin = self._document(finding.file, finding.kind, finding.name) if finding.file else None
        if finding.kind and finding.name and finding.field:
            for kustomization in chain:
                found = self._override(kustomization, finding, origin)
                if found:
                    return found
        if origin is not None:
            node = _walk(origin, parse_field(finding.field)) if finding.field else None
            if node is None:
                node = _walk(origin, ["metadata", "name"]) or origin
            return Location(finding.file, node.start_mark.line + 1, node.start_mark.column + 1)
        if finding.file and Path(finding.file).name in KUSTOMIZATION_NAMES:
            return self._overlay_line(finding.file, chain, finding)
        if chain and not finding.file:
            return self._overlay_line(chain[0], chain, finding)
        if finding.file and (self.root / finding.file).is_file():
            return Location(finding.file, 1)
        return Location(finding.file, 0)

    def _chain(self, overlay: str) -> list[str]:
        """Kustomization files the overlay loads, the overlay's own first (its patches are applied last)."""
        if overlay not in self._chains:
            directory = self.root / overlay
            chain: list[str] = []
            if overlay and directory.is_dir() and find_kustomization(directory) is not None:
                try:
                    report = screen_overlay(directory, self.root)
                    chain = [str(k.resolve().relative_to(self.root)) for k in report.kustomizations]
                except Exception:  # noqa: BLE001 - a finding already says why; keep the overlay's own file
                    chain = [str(find_kustomization(directory).relative_to(self.root))]  # type: ignore[union-attr]
            self._chains[overlay] = chain
        return self._chains[overlay]

    def _override(self, kustomization: str, finding: Finding, origin: yaml.Node | None) -> Location | None:
        node = self._first_document(kustomization)
        if not isinstance(node, yaml.MappingNode):
            return None
        field = parse_field(finding.field)
        if field == ["spec", "replicas"]:
            for entry in _items(_get(node, "replicas")):
                if _scalar(_get(entry, "name")) == finding.name:
                    return _at(kustomization, _get(entry, "count") or entry)
        if field == ["metadata", "namespace"] and _get(node, "namespace") is not None:
            return _at(kustomization, _get(node, "namespace"))
        if len(field) >= 2 and field[-1] == "image" and origin is not None:
            image = _scalar(_value(origin, field))
            repository = _image_name(image) if image else ""
            for entry in _items(_get(node, "images")):
                if repository and _scalar(_get(entry, "name")) == repository:
                    target = next((n for n in (_get(entry, k) for k in ("newTag", "digest", "newName")) if n), entry)
                    return _at(kustomization, target)
        for patch_file, offset, documents, target in self._patches(kustomization, node):
            for document in documents:
                found = self._in_patch(document, target, finding, field, origin)
                if found is None:
                    continue
                if offset is None:  # a quoted or plain scalar: its lines do not map, so the patch entry
                    return Location(patch_file, target["_line"] + 1, 1)
                line = found.start_mark.line + offset
                indent = self._indent(patch_file, offset) if patch_file == kustomization else 0
                return Location(patch_file, line + 1, found.start_mark.column + indent + 1)
        return None

    def _in_patch(self, document: yaml.Node, target: dict[str, Any], finding: Finding, field: list[Segment],
                  origin: yaml.Node | None) -> yaml.Node | None:
        if isinstance(document, yaml.SequenceNode):  # JSON 6902 operations
            if not _targets(target, finding.kind, finding.name):
                return None
            for operation in document.value:
                pointer = _scalar(_get(operation, "path"))
                if pointer and _overlaps(_pointer_segments(pointer), field):
                    return _get(operation, "path")
            return None
        if not isinstance(document, yaml.MappingNode):
            return None
        kind = target.get("kind") or _scalar(_get(document, "kind"))
        name = target.get("name") or _scalar(_value(document, ["metadata", "name"]))
        if kind != finding.kind or not _name_matches(name, finding.name):
            return None
        return _walk(document, field, origin)

    def _patches(self, kustomization: str, node: yaml.MappingNode
                 ) -> Iterator[tuple[str, int | None, list[yaml.Node], dict[str, Any]]]:
        """(file, line offset of the patch text in it or None, documents, target) for every patch."""
        directory = (self.root / kustomization).parent
        entries: list[tuple[yaml.Node, dict[str, Any]]] = []
        for key in ("patches", "patchesJson6902"):
            for entry in _items(_get(node, key)):
                target = _get(entry, "target")
                entries.append((entry, {k: _scalar(_get(target, k)) for k in ("kind", "name")} if target else {}))
        for entry in _items(_get(node, "patchesStrategicMerge")):
            entries.append((entry, {}))
        for entry, target in entries:
            target["_line"] = entry.start_mark.line
            inline = _get(entry, "patch") if isinstance(entry, yaml.MappingNode) else None
            path = _scalar(_get(entry, "path")) if isinstance(entry, yaml.MappingNode) else None
            if isinstance(entry, yaml.ScalarNode):
                if "\n" in entry.value:
                    inline = entry
                else:
                    path = entry.value
            if isinstance(inline, yaml.ScalarNode):
                offset = inline.start_mark.line + 1 if inline.style in ("|", ">") else None
                documents = [d for d in yaml.compose_all(inline.value, Loader=_Loader) if d is not None]
                yield kustomization, offset, documents, target
            elif path:
                file = (directory / path).resolve()
                try:
                    relative = str(file.relative_to(self.root))
                except ValueError:
                    continue
                if file.is_file():
                    yield relative, 0, self._documents_of(relative), target

    def _overlay_line(self, kustomization: str, chain: list[str], finding: Finding) -> Location:
        """An overlay-level finding: the patch that deletes the object, else where the overlay lists what it
        deploys."""
        for file in chain or [kustomization]:
            node = self._first_document(file)
            if not isinstance(node, yaml.MappingNode):
                continue
            for patch_file, offset, documents, target in self._patches(file, node):
                for document in documents:
                    marker = _get(document, "$patch") if isinstance(document, yaml.MappingNode) else None
                    if marker is not None and _scalar(marker) == "delete" and (
                            _scalar(_get(document, "kind")) == finding.kind
                            and _scalar(_value(document, ["metadata", "name"])) == finding.name):
                        line = marker.start_mark.line + offset if offset is not None else target["_line"]
                        return Location(patch_file, line + 1, 1)
        node = self._first_document(kustomization)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value in ("components", "resources"):
                    return Location(kustomization, key.start_mark.line + 1, key.start_mark.column + 1)
        return Location(kustomization, 1)

    def _waiver(self, finding: Finding) -> Location | None:
        node = self._first_document(finding.file)
        entries = _items(_get(node, "waivers")) if isinstance(node, yaml.MappingNode) else []
        match = re.search(r"\bwaiver (\d+) for\b", finding.message)
        candidates = [entries[int(match.group(1)) - 1]] if match and 0 < int(match.group(1)) <= len(entries) else [
            e for e in entries if _scalar(_get(e, "overlay")) == finding.overlay
            and _scalar(_get(e, "resource")) == f"{finding.kind}/{finding.name}"]
        if not candidates:
            return None
        entry = candidates[0]
        target = _get(entry, finding.field) if finding.field else None
        node = target if target is not None else entry
        return Location(finding.file, node.start_mark.line + 1, node.start_mark.column + 1)

    # --- parsing (cached) -----------------------------------------------------------------------------------

    def _documents_of(self, relative: str) -> list[yaml.Node]:
        if relative not in self._documents:
            path = self.root / relative
            documents: list[yaml.Node] = []
            if path.is_file() and path.suffix in (".yaml", ".yml", "") and path.stat().st_size <= 1 << 20:
                text = path.read_text(encoding="utf-8")
                documents = [d for d in yaml.compose_all(text, Loader=_Loader) if d is not None]
            self._documents[relative] = documents
        return self._documents[relative]

    def _indent(self, relative: str, line: int) -> int:
        """Indentation of a block scalar's content, which starts at 0-based `line` of the file."""
        lines = (self.root / relative).read_text(encoding="utf-8").splitlines()
        text = lines[line] if line < len(lines) else ""
        return len(text) - len(text.lstrip(" "))

    def _first_document(self, relative: str) -> yaml.Node | None:
        documents = self._documents_of(relative)
        return documents[0] if documents else None

    def _document(self, relative: str, kind: str, name: str) -> yaml.Node | None:
        candidates = [d for d in self._documents_of(relative) if isinstance(d, yaml.MappingNode)]
        for document in candidates:
            if (not kind or _scalar(_get(document, "kind")) == kind) and (
                    not name or _scalar(_value(document, ["metadata", "name"])) == name):
                return document
        return None


def resource_files(repo_root: Path, overlay: str) -> dict[tuple[str, str], str]:
    """(kind, name) → the repository file that defines the object: the screen's index of `resources:` files
    (screen.ScreenReport.origins), which names the same file as Kustomize's origin annotation without a second,
    origin-tracking build (seconds on prod)."""
    root = repo_root.resolve()
    directory = root / overlay
    if not directory.is_dir() or find_kustomization(directory) is None:
        return {}
    return screen_overlay(directory, root).origins


# --- node helpers ---------------------------------------------------------------------------------------------

def _get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v
    return None


def _key(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, _ in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return k
    return None


def _items(node: yaml.Node | None) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _scalar(node: yaml.Node | None) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _value(node: yaml.Node | None, path: list[Segment]) -> yaml.Node | None:
    """The value node at `path` (mapping keys and list indexes only)."""
    for segment in path:
        if isinstance(segment, int):
            node = node.value[segment] if isinstance(node, yaml.SequenceNode) and segment < len(node.value) else None
        else:
            node = _get(node, segment)
    return node


def _walk(node: yaml.Node | None, path: list[Segment], origin: yaml.Node | None = None) -> yaml.Node | None:
    """Where the field at `path` is written: the key node for a mapping entry, the item for a list index. In a strategic-merge patch a list item is matched by `name`, taken from the same index
    in `origin` (the document the object came from), since the patch lists only the items it changes."""
    result: yaml.Node | None = None
    for segment in path:
        if node is None:
            return None
        if isinstance(segment, int):
            if not isinstance(node, yaml.SequenceNode):
                return None
            wanted = None
            if isinstance(origin, yaml.SequenceNode) and segment < len(origin.value):
                wanted = _scalar(_get(origin.value[segment], "name"))
            origin = origin.value[segment] if isinstance(origin, yaml.SequenceNode) and segment < len(origin.value) else None
            if wanted is not None and origin is not None:
                node = next((item for item in node.value if _scalar(_get(item, "name")) == wanted), None)
            else:
                node = node.value[segment] if segment < len(node.value) else None
            result = node
        else:
            result = _key(node, segment)
            node = _get(node, segment)
            origin = _get(origin, segment)
            if result is None:
                return None
    return result


def _at(file: str, node: yaml.Node) -> Location:
    return Location(file, node.start_mark.line + 1, node.start_mark.column + 1)


def _targets(target: dict[str, Any], kind: str, name: str) -> bool:
    return (not target.get("kind") or target["kind"] == kind) and _name_matches(target.get("name"), name)


def _name_matches(pattern: str | None, name: str) -> bool:
    if not pattern:
        return False
    if pattern == name:
        return True
    try:  # Kustomize patch targets take regular expressions
        return re.fullmatch(pattern, name) is not None
    except re.error:
        return False


def _overlaps(pointer: list[Segment], field: list[Segment]) -> bool:
    shorter = min(len(pointer), len(field))
    return shorter > 0 and pointer[:shorter] == field[:shorter]


def _image_name(image: str) -> str:
    """`onyxdotapp/onyx-backend:v1.9.0@sha256:…` → `onyxdotapp/onyx-backend` (as Kustomize `images:` names it)."""
    repository = image.split("@", 1)[0]
    head, _, last = repository.rpartition("/")
    if ":" in last:
        last = last.rsplit(":", 1)[0]
    return f"{head}/{last}" if head else last
