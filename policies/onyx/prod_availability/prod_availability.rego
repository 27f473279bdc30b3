# METADATA
# title: Production availability
# description: |
#   In the prod profile the stateless request servers (data.hardening.availability.highly_available: nginx,
#   web-server, api-server, both model servers) run at least two replicas, spread over nodes, under a
#   PodDisruptionBudget that lets a drain evict one but not all; the scalable servers and workers
#   (availability.autoscaled) have an autoscaler whose minReplicas equals spec.replicas (the gate reads
#   spec.replicas, docs/model.md); and no autoscaler targets a single-instance datastore.
#   Beat and primary are ONYX-SINGLETON-001/003's.
# entrypoint: true
package onyx.prod_availability

_single_replica_meta := {"id": "ONYX-PROD-030", "severity": "error", "title": "Server without a second replica"}

_pdb_meta := {"id": "ONYX-PROD-031", "severity": "error", "title": "No usable PodDisruptionBudget"}

_spread_meta := {"id": "ONYX-PROD-032", "severity": "error", "title": "Replicas not spread over nodes"}

_unscaled_meta := {"id": "ONYX-PROD-033", "severity": "error", "title": "Scalable workload without autoscaler"}

_mismatch_meta := {"id": "ONYX-PROD-034", "severity": "error", "title": "Autoscaler minimum differs from replicas"}

_datastore_meta := {"id": "ONYX-PROD-035", "severity": "error", "title": "Datastore autoscaled"}

# regal ignore:unresolved-reference
_hardening := data.hardening

_availability := _hardening.availability

_prod if data.profiles.overlays[input.overlay] == _hardening.profile

_no_autoscaler_why := concat("", [
	"it keeps its replica count whatever the load, so a connector backlog or a burst of searches queues up ",
	"instead of adding pods (v1.9.0 §3: its queues take any number of consumers)",
])

_mismatch_why := concat("", [
	"the gate judges spec.replicas while the HPA runs at least minReplicas, and every Argo CD sync resets the ",
	"Deployment to spec.replicas before the HPA moves it back, so the checked and the running counts differ",
])

# METADATA
# title: Server without a second replica
# description: |
#   A highly available prod server runs fewer than availability.min_replicas (2) replicas: every restart,
#   rollout or node drain takes it down (consequence per server in data.hardening.availability).
# scope: rule
# custom:
#   id: ONYX-PROD-030
#   severity: error
deny contains finding if {
	_prod
	servers := _availability.highly_available
	minimum := _availability.min_replicas
	workloads := input.workloads
	some w in workloads
	servers[w.name]
	w.replicas < minimum
	what := concat("", [w.name, " runs ", format_int(w.replicas, 10), " replica(s), fewer than ", format_int(minimum, 10)])
	finding := _availability_finding(_single_replica_meta, w, "spec.replicas", what, servers[w.name])
}

# METADATA
# title: No usable PodDisruptionBudget
# description: |
#   No PodDisruptionBudget selects a highly available prod server, so a drain may evict every replica at
#   once (Kubernetes eviction API).
# scope: rule
# custom:
#   id: ONYX-PROD-031
#   severity: error
deny contains finding if {
	_prod
	servers := _availability.highly_available
	budgets := input.disruption_budgets
	workloads := input.workloads
	some w in workloads
	servers[w.name]
	count([b | some b in budgets; w.name in b.selected_workloads]) == 0
	what := concat("", ["no PodDisruptionBudget selects ", w.name])
	why := concat("", ["a node drain or cluster upgrade may evict all its pods at once: ", servers[w.name]])
	finding := _availability_finding(_pdb_meta, w, "spec.template.metadata.labels", what, why)
}

# METADATA
# title: No usable PodDisruptionBudget
# description: |
#   A PodDisruptionBudget selecting a highly available prod server allows no eviction at its replica count
#   (node drains and cluster upgrades hang), or allows evicting every replica at once (it protects nothing).
#   Percentages round up as the disruption controller does.
# scope: rule
# custom:
#   id: ONYX-PROD-031
#   severity: error
deny contains finding if {
	_prod
	servers := _availability.highly_available
	minimum := _availability.min_replicas
	budgets := input.disruption_budgets
	workloads := input.workloads
	some w in workloads
	servers[w.name]
	w.replicas >= minimum # below it, ONYX-PROD-030 reports the cause
	some b in budgets
	w.name in b.selected_workloads
	allowed := _allowed_disruptions(b, w.replicas)
	problem := _budget_problem(allowed, w.replicas, servers[w.name])
	what := concat("", [
		"PodDisruptionBudget ", b.name, " allows ", format_int(allowed, 10), " of the ", format_int(w.replicas, 10),
		" pods of ", w.name, " to be evicted at once",
	])
	finding := object.union(_pdb_meta, {
		"kind": "PodDisruptionBudget",
		"name": b.name,
		"field": "spec",
		"file": b.file,
		"message": concat("", [what, " — ", problem, " (PodDisruptionBudget ", b.name, " spec)"]),
	})
}

