"""The model of every overlay at one repository root: the working tree, or a base ref checked out in a
temporary git worktree (worktree.py). It runs the gate's own steps (screen → render → build_model) and
judges nothing, so `diff.py` compares exactly the model the policies see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .argocd import load_argocd
from .errors import EXIT_FINDINGS, EngineError, GateError, InputError
from .gate import WAIVER_FILE
from .model import build_model
from .policy_data import load_policy_data
from .render import cached_render
from .screen import ScreenReport, find_kustomization, screen_overlay
from .waivers import Waiver, load_waivers


@dataclass
class OverlaySnapshot:
    overlay: str  # repo-relative overlay directory, e.g. overlays/prod
    kustomization: str = ""  # repo-relative kustomization file ("" when the overlay does not exist here)
    model: dict[str, Any] | None = None
    network_policy_specs: dict[str, Any] = field(default_factory=dict)  # name → rendered spec, as written
    render_error: str = ""  # Kustomize refused it (a finding about the change, as in the gate)
    screened: ScreenReport | None = None  # what the screen walked: the origins of findings come from it
    error: GateError | None = None  # hostile or malformed input (exit 2)

    @property
    def exists(self) -> bool:
        return bool(self.kustomization)


@dataclass
class Snapshot:
    root: Path
    registered: list[str]  # overlays registered in policies/data/profiles (sorted)
    catalog: dict[str, Any]
    argocd: dict[str, Any]  # the normalized argocd/ model (applications, projects)
    waivers: list[Waiver]
    overlays: dict[str, OverlaySnapshot] = field(default_factory=dict)

    def application(self, overlay: str) -> dict[str, Any] | None:
        """The Argo CD Application whose source path is `overlay`, if any."""
        for app in self.argocd.get("applications") or []:
            if app.get("path") == overlay:
                return app
        return None


def load_snapshot(root: Path, *, strict: bool) -> Snapshot:
    """Repository-level data at `root`. `strict=False` (a base ref) tolerates a missing or malformed policy
    data directory or waiver file: the base is only compared against, never judged."""
    root = root.resolve()
    try:
        data = load_policy_data(root / "policies" / "data", root)
    except InputError:
        if strict:
            raise
        data = {}
    try:
        waivers = load_waivers(root / WAIVER_FILE, root)
    except InputError:
        if strict:
            raise
        waivers = []
    argocd, _schema_findings = load_argocd(root / "argocd", root)  # schema findings are the gate's business
    registered = sorted(((data.get("profiles") or {}).get("overlays") or {}))
    return Snapshot(root=root, registered=registered, catalog=data.get("catalog") or {}, argocd=argocd,
                    waivers=waivers)


def snapshot_overlay(snapshot: Snapshot, overlay: str) -> OverlaySnapshot:
    """Screen, render and model one overlay at the snapshot's root (cached on the snapshot)."""
    if overlay in snapshot.overlays:
        return snapshot.overlays[overlay]
    root = snapshot.root
    directory = root / overlay
    result = OverlaySnapshot(overlay=overlay)
    snapshot.overlays[overlay] = result
    kustomization = find_kustomization(directory) if directory.is_dir() else None
    if kustomization is None:
        return result  # absent here: every object is added (or removed) by the change
    result.kustomization = str(kustomization.relative_to(root))
    try:
        result.screened = screen_overlay(directory, root)
        # no origin tracking (seconds on prod): see origins(); the base side of a diff is usually a cache hit
        objects = cached_render(directory, root, result.screened.inputs.hexdigest())
    except EngineError:
        raise  # the renderer itself is broken: exit 3 for the whole run, as in the gate
    except GateError as error:
        if error.exit_code == EXIT_FINDINGS:
            result.render_error = str(error)
        else:
            result.error = error
        return result
    result.model = build_model(overlay, objects, [""] * len(objects), snapshot.catalog, snapshot.argocd)
    result.network_policy_specs = {str((o.get("metadata") or {}).get("name", "")): o.get("spec")
                                   for o in objects if o.get("kind") == "NetworkPolicy"}
    return result


def origins(snapshot: Snapshot, overlay: str) -> dict[tuple[str, str], str]:
    """(kind, name) → repository file of every object the overlay renders: the index its screen already
    walked (ScreenReport.origins); only called when a finding needs a file."""
    screened = snapshot_overlay(snapshot, overlay).screened
    return screened.origins if screened is not None else {}
