package onyx.prod_quota_test

import data.onyx.prod_quota

# Evaluated with the real policy data (opa test policies/onyx policies/data): data.hardening, data.profiles
# (quota: maxSurge 25 %, lingering_grace_seconds 300).

_resources(cpu_request, cpu_limit, memory_request, memory_limit) := {
	"requests": {"cpu": cpu_request, "memory": memory_request},
	"limits": {"cpu": cpu_limit, "memory": memory_limit},
}

_deployment(name, replicas, strategy, grace, resources) := {
	"kind": "Deployment", "name": name, "file": "f", "replicas": replicas, "strategy": strategy,
	"termination_grace_period_seconds": grace,
	"containers": [{"name": name, "resources": resources}],
	"init_containers": [],
}

# api: 2 × (1 CPU, 1Gi) → (2 CPU, 2Gi); surge ceil(2 × 25 %) = 1 pod
# docfetching: 2 × (0.5 CPU, 8Gi) → (4 CPU, 16Gi) limits; grace 3600 ≥ 300: surge = 2 pods
# beat: Recreate, no surge; postgres: StatefulSet, no surge
_workloads := [
	_deployment("api-server", 2, "RollingUpdate", 30, _resources("1000m", "2", "1Gi", "2Gi")),
	_deployment("celery-worker-docfetching", 2, "RollingUpdate", 3600, _resources("500m", "2000m", "8Gi", "16Gi")),
	_deployment("celery-beat", 1, "Recreate", 30, _resources(1, 1, "1Gi", "1Gi")),
	object.union(_deployment("postgres", 1, "RollingUpdate", 30, _resources("500m", "2", "1Gi", "4Gi")), {"kind": "StatefulSet"}),
]

# requests.cpu: 2000 + 1000 + 1000 + 500 = 4500m; surge 1000 + 1000 = 2000m
# requests.memory: 2Gi + 16Gi + 1Gi + 1Gi = 20Gi; surge 1Gi + 16Gi = 17Gi
# limits.cpu: 4 + 4 + 1 + 2 = 11; surge 2 + 4 = 6
# limits.memory: 4Gi + 32Gi + 1Gi + 4Gi = 41Gi; surge 2Gi + 32Gi = 34Gi
_quota(hard) := {"name": "onyx-prod", "file": "overlays/prod/resource-quota.yaml", "hard": hard}

_model(overlay, hard_list) := {
	"overlay": overlay,
	"workloads": _workloads,
	"autoscalers": [],
	"resource_quotas": [_quota(hard) | some hard in hard_list],
}

_fits := {"requests.cpu": "6500m", "requests.memory": "37Gi", "limits.cpu": "17", "limits.memory": "75Gi"}

test_quota_with_rollout_headroom_passes if {
	findings := prod_quota.deny with input as _model("overlays/prod", [_fits])
	count(findings) == 0
}

test_aliases_and_bare_numbers if {
	findings := prod_quota.deny with input as _model("overlays/prod", [{"cpu": 7, "memory": "37Gi", "pods": "40"}])
	count(findings) == 0
}

test_no_quota if {
	findings := prod_quota.deny with input as _model("overlays/prod", [])
	count(findings) == 1
	some f in findings
	f.id == "ONYX-PROD-070"
	f.kind == "ResourceQuota"
	contains(f.message, "overlay overlays/prod renders no ResourceQuota — nothing bounds")
}

test_workloads_exceed_the_quota if {
	findings := prod_quota.deny with input as _model("overlays/prod", [object.union(_fits, {"requests.cpu": "4"})])
	count(findings) == 1
	some f in findings
	f.id == "ONYX-PROD-071"
	f.field == "spec.hard.requests.cpu"
	f.file == "overlays/prod/resource-quota.yaml"
	contains(f.message, "at minimum replicas the overlay's pods total 4500m of requests.cpu, more than ResourceQuota onyx-prod allows (requests.cpu: 4) — the API server refuses")
}

test_memory_alias_exceeded if {
	findings := prod_quota.deny with input as _model("overlays/prod", [{"memory": "16Gi"}])
	some f in findings
	contains(f.message, "total 20480Mi of requests.memory, more than ResourceQuota onyx-prod allows (memory: 16Gi)")
}

test_no_headroom_for_the_rollout if {
	findings := prod_quota.deny with input as _model("overlays/prod", [object.union(_fits, {"limits.memory": "60Gi", "limits.cpu": 16.5})])
	{f.field | some f in findings} == {"spec.hard.limits.memory", "spec.hard.limits.cpu"}
	some f in findings
	f.id == "ONYX-PROD-072"
	contains(f.message, "ResourceQuota onyx-prod (limits.memory: 60Gi) fits the 41984Mi of limits.memory at minimum replicas but not the rollout surge of 34816Mi more")
	some g in findings
	contains(g.message, "(limits.cpu: 16500m) fits the 11000m of limits.cpu")
}

test_hpa_min_replicas_replace_spec_replicas if {
	hpa := {"kind": "HorizontalPodAutoscaler", "name": "api-server", "target_kind": "Deployment", "target_name": "api-server", "min_replicas": 3}

	# api at 3 replicas: requests.cpu 5500m > 5000m
	model := object.union(_model("overlays/prod", [{"requests.cpu": "5000m"}]), {"autoscalers": [hpa]})
	findings := prod_quota.deny with input as model
	some f in findings
	contains(f.message, "total 5500m of requests.cpu")
}

test_init_container_larger_than_the_pod_counts if {
	seed := {"name": "seed", "resources": _resources("3", "3", "1Gi", "1Gi")}
	with_init := [_with_init(w, seed) | some w in _workloads]
	model := object.union(_model("overlays/prod", [{"requests.cpu": "13000m"}]), {"workloads": with_init})
	findings := prod_quota.deny with input as model
	some f in findings

	# every pod now requests 3 CPU: 6 + 6 + 3 + 3 = 18 CPU
	contains(f.message, "total 18000m of requests.cpu")
}

_with_init(w, seed) := object.union(object.remove(w, ["init_containers"]), {"init_containers": [seed]})

test_missing_values_count_as_zero if {
	bare := object.union(_deployment("x", 1, "Recreate", 30, {}), {})
	model := object.union(_model("overlays/prod", [_fits]), {"workloads": array.concat(_workloads, [bare])})
	findings := prod_quota.deny with input as model
	count(findings) == 0
}

test_other_profiles_are_not_judged if {
	findings := prod_quota.deny with input as _model("overlays/full", [{"requests.cpu": "1"}])
	count(findings) == 0
}
