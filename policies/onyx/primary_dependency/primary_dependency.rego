# METADATA
# title: Primary dependency
# description: |
#   Every non-primary Celery worker needs a running primary worker: on start it waits at most 60 s for
#   the primary's Redis lock and otherwise exits (v1.9.0 fact sheet §2 "Startup dependencies",
#   app_base.py:322-351; §7 "Primary worker absent").
# entrypoint: true
package onyx.primary_dependency

_orphan := {"id": "ONYX-PRIMARY-001", "severity": "error", "title": "Worker without primary worker"}

# A primary worker: a container running `celery -A …versioned_apps.primary worker` with replicas > 0.
_primary_running if {
	workloads := input.workloads
	some w in workloads
	w.replicas > 0
	some c in w.containers
	c.celery.role == "worker"
	c.celery.app == "primary"
}

# METADATA
# title: Worker without primary worker
# description: |
#   A Celery worker other than primary runs (replicas > 0) while no primary worker does: it calls
#   on_secondary_worker_init, waits ≤ 60 s for Redis key da_lock:primary_worker (K:358) and raises
#   WorkerShutdown (app_base.py:322-351), so it restarts forever and consumes nothing.
# scope: rule
# custom:
#   id: ONYX-PRIMARY-001
#   severity: error
deny contains finding if {
	not _primary_running
	why := concat("", [
		"it waits 60 s for the primary worker's lock and exits with \"Primary worker was not ready within ",
		"the timeout\" (app_base.py:322-351), restarting forever, so its queues are never consumed",
	])
	where := "no workload runs `celery -A …versioned_apps.primary worker` with replicas > 0"
	workloads := input.workloads
	some w in workloads
	w.replicas > 0
	some i, c in w.containers
	c.celery.role == "worker"
	c.celery.app != "primary"
	what := concat("", ["Celery worker ", w.name, " (app \"", c.celery.app, "\") runs without a primary worker"])
	finding := object.union(_orphan, {
		"kind": w.kind,
		"name": w.name,
		"field": concat("", ["spec.template.spec.containers[", format_int(i, 10), "].command"]),
		"file": w.file,
		"message": concat("", [what, " — ", why, " (", where, ")"]),
	})
}