# METADATA
# title: Replicas not spread over nodes
# description: |
#   A highly available prod server has neither topologySpreadConstraints nor pod anti-affinity: the
#   scheduler may put all its replicas on one node, which one node failure or drain takes down.
# scope: rule
# custom:
#   id: ONYX-PROD-032
#   severity: error
deny contains finding if {
	_prod
	servers := _availability.highly_available
	workloads := input.workloads
	some w in workloads
	servers[w.name]
	not w.topology_spread
	not w.anti_affinity
	what := concat("", ["the replicas of ", w.name, " have no topology spread constraint or pod anti-affinity"])
	why := concat("", [
		"the scheduler may place them all on one node, whose failure or drain then takes all down: ",
		servers[w.name],
	])
	finding := _availability_finding(_spread_meta, w, "spec.template.spec.topologySpreadConstraints", what, why)
}

# METADATA
# title: Scalable workload without autoscaler
# description: |
#   A prod server or Celery worker that scales horizontally (availability.autoscaled) has no
#   HorizontalPodAutoscaler or ScaledObject targeting it.
# scope: rule
# custom:
#   id: ONYX-PROD-033
#   severity: error
deny contains finding if {
	_prod
	autoscaled := _availability.autoscaled
	autoscalers := input.autoscalers
	workloads := input.workloads
	some w in workloads
	w.name in autoscaled
	count([a | some a in autoscalers; a.target_kind == w.kind; a.target_name == w.name]) == 0
	what := concat("", ["no HorizontalPodAutoscaler targets ", w.kind, " ", w.name])
	finding := _availability_finding(_unscaled_meta, w, "spec.replicas", what, _no_autoscaler_why)
}

# METADATA
# title: Autoscaler minimum differs from replicas
# description: |
#   An autoscaler's minReplicas differs from its target's spec.replicas. The gate's model reads spec.replicas
#   (docs/model.md), so both must state the floor the workload really runs at.
# scope: rule
# custom:
#   id: ONYX-PROD-034
#   severity: error
deny contains finding if {
	_prod
	autoscalers := input.autoscalers
	workloads := input.workloads
	some a in autoscalers
	some w in workloads
	a.target_kind == w.kind
	a.target_name == w.name
	a.min_replicas != w.replicas
	what := concat("", [
		a.kind, " ", a.name, " has minReplicas ", format_int(a.min_replicas, 10), " but ", w.kind, " ", w.name,
		" sets spec.replicas ", format_int(w.replicas, 10),
	])
	finding := object.union(_mismatch_meta, {
		"kind": a.kind,
		"name": a.name,
		"field": "spec.minReplicas",
		"file": a.file,
		"message": concat("", [what, " — ", _mismatch_why, " (", a.kind, " ", a.name, " spec.minReplicas)"]),
	})
}

# METADATA
# title: Datastore autoscaled
# description: |
#   An autoscaler targets a single-instance datastore (availability.not_autoscalable: postgres, vespa, redis,
#   minio); a second pod splits or corrupts its state.
# scope: rule
# custom:
#   id: ONYX-PROD-035
#   severity: error
deny contains finding if {
	_prod
	datastores := _availability.not_autoscalable
	autoscalers := input.autoscalers
	some a in autoscalers
	why := datastores[a.target_name]
	what := concat("", [a.kind, " ", a.name, " autoscales the datastore ", a.target_kind, " ", a.target_name])
	finding := object.union(_datastore_meta, {
		"kind": a.kind,
		"name": a.name,
		"field": "spec.scaleTargetRef",
		"file": a.file,
		"message": concat("", [what, " — ", why, " (", a.kind, " ", a.name, " spec.scaleTargetRef)"]),
	})
}

# Pods the budget lets a drain evict at `replicas` (the disruption controller rounds percentages up).
_allowed_disruptions(b, replicas) := replicas - _scaled(b.min_available, replicas) if b.min_available != null

_allowed_disruptions(b, replicas) := _scaled(b.max_unavailable, replicas) if {
	b.min_available == null
	b.max_unavailable != null
}

_scaled(value, _) := value if is_number(value)

_scaled(value, replicas) := ceil((to_number(trim_suffix(value, "%")) * replicas) / 100) if {
	is_string(value)
	endswith(value, "%")
}

_budget_problem(allowed, _, _) := "node drains and cluster upgrades hang on it until someone deletes the budget" if {
	allowed <= 0
}

_budget_problem(allowed, replicas, consequence) := concat("", ["it protects nothing: ", consequence]) if {
	allowed >= replicas
	allowed > 0
}

_availability_finding(meta, w, field, what, why) := object.union(meta, {
	"kind": w.kind,
	"name": w.name,
	"field": field,
	"file": w.file,
	"message": concat("", [what, " — ", why, " (", w.kind, " ", w.name, " ", field, ")"]),
})
