# METADATA
# title: Queue coverage
# description: |
#   Every Celery queue that a running component can produce into (its producer condition holds) and
#   that lies within the profile's queue_scope has a consumer: a workload with replicas > 0 whose
#   container runs a Celery worker that lists the queue in -Q and whose app registers the queue's tasks.
#   Judged from the parsed command lines (container celery.{role,app,queues}), never from names.
# entrypoint: true
package onyx.queue_coverage

_uncovered_meta := {"id": "ONYX-QUEUE-001", "severity": "error", "title": "Queue without consumer"}

_profile := data.profiles.profiles[data.profiles.overlays[input.overlay]]

_queues := data.catalog.queues

_rendered := {w.name | some w in input.workloads}

# v1.9.0 §2 "Registered tasks per app": a worker runs a queue's task only if its app registers it
# (Celery rejects unregistered tasks, §3a); -Q from the command line (§2 command table).
_consumed contains queue if {
	workloads := input.workloads
	some w in workloads
	w.replicas > 0
	some c in w.containers
	c.celery.role == "worker"
	some queue in c.celery.queues
	c.celery.app in _queues[queue].task_apps
}

# Every running container (replicas > 0) as producer facts, built once per query so producers are
# matched by lookup (README "Performance"): its keys ("workload:<name>", "app:<celery app>", "beat") and
# the values of the env vars that catalog conditions test.
_live := [item |
	some w in input.workloads
	w.replicas > 0
	some c in w.containers
	some key in _container_keys(w.name, c.celery)
	item := {"key": key, "env": {name: object.get(c.env, name, "") | some name in _condition_vars}}
]

_live_keys := {item.key | some item in _live}

_condition_vars := {producer.condition.env |
	some spec in _queues
	some producer in spec.producers
}

_conditional_keys := {_producer_key(producer) |
	some spec in _queues
	some producer in spec.producers
	producer.condition.env
}

# Condition env values of the running producers, by producer key.
_conditional_envs := {key: [item.env | some item in _live; item.key == key] | some key in _conditional_keys}

# A queue is produced into when one of its catalog producers runs and its condition holds: always, by
# a runtime feature of the profile, or by the producer's own effective env.
_produced contains queue if {
	queues := _queues
	live := _live_keys
	some queue, spec in queues
	some producer in spec.producers
	not producer.condition
	_producer_key(producer) in live
}

_produced contains queue if {
	queues := _queues
	live := _live_keys
	features := _profile.features
	some queue, spec in queues
	some producer in spec.producers
	producer.condition.feature in features
	_producer_key(producer) in live
}

_produced contains queue if {
	queues := _queues
	envs := _conditional_envs
	some queue, spec in queues
	some producer in spec.producers
	producer.condition.env
	some env in envs[_producer_key(producer)]
	_env_condition_holds(producer.condition, env)
}

_uncovered contains queue if {
	produced := _produced
	some queue in produced
	_in_scope(_queues[queue], _profile.queue_scope)
	not queue in _consumed
}

# METADATA
# title: Queue without consumer
# description: |
#   A produced queue has no consumer and its expected consumer is not rendered. Producers and
#   consumers: v1.9.0 fact sheet §3 queue table (K:324-355; DPU:358-379; RDF:1193-1198,1366-1374);
#   silent backlog: §7 "Queue without consumer".
# scope: rule
# custom:
#   id: ONYX-QUEUE-001
#   severity: error
deny contains finding if {
	uncovered := _uncovered
	some queue in uncovered
	name := _queues[queue].expected_consumer
	not name in _rendered
	kind := data.catalog.workloads[name].kind
	where := concat("", [kind, " ", name, " is absent"])
	finding := _queue_finding(queue, kind, name, "spec.template.spec.containers[0].command", "", where)
}

# METADATA
# title: Queue without consumer
# description: |
#   A produced queue has no consumer because its expected consumer runs 0 replicas (v1.9.0 §3).
# scope: rule
# custom:
#   id: ONYX-QUEUE-001
#   severity: error
deny contains finding if {
	uncovered := _uncovered
	workloads := input.workloads
	some queue in uncovered
	some w in workloads
	w.name == _queues[queue].expected_consumer
	w.replicas == 0
	where := concat("", [w.kind, " ", w.name, " is scaled to 0 replicas"])
	finding := _queue_finding(queue, w.kind, w.name, "spec.replicas", w.file, where)
}

