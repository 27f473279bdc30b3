"""Every Celery Deployment runs exactly the Onyx v1.9.0 command line: app, role, queues and full argv.

Source of every expected value: /work/shared/onyx/onyx-v1.9.0.md §2 "Command lines, supervisord (compose
`background`) vs Helm" and §3 "Queues" (Onyx tag v1.9.0 = commit 36d75f5351). `T/` = the Helm chart's
deployment/helm/charts/onyx/templates/, `SV` = backend/supervisord.conf. Helm is the reference; kg-processing
has no Helm template at v1.9.0, so its line is supervisord's (where `%%n` is supervisord's escape for `%n`).
The fact sheet is not readable at test time, so the values are written out here.
"""

from __future__ import annotations

import shlex
from typing import Any

import pytest

from onyx_gate.celery_cmd import parse_celery

from .foundation_support import OVERLAYS

APP_PREFIX = "onyx.background.celery.versioned_apps."

# workload → (app, role, queues in -Q order, exact argv, citation)
V190_CELERY: dict[str, tuple[str, str, list[str], str, str]] = {
    "celery-beat": (
        "beat", "beat", [],
        "celery -A onyx.background.celery.versioned_apps.beat beat --loglevel=INFO",
        "§2 beat, Helm: T/celery-beat.yaml:45-52",
    ),
    "celery-worker-primary": (
        "primary", "worker", ["celery", "periodic_tasks"],
        "celery -A onyx.background.celery.versioned_apps.primary worker --loglevel=INFO --hostname=primary@%n"
        " -Q celery,periodic_tasks",
        "§2 primary, Helm: T/celery-worker-primary.yaml:47-57",
    ),
    "celery-worker-light": (
        "light", "worker",
        ["vespa_metadata_sync", "connector_deletion", "doc_permissions_upsert", "checkpoint_cleanup",
         "index_attempt_cleanup"],
        "celery -A onyx.background.celery.versioned_apps.light worker --loglevel=INFO --hostname=light@%n"
        " -Q vespa_metadata_sync,connector_deletion,doc_permissions_upsert,checkpoint_cleanup,index_attempt_cleanup",
        "§2 light, Helm: T/celery-worker-light.yaml:47-57 (same -Q as SV:44-54)",
    ),
    "celery-worker-heavy": (
        "heavy", "worker",
        ["connector_pruning", "connector_doc_permissions_sync", "connector_external_group_sync", "csv_generation"],
        "celery -A onyx.background.celery.versioned_apps.heavy worker --loglevel=INFO --hostname=heavy@%n"
        " -Q connector_pruning,connector_doc_permissions_sync,connector_external_group_sync,csv_generation",
        "§2 heavy, Helm: T/celery-worker-heavy.yaml:47-57 (same -Q as SV:56-66)",
    ),
    "celery-worker-docfetching": (
        "docfetching", "worker", ["connector_doc_fetching", "user_files_indexing"],
        "celery -A onyx.background.celery.versioned_apps.docfetching worker --pool=threads --concurrency=2"
        " --prefetch-multiplier=1 --loglevel=INFO --hostname=docfetching@%n"
        " -Q connector_doc_fetching,user_files_indexing",
        "§2 docfetching, Helm: T/celery-worker-docfetching.yaml:47-60",
    ),
    "celery-worker-docprocessing": (
        "docprocessing", "worker", ["docprocessing"],
        "celery -A onyx.background.celery.versioned_apps.docprocessing worker --pool=threads --concurrency=6"
        " --prefetch-multiplier=1 --loglevel=INFO --hostname=docprocessing@%n -Q docprocessing",
        "§2 docprocessing, Helm: T/celery-worker-docprocessing.yaml:47-60",
    ),
    "celery-worker-user-files-indexing": (
        "docfetching", "worker", ["user_files_indexing"],
        "celery -A onyx.background.celery.versioned_apps.docfetching worker --loglevel=INFO"
        " --hostname=user-files-indexing@%n -Q user_files_indexing",
        "§2 user_files_indexing, Helm: T/celery-worker-user-files-indexing.yaml:5,47-57",
    ),
    "celery-worker-monitoring": (
        "monitoring", "worker", ["monitoring"],
        "celery -A onyx.background.celery.versioned_apps.monitoring worker --loglevel=INFO"
        " --hostname=monitoring@%n -Q monitoring",
        "§2 monitoring, Helm: T/celery-worker-monitoring.yaml:47-57 (identical to SV:104-114)",
    ),
    "celery-worker-kg-processing": (
        "kg_processing", "worker", ["kg_processing"],
        "celery -A onyx.background.celery.versioned_apps.kg_processing worker --loglevel=INFO"
        " --hostname=kg_processing@%n -Q kg_processing",
        "§2 kg_processing, supervisord SV:116-126 (no Helm template at v1.9.0)",
    ),
}
# §3 summary: "no consumer: llm_model_update (both [supervisord and Helm])".
V190_QUEUES_WITHOUT_CONSUMER = {"llm_model_update"}


