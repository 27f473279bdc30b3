package onyx.singletons_test

import data.onyx.lib.fixtures_test as fx
import data.onyx.singletons

test_single_recreated_singletons_pass if {
	count(singletons.deny) == 0 with input as fx.prod
}

test_two_beats if {
	findings := singletons.deny with input as fx.patch_workload(fx.prod, "celery-beat", {"replicas": 2})
	some f in findings
	f.id == "ONYX-SINGLETON-001"
	f.field == "spec.replicas"
	contains(f.message, "the Celery beat celery-beat runs 2 replicas instead of exactly 1 — two beats dispatch every periodic task twice")
}

test_two_primaries if {
	findings := singletons.deny with input as fx.patch_workload(fx.prod, "celery-worker-primary", {"replicas": 3})
	some f in findings
	contains(f.message, "deletes the first one's da_lock:primary_worker lock")
}

test_zero_beats if {
	findings := singletons.deny with input as fx.patch_workload(fx.prod, "celery-beat", {"replicas": 0})
	some f in findings
	contains(f.message, "no beat schedules check_for_indexing")
}

test_zero_primaries if {
	findings := singletons.deny with input as fx.patch_workload(fx.prod, "celery-worker-primary", {"replicas": 0})
	some f in findings
	contains(f.message, "every other worker exits after 60 s")
}

test_other_workers_may_scale if {
	count(singletons.deny) == 0 with input as fx.patch_workload(fx.prod, "celery-worker-light", {"replicas": 4, "strategy": "RollingUpdate"})
}

test_rolling_update_overlaps if {
	findings := singletons.deny with input as fx.patch_workload(fx.prod, "celery-beat", {"strategy": "RollingUpdate"})
	some f in findings
	f.id == "ONYX-SINGLETON-002"
	f.severity == "warning"
	f.field == "spec.strategy.type"
	contains(f.message, "uses strategy RollingUpdate, not Recreate — every rollout starts the new pod before the old one stops")
}

test_statefulset_strategy_is_not_judged if {
	model := fx.patch_workload(fx.prod, "celery-worker-primary", {"kind": "StatefulSet", "strategy": "RollingUpdate"})
	count(singletons.deny) == 0 with input as model
}

# Identified by the Celery command, not by the name.
test_renamed_beat_is_still_a_singleton if {
	model := fx.patch_workload(fx.prod, "celery-beat", {"name": "scheduler", "replicas": 2})
	fx.names(singletons.deny, "ONYX-SINGLETON-001") == {"scheduler"} with input as model
}

test_autoscaled_primary if {
	hpa := {
		"kind": "HorizontalPodAutoscaler", "name": "primary", "file": "hpa.yaml",
		"target_kind": "Deployment", "target_name": "celery-worker-primary", "min_replicas": 1,
	}
	findings := singletons.deny with input as object.union(fx.prod, {"autoscalers": [hpa]})
	some f in findings
	f.id == "ONYX-SINGLETON-003"
	f.kind == "HorizontalPodAutoscaler"
	f.file == "hpa.yaml"
	contains(f.message, "HorizontalPodAutoscaler primary autoscales the Celery primary celery-worker-primary")
}

test_autoscaled_api_server_is_fine if {
	hpa := {
		"kind": "HorizontalPodAutoscaler", "name": "api", "file": "hpa.yaml",
		"target_kind": "Deployment", "target_name": "api-server", "min_replicas": 2,
	}
	count(singletons.deny) == 0 with input as object.union(fx.prod, {"autoscalers": [hpa]})
}
