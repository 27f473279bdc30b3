# METADATA
# title: Overlay registry
# description: |
#   Only overlays registered in policy data (data.profiles.overlays) are judged. The registry lives in
#   policies/data, not in the overlay, so an overlay cannot pick or lower its own bar.
# entrypoint: true
package onyx.overlay_registry

# Engine subset (policies/README.md): id, title and severity live here as well as in METADATA, because
# regopy has no rego.metadata.rule().
_unregistered := {"id": "ONYX-OVERLAY-001", "severity": "error", "title": "Overlay not registered"}

# Fail closed: without profile data every overlay is refused.
default _registry := {}

_registry := data.profiles.overlays

# METADATA
# title: Overlay not registered
# description: |
#   The judged overlay has no entry in data.profiles.overlays, so no profile says which workloads and
#   queues it needs: the gate refuses it instead of passing it unjudged. Gate design, not an Onyx fact;
#   the profiles trace to the v1.9.0 fact sheet §3a (minimal set) and §1-§2 (every process).
# scope: rule
# custom:
#   id: ONYX-OVERLAY-001
#   severity: error
deny contains finding if {
	registered := object.keys(_registry)
	not input.overlay in registered
	what := concat("", ["overlay \"", input.overlay, "\" is not registered in policies/data/profiles"])
	why := "no profile says which workloads and queues it needs, so it would deploy unjudged and is refused"
	where := concat("", ["registered overlays: ", concat(", ", sort(registered))])
	finding := object.union(_unregistered, {
		"kind": "Kustomization",
		"name": input.overlay,
		"field": "",
		"file": "",
		"message": concat("", [what, " — ", why, " (", where, ")"]),
	})
}