def _celery_containers(objects: list[dict[str, Any]]) -> dict[str, list[tuple[dict[str, Any], Any]]]:
    """workload name → [(container, CeleryInvocation)] for every container that runs Celery."""
    found: dict[str, list[tuple[dict[str, Any], Any]]] = {}
    for obj in objects:
        if obj.get("kind") not in ("Deployment", "StatefulSet", "DaemonSet"):
            continue
        pod_spec = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
        for container in pod_spec.get("containers") or []:
            invocation = parse_celery(container.get("command"), container.get("args"))
            if invocation is not None:
                found.setdefault(obj["metadata"]["name"], []).append((container, invocation))
    return found


@pytest.fixture(scope="module")
def celery(plain_renders):
    return {overlay: _celery_containers(objects) for overlay, objects in plain_renders.items()}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_celery_workload_is_a_known_v190_process_with_one_celery_container(celery, overlay):
    unknown = sorted(set(celery[overlay]) - set(V190_CELERY))
    assert unknown == [], f"overlays/{overlay}: Celery workloads with no v1.9.0 counterpart: {unknown}"
    several = {name: len(found) for name, found in celery[overlay].items() if len(found) != 1}
    assert several == {}, f"overlays/{overlay}: workloads with more than one Celery container: {several}"
    assert celery[overlay], f"overlays/{overlay}: no Celery workload found"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_celery_app_role_and_queues_match_v190(celery, overlay):
    wrong = []
    for name, [(container, invocation)] in celery[overlay].items():
        app, role, queues, _, source = V190_CELERY[name]
        actual = (invocation.app_module, invocation.app, invocation.role, invocation.queues)
        expected = (APP_PREFIX + app, app, role, queues)
        if actual != expected:
            wrong.append(f"{name}: (app_module, app, role, queues) = {actual}, v1.9.0 {expected} [{source}]")
    assert wrong == [], f"overlays/{overlay}:\n  " + "\n  ".join(wrong)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_celery_exact_command_line_matches_v190(celery, overlay):
    wrong = []
    for name, [(container, _)] in celery[overlay].items():
        argv = [str(part) for part in (container.get("command") or []) + (container.get("args") or [])]
        _, _, _, line, source = V190_CELERY[name]
        if argv != shlex.split(line):
            wrong.append(f"{name}: {shlex.join(argv)!r} != v1.9.0 {line!r} [{source}]")
    assert wrong == [], f"overlays/{overlay}:\n  " + "\n  ".join(wrong)


@pytest.mark.parametrize("overlay", ["full", "prod"])
def test_full_profiles_consume_every_v190_queue_that_has_a_consumer(celery, policy_data, overlay):
    """Every queue of the catalog (policies/data/catalog) is consumed, and by its catalog expected_consumer."""
    catalog_queues = policy_data["catalog"]["queues"]
    consumers: dict[str, set[str]] = {}
    for name, [(_, invocation)] in celery[overlay].items():
        for queue in invocation.queues:
            consumers.setdefault(queue, set()).add(name)
    assert set(consumers) <= set(catalog_queues), f"queues missing from the catalog: {set(consumers) - set(catalog_queues)}"
    assert set(consumers) == set(catalog_queues) - V190_QUEUES_WITHOUT_CONSUMER, (
        f"overlays/{overlay}: unconsumed {sorted(set(catalog_queues) - V190_QUEUES_WITHOUT_CONSUMER - set(consumers))}")
    wrong = {queue: (spec.get("expected_consumer"), sorted(consumers[queue]))
             for queue, spec in catalog_queues.items()
             if queue in consumers and spec.get("expected_consumer") not in consumers[queue]}
    assert wrong == {}, f"overlays/{overlay}: catalog expected_consumer vs rendered consumers {wrong}"
