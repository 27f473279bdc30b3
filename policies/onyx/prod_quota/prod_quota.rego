# METADATA
# title: Production fits its ResourceQuota
# description: |
#   The prod profile renders a ResourceQuota, and the overlay's CPU and memory requests and limits fit it:
#   at minimum replicas (an HPA's minReplicas where one targets the workload, else spec.replicas; per pod
#   max(sum of containers, largest init container)), and with the surge of a rollout of every Deployment at
#   once (maxSurge 25 % rounded up, data.hardening.quota; all old pods of a Deployment whose grace period is
#   at least quota.lingering_grace_seconds). tools/sizing.py reports the same numbers.
# entrypoint: true
package onyx.prod_quota

_absent_meta := {"id": "ONYX-PROD-070", "severity": "error", "title": "No ResourceQuota"}

_exceeded_meta := {"id": "ONYX-PROD-071", "severity": "error", "title": "Workloads exceed the ResourceQuota"}

_no_headroom_meta := {"id": "ONYX-PROD-072", "severity": "error", "title": "No quota headroom for a rollout"}

# regal ignore:unresolved-reference
_hardening := data.hardening

_quota := _hardening.quota

_prod if data.profiles.overlays[input.overlay] == _hardening.profile

_absent_why := concat("", [
	"nothing bounds what prod takes from the cluster (an HPA scale-out, a mistyped replica count) and nothing ",
	"makes the API server insist on requests and limits; prod is sized with rollout headroom by tools/sizing.py",
])

_exceeded_why := concat("", [
	"the API server refuses every pod past the quota, so some Deployments and StatefulSets never reach their ",
	"replicas and the missing Onyx processes stay missing",
])

_no_headroom_why := concat("", [
	"a rollout of every Deployment at once (an image bump) cannot create its new pods while the old ones count ",
	"against the quota, so the rollout stalls until old pods exit — for docfetching up to its grace period",
])

# Per workload: the replicas it runs at minimum, its rollout surge, and one pod's amounts per key
# (CPU in millicores, memory in bytes). Spelled out key by key: regopy 1.5.2 evaluates an object
# comprehension keyed by a variable whose values call functions wrongly (values shifted between workloads,
# totals garbled), so none is used here.
_sizes := [size |
	workloads := input.workloads
	autoscalers := input.autoscalers
	some w in workloads
	replicas := _replicas(w, autoscalers)
	size := {
		"replicas": replicas,
		"surge": _surge(w, replicas),
		"requests.cpu": _pod_amount(w, "requests", "cpu"),
		"limits.cpu": _pod_amount(w, "limits", "cpu"),
		"requests.memory": _pod_amount(w, "requests", "memory"),
		"limits.memory": _pod_amount(w, "limits", "memory"),
	}
]

# Sum over workloads of one pod's `key` times its `count_field` ("replicas" or "surge").
_total_of(key, count_field) := sum([amount |
	some size in _sizes
	amount := object.get(size, key, 0) * object.get(size, count_field, 0)
])

# METADATA
# title: No ResourceQuota
# description: The prod overlay renders no ResourceQuota (overlays/prod/resource-quota.yaml).
# scope: rule
# custom:
#   id: ONYX-PROD-070
#   severity: error
deny contains finding if {
	_prod
	count(input.resource_quotas) == 0
	finding := object.union(_absent_meta, {
		"kind": "ResourceQuota",
		"name": "",
		"field": "",
		"file": "",
		"message": concat("", [
			"overlay ", input.overlay, " renders no ResourceQuota — ", _absent_why, " (", input.overlay, ")",
		]),
	})
}

# METADATA
# title: Workloads exceed the ResourceQuota
# description: |
#   At minimum replicas the overlay's total CPU or memory requests or limits exceed a prod ResourceQuota's
#   hard value (requests.cpu / cpu, limits.cpu, requests.memory / memory, limits.memory).
# scope: rule
# custom:
#   id: ONYX-PROD-071
#   severity: error
deny contains finding if {
	_prod
	quotas := input.resource_quotas
	some q in quotas
	some hard_key, hard_value in q.hard
	spec := _quota.keys[hard_key]
	key := concat(".", [spec.side, spec.resource])
	total := _total_of(key, "replicas")
	total > _quota_amount(spec.resource, hard_value)
	what := concat("", [
		"at minimum replicas the overlay's pods total ", _amount_text(spec.resource, total), " of ", key,
		", more than ResourceQuota ", q.name, " allows (", hard_key, ": ", _quota_raw(hard_value), ")",
	])
	finding := _quota_finding(_exceeded_meta, q, hard_key, what, _exceeded_why)
}