# METADATA
# title: Queue without consumer
# description: |
#   A produced queue has no consumer because its expected consumer does not list it in -Q
#   (v1.9.0 §2 command lines, §3 consumer column).
# scope: rule
# custom:
#   id: ONYX-QUEUE-001
#   severity: error
deny contains finding if {
	uncovered := _uncovered
	workloads := input.workloads
	some queue in uncovered
	some w in workloads
	w.name == _queues[queue].expected_consumer
	w.replicas > 0
	not _lists_queue(w.containers, queue)
	i := _celery_container(w.containers)
	listed := concat(",", object.get(w.containers[i], ["celery", "queues"], []))
	where := concat("", [w.kind, " ", w.name, " does not list ", queue, " in -Q (it consumes \"", listed, "\")"])
	field := concat("", ["spec.template.spec.containers[", format_int(i, 10), "].command"])
	finding := _queue_finding(queue, w.kind, w.name, field, w.file, where)
}

# METADATA
# title: Queue without consumer
# description: |
#   A produced queue has no consumer because the worker that lists it runs a Celery app that does not
#   register its tasks (v1.9.0 §2 "Registered tasks per app"; §3a "even adding those queues to their -Q
#   would not help").
# scope: rule
# custom:
#   id: ONYX-QUEUE-001
#   severity: error
deny contains finding if {
	uncovered := _uncovered
	workloads := input.workloads
	some queue in uncovered
	spec := _queues[queue]
	some w in workloads
	w.name == spec.expected_consumer
	w.replicas > 0
	some i, c in w.containers
	c.celery.role == "worker"
	queue in c.celery.queues
	where := concat("", [
		w.kind, " ", w.name, " lists ", queue, " in -Q but runs app \"", c.celery.app,
		"\", which does not register its tasks (apps that do: ", concat(", ", spec.task_apps), ")",
	])
	field := concat("", ["spec.template.spec.containers[", format_int(i, 10), "].command"])
	finding := _queue_finding(queue, w.kind, w.name, field, w.file, where)
}

_queue_finding(queue, kind, name, field, file, where) := object.union(_uncovered_meta, {
	"kind": kind,
	"name": name,
	"field": field,
	"file": file,
	"message": concat("", ["queue \"", queue, "\" has no consumer — ", _queues[queue].consequence, " (", where, ")"]),
})

_producer_key(producer) := concat(":", ["workload", producer.workload])

_producer_key(producer) := concat(":", ["app", producer.celery_app])

_producer_key(producer) := "beat" if producer.celery_beat == true

_container_key(celery) := concat(":", ["app", celery.app]) if celery.role == "worker"

_container_key(celery) := "beat" if celery.role == "beat"

_container_keys(name, celery) := {concat(":", ["workload", name])} | {key | key := _container_key(celery)}

# AC:729-731 (src): ENTERPRISE_EDITION_ENABLED = ENABLE_PAID_ENTERPRISE_EDITION_FEATURES.lower() == "true".
_env_condition_holds(condition, env) if {
	condition.test == "equals_true"
	lower(object.get(env, condition.env, "")) == "true"
}

# BS:149-160: `if LLM_MODEL_UPDATE_API_URL:` (set and non-empty).
_env_condition_holds(condition, env) if {
	condition.test == "non_empty"
	object.get(env, condition.env, "") != ""
}

# Fail closed: an env condition with an unknown test counts as satisfied (the queue is then judged).
_env_condition_holds(condition, _) if not condition.test in {"equals_true", "non_empty"}

_in_scope(_, "all")

_in_scope(spec, "indexing_path") if spec.on_indexing_path == true

_lists_queue(containers, queue) if {
	some c in containers
	c.celery.role == "worker"
	queue in c.celery.queues
}

# Index of the container that runs Celery (the first one), else 0.
default _celery_container(_) := 0

_celery_container(containers) := min({i | some i; containers[i].celery != null})
