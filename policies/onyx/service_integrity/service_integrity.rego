# METADATA
# title: Service integrity
# description: |
#   Every Service with a selector selects exactly one workload. Each v1.9.0 address names one Service
#   for one component (fact sheet §1b "Rendered in-cluster names", T/configmap.yaml:8-19), and each
#   chart Service selects its component by label (e.g. inference: `app: inference-model-server`,
#   T/inference-model-deployment.yaml:7-16).
# entrypoint: true
package onyx.service_integrity

_selection := {"id": "ONYX-SERVICE-001", "severity": "error", "title": "Service does not select exactly one workload"}

# METADATA
# title: Service does not select exactly one workload
# description: |
#   A Service selects no workload (its clients get no endpoints) or more than one (requests are spread
#   over different servers). A Service without a selector is skipped: its endpoints are managed by hand.
# scope: rule
# custom:
#   id: ONYX-SERVICE-001
#   severity: error
deny contains finding if {
	services := input.services
	some service in services
	count(object.get(service, "selector", {})) > 0
	n := count(service.selected_workloads)
	n != 1
	finding := object.union(_selection, {
		"kind": "Service",
		"name": service.name,
		"field": "spec.selector",
		"file": service.file,
		"message": concat("", [
			_selection_problem(service.name, service.selected_workloads), " — ", _selection_consequence(n),
			" (",
			concat("", ["selector ", _selector_text(service.selector), " in namespace ", service.namespace]),
			")",
		]),
	})
}

_selection_problem(name, []) := concat("", ["Service ", name, " selects no workload"])

_selection_problem(name, selected) := concat("", [
	"Service ", name, " selects ", format_int(count(selected), 10), " workloads (", concat(", ", selected),
	")",
]) if {
	count(selected) > 1
}

_selection_consequence(0) := "every client of this name gets no endpoint and cannot connect to what it needs"

_selection_consequence(n) := "connections are spread over different servers, so a share reaches the wrong one" if n > 1

_selector_text(selector) := concat(",", sort([concat("", [k, "=", selector[k]]) | some k; selector[k]]))
