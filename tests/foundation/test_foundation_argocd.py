"""Argo CD: one Application per overlay, allowed by the AppProject; StatefulSets protected; sync waves ordered.

Expectations from docs/deployment.md ("Bootstrapping Argo CD", "Start-up order (Argo CD sync waves)").
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest

from onyx_gate.render import render_plain
from onyx_gate.schemas import schema_errors

from .foundation_support import OVERLAYS, REPO_ROOT

PROFILE_LABEL = "onyx-gitops/profile"
AUTOMATED_PROFILES = {"prod"}  # prod follows main; minimal and full are synced by hand
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
STATEFUL = ("postgres", "vespa", "minio")
SYNC_WAVE = "argocd.argoproj.io/sync-wave"
SYNC_OPTIONS = "argocd.argoproj.io/sync-options"
# Start-up order, earliest first: datastores < model servers < api/web/nginx < beat/workers.
WAVE_TIERS = [
    ("datastores", {"postgres", "vespa", "redis", "minio"}),
    ("model servers", {"inference-model-server", "indexing-model-server"}),
    ("api/web/nginx", {"api-server", "web-server", "nginx"}),
    ("beat/workers", {"celery-beat", "celery-worker-primary", "celery-worker-light", "celery-worker-heavy",
                      "celery-worker-docfetching", "celery-worker-docprocessing",
                      "celery-worker-user-files-indexing", "celery-worker-monitoring",
                      "celery-worker-kg-processing"}),
]


def _namespaces(objects: list[dict[str, Any]]) -> set[str]:
    return {(o.get("metadata") or {}).get("namespace") for o in objects}


def _allows(pattern: str, value: str) -> bool:
    """Argo CD matches AppProject destinations and sourceRepos as globs."""
    return fnmatchcase(value, pattern)


@pytest.fixture(scope="module")
def applications(argocd_loaded) -> list[dict[str, Any]]:
    return argocd_loaded[0]["applications"]


@pytest.fixture(scope="module")
def argocd_render() -> list[dict[str, Any]]:
    return render_plain(REPO_ROOT / "argocd")


def test_argocd_files_pass_the_argocd_schemas(argocd_loaded):
    model, findings = argocd_loaded
    assert [f.message for f in findings] == []
    assert model["applications"] and model["projects"]


def test_argocd_kustomization_renders_and_passes_the_crd_schemas(argocd_render, argocd_loaded):
    assert argocd_render, "argocd/ rendered no objects"
    problems = {f"{o.get('kind')}/{o['metadata']['name']}": errors for o in argocd_render if (errors := schema_errors(o))}
    assert problems == {}
    # What `kubectl apply -k argocd` creates is what the gate reads from the files, nothing left out.
    model = argocd_loaded[0]
    rendered = sorted((o["kind"], o["metadata"]["name"]) for o in argocd_render)
    read = sorted([("Application", a["name"]) for a in model["applications"]]
                  + [("AppProject", p["name"]) for p in model["projects"]])
    assert rendered == read


def test_one_application_per_overlay(applications):
    assert sorted(Path(a["path"]).as_posix() for a in applications) == sorted(f"overlays/{o}" for o in OVERLAYS)


def test_every_application_points_at_an_overlay_with_a_kustomization(applications):
    for application in applications:
        directory = REPO_ROOT / application["path"]
        assert application["path"].startswith("overlays/") and directory.is_dir(), application
        assert any((directory / name).is_file() for name in KUSTOMIZATION_FILES), f"{directory} has no kustomization"


def test_application_destination_is_the_overlays_rendered_namespace(applications, plain_renders):
    for application in applications:
        overlay = Path(application["path"]).name
        objects = plain_renders[overlay] if overlay in plain_renders else render_plain(REPO_ROOT / application["path"])
        namespaces = _namespaces(objects)
        assert len(namespaces) == 1, f"{application['path']} renders into {namespaces}"
        assert application["destination"]["namespace"] == namespaces.pop(), application["name"]


def test_application_profile_label_is_its_overlay(applications):
    wrong = {a["name"]: (a["profile"], a["path"]) for a in applications if a["profile"] != Path(a["path"]).name}
    assert wrong == {}, f"{PROFILE_LABEL} label differs from the overlay: {wrong}"


def test_only_prod_syncs_automatically_with_prune_and_self_heal(applications):
    for application in applications:
        automated = application["automated"]
        if application["profile"] in AUTOMATED_PROFILES:
            assert automated == {"prune": True, "self_heal": True, "enabled": True}, application["name"]
        else:
            assert automated is None or automated["enabled"] is False, application["name"]


def test_appproject_allows_every_applications_source_and_destination(argocd_loaded):
    model = argocd_loaded[0]
    projects = {p["name"]: p for p in model["projects"]}
    for application in model["applications"]:
        project = projects.get(application["project"])
        assert project is not None, f"{application['name']}: AppProject {application['project']!r} is not in argocd/"
        assert any(_allows(repo, application["repo_url"]) for repo in project["source_repos"]), application["name"]
        destination = application["destination"]
        assert any(
            _allows(allowed["namespace"], destination["namespace"])
            and ((destination["server"] and allowed["server"] and _allows(allowed["server"], destination["server"]))
                 or (destination["name"] and allowed["name"] and _allows(allowed["name"], destination["name"])))
            for allowed in project["destinations"]
        ), f"{application['name']}: destination {destination} is not allowed by AppProject {project['name']}"


# Stateful workloads ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("overlay", OVERLAYS)
def test_stateful_workloads_are_protected_and_persist_their_data(models, overlay):
    workloads = {w["name"]: w for w in models[overlay]["workloads"]}
    for name in STATEFUL:
        workload = workloads[name]
        assert workload["kind"] == "StatefulSet", name
        options = {o.strip() for o in str(workload["annotations"].get(SYNC_OPTIONS, "")).split(",")}
        assert {"Prune=false", "Delete=false"} <= options, f"{name}: {SYNC_OPTIONS}={options}"
        assert workload["volume_claim_templates"], f"{name} has no volumeClaimTemplates"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_volume_claim_template_is_mounted(plain_renders, overlay):
    for obj in plain_renders[overlay]:
        if obj.get("kind") != "StatefulSet":
            continue
        spec = obj["spec"]
        mounted = {m["name"] for c in spec["template"]["spec"]["containers"] for m in c.get("volumeMounts") or []}
        claims = {t["metadata"]["name"] for t in spec.get("volumeClaimTemplates") or []}
        assert claims <= mounted, f"{obj['metadata']['name']}: claims {sorted(claims - mounted)} are never mounted"


# Sync waves ------------------------------------------------------------------------------------------------

def _wave(annotations: dict[str, Any], what: str) -> int:
    assert SYNC_WAVE in annotations, f"{what} has no {SYNC_WAVE}"
    return int(annotations[SYNC_WAVE])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_sync_waves_start_datastores_then_model_servers_then_servers_then_celery(models, overlay):
    waves = {w["name"]: _wave(w["annotations"], f"{w['kind']}/{w['name']}") for w in models[overlay]["workloads"]}
    tiered = set().union(*(names for _, names in WAVE_TIERS))
    assert set(waves) <= tiered, f"workloads with no start-up tier: {sorted(set(waves) - tiered)}"
    present = [(label, {n: waves[n] for n in names if n in waves}) for label, names in WAVE_TIERS]
    for (early, early_waves), (late, late_waves) in zip(present, present[1:]):
        assert early_waves and late_waves, (early, late)
        assert max(early_waves.values()) < min(late_waves.values()), (
            f"overlays/{overlay}: {early} {early_waves} must sync before {late} {late_waves}")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_services_and_config_maps_sync_no_later_than_the_pods_that_use_them(models, plain_renders, overlay):
    model = models[overlay]
    waves = {w["name"]: _wave(w["annotations"], w["name"]) for w in model["workloads"]}
    for service in model["services"]:
        annotations = next(o for o in model["objects"] if o["kind"] == "Service" and o["name"] == service["name"])
        wave = _wave(annotations["annotations"], f"Service/{service['name']}")
        assert [wave] == [waves[w] for w in service["selected_workloads"]], f"Service/{service['name']}"
    config_waves = {o["name"]: _wave(o["annotations"], f"ConfigMap/{o['name']}")
                    for o in model["objects"] if o["kind"] == "ConfigMap"}
    for obj in plain_renders[overlay]:
        if obj.get("kind") not in ("Deployment", "StatefulSet"):
            continue
        name = obj["metadata"]["name"]
        for used in _config_maps_used(obj["spec"]["template"]["spec"]):
            assert used in config_waves, f"{name} uses ConfigMap {used}, which the overlay does not render"
            assert config_waves[used] <= waves[name], f"ConfigMap {used} (wave {config_waves[used]}) after {name}"


def _config_maps_used(pod_spec: dict[str, Any]) -> set[str]:
    used = set()
    for container in (pod_spec.get("initContainers") or []) + (pod_spec.get("containers") or []):
        used |= {s["configMapRef"]["name"] for s in container.get("envFrom") or [] if "configMapRef" in s}
        used |= {e["valueFrom"]["configMapKeyRef"]["name"] for e in container.get("env") or []
                 if "configMapKeyRef" in (e.get("valueFrom") or {})}
    for volume in pod_spec.get("volumes") or []:
        if "configMap" in volume:
            used.add(volume["configMap"]["name"])
        for source in (volume.get("projected") or {}).get("sources") or []:
            if "configMap" in source:
                used.add(source["configMap"]["name"])
    return used
