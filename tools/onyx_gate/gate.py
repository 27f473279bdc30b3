"""The gate's core: overlay path(s) in, a GateResult out. Never prints, never exits.

Render (pykustomize) → strict schema validation → normalized model → Rego policies → findings.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from .argocd import load_argocd
from .engine import EmbeddedEngine, Engine, PolicySet, load_policy_set
from .findings import RENDER_FINDING, SCHEMA_FINDING, Finding
from .errors import EXIT_CLEAN, EXIT_FINDINGS, EXIT_INTERNAL, EngineError, GateError, InputError
from .model import build_model
from .policy_data import load_policy_data
from .render import cached_render, origin_map
from .schemas import ValidObjects
from .screen import find_kustomization, screen_overlay
from .waivers import Waiver, apply_waivers, load_waivers

REPO_ROOT = Path(__file__).resolve().parents[2]
WAIVER_FILE = "policies/waivers.yaml"
DIFF_PREFIX = "ONYX-DIFF-"  # findings only `--base` (tools/onyx_gate/diff.py) can produce


@dataclass
class OverlayResult:
    overlay: str
    findings: list[Finding] = field(default_factory=list)
    error: GateError | None = None

    @property
    def failing(self) -> list[Finding]:
        return [finding for finding in self.findings if not finding.waived]

    @property
    def exit_code(self) -> int:
        if self.error is not None:
            return self.error.exit_code
        return EXIT_FINDINGS if self.failing else EXIT_CLEAN


@dataclass
class GateResult:
    overlays: list[OverlayResult]
    repository: list[Finding] = field(default_factory=list)
    engine: str = ""

    @property
    def exit_code(self) -> int:
        repository_failing = any(not finding.waived for finding in self.repository)
        codes = [result.exit_code for result in self.overlays] + [EXIT_FINDINGS if repository_failing else EXIT_CLEAN]
        for code in (EXIT_INTERNAL, 2, EXIT_FINDINGS):
            if code in codes:
                return code
        return EXIT_CLEAN


EngineFactory = Callable[[PolicySet], Engine]


def registered_overlays(repo_root: Path = REPO_ROOT) -> list[str]:
    data = load_policy_data(repo_root / "policies" / "data", repo_root)
    return sorted((data.get("profiles") or {}).get("overlays") or {})


def run_gate(paths: list[str], *, repo_root: Path = REPO_ROOT, all_overlays: bool = False,
             engine_factory: EngineFactory = EmbeddedEngine, cwd: Path | None = None,
             today: dt.date | None = None) -> GateResult:
    """Judge each overlay in `paths` (or every registered overlay with `all_overlays`)."""
    repo_root = repo_root.resolve()
    data = load_policy_data(repo_root / "policies" / "data", repo_root)
    waivers = load_waivers(repo_root / WAIVER_FILE, repo_root)
    policies = load_policy_set(repo_root / "policies", data)
    engine = engine_factory(policies)
    valid = ValidObjects()
    argocd, argocd_findings = load_argocd(repo_root / "argocd", repo_root, valid.errors)
    targets = list(paths)
    if all_overlays:
        targets += [name for name in sorted((data.get("profiles") or {}).get("overlays") or {}) if name not in targets]
    result = GateResult(overlays=[], engine=engine.name)
    repository: dict[tuple[str, ...], Finding] = {}
    for finding in argocd_findings:
        repository[(finding.id, finding.file, finding.message)] = finding
    for target in targets:
        overlay_result = _judge(target, repo_root, cwd or Path.cwd(), data, argocd, engine, valid)
        for finding in list(overlay_result.findings):
            if finding.scope == "repo":
                overlay_result.findings.remove(finding)
                repository.setdefault((finding.id, finding.file, finding.message), finding)
        result.overlays.append(overlay_result)
    result.repository = list(repository.values())
    valid.save()
    _apply_waivers(result, waivers, today or dt.date.today())
    return result


def _apply_waivers(result: GateResult, waivers: list[Waiver], today: dt.date) -> None:
    judged = {overlay.overlay for overlay in result.overlays if overlay.error is None}
    for overlay in result.overlays:
        if overlay.error is None:
            mine = [w for w in waivers if w.overlay == overlay.overlay]
            overlay.findings = apply_waivers(overlay.findings, mine, judged, today, WAIVER_FILE,
                                             can_produce=lambda policy: not policy.startswith(DIFF_PREFIX))


def _judge(target: str, repo_root: Path, cwd: Path, data: dict[str, Any], argocd: dict[str, Any],
           engine: Engine, valid: ValidObjects) -> OverlayResult:
    try:
        overlay_dir, overlay = resolve_overlay(target, repo_root, cwd)
    except GateError as error:
        return OverlayResult(overlay=target, error=error)
    result = OverlayResult(overlay=overlay)
    try:
        screened = screen_overlay(overlay_dir, repo_root)
        objects = cached_render(overlay_dir, repo_root, screened.inputs.hexdigest())
    except GateError as error:
        if error.exit_code == EXIT_FINDINGS:  # Kustomize refused it: one clear finding, no policies
            result.findings.append(Finding(RENDER_FINDING, "error", "Overlay does not render", overlay, "", "", "",
                                           _kustomization_file(overlay_dir, repo_root),
                                           f"Kustomize cannot render this overlay, so Argo CD cannot sync it: {error}"))
        elif isinstance(error, EngineError):
            raise  # the engine or renderer is broken for every overlay: stop, exit 3, one line on stderr
        else:
            result.error = error
        return result
    for obj in objects:
        for problem in valid.errors(obj):
            result.findings.append(_schema_finding(overlay, obj, problem))
    model = build_model(overlay, objects, [""] * len(objects), data.get("catalog") or {}, argocd)
    raw = engine.evaluate(model)  # an EngineError propagates: exit 3, never a partial pass
    for item in raw:
        result.findings.append(Finding(
            id=item["id"], severity=item["severity"], title=item["title"], overlay=overlay, kind=item["kind"],
            name=item["name"], field=item["field"], file=item["file"], message=item["message"],
            scope="repo" if item.get("scope") == "repo" else "overlay"))
    result.findings = _with_files(result.findings, screened.origins, overlay_dir, repo_root, objects)
    result.findings.sort(key=lambda f: (f.id, f.kind, f.name, f.message))
    return result


def _with_files(findings: list[Finding], origins: dict[tuple[str, str], str], overlay_dir: Path, repo_root: Path,
                objects: list[dict[str, Any]]) -> list[Finding]:
    """Point every finding at the repository file its resource comes from.

    The screen already indexed every file listed under `resources:` (the same file Kustomize's origin annotation
    names; tests/foundation proves the two agree on every real overlay). Kustomize's own origin tracking costs
    seconds on prod (2.8 s measured), so it runs only for a rendered object the index cannot place (a name
    transformer, a generator); an object that is absent points at the overlay's kustomization.yaml."""
    fallback = _kustomization_file(overlay_dir, repo_root)
    rendered = {(str(o.get("kind", "")), str((o.get("metadata") or {}).get("name", ""))) for o in objects}
    unplaced = {(f.kind, f.name) for f in findings if not f.file and (f.kind, f.name) not in origins}
    if unplaced & rendered:
        origins = {**origin_map(overlay_dir, repo_root), **origins}
    return [f if f.file else replace(f, file=origins.get((f.kind, f.name), fallback) if (f.kind, f.name) in rendered
                                     else fallback)  # absent: its base file is not where the cause is
            for f in findings]


