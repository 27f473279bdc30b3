"""`validate.py --base REF`: what Argo CD will do after merge, per overlay, and the removals it must not do
unreviewed.

Every registered overlay is rendered at REF (a temporary git worktree) and in the working tree, each into the
gate's own model (snapshot.py), and the two models are compared: workloads added and removed, replicas, Celery
queue sets, wiring targets (host:port → Service → workloads, from the model's `endpoints`), images,
NetworkPolicies, volumeClaimTemplates and the Argo CD sync settings of the overlay's Application.

Judged here in Python, not in Rego: the judgement needs both models at once, and the policy engine's contract
is one model in, `data.onyx.<policy>.deny` out, for every package (engine.py fails closed when a package yields
no `deny` set). A diff package would have to answer both input shapes, in the regopy/OPA subset, for a
handful of set differences that are plain and testable in Python. The facts it reads (workload and queue
consequences) still come from the policy data (data.catalog), like the policies'.

Three removals are findings when the overlay's Application syncs automatically with prune (at the base or
after the change): they pass only with a waiver in policies/waivers.yaml, through waivers.py like every other
finding.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

from .errors import InputError
from .findings import RENDER_FINDING, Finding
from .gate import REPO_ROOT, WAIVER_FILE, GateResult, OverlayResult
from .snapshot import OverlaySnapshot, Snapshot, load_snapshot, origins, snapshot_overlay
from .waivers import Waiver, apply_waivers
from .worktree import checked_out, resolve_commit

DIFF_WORKLOAD = "ONYX-DIFF-001"
DIFF_QUEUE = "ONYX-DIFF-002"
DIFF_STORAGE = "ONYX-DIFF-003"
DIFF_IDS = (DIFF_WORKLOAD, DIFF_QUEUE, DIFF_STORAGE)
SYNC_OPTIONS = "argocd.argoproj.io/sync-options"


@dataclass(frozen=True)
class Change:
    section: str  # workloads | replicas | queues | wiring | images | network-policies | storage | argocd
    subject: str  # e.g. Deployment/celery-worker-light
    before: str
    after: str


@dataclass
class OverlayDelta:
    overlay: str
    status: str = "unchanged"  # added | removed | changed | unchanged | not-rendered
    application: str = ""  # name of the overlay's Argo CD Application ("" when none)
    sync: str = "no Application"  # how Argo CD syncs it after the change, in words
    auto_prune: bool = False  # automated sync with prune, at the base or after the change
    note: str = ""
    changes: list[Change] = field(default_factory=list)


@dataclass
class DiffResult(GateResult):
    base_ref: str = ""
    base_commit: str = ""
    deltas: list[OverlayDelta] = field(default_factory=list)


def run_diff(base_ref: str, paths: list[str], *, repo_root: Path = REPO_ROOT, cwd: Path | None = None,
             today: dt.date | None = None) -> DiffResult:
    """Compare `paths` (default: every overlay registered at the base or now) between `base_ref` and the
    working tree of `repo_root`."""
    repo_root = repo_root.resolve()
    commit = resolve_commit(repo_root, base_ref)  # a bad ref is exit 2 before anything is rendered
    head = load_snapshot(repo_root, strict=True)  # invalid waivers or policy data: exit 2, no worktree made
    with checked_out(repo_root, commit) as base_root:
        base = load_snapshot(base_root, strict=False)
        targets = _targets(paths, head, base, cwd or Path.cwd())
        result = DiffResult(overlays=[], engine="diff", base_ref=base_ref, base_commit=commit)
        for overlay in targets:
            delta, overlay_result = compare_overlay(overlay, base, head)
            result.deltas.append(delta)
            result.overlays.append(overlay_result)
    _apply_change_waivers(result, head.waivers, base.waivers, today or dt.date.today())
    return result


def _targets(paths: list[str], head: Snapshot, base: Snapshot, cwd: Path) -> list[str]:
    if not paths:
        return sorted(set(head.registered) | set(base.registered))
    targets = []
    for target in paths:
        absolute = Path(os.path.normpath(Path(target) if Path(target).is_absolute() else cwd / target))
        try:
            relative = str(absolute.relative_to(head.root))
        except ValueError:
            relative = os.path.normpath(target)
        if relative.startswith("..") or Path(relative).is_absolute():
            raise InputError(f"{target}: is outside the repository {head.root}")
        if not any((root / relative).is_dir() for root in (head.root, base.root)):
            raise InputError(f"{target}: no such overlay directory, neither now nor at the base")
        if relative not in targets:
            targets.append(relative)
    return targets


# --- comparing two models -------------------------------------------------------------------------------

def compare_overlay(overlay: str, base: Snapshot, head: Snapshot) -> tuple[OverlayDelta, OverlayResult]:
    before, after = snapshot_overlay(base, overlay), snapshot_overlay(head, overlay)
    base_app, head_app = base.application(overlay), head.application(overlay)
    delta = OverlayDelta(overlay=overlay, application=(head_app or base_app or {}).get("name", ""),
                         sync=_sync_words(head_app), auto_prune=_auto_prune(base_app) or _auto_prune(head_app))
    result = OverlayResult(overlay=overlay)
    delta.changes += _argocd_changes(base_app, head_app)
    if after.error is not None:
        result.error = after.error
        delta.status, delta.note = "not-rendered", f"not judged: {after.error}"
        return delta, result
    if after.render_error:
        result.findings.append(Finding(
            RENDER_FINDING, "error", "Overlay does not render", overlay, "", "", "", after.kustomization,
            f"Kustomize cannot render this overlay, so Argo CD cannot sync it: {after.render_error}"))
        delta.status, delta.note = "not-rendered", "does not render after the change (see the finding)"
        return delta, result
    if not after.exists:
        delta.status = "removed" if before.exists else "unchanged"
        delta.note = ("the overlay directory is deleted; Argo CD cannot render it, so its Application reports a "
                      "comparison error and prunes nothing" if before.exists else "")
        return delta, result
    if before.model is None:
        delta.status = "added" if not before.exists else "changed"
        if before.exists:
            delta.note = (f"the base {'does not render' if before.render_error else 'could not be read'}, "
                          "so removals cannot be judged; every object is listed as added")
        delta.changes += _model_changes(_empty_model(), after.model or {}, {}, after.network_policy_specs)
        return delta, result
    old, new = before.model, after.model or {}
    delta.changes += _model_changes(old, new, before.network_policy_specs, after.network_policy_specs)
    delta.status = "changed" if delta.changes else "unchanged"
    if delta.auto_prune:
        app = delta.application
        result.findings += _removal_findings(overlay, app, old, new, head.catalog or base.catalog, after)
        if any(not finding.file for finding in result.findings):
            files = origins(head, overlay)
            result.findings = [f if f.file else replace(f, file=files.get((f.kind, f.name), after.kustomization))
                               for f in result.findings]
    result.findings.sort(key=lambda f: (f.id, f.kind, f.name, f.message))
    return delta, result


def _empty_model() -> dict[str, Any]:
    return {"workloads": [], "services": [], "network_policies": []}


def _auto_prune(app: dict[str, Any] | None) -> bool:
    automated = (app or {}).get("automated")
    return bool(automated and automated.get("prune") and automated.get("enabled", True))


def _sync_words(app: dict[str, Any] | None) -> str:
    if app is None:
        return "no Application"
    automated = app.get("automated")
    if not automated or not automated.get("enabled", True):
        return f"Application {app['name']}: manual sync"
    flags = [name for name, on in (("prune", automated.get("prune")), ("selfHeal", automated.get("self_heal")))
             if on]
    return f"Application {app['name']}: automated sync" + (f" with {' and '.join(flags)}" if flags else "")


def _workloads(model: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(w["kind"], w["name"]): w for w in model.get("workloads") or []}


def _label(key: tuple[str, str]) -> str:
    return f"{key[0]}/{key[1]}"


def _replicas(workload: dict[str, Any]) -> int:
    return 1 if workload["kind"] == "DaemonSet" else int(workload.get("replicas") or 0)


def _queues(workload: dict[str, Any]) -> set[str]:
    """Queues this workload consumes (Celery worker containers; none when scaled to zero)."""
    if _replicas(workload) <= 0:
        return set()
    return {queue for container in workload.get("containers") or [] for queue in _container_queues(container)}


def _container_queues(container: dict[str, Any]) -> list[str]:
    celery = container.get("celery") or {}
    return list(celery.get("queues") or []) if celery.get("role") == "worker" else []


def _model_changes(old: dict[str, Any], new: dict[str, Any], old_specs: dict[str, Any],
                   new_specs: dict[str, Any]) -> list[Change]:
    changes: list[Change] = []
    before, after = _workloads(old), _workloads(new)
    for key in sorted(before.keys() - after.keys()):
        changes.append(Change("workloads", _label(key), f"{_replicas(before[key])} replica(s)", "removed"))
    for key in sorted(after.keys() - before.keys()):
        changes.append(Change("workloads", _label(key), "absent", f"added, {_replicas(after[key])} replica(s)"))
    common = sorted(before.keys() & after.keys())
    for key in common:
        if _replicas(before[key]) != _replicas(after[key]):
            changes.append(Change("replicas", _label(key), str(_replicas(before[key])), str(_replicas(after[key]))))
    for key in common:
        old_q, new_q = _all_queues(before[key]), _all_queues(after[key])
        if old_q != new_q:
            changes.append(Change("queues", _label(key), _words(old_q), _words(new_q)))
    for key in common:
        old_images, new_images = _images(before[key]), _images(after[key])
        for container in sorted(old_images.keys() | new_images.keys()):
            if old_images.get(container) != new_images.get(container):
                changes.append(Change("images", f"{_label(key)} {container}", old_images.get(container, "absent"),
                                      new_images.get(container, "absent")))
    changes += _wiring_changes(old, new)
    changes += _network_policy_changes(old, new, old_specs, new_specs)
    for key in common:
        if key[0] == "StatefulSet":
            old_t, new_t = before[key].get("volume_claim_templates") or [], after[key].get("volume_claim_templates") or []
            if sorted(old_t) != sorted(new_t):
                changes.append(Change("storage", _label(key), "volumeClaimTemplates: " + _words(old_t),
                                      "volumeClaimTemplates: " + _words(new_t)))
    return changes


def _all_queues(workload: dict[str, Any]) -> list[str]:
    return sorted({q for c in workload.get("containers") or [] for q in _container_queues(c)})


def _images(workload: dict[str, Any]) -> dict[str, str]:
    return {c.get("name", ""): c.get("image", "") for c in workload.get("containers") or []}


def _words(items: Iterable[str]) -> str:
    items = list(items)
    return ", ".join(items) if items else "none"


def _wiring_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Where each workload's catalog addresses lead; one row per (address, before, after) with its workloads."""
    before, after = _targets_of(old), _targets_of(new)
    common = {w["name"] for w in old.get("workloads") or []} & {w["name"] for w in new.get("workloads") or []}
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for key in sorted(before.keys() | after.keys()):
        workload, address = key
        was, now = before.get(key), after.get(key)
        if workload in common and was != now:  # added or removed workloads are listed once, under workloads
            grouped.setdefault((address, was or "unset", now or "unset"), []).append(workload)
    return [Change("wiring", f"{address} ({_some(workloads)})", was, now)
            for (address, was, now), workloads in grouped.items()]


