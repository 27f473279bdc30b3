package onyx.prod_availability_test

import data.onyx.prod_availability

# Evaluated with the real policy data (opa test policies/onyx policies/data): data.hardening, data.profiles.

_server(name, replicas) := {
	"kind": "Deployment", "name": name, "file": concat("", ["base/", name, "/deployment.yaml"]),
	"replicas": replicas, "topology_spread": true, "anti_affinity": false,
}

_pdb(name, min_available, max_unavailable) := {
	"name": name, "file": concat("", ["components/prod-availability/", name, "-pod-disruption-budget.yaml"]),
	"min_available": min_available, "max_unavailable": max_unavailable, "selected_workloads": [name],
}

_hpa(name, kind, minimum) := {
	"kind": "HorizontalPodAutoscaler", "name": name, "file": "hpa.yaml",
	"target_kind": kind, "target_name": name, "min_replicas": minimum, "max_replicas": 4,
}

_servers := ["nginx", "web-server", "api-server", "inference-model-server", "indexing-model-server"]

_workers := {
	"celery-worker-light": 2, "celery-worker-heavy": 1, "celery-worker-docfetching": 2,
	"celery-worker-docprocessing": 2, "celery-worker-user-files-indexing": 1,
}

_healthy := {
	"overlay": "overlays/prod",
	"workloads": array.flatten([
		[_server(n, 2) | some n in _servers],
		[_server(n, r) | some n, r in _workers],
		[
			object.union(_server("celery-beat", 1), {"topology_spread": false}),
			object.union(_server("postgres", 1), {"kind": "StatefulSet", "topology_spread": false}),
		],
	]),
	"disruption_budgets": [_pdb(n, null, 1) | some n in _servers],
	"autoscalers": array.concat([_hpa(n, "Deployment", 2) | some n in _servers], [_hpa(n, "Deployment", r) | some n, r in _workers]),
}

_set_workload(model, name, fields) := object.union(model, {"workloads": [_patch(w, name, fields) | some w in model.workloads]})

_patch(w, name, fields) := object.union(w, fields) if w.name == name

_patch(w, name, _) := w if w.name != name

_set_budgets(model, budgets) := object.union(object.remove(model, ["disruption_budgets"]), {"disruption_budgets": budgets})

_set_autoscalers(model, autoscalers) := object.union(object.remove(model, ["autoscalers"]), {"autoscalers": autoscalers})

test_healthy_prod_passes if {
	findings := prod_availability.deny with input as _healthy
	count(findings) == 0
}

test_single_api_server if {
	others := [a | some a in _healthy.autoscalers; a.name != "api-server"]
	model := _set_autoscalers(_set_workload(_healthy, "api-server", {"replicas": 1}), others)
	findings := prod_availability.deny with input as model
	{f.id | some f in findings} == {"ONYX-PROD-030", "ONYX-PROD-033"}
	some f in findings
	f.id == "ONYX-PROD-030"
	f.field == "spec.replicas"
	contains(f.message, "api-server runs 1 replica(s), fewer than 2 — uploads, search and chat fail")
}

test_missing_budget if {
	model := _set_budgets(_healthy, [b | some b in _healthy.disruption_budgets; b.name != "nginx"])
	findings := prod_availability.deny with input as model
	count(findings) == 1
	some f in findings
	f.id == "ONYX-PROD-031"
	f.kind == "Deployment"
	contains(f.message, "no PodDisruptionBudget selects nginx — a node drain or cluster upgrade may evict all its pods at once")
}

test_budget_that_blocks_drains if {
	budgets := [_pdb(n, 2, null) | some n in _servers]
	findings := prod_availability.deny with input as _set_budgets(_healthy, budgets)
	count(findings) == 5
	some f in findings
	f.kind == "PodDisruptionBudget"
	f.name == "web-server"
	contains(f.message, "allows 0 of the 2 pods of web-server to be evicted at once — node drains and cluster upgrades hang")
}

test_percent_budgets if {
	budgets := array.concat(
		[_pdb("nginx", "100%", null), _pdb("web-server", null, "100%"), _pdb("api-server", "50%", null)],
		[_pdb("inference-model-server", null, "0%"), _pdb("indexing-model-server", null, 1)],
	)
	findings := prod_availability.deny with input as _set_budgets(_healthy, budgets)
	{f.name | some f in findings} == {"nginx", "web-server", "inference-model-server"}
	some f in findings
	f.name == "web-server"
	contains(f.message, "allows 2 of the 2 pods of web-server to be evicted at once — it protects nothing")
}

test_budget_of_a_single_replica_server_is_not_reported_twice if {
	model := _set_workload(_set_autoscalers(_healthy, []), "nginx", {"replicas": 1})
	findings := prod_availability.deny with input as model
	{f.id | some f in findings; f.name == "nginx"} == {"ONYX-PROD-030", "ONYX-PROD-033"}
}

test_not_spread if {
	model := _set_workload(_healthy, "inference-model-server", {"topology_spread": false})
	findings := prod_availability.deny with input as model
	some f in findings
	f.id == "ONYX-PROD-032"
	contains(f.message, "the replicas of inference-model-server have no topology spread constraint or pod anti-affinity")
}

test_anti_affinity_counts_as_spread if {
	model := _set_workload(_healthy, "inference-model-server", {"topology_spread": false, "anti_affinity": true})
	findings := prod_availability.deny with input as model
	count(findings) == 0
}

test_worker_without_autoscaler if {
	model := _set_autoscalers(_healthy, [a | some a in _healthy.autoscalers; a.name != "celery-worker-docprocessing"])
	findings := prod_availability.deny with input as model
	count(findings) == 1
	some f in findings
	f.id == "ONYX-PROD-033"
	contains(f.message, "no HorizontalPodAutoscaler targets Deployment celery-worker-docprocessing — it keeps its replica count")
}

test_autoscaler_of_another_kind_does_not_count if {
	others := [a | some a in _healthy.autoscalers; a.name != "web-server"]
	model := _set_autoscalers(_healthy, array.concat(others, [_hpa("web-server", "StatefulSet", 2)]))
	findings := prod_availability.deny with input as model
	{f.id | some f in findings} == {"ONYX-PROD-033"}
}

test_min_replicas_differs_from_spec_replicas if {
	others := [a | some a in _healthy.autoscalers; a.name != "celery-worker-light"]
	model := _set_autoscalers(_healthy, array.concat(others, [_hpa("celery-worker-light", "Deployment", 3)]))
	findings := prod_availability.deny with input as model
	count(findings) == 1
	some f in findings
	f.id == "ONYX-PROD-034"
	f.kind == "HorizontalPodAutoscaler"
	f.field == "spec.minReplicas"
	contains(f.message, "has minReplicas 3 but Deployment celery-worker-light sets spec.replicas 2 — the gate judges spec.replicas")
}

test_autoscaled_datastore if {
	model := _set_autoscalers(_healthy, array.concat(_healthy.autoscalers, [_hpa("postgres", "StatefulSet", 1)]))
	findings := prod_availability.deny with input as model
	count(findings) == 1
	some f in findings
	f.id == "ONYX-PROD-035"
	contains(f.message, "autoscales the datastore StatefulSet postgres — a second postgres pod would initdb its own empty volume")
}

test_other_profiles_are_not_judged if {
	model := object.union(_set_autoscalers(_set_budgets(_healthy, []), []), {"overlay": "overlays/minimal"})
	findings := prod_availability.deny with input as _set_workload(model, "nginx", {"replicas": 1})
	count(findings) == 0
}
