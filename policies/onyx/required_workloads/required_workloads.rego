# METADATA
# title: Required workloads
# description: |
#   Every workload the overlay's profile requires (data.profiles) is rendered and not scaled to zero.
#   The catalog (data.catalog.workloads) says, per workload, what breaks in production without it.
# entrypoint: true
package onyx.required_workloads

_absent := {"id": "ONYX-WORKLOAD-001", "severity": "error", "title": "Required workload absent"}

_scaled_to_zero := {"id": "ONYX-WORKLOAD-002", "severity": "error", "title": "Required workload scaled to zero"}

_profile_name := data.profiles.overlays[input.overlay]

_required := data.profiles.profiles[_profile_name].required_workloads

_present := {w.name | some w in input.workloads}

# A required name the catalog does not describe still fails (closed), with a plain consequence.
_unknown := {"kind": "Deployment", "consequence": "the profile requires it but policies/data/catalog does not say why"}

# METADATA
# title: Required workload absent
# description: |
#   A workload of the profile is not rendered. Consequences per workload: v1.9.0 fact sheet §1-§3, §7
#   (cited in policies/data/catalog/data.yaml); e.g. without celery-worker-docfetching nothing consumes
#   connector_doc_fetching and nothing produces docprocessing tasks (RDF:1193-1198,1366-1374).
# scope: rule
# custom:
#   id: ONYX-WORKLOAD-001
#   severity: error
deny contains finding if {
	some name in _required
	not name in _present
	entry := object.get(data.catalog.workloads, name, _unknown)
	what := concat("", ["required workload \"", name, "\" is absent"])
	where := concat("", [
		entry.kind, " ", name, " is not rendered; profile ", _profile_name, " of ", input.overlay,
		" requires it",
	])
	finding := object.union(_absent, {
		"kind": entry.kind,
		"name": name,
		"field": "",
		"file": "",
		"message": concat("", [what, " — ", entry.consequence, " (", where, ")"]),
	})
}

# METADATA
# title: Required workload scaled to zero
# description: |
#   A workload of the profile is rendered with replicas 0: in production it is as absent as a missing
#   one (same consequences, v1.9.0 fact sheet §1-§3, §7).
# scope: rule
# custom:
#   id: ONYX-WORKLOAD-002
#   severity: error
deny contains finding if {
	workloads := input.workloads
	some w in workloads
	w.name in _required
	w.replicas == 0
	entry := object.get(data.catalog.workloads, w.name, _unknown)
	what := concat("", ["required workload \"", w.name, "\" is scaled to 0 replicas"])
	where := concat("", [w.kind, " ", w.name, " spec.replicas is 0; profile ", _profile_name, " requires it"])
	finding := object.union(_scaled_to_zero, {
		"kind": w.kind,
		"name": w.name,
		"field": "spec.replicas",
		"file": w.file,
		"message": concat("", [what, " — ", entry.consequence, " (", where, ")"]),
	})
}