def _some(names: list[str], shown: int = 4) -> str:
    return ", ".join(names) if len(names) <= shown + 1 else f"{', '.join(names[:shown])} and {len(names) - shown} more"


def _targets_of(model: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(workload, address) → "host:port → Service x → workloads"; only for workloads present in the model."""
    services = {(s["namespace"], s["name"]): s for s in model.get("services") or []}
    targets: dict[tuple[str, str], str] = {}
    for workload in model.get("workloads") or []:
        for container in workload.get("containers") or []:
            for address, endpoint in sorted((container.get("endpoints") or {}).items()):
                targets[(workload["name"], address)] = _target_words(endpoint, workload["namespace"], services)
    return targets


def _target_words(endpoint: dict[str, Any], namespace: str, services: dict[tuple[str, str], Any]) -> str:
    where = f"{endpoint.get('host')}:{endpoint.get('port')}" if endpoint.get("port") else str(endpoint.get("host"))
    name, service_ns = endpoint.get("service"), endpoint.get("service_namespace")
    if not name:
        return f"{where} (no Service)"
    service = services.get((service_ns, name))
    label = name if service_ns == namespace else f"{name}.{service_ns}"
    if service is None:
        return f"{where} → Service {label} (not in this overlay)"
    return f"{where} → Service {label} → {_words(service.get('selected_workloads') or [])}"


def _network_policy_changes(old: dict[str, Any], new: dict[str, Any], old_specs: dict[str, Any],
                            new_specs: dict[str, Any]) -> list[Change]:
    """NetworkPolicies added, removed, rewritten, or selecting other pods. A policy whose spec is unchanged
    but whose peers now resolve to other workloads (because a workload came or went) is not listed: the
    workload row already says it."""
    def index(model: dict[str, Any]) -> dict[str, dict[str, Any]]:
        return {p["name"]: p for p in model.get("network_policies") or []}

    def words(policy: dict[str, Any] | None) -> str:
        if policy is None:
            return "absent"
        return (f"selects {_some(policy.get('selected_workloads') or []) or 'no pod'}; "
                f"{'/'.join(policy.get('policy_types') or [])}; "
                f"{len(policy.get('ingress') or [])} ingress, {len(policy.get('egress') or [])} egress rule(s)")

    before, after = index(old), index(new)
    common = {w["name"] for w in old.get("workloads") or []} & {w["name"] for w in new.get("workloads") or []}
    changes = []
    for name in sorted(before.keys() | after.keys()):
        was, now = before.get(name), after.get(name)
        if was is None or now is None or old_specs.get(name) != new_specs.get(name):
            was_words, now_words = words(was), words(now)
            if was is not None and now is not None and was_words == now_words:
                now_words += " (rules rewritten)"
            changes.append(Change("network-policies", f"NetworkPolicy/{name}", was_words, now_words))
            continue
        old_sel, new_sel = set(was.get("selected_workloads") or []), set(now.get("selected_workloads") or [])
        if old_sel & common != new_sel & common or (old_sel and not new_sel):
            changes.append(Change("network-policies", f"NetworkPolicy/{name}", words(was), words(now)))
    return changes


def _argocd_changes(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Change]:
    if old is None and new is None:
        return []
    name = (new or old or {}).get("name", "")
    if old is None or new is None:
        return [Change("argocd", f"Application/{name}", "absent" if old is None else _sync_words(old),
                       "absent" if new is None else _sync_words(new))]
    changes = []
    for label, getter in (
        ("sync", _sync_words),
        ("source.path", lambda a: a.get("path", "")),
        ("source.targetRevision", lambda a: a.get("target_revision", "")),
        ("source.repoURL", lambda a: a.get("repo_url", "")),
        ("destination", lambda a: " ".join(f"{k}={v}" for k, v in sorted((a.get("destination") or {}).items()) if v)),
        ("project", lambda a: a.get("project", "")),
    ):
        if getter(old) != getter(new):
            changes.append(Change("argocd", f"Application/{name} {label}", getter(old) or "unset",
                                  getter(new) or "unset"))
    return changes


# --- what Argo CD removes after merge -------------------------------------------------------------------

def _removal_findings(overlay: str, app: str, old: dict[str, Any], new: dict[str, Any], catalog: dict[str, Any],
                      after: OverlaySnapshot) -> list[Finding]:
    findings: list[Finding] = []
    before, now = _workloads(old), _workloads(new)
    consumers_after: dict[str, list[str]] = {}
    for workload in now.values():
        for queue in _queues(workload):
            consumers_after.setdefault(queue, []).append(workload["name"])
    kustomization = after.kustomization
    for key in sorted(before.keys() - now.keys()):
        workload = before[key]
        kind, name = key
        kept = _prune_disabled(workload)
        if kind == "StatefulSet":
            findings.append(Finding(DIFF_STORAGE, "error", "Stateful storage removed", overlay, kind, name, "",
                                    kustomization, _statefulset_message(overlay, app, workload, catalog, kept)))
            continue
        consequence = _workload_consequence(workload, catalog, consumers_after)
        replacement = next((k for k in now if k[1] == name), None)
        if replacement is not None:  # same name, another kind: Argo CD deletes the old object, creates the new
            consequence = (f"it is replaced by {replacement[0]} {name}, so its pods go before the new ones are "
                           f"ready, and for as long as the {replacement[0]} is not ready {consequence}")
        if kept:
            message = (f"{kind} {name} is no longer rendered for {overlay}; Argo CD does not prune it "
                       f"(sync-options Prune=false), so after merge Application {app} stays OutOfSync and the "
                       f"{kind} keeps running unmanaged — a later manual prune deletes it: {consequence}")
        else:
            message = (f"{kind} {name} is no longer rendered for {overlay} and Application {app} syncs "
                       f"automatically with prune, so Argo CD prunes {kind} {name} minutes after merge — "
                       f"{consequence}")
        findings.append(Finding(DIFF_WORKLOAD, "error", "Workload pruned after merge", overlay, kind, name, "",
                                kustomization, message))
    for key in sorted(before.keys() & now.keys()):
        lost = sorted(_queues(before[key]) - _queues(now[key]))
        if lost:
            findings.append(_queue_finding(overlay, app, before[key], now[key], lost, catalog, consumers_after))
        if key[0] == "StatefulSet":
            gone = sorted(set(before[key].get("volume_claim_templates") or [])
                          - set(now[key].get("volume_claim_templates") or []))
            if gone:
                findings.append(Finding(
                    DIFF_STORAGE, "error", "Stateful storage removed", overlay, key[0], key[1],
                    "spec.volumeClaimTemplates", "",
                    f"StatefulSet {key[1]} drops volumeClaimTemplate(s) {_quoted(gone)} — volumeClaimTemplates "
                    f"are immutable, so after merge every automatic sync of Application {app} fails (the API "
                    f"server forbids the update) and no later change to {overlay} reaches the cluster until the "
                    f"StatefulSet is deleted by hand; its pods then start without {_quoted(gone)}"))
    return findings


def _prune_disabled(workload: dict[str, Any]) -> bool:
    options = str((workload.get("annotations") or {}).get(SYNC_OPTIONS, ""))
    return "Prune=false" in [option.strip() for option in options.split(",")]


def _workload_consequence(workload: dict[str, Any], catalog: dict[str, Any],
                          consumers_after: dict[str, list[str]]) -> str:
    entry = (catalog.get("workloads") or {}).get(workload["name"]) or {}
    consequence = str(entry.get("consequence") or "its pods are deleted and whatever they serve stops")
    orphaned = sorted(q for q in _queues(workload) if q not in consumers_after)
    if orphaned:
        consequence += f" (queue(s) {_quoted(orphaned)} are left without a consumer)"
    return consequence


def _statefulset_message(overlay: str, app: str, workload: dict[str, Any], catalog: dict[str, Any],
                         kept: bool) -> str:
    name = workload["name"]
    entry = (catalog.get("workloads") or {}).get(name) or {}
    consequence = str(entry.get("consequence") or f"everything that stores data in {name} loses it")
    claims = workload.get("volume_claim_templates") or []
    volumes = (f"; the PersistentVolumeClaims of its volumeClaimTemplates ({_quoted(claims)}) stay behind "
               "unless its persistentVolumeClaimRetentionPolicy deletes them") if claims else ""
    if kept:
        return (f"StatefulSet {name} is no longer rendered for {overlay}; Argo CD does not prune it (sync-options "
                f"Prune=false), so after merge Application {app} stays OutOfSync and the StatefulSet runs unmanaged "
                f"— a later manual prune deletes it and then {consequence}{volumes}")
    return (f"StatefulSet {name} is no longer rendered for {overlay} and Application {app} syncs automatically "
            f"with prune, so Argo CD prunes StatefulSet {name} minutes after merge — its pods stop and "
            f"{consequence}{volumes}")


def _queue_finding(overlay: str, app: str, old: dict[str, Any], new: dict[str, Any], lost: list[str],
                   catalog: dict[str, Any], consumers_after: dict[str, list[str]]) -> Finding:
    kind, name = new["kind"], new["name"]
    queues = catalog.get("queues") or {}
    effects = []
    for queue in lost:
        others = sorted(consumers_after.get(queue) or [])
        if others:
            effects.append(f'"{queue}" is still consumed by {", ".join(others)}')
        else:
            consequence = (queues.get(queue) or {}).get("consequence") or "its tasks wait in Redis and never run"
            effects.append(f'"{queue}" has no consumer left: {consequence}')
    if _replicas(new) <= 0 < _replicas(old):
        action = (f"Application {app} syncs automatically, so Argo CD scales {kind} {name} from {_replicas(old)} "
                  f"to 0 replicas minutes after merge and it stops consuming {_quoted(lost)}")
        field_path = "spec.replicas"
    else:
        action = (f"{kind} {name} stops consuming {_quoted(lost)} and Application {app} syncs automatically, so "
                  f"Argo CD rolls the new command out minutes after merge")
        index = next((i for i, c in enumerate(new.get("containers") or []) if c.get("celery")), 0)
        field_path = f"spec.template.spec.containers[{index}].command"
    return Finding(DIFF_QUEUE, "error", "Queue consumer removed", overlay, kind, name, field_path,
                   "", f"{action} — {'; '.join(effects)}")


def _quoted(items: Iterable[str]) -> str:
    return ", ".join(f'"{item}"' for item in items)


# --- waivers ------------------------------------------------------------------------------------------------

def is_change_waiver(waiver: Waiver) -> bool:
    return waiver.id in DIFF_IDS


def _apply_change_waivers(result: DiffResult, waivers: list[Waiver], base_waivers: list[Waiver],
                          today: dt.date) -> None:
    """waivers.apply_waivers, restricted to the diff's own ids. A diff waiver inherited from the base has done
    its job once its change merged; only waivers this change adds, or that cover one of its findings, are
    judged here (expired or matching nothing). Expired inherited ones are the gate's to report."""
    inherited = {(w.id, w.overlay, w.resource) for w in base_waivers}
    judged = {overlay.overlay for overlay in result.overlays if overlay.error is None}
    for overlay in result.overlays:
        if overlay.error is not None:
            continue
        mine = [w for w in waivers if is_change_waiver(w) and w.overlay == overlay.overlay and (
            (w.id, w.overlay, w.resource) not in inherited or any(w.covers(f) for f in overlay.findings))]
        overlay.findings = apply_waivers(overlay.findings, mine, judged, today, WAIVER_FILE)


