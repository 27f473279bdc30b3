# METADATA
# title: Production containers declare their resources
# description: |
#   In the prod profile every container and init container sets requests and limits for CPU and memory
#   (data.hardening.resources.required), and no request exceeds its limit. Prod runs under a ResourceQuota on
#   those four (overlays/prod/resource-quota.yaml), which makes the API server refuse any pod that omits one.
# entrypoint: true
package onyx.prod_resources

_resource_missing_meta := {"id": "ONYX-PROD-010", "severity": "error", "title": "Container without requests or limits"}

_inverted_meta := {"id": "ONYX-PROD-011", "severity": "error", "title": "Request above limit"}

# regal ignore:unresolved-reference
_hardening := data.hardening

_prod if data.profiles.overlays[input.overlay] == _hardening.profile

_missing_why := concat("", [
	"the prod ResourceQuota on CPU and memory requests and limits makes the API server refuse every pod that ",
	"omits one, so its controller never creates it; and a pod without requests is scheduled blind, one ",
	"without limits can starve its node",
])

_inverted_why := concat("", [
	"the API server rejects a pod whose request exceeds its limit, so its controller never creates it",
])

# METADATA
# title: Container without requests or limits
# description: |
#   A prod container or init container lacks requests.cpu, requests.memory, limits.cpu or limits.memory
#   (data.hardening.resources.required). Every Onyx base sets all four (v1.9.0 Helm values, e.g. V:269-275).
# scope: rule
# custom:
#   id: ONYX-PROD-010
#   severity: error
deny contains finding if {
	_prod
	required := _hardening.resources.required
	workloads := input.workloads
	some w in workloads
	some entry in _resource_containers(w)
	missing := [key | some key in required; not _resource_is_set(entry.container, key)]
	count(missing) > 0
	what := concat("", ["container ", entry.container.name, " sets no ", concat(", ", missing)])
	finding := _resource_finding(_resource_missing_meta, w, concat("", [entry.path, ".resources"]), what, _missing_why)
}

# METADATA
# title: Request above limit
# description: |
#   A prod container requests more CPU or memory than its limit allows; Kubernetes validation refuses such a
#   pod (a request must be less than or equal to its limit).
# scope: rule
# custom:
#   id: ONYX-PROD-011
#   severity: error
deny contains finding if {
	_prod
	workloads := input.workloads
	some w in workloads
	some entry in _resource_containers(w)
	some resource in ["cpu", "memory"]
	request := entry.container.resources.requests[resource]
	limit := entry.container.resources.limits[resource]
	_resource_amount(resource, request) > _resource_amount(resource, limit)
	what := concat("", [
		"container ", entry.container.name, " requests ", _quantity_text(request), " ", resource,
		" but limits it to ", _quantity_text(limit),
	])
	field := concat("", [entry.path, ".resources.requests.", resource])
	finding := _resource_finding(_inverted_meta, w, field, what, _inverted_why)
}

_resource_is_set(container, key) if {
	parts := split(key, ".")
	value := object.get(container, ["resources", parts[0], parts[1]], "")
	value != ""
}

# CPU in millicores, memory in bytes; units.parse / units.parse_bytes agree in OPA and regopy.
_resource_amount("cpu", quantity) := round(units.parse(_quantity_text(quantity)) * 1000)

_resource_amount("memory", quantity) := units.parse_bytes(_quantity_text(quantity))

# YAML may carry a bare number (cpu: 2, cpu: 0.5). Not json.marshal: regopy renders 1.5 as "1.500000".
_quantity_text(quantity) := quantity if is_string(quantity)

_quantity_text(quantity) := format_int(quantity, 10) if {
	is_number(quantity)
	quantity == floor(quantity)
}

_quantity_text(quantity) := concat("", [format_int(round(quantity * 1000), 10), "m"]) if {
	is_number(quantity)
	quantity != floor(quantity)
}

# Containers and init containers with their field path (`some i; x[i]`: regopy cannot parse `some i, c in x`
# inside a comprehension).
_resource_containers(w) := array.concat(
	[entry |
		some i

		# regal ignore:prefer-some-in-iteration
		c := w.containers[i]
		entry := {"path": concat("", ["spec.template.spec.containers[", format_int(i, 10), "]"]), "container": c}
	],
	[entry |
		inits := object.get(w, "init_containers", [])
		some i
		c := inits[i]
		entry := {"path": concat("", ["spec.template.spec.initContainers[", format_int(i, 10), "]"]), "container": c}
	],
)

_resource_finding(meta, w, field, what, why) := object.union(meta, {
	"kind": w.kind,
	"name": w.name,
	"field": field,
	"file": w.file,
	"message": concat("", [what, " — ", why, " (", w.kind, " ", w.name, " ", field, ")"]),
})
