# METADATA
# title: Celery singletons
# description: |
#   The Celery beat and the primary worker must run exactly once, never two at a time: no leader
#   election or lock protects the beat, and the primary worker assumes it is the only one (v1.9.0 fact
#   sheet §5 "Beat deployment and duplicate-beat protection"). Identified by the parsed Celery command
#   (role beat; role worker with app primary), not by name.
# entrypoint: true
package onyx.singletons

_replicas_meta := {"id": "ONYX-SINGLETON-001", "severity": "error", "title": "Celery singleton not at one replica"}

_strategy_meta := {"id": "ONYX-SINGLETON-002", "severity": "warning", "title": "Celery singleton rolls over"}

_autoscaled_meta := {"id": "ONYX-SINGLETON-003", "severity": "error", "title": "Celery singleton autoscaled"}

# What a second copy breaks, per singleton (v1.9.0 §5).
_duplicate := {
	# §5 "Leader election / lock: none" (CEL/apps/beat.py); only the check_* tasks take a non-blocking
	# beat lock (DPT:735-742), the rest are dispatched twice.
	"beat": concat("", [
		"two beats dispatch every periodic task twice, as nothing elects a leader (CEL/apps/beat.py) and only ",
		"the check_* tasks are guarded by a non-blocking Redis lock (DPT:735-742)",
	]),
	# §5 "Related singleton": r.delete(PRIMARY_WORKER) then acquire (CEL/apps/primary.py:120-147).
	"primary": concat("", [
		"a second primary worker deletes the first one's da_lock:primary_worker lock and takes it over, as each ",
		"assumes it is the only primary (CEL/apps/primary.py:120-147)",
	]),
}

# What zero copies break (v1.9.0 §3a "Minimal worker Deployments"; §2 "Startup dependencies").
_none := {
	"beat": "no beat schedules check_for_indexing, so index attempts never finalize (BS:47-55)",
	"primary": "every other worker exits after 60 s without the primary lock (app_base.py:322-351)",
}

# METADATA
# title: Celery singleton not at one replica
# description: |
#   A beat or primary worker runs with replicas ≠ 1: more than one duplicates schedules or steals the
#   primary lock (v1.9.0 §5: beat.py has no lock, primary.py:120-147), zero runs none (§2, §3a).
# scope: rule
# custom:
#   id: ONYX-SINGLETON-001
#   severity: error
deny contains finding if {
	workloads := input.workloads
	some w in workloads
	some c in w.containers
	w.replicas != 1
	role := _singleton(c.celery)
	what := concat("", [
		"the Celery ", role, " ", w.name, " runs ", format_int(w.replicas, 10),
		" replicas instead of exactly 1",
	])
	where := concat("", [w.kind, " ", w.name, " spec.replicas"])
	finding := object.union(_replicas_meta, {
		"kind": w.kind,
		"name": w.name,
		"field": "spec.replicas",
		"file": w.file,
		"message": concat("", [what, " — ", _replica_consequence(role, w.replicas), " (", where, ")"]),
	})
}

# METADATA
# title: Celery singleton rolls over
# description: |
#   A beat or primary Deployment keeps the default RollingUpdate strategy: at 1 replica maxSurge rounds
#   to 1 and maxUnavailable to 0, so the new pod starts before the old one stops and two run at once
#   during every rollout (v1.9.0 §5 "Helm strategy", T/celery-beat.yaml:8-15). Deployments only: a
#   StatefulSet has no Recreate strategy.
# scope: rule
# custom:
#   id: ONYX-SINGLETON-002
#   severity: warning
deny contains finding if {
	workloads := input.workloads
	some w in workloads
	w.kind == "Deployment"
	w.strategy != "Recreate"
	some c in w.containers
	role := _singleton(c.celery)
	what := concat("", ["the Celery ", role, " Deployment ", w.name, " uses strategy ", w.strategy, ", not Recreate"])
	why := concat("", [
		"every rollout starts the new pod before the old one stops, and while both run ", _duplicate[role],
	])
	finding := object.union(_strategy_meta, {
		"kind": w.kind,
		"name": w.name,
		"field": "spec.strategy.type",
		"file": w.file,
		"message": concat("", [what, " — ", why, " (", "Deployment spec.strategy.type", ")"]),
	})
}

# METADATA
# title: Celery singleton autoscaled
# description: |
#   An autoscaler targets the beat or primary worker: v1.9.0 has no autoscaling branch for the beat and
#   no worker HPA (fact sheet §5 "Helm replicas"; §2 "Helm autoscaling"), and any scale-out runs a
#   second copy (§5).
# scope: rule
# custom:
#   id: ONYX-SINGLETON-003
#   severity: error
deny contains finding if {
	autoscalers := input.autoscalers
	workloads := input.workloads
	some a in autoscalers
	some w in workloads
	a.target_kind == w.kind
	a.target_name == w.name
	some c in w.containers
	role := _singleton(c.celery)
	what := concat("", [a.kind, " ", a.name, " autoscales the Celery ", role, " ", w.name])
	where := concat("", [a.kind, " ", a.name, " targets ", w.kind, " ", w.name])
	finding := object.union(_autoscaled_meta, {
		"kind": a.kind,
		"name": a.name,
		"field": "spec.scaleTargetRef",
		"file": a.file,
		"message": concat("", [what, " — ", _duplicate[role], " (", where, ")"]),
	})
}

_singleton(celery) := "beat" if celery.role == "beat"

_singleton(celery) := "primary" if {
	celery.role == "worker"
	celery.app == "primary"
}

_replica_consequence(role, 0) := _none[role]

_replica_consequence(role, replicas) := _duplicate[role] if replicas > 1
