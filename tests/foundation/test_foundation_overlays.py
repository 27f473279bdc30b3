"""Every overlay renders, passes the strict schemas, holds exactly its workloads, and keeps the naming contract.

Expected workload sets: docs/deployment.md "What each overlay contains, and why" (minimal = fact sheet
onyx-v1.9.0.md §3a "Minimal worker Deployments for the File-connector path"; full/prod = every v1.9.0 process,
§1 and §2, kg-processing from supervisord SV:116-126). The fact sheet itself is not available at test time.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from onyx_gate.celery_cmd import parse_celery
from onyx_gate.render import ORIGIN_ANNOTATION
from onyx_gate.schemas import schema_errors

from .foundation_support import EXPECTED_NAMESPACE, OVERLAYS

# Every kind that runs pods; anything of these kinds in an overlay is a workload.
POD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "Pod"}

SERVERS = {
    ("Deployment", "nginx"),
    ("Deployment", "web-server"),
    ("Deployment", "api-server"),
    ("Deployment", "inference-model-server"),
    ("Deployment", "indexing-model-server"),
    ("StatefulSet", "postgres"),
    ("StatefulSet", "vespa"),
    ("Deployment", "redis"),
    ("StatefulSet", "minio"),
}
INDEXING_WORKERS = {  # fact sheet §3a: beat + primary + docfetching + docprocessing
    ("Deployment", "celery-beat"),
    ("Deployment", "celery-worker-primary"),
    ("Deployment", "celery-worker-docfetching"),
    ("Deployment", "celery-worker-docprocessing"),
}
EXTRA_WORKERS = {  # fact sheet §2 (Helm) + SV:116-126 (kg_processing)
    ("Deployment", "celery-worker-light"),
    ("Deployment", "celery-worker-heavy"),
    ("Deployment", "celery-worker-user-files-indexing"),
    ("Deployment", "celery-worker-monitoring"),
    ("Deployment", "celery-worker-kg-processing"),
}
EXPECTED_WORKLOADS = {
    "minimal": SERVERS | INDEXING_WORKERS,
    "full": SERVERS | INDEXING_WORKERS | EXTRA_WORKERS,
    "prod": SERVERS | INDEXING_WORKERS | EXTRA_WORKERS,
}
CELERY_SCOPE_LABEL = ("scope", "onyx-backend-celery")  # the chart's Celery podLabels (docs/deployment.md)


def _name(obj: dict[str, Any]) -> str:
    return (obj.get("metadata") or {}).get("name", "")


def _pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    return ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}


def _is_celery(obj: dict[str, Any]) -> bool:
    return any(parse_celery(c.get("command"), c.get("args")) is not None for c in _pod_spec(obj).get("containers") or [])


# 1 -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_renders_and_every_object_passes_the_strict_schemas(plain_renders, overlay):
    objects = plain_renders[overlay]
    assert objects, f"overlays/{overlay} rendered no objects"
    problems = {f"{o.get('kind')}/{_name(o)}": errors for o in objects if (errors := schema_errors(o))}
    assert problems == {}, f"overlays/{overlay}: schema violations {problems}"


def test_schema_check_is_strict():
    """Guards test 1 against a validator that accepts anything: an unknown field must be reported."""
    bogus = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"},
             "spec": {"ports": [{"port": 80}], "selectr": {"app": "x"}}}
    assert schema_errors(bogus), "schema_errors accepted an unknown field (spec.selectr)"


# 2 -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_holds_exactly_its_workloads(plain_renders, overlay):
    rendered = {(o["kind"], _name(o)) for o in plain_renders[overlay] if o.get("kind") in POD_KINDS}
    expected = EXPECTED_WORKLOADS[overlay]
    assert rendered == expected, (f"overlays/{overlay}: missing {sorted(expected - rendered)}, "
                                  f"unexpected {sorted(rendered - expected)}")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_is_in_the_overlay_namespace(plain_renders, overlay):
    namespace = EXPECTED_NAMESPACE[overlay]
    elsewhere = [f"{o.get('kind')}/{_name(o)} in {(o.get('metadata') or {}).get('namespace')!r}"
                 for o in plain_renders[overlay] if (o.get("metadata") or {}).get("namespace") != namespace]
    assert elsewhere == [], f"overlays/{overlay}: objects outside {namespace}: {elsewhere}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_profile_data_requires_the_same_workloads(policy_data, overlay):
    """The gate judges overlays by policies/data/profiles; it must ask for the workloads the overlay holds."""
    profiles = policy_data["profiles"]
    profile = profiles["overlays"][f"overlays/{overlay}"]
    required = set(profiles["profiles"][profile]["required_workloads"])
    assert required == {name for _, name in EXPECTED_WORKLOADS[overlay]}


# 3 -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("overlay", OVERLAYS)
def test_naming_contract_workload_container_and_app_label(models, overlay):
    broken = []
    for workload in models[overlay]["workloads"]:
        name = workload["name"]
        first = workload["containers"][0]["name"] if workload["containers"] else None
        if first != name:
            broken.append(f"{workload['kind']}/{name}: first container is {first!r}")
        if workload["pod_labels"].get("app") != name:
            broken.append(f"{workload['kind']}/{name}: pod label app={workload['pod_labels'].get('app')!r}")
    assert broken == [], f"overlays/{overlay}: {broken}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_is_named_after_a_non_celery_workload(plain_renders, overlay):
    """Service name = workload name; every server/datastore has its Service, no Celery process has one."""
    objects = plain_renders[overlay]
    services = {_name(o) for o in objects if o.get("kind") == "Service"}
    servers = {_name(o) for o in objects if o.get("kind") in POD_KINDS and not _is_celery(o)}
    assert services == servers, (f"overlays/{overlay}: Services without workload {sorted(services - servers)}, "
                                 f"workloads without Service {sorted(servers - services)}")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_exactly_the_celery_pods_carry_the_celery_scope_label(plain_renders, overlay):
    key, value = CELERY_SCOPE_LABEL
    workloads = [o for o in plain_renders[overlay] if o.get("kind") in POD_KINDS]
    celery = {_name(o) for o in workloads if _is_celery(o)}
    labelled = {_name(o) for o in workloads
                if (((o["spec"].get("template") or {}).get("metadata") or {}).get("labels") or {}).get(key) == value}
    # Every celery-* workload must parse as Celery, or the label check above would be vacuous for it.
    assert celery == {_name(o) for o in workloads if _name(o).startswith("celery-")}
    assert labelled == celery, (f"overlays/{overlay}: Celery pods without {key}={value} {sorted(celery - labelled)}, "
                                f"non-Celery pods with it {sorted(labelled - celery)}")


# 4 -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_selects_exactly_its_workload(models, overlay):
    wrong = {s["name"]: s["selected_workloads"] for s in models[overlay]["services"]
             if s["selected_workloads"] != [s["name"]]}
    assert wrong == {}, f"overlays/{overlay}: Service → selected workloads {wrong}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_target_port_resolves_to_a_container_port(models, overlay):
    model = models[overlay]
    workloads = {w["name"]: w for w in model["workloads"]}
    unresolved = []
    for service in model["services"]:
        assert len(service["selected_workloads"]) == 1, f"Service {service['name']} selects {service['selected_workloads']}"
        workload = workloads[service["selected_workloads"][0]]
        container_ports = [p for c in workload["containers"] for p in c["ports"]]
        assert service["ports"], f"Service {service['name']} has no ports"
        for port in service["ports"]:
            target = port["target_port"]
            key = "name" if isinstance(target, str) else "port"
            if not any(p[key] == target and p["protocol"] == port["protocol"] for p in container_ports):
                unresolved.append(f"Service {service['name']} port {port['port']} → targetPort {target!r}/"
                                  f"{port['protocol']} matches no container port of {workload['name']} "
                                  f"{[(p['name'], p['port'], p['protocol']) for p in container_ports]}")
    assert unresolved == [], f"overlays/{overlay}: {unresolved}"


# 8 -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("overlay", OVERLAYS)
def test_origin_tracking_names_the_source_file_of_every_object(origin_renders, repo_root, overlay):
    rendered = origin_renders[overlay]
    assert len(rendered.origins) == len(rendered.objects)
    wrong = []
    for obj, origin in zip(rendered.objects, rendered.origins):
        label = f"{obj.get('kind')}/{_name(obj)}"
        path = repo_root / origin if origin else None
        if path is None or not path.is_file():
            wrong.append(f"{label}: origin {origin!r} is not a repository file")
            continue
        sources = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if isinstance(d, dict)]
        if not any(d.get("kind") == obj.get("kind") and _name(d) == _name(obj) for d in sources):
            wrong.append(f"{label}: origin {origin} does not define it")
    assert wrong == [], f"overlays/{overlay}: {wrong}"
    by_object = {(o["kind"], _name(o)): origin for o, origin in zip(rendered.objects, rendered.origins)}
    assert by_object[("Deployment", "api-server")] == "base/api-server/deployment.yaml"
    assert by_object[("StatefulSet", "postgres")] == "base/postgres/stateful-set.yaml"
    assert by_object[("ConfigMap", "onyx-config")] == "base/config/config-map.yaml"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_origin_annotation_is_stripped_and_nothing_else_changes(origin_renders, plain_renders, overlay):
    objects = origin_renders[overlay].objects
    left = [f"{o.get('kind')}/{_name(o)}" for o in objects
            if ORIGIN_ANNOTATION in ((o.get("metadata") or {}).get("annotations") or {})]
    assert left == [], f"overlays/{overlay}: origin annotation left on {left}"
    # The wrapper kustomization adds only build metadata: without it the objects are what Argo CD applies.
    assert objects == plain_renders[overlay]