# METADATA
# title: No quota headroom for a rollout
# description: |
#   The overlay fits a prod ResourceQuota at minimum replicas but not with the surge of a rollout of every
#   Deployment at once, so RollingUpdate cannot create the new pods.
# scope: rule
# custom:
#   id: ONYX-PROD-072
#   severity: error
deny contains finding if {
	_prod
	quotas := input.resource_quotas
	some q in quotas
	some hard_key, hard_value in q.hard
	spec := _quota.keys[hard_key]
	key := concat(".", [spec.side, spec.resource])
	hard := _quota_amount(spec.resource, hard_value)
	total := _total_of(key, "replicas")
	total <= hard
	surge := _total_of(key, "surge")
	total + surge > hard
	what := concat("", [
		"ResourceQuota ", q.name, " (", hard_key, ": ", _quota_raw(hard_value), ") fits the ",
		_amount_text(spec.resource, total), " of ", key, " at minimum replicas but not the rollout surge of ",
		_amount_text(spec.resource, surge), " more",
	])
	finding := _quota_finding(_no_headroom_meta, q, hard_key, what, _no_headroom_why)
}

# An HPA's minReplicas where autoscalers target the workload (the largest, if several), else spec.replicas.
_replicas(w, autoscalers) := _quota_largest(minimums) if {
	minimums := [a.min_replicas | some a in autoscalers; a.target_kind == w.kind; a.target_name == w.name]
	count(minimums) > 0
} else := w.replicas

# Extra pods while the workload rolls out (Deployment RollingUpdate only; StatefulSets replace pod by pod).
_surge(w, replicas) := 0 if {
	w.kind != "Deployment"
} else := 0 if {
	w.strategy != "RollingUpdate"
} else := replicas if {
	w.termination_grace_period_seconds >= _quota.lingering_grace_seconds
} else := ceil((replicas * _quota.default_max_surge_percent) / 100)

# One pod: max(sum over containers, largest init container).
_pod_amount(w, side, resource) := _quota_largest(array.concat([sum(main)], init)) if {
	main := [amount | some c in w.containers; amount := _container_amount(c, side, resource)]
	init := [amount | some c in object.get(w, "init_containers", []); amount := _container_amount(c, side, resource)]
}

# The largest number of a non-empty array. Not the max() builtin: regopy 1.5.2 orders numbers as text there
# (max([10, 9]) is 9, so a 10Gi container would lose to a 512Mi init container).
_quota_largest(values) := largest if {
	some largest in values
	every value in values {
		value <= largest
	}
}

_container_amount(c, side, resource) := _quota_amount(resource, value) if {
	value := object.get(c, ["resources", side, resource], "")
	value != ""
} else := 0

# CPU in millicores, memory in bytes; units.parse / units.parse_bytes agree in OPA and regopy.
_quota_amount("cpu", value) := round(units.parse(_quota_raw(value)) * 1000)

_quota_amount("memory", value) := units.parse_bytes(_quota_raw(value))

_quota_raw(value) := value if is_string(value)

_quota_raw(value) := format_int(value, 10) if {
	is_number(value)
	value == floor(value)
}

_quota_raw(value) := concat("", [format_int(round(value * 1000), 10), "m"]) if {
	is_number(value)
	value != floor(value)
}

_amount_text("cpu", amount) := concat("", [format_int(amount, 10), "m"])

_amount_text("memory", amount) := concat("", [format_int(amount / 1048576, 10), "Mi"])

_quota_finding(meta, q, hard_key, what, why) := object.union(meta, {
	"kind": "ResourceQuota",
	"name": q.name,
	"field": concat("", ["spec.hard.", hard_key]),
	"file": q.file,
	"message": concat("", [what, " — ", why, " (ResourceQuota ", q.name, " spec.hard.", hard_key, ")"]),
})
