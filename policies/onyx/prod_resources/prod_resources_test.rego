package onyx.prod_resources_test

import data.onyx.prod_resources

# Evaluated with the real policy data (opa test policies/onyx policies/data): data.hardening, data.profiles.

_full := {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"cpu": "2", "memory": "4Gi"}}

_model(overlay, resources, init_resources) := {"overlay": overlay, "workloads": [{
	"kind": "StatefulSet", "name": "postgres", "file": "base/postgres/stateful-set.yaml",
	"containers": [{"name": "postgres", "image": "postgres:15.2-alpine", "resources": resources}],
	"init_containers": [{"name": "init", "image": "x:1", "resources": init_resources}],
}]}

test_complete_resources_pass if {
	findings := prod_resources.deny with input as _model("overlays/prod", _full, _full)
	count(findings) == 0
}

test_bare_numbers_and_equal_values_pass if {
	resources := {"requests": {"cpu": 1, "memory": "1Gi"}, "limits": {"cpu": 1, "memory": "1024Mi"}}
	findings := prod_resources.deny with input as _model("overlays/prod", resources, _full)
	count(findings) == 0
}

test_missing_limits_are_refused if {
	resources := {"requests": {"cpu": "500m", "memory": "1Gi"}}
	findings := prod_resources.deny with input as _model("overlays/prod", resources, _full)
	count(findings) == 1
	some f in findings
	f.id == "ONYX-PROD-010"
	f.field == "spec.template.spec.containers[0].resources"
	f.file == "base/postgres/stateful-set.yaml"
	contains(f.message, "container postgres sets no limits.cpu, limits.memory — the prod ResourceQuota")
}

test_init_container_without_resources_is_refused if {
	findings := prod_resources.deny with input as _model("overlays/prod", _full, {})
	some f in findings
	f.id == "ONYX-PROD-010"
	f.field == "spec.template.spec.initContainers[0].resources"
	contains(f.message, "container init sets no requests.cpu, requests.memory, limits.cpu, limits.memory")
}

test_empty_value_counts_as_missing if {
	resources := object.union(_full, {"limits": {"cpu": "", "memory": "4Gi"}})
	findings := prod_resources.deny with input as _model("overlays/prod", resources, _full)
	some f in findings
	contains(f.message, "sets no limits.cpu —")
}

test_request_above_limit_is_refused if {
	resources := {"requests": {"cpu": 1.5, "memory": "8Gi"}, "limits": {"cpu": 1, "memory": "4Gi"}}
	findings := prod_resources.deny with input as _model("overlays/prod", resources, _full)
	{f.field | some f in findings} == {
		"spec.template.spec.containers[0].resources.requests.cpu",
		"spec.template.spec.containers[0].resources.requests.memory",
	}
	some f in findings
	f.id == "ONYX-PROD-011"
	contains(f.message, "container postgres requests 1500m cpu but limits it to 1 — the API server rejects")
}

test_other_profiles_are_not_judged if {
	findings := prod_resources.deny with input as _model("overlays/minimal", {}, {})
	count(findings) == 0
}

test_workload_without_init_containers if {
	model := {"overlay": "overlays/prod", "workloads": [{
		"kind": "Deployment", "name": "redis", "file": "f",
		"containers": [{"name": "redis", "image": "redis:7.4-alpine", "resources": {}}],
	}]}
	findings := prod_resources.deny with input as model
	count(findings) == 1
}
