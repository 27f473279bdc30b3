package onyx.queue_coverage_test

import data.onyx.lib.fixtures_test as fx
import data.onyx.queue_coverage

_queues(findings) := {_queue(f.message) | some f in findings; f.id == "ONYX-QUEUE-001"}

_queue(message) := split(message, "\"")[1]

test_healthy_profiles_have_every_queue_consumed if {
	count(queue_coverage.deny) == 0 with input as fx.prod
	count(queue_coverage.deny) == 0 with input as fx.minimal
}

# The incident: every server but no Celery worker, so the API's tasks pile up unconsumed.
test_servers_without_workers if {
	celery := {w.name | some w in fx.workloads; startswith(w.name, "celery-")}
	findings := queue_coverage.deny with input as fx.without(fx.prod, celery)
	_queues(findings) == {"celery", "connector_pruning", "kg_processing"}
	some f in findings
	contains(f.message, "queue \"celery\" has no consumer — check_for_indexing")
	contains(f.message, "(Deployment celery-worker-primary is absent)")
	f.file == ""
	f.field == "spec.template.spec.containers[0].command"
}

# beat + primary + docprocessing: primary produces connector_doc_fetching / user_files_indexing and
# nothing consumes them; docprocessing is never produced into, so it is not reported.
test_beat_primary_docprocessing_cannot_fetch if {
	findings := queue_coverage.deny with input as fx.without(fx.minimal, {"celery-worker-docfetching"})
	_queues(findings) == {"connector_doc_fetching", "user_files_indexing"}
	some f in findings
	f.name == "celery-worker-docfetching"
	contains(f.message, "no connector or uploaded file is ever fetched")
}

test_expected_consumer_scaled_to_zero if {
	findings := queue_coverage.deny with input as fx.patch_workload(fx.prod, "celery-worker-docprocessing", {"replicas": 0})
	some f in findings
	f.field == "spec.replicas"
	contains(f.message, "queue \"docprocessing\" has no consumer — documents are fetched but never embedded or indexed")
	contains(f.message, "(Deployment celery-worker-docprocessing is scaled to 0 replicas)")
}

test_expected_consumer_lacks_queue_in_q if {
	celery := {"app": "docprocessing", "role": "worker", "queues": ["celery"]}
	findings := queue_coverage.deny with input as fx.patch_container(fx.prod, "celery-worker-docprocessing", {"celery": celery})
	some f in findings
	f.field == "spec.template.spec.containers[0].command"
	contains(f.message, "does not list docprocessing in -Q (it consumes \"celery\")")
}

test_consumer_without_celery_command if {
	findings := queue_coverage.deny with input as fx.patch_container(fx.prod, "celery-worker-monitoring", {"celery": null})
	_queues(findings) == {"monitoring"}
}

# Judged from -A, not from names: a "user-files-indexing" Deployment running the primary app.
test_consumer_runs_an_app_that_does_not_register_the_task if {
	model := fx.patch_container(
		fx.patch_container(fx.prod, "celery-worker-docfetching", {"celery": {"app": "docfetching", "role": "worker", "queues": ["connector_doc_fetching"]}}),
		"celery-worker-user-files-indexing", {"celery": {"app": "primary", "role": "worker", "queues": ["user_files_indexing"]}},
	)
	findings := queue_coverage.deny with input as model
	some f in findings
	contains(f.message, "runs app \"primary\", which does not register its tasks (apps that do: docfetching)")
}

# Any worker whose app registers the task consumes the queue, whatever its name.
test_queue_consumed_by_another_registering_worker if {
	model := fx.patch_container(
		fx.without(fx.prod, {"celery-worker-docprocessing"}),
		"celery-worker-primary", {"celery": {"app": "primary", "role": "worker", "queues": ["celery", "docprocessing"]}},
	)
	count(queue_coverage.deny) == 0 with input as model
}

test_minimal_scope_ignores_queues_off_the_indexing_path if {
	count(queue_coverage.deny) == 0 with input as object.union(
		fx.without(fx.prod, {"celery-worker-light", "celery-worker-heavy", "celery-worker-monitoring", "celery-worker-kg-processing"}),
		{"overlay": "overlays/minimal"},
	)
}

test_enterprise_queues_only_when_enterprise_is_enabled if {
	heavy := {"celery": {"app": "heavy", "role": "worker", "queues": ["connector_pruning"]}}
	model := fx.patch_container(fx.prod, "celery-worker-heavy", heavy)
	count(queue_coverage.deny) == 0 with input as model
	ee := {"env": {"ENABLE_PAID_ENTERPRISE_EDITION_FEATURES": "True"}}
	findings := queue_coverage.deny with input as fx.patch_container(model, "celery-worker-primary", ee)
	_queues(findings) == {"connector_doc_permissions_sync", "connector_external_group_sync"}
}

test_enterprise_api_produces_csv_exports if {
	heavy := {"celery": {"app": "heavy", "role": "worker", "queues": ["connector_pruning"]}}
	ee := {"env": {"ENABLE_PAID_ENTERPRISE_EDITION_FEATURES": "true"}}
	model := fx.patch_container(fx.patch_container(fx.prod, "celery-worker-heavy", heavy), "api-server", ee)
	findings := queue_coverage.deny with input as model
	_queues(findings) == {"connector_doc_permissions_sync", "connector_external_group_sync", "csv_generation"}
}

test_kg_queue_needs_a_consumer_when_the_profile_promises_kg if {
	findings := queue_coverage.deny with input as fx.without(fx.prod, {"celery-worker-kg-processing"})
	_queues(findings) == {"kg_processing"}
	profiles := object.union(data.profiles, {"profiles": {"prod": {"features": []}}})
	count(queue_coverage.deny) == 0 with input as fx.without(fx.prod, {"celery-worker-kg-processing"})
		with data.profiles as profiles
}

test_llm_model_update_url_condition_is_read if {
	env := {"env": {"LLM_MODEL_UPDATE_API_URL": "https://models.example.invalid"}}
	findings := queue_coverage.deny with input as fx.without(fx.patch_container(fx.prod, "celery-beat", env), {"celery-worker-primary"})
	_queues(findings) == {"celery"}
}

test_unknown_condition_test_fails_closed if {
	producers := [{"workload": "api-server", "condition": {"env": "SOME_FLAG", "test": "truthy"}}]
	heavy := {"celery": {"app": "heavy", "role": "worker", "queues": ["connector_pruning"]}}
	findings := queue_coverage.deny with input as fx.patch_container(fx.prod, "celery-worker-heavy", heavy)
		with data.catalog.queues.csv_generation.producers as producers
	_queues(findings) == {"csv_generation"}
}

test_unregistered_overlay_is_left_to_the_registry if {
	count(queue_coverage.deny) == 0 with input as object.union(fx.without(fx.prod, {"celery-worker-primary"}), {"overlay": "x"})
}
