package onyx.required_workloads_test

import data.onyx.lib.fixtures_test as fx
import data.onyx.required_workloads

test_complete_profiles_pass if {
	count(required_workloads.deny) == 0 with input as fx.prod
	count(required_workloads.deny) == 0 with input as fx.minimal
}

# The incident: every server, no Celery worker at all.
test_servers_without_workers_miss_every_celery_workload if {
	celery := {w.name | some w in fx.workloads; startswith(w.name, "celery-")}
	findings := required_workloads.deny with input as fx.without(fx.prod, celery)
	fx.names(findings, "ONYX-WORKLOAD-001") == celery
}

# The proposed "minimal" set beat + primary + docprocessing: docfetching is missing, with its reason.
test_beat_primary_docprocessing_lacks_docfetching if {
	findings := required_workloads.deny with input as fx.without(fx.minimal, {"celery-worker-docfetching"})
	some f in findings
	f.id == "ONYX-WORKLOAD-001"
	f.kind == "Deployment"
	f.name == "celery-worker-docfetching"
	f.file == ""
	contains(f.message, "required workload \"celery-worker-docfetching\" is absent — ")
	contains(f.message, "only the docfetching worker ever produces docprocessing tasks (RDF:1193-1198,1366-1374)")
	contains(f.message, "profile minimal of overlays/minimal")
}

test_minimal_does_not_require_light if {
	count(required_workloads.deny) == 0 with input as fx.without(fx.minimal, {"celery-worker-light"})
}

test_prod_requires_kg_processing if {
	findings := required_workloads.deny with input as fx.without(fx.prod, {"celery-worker-kg-processing"})
	fx.names(findings, "ONYX-WORKLOAD-001") == {"celery-worker-kg-processing"}
}

test_absent_statefulset_is_named_by_catalog_kind if {
	findings := required_workloads.deny with input as fx.without(fx.prod, {"vespa"})
	some f in findings
	f.kind == "StatefulSet"
	contains(f.message, "StatefulSet vespa is not rendered")
}

test_scaled_to_zero if {
	findings := required_workloads.deny with input as fx.patch_workload(fx.prod, "celery-worker-primary", {"replicas": 0})
	some f in findings
	f.id == "ONYX-WORKLOAD-002"
	f.field == "spec.replicas"
	f.file == "base/celery-worker-primary/workload.yaml"
	contains(f.message, "every other worker exits after 60 s")
}

test_unregistered_overlay_is_left_to_the_registry if {
	count(required_workloads.deny) == 0 with input as object.union(fx.without(fx.prod, {"redis"}), {"overlay": "x"})
}

test_required_name_missing_from_catalog_still_fails if {
	profiles := object.union(data.profiles, {"profiles": {"prod": {"required_workloads": ["slackbot"]}}})
	findings := required_workloads.deny with input as fx.prod with data.profiles as profiles
	some f in findings
	f.name == "slackbot"
	contains(f.message, "does not say why")
}