def resolve_overlay(target: str, repo_root: Path, cwd: Path) -> tuple[Path, str]:
    """(absolute directory, repo-relative name) of an overlay argument, or InputError (exit 2)."""
    path = Path(target)
    absolute = Path(os.path.realpath(path if path.is_absolute() else cwd / path))
    if absolute != repo_root and repo_root not in absolute.parents:
        absolute = Path(os.path.realpath(repo_root / path)) if not path.is_absolute() else absolute
    if absolute != repo_root and repo_root not in absolute.parents:
        raise InputError(f"{target}: is outside the repository {repo_root}")
    if not absolute.is_dir():
        raise InputError(f"{target}: no such overlay directory")
    if find_kustomization(absolute) is None:
        raise InputError(f"{target}: not an overlay (no kustomization.yaml in it)")
    return absolute, str(absolute.relative_to(repo_root)) or "."


def _kustomization_file(overlay_dir: Path, repo_root: Path) -> str:
    found = find_kustomization(overlay_dir)
    return str((found or overlay_dir).relative_to(repo_root))


def _schema_finding(overlay: str, obj: dict[str, Any], problem: str) -> Finding:
    field_path, _, message = problem.partition(": ")
    kind = str(obj.get("kind", ""))
    name = str((obj.get("metadata") or {}).get("name", ""))
    return Finding(SCHEMA_FINDING, "error", "Schema violation", overlay, kind, name, field_path, "",
                   f"{kind} {name} fails the strict schema at {field_path}: {message} — the API server rejects or "
                   "silently drops it, so the sync fails or the setting never applies")
