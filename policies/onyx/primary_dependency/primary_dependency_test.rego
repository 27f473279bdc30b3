package onyx.primary_dependency_test

import data.onyx.lib.fixtures_test as fx
import data.onyx.primary_dependency

test_workers_with_primary_pass if {
	count(primary_dependency.deny) == 0 with input as fx.prod
}

test_every_other_worker_without_primary if {
	findings := primary_dependency.deny with input as fx.without(fx.prod, {"celery-worker-primary"})
	fx.names(findings, "ONYX-PRIMARY-001") == {
		"celery-worker-light", "celery-worker-heavy", "celery-worker-docfetching", "celery-worker-docprocessing",
		"celery-worker-user-files-indexing", "celery-worker-monitoring", "celery-worker-kg-processing",
	}
	some f in findings
	f.name == "celery-worker-docfetching"
	f.field == "spec.template.spec.containers[0].command"
	contains(f.message, "Celery worker celery-worker-docfetching (app \"docfetching\") runs without a primary worker — ")
	contains(f.message, "(app_base.py:322-351)")
}

test_primary_scaled_to_zero_counts_as_absent if {
	findings := primary_dependency.deny with input as fx.patch_workload(fx.prod, "celery-worker-primary", {"replicas": 0})
	count(findings) == 7
}

# The primary is recognised by its Celery app, not by its name.
test_primary_recognised_by_app if {
	renamed := fx.patch_workload(fx.prod, "celery-worker-primary", {"name": "scheduler"})
	count(primary_dependency.deny) == 0 with input as renamed
	fake := fx.patch_container(fx.prod, "celery-worker-primary", {"celery": {"app": "light", "role": "worker", "queues": ["celery"]}})
	count(primary_dependency.deny) == 8 with input as fake
}

test_beat_alone_needs_no_primary if {
	celery := {w.name | some w in fx.workloads; startswith(w.name, "celery-worker-")}
	count(primary_dependency.deny) == 0 with input as fx.without(fx.prod, celery)
}
