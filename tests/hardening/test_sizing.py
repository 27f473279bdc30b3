"""tools/sizing.py against totals computed by hand for overlays/prod.

The expected numbers are worked out below from the bases' resources (v1.9.0 Helm values, cited in each base)
and prod's replica counts (overlays/prod `replicas:`, equal to the HPAs' minReplicas), not by calling the code
under test. CPU in cores, memory in MiB.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal

import yaml

import sizing
from onyx_gate.gate import REPO_ROOT

MI = 2**20
GI = 2**30

# (replicas, requests cpu, limits cpu, requests memory MiB, limits memory MiB) per pod, by group
PROD = {
    "servers": [
        (2, "0.1", "1", 128, 1024),       # nginx (base/nginx/deployment.yaml)
        (2, "0.2", "1", 512, 1024),       # web-server (V:202-208)
        (2, "1", "2", 1024, 2048),        # api-server (V:269-275)
    ],
    "model servers": [
        (2, "2", "4", 6144, 10240),       # inference-model-server (V:92-98); its seed init container is smaller
        (2, "2", "4", 6144, 10240),       # indexing-model-server (V:126-132)
    ],
    "datastores": [
        (1, "0.5", "2", 1024, 4096),      # postgres
        (1, "4", "8", 8000, 32000),       # vespa (V:53-63)
        (1, "0.25", "1", 256, 1024),      # redis
        (1, "0.25", "1", 512, 2048),      # minio
    ],
    "celery": [
        (1, "1", "1", 1024, 1024),        # beat (V:344-350)
        (1, "1", "2", 8192, 16384),       # primary (V:459-465)
        (2, "1", "2", 1024, 4096),        # light (V:413-419)
        (1, "1", "2.5", 2048, 5120),      # heavy (V:367-373)
        (2, "0.5", "2", 8192, 16384),     # docfetching (V:530-536)
        (2, "0.5", "1", 4096, 12288),     # docprocessing (V:390-396)
        (1, "2", "4", 6144, 12288),       # user-files-indexing (V:472-488)
        (1, "0.5", "2", 1024, 4096),      # monitoring (V:426-442)
        (1, "1", "2.5", 2048, 5120),      # kg-processing
    ],
}

# Hand totals (sum of replicas × per-pod values above):
#   servers        6 pods   2.6 /  8 CPU    3328 MiB /   8192 MiB
#   model servers  4 pods     8 / 16 CPU   24576 MiB /  40960 MiB
#   datastores     4 pods     5 / 12 CPU    9792 MiB /  39168 MiB
#   celery        12 pods  10.5 / 24 CPU   47104 MiB / 109568 MiB
#   total         26 pods  26.1 / 60 CPU   84800 MiB / 197888 MiB
EXPECTED_GROUPS = {
    "servers": (6, "2.6", "8", 3328, 8192),
    "model servers": (4, "8", "16", 24576, 40960),
    "datastores": (4, "5", "12", 9792, 39168),
    "celery": (12, "10.5", "24", 47104, 109568),
}
EXPECTED_TOTAL = (26, "26.1", "60", 84800, 197888)
# Rollout surge: one more pod (maxSurge 25 % of 1–2 replicas, rounded up) of every RollingUpdate Deployment —
# nginx, web, api, both model servers, light, heavy, monitoring, kg-processing — and all old pods of the ones
# whose grace period is ≥ 300 s: docfetching (2 × 3600 s), docprocessing (2 × 600 s), user-files-indexing (1).
# Not beat, primary, redis (Recreate) nor the StatefulSets.
#   pods 1+1+1+1+1+1+1+1+1 + 2+2+1 = 14
#   CPU requests 0.1+0.2+1+2+2+1+1+0.5+1 + 1+1+2 = 12.8; limits 1+1+2+4+4+2+2.5+2+2.5 + 4+2+4 = 31
#   memory requests 128+512+1024+6144+6144+1024+2048+1024+2048 + 16384+8192+6144 = 50816 MiB
#   memory limits 1024+1024+2048+10240+10240+4096+5120+4096+5120 + 32768+24576+12288 = 112640 MiB
EXPECTED_SURGE = (14, "12.8", "31", 50816, 112640)


def _row(amounts: dict) -> tuple:
    return (amounts["pods"], Decimal(amounts["requests.cpu"]), Decimal(amounts["limits.cpu"]),
            Decimal(amounts["requests.memory"]) / MI, Decimal(amounts["limits.memory"]) / MI)


def _expected(row: tuple) -> tuple:
    return (row[0], Decimal(row[1]), Decimal(row[2]), Decimal(row[3]), Decimal(row[4]))


def _report() -> dict:
    out, err = io.StringIO(), io.StringIO()
    assert sizing.main(["overlays/prod", "--format", "json"], stdout=out, stderr=err) == 0, err.getvalue()
    [report] = json.loads(out.getvalue())
    return report


def test_hand_totals_are_consistent_with_the_per_workload_table():
    for group, rows in PROD.items():
        pods = sum(r[0] for r in rows)
        totals = [sum((Decimal(r[i]) * r[0] for r in rows), Decimal(0)) for i in (1, 2, 3, 4)]
        assert (pods, *totals) == _expected(EXPECTED_GROUPS[group]), group


def test_prod_groups_and_total_match_the_hand_computation():
    report = _report()
    assert report["overlay"] == "overlays/prod"
    for group, expected in EXPECTED_GROUPS.items():
        assert _row(report["groups"][group]) == _expected(expected), group
    assert _row(report["total"]) == _expected(EXPECTED_TOTAL)


def test_prod_rollout_surge_matches_the_hand_computation():
    report = _report()
    assert _row(report["surge"]) == _expected(EXPECTED_SURGE)
    total = _expected(EXPECTED_TOTAL)
    surge = _expected(EXPECTED_SURGE)
    assert _row(report["total_with_surge"]) == tuple(a + b for a, b in zip(total, surge))


def test_replicas_come_from_the_hpa_minimum_where_one_exists():
    workloads = {w["name"]: w for w in _report()["workloads"]}
    assert workloads["api-server"]["replicas_source"] == "HorizontalPodAutoscaler/api-server minReplicas"
    assert workloads["celery-beat"]["replicas_source"] == "spec.replicas"
    assert workloads["celery-worker-docfetching"]["surge"] == 2
    assert workloads["inference-model-server"]["pod"]["limits.memory"] == str(10 * GI)  # not its init container


def test_prod_quota_covers_total_plus_surge_by_hand():
    quota = yaml.safe_load((REPO_ROOT / "overlays/prod/resource-quota.yaml").read_text())["spec"]["hard"]
    total, surge = _expected(EXPECTED_TOTAL), _expected(EXPECTED_SURGE)
    assert Decimal(quota["requests.cpu"]) >= total[1] + surge[1]
    assert Decimal(quota["limits.cpu"]) >= total[2] + surge[2]
    assert Decimal(quota["requests.memory"].removesuffix("Gi")) * 1024 >= total[3] + surge[3]
    assert Decimal(quota["limits.memory"].removesuffix("Gi")) * 1024 >= total[4] + surge[4]


def test_text_report_lists_every_overlay_and_group():
    out = io.StringIO()
    assert sizing.main([], stdout=out) == 0
    text = out.getvalue()
    for name in ("overlays/full", "overlays/minimal", "overlays/prod", "model servers", "rollout surge",
                 "HPA's minReplicas", "ResourceQuota onyx-prod"):
        assert name in text
    assert "  total            26     26.1       60   82.81 Gi  193.25 Gi" in text


def test_not_an_overlay_is_an_input_error(tmp_path):
    err = io.StringIO()
    assert sizing.main(["docs"], stdout=io.StringIO(), stderr=err) == 2
    assert "not an overlay" in err.getvalue()


def test_quantities():
    assert sizing.quantity("500m") == Decimal("0.5")
    assert sizing.quantity("8000Mi") == 8000 * MI
    assert sizing.quantity(2) == 2
    assert sizing.quantity("1e3") == 1000
    assert sizing.quantity("1G") == 10**9
