# METADATA
# title: Onyx's data is never pruned
# description: |
#   The StatefulSets that hold Onyx's state (data.hardening.data_retention.stateful: postgres, vespa, minio)
#   carry argocd.argoproj.io/sync-options with Prune=false and Delete=false in every profile; and in an
#   overlay that Argo CD syncs automatically with prune (its Application in input.argocd.applications), each
#   of them is rendered with its volumeClaimTemplate.
# entrypoint: true
package onyx.prod_data_retention

_unprotected_meta := {
	"id": "ONYX-PROD-060", "severity": "error",
	"title": "Stateful workload not protected from pruning",
}

_volume_meta := {
	"id": "ONYX-PROD-061", "severity": "error",
	"title": "Stateful workload or its volume missing under auto-prune",
}

# regal ignore:unresolved-reference
_retention := data.hardening.data_retention

# What each sync option prevents (Argo CD sync options Prune=false and Delete=false).
_option_why := {
	"Prune=false": "an auto-syncing Argo CD deletes it as soon as it leaves Git (a rename or a refactor of the overlay)",
	"Delete=false": "deleting the Argo CD Application (or a cascade from its parent) deletes it",
}

_auto_pruned_why := concat("", [
	"Argo CD prunes what left Git on its own, with nobody reviewing the sync, and a datastore pod that restarts ",
	"without its volume starts empty",
])

# METADATA
# title: Stateful workload not protected from pruning
# description: |
#   In any profile, a StatefulSet that holds Onyx's state lacks Prune=false or Delete=false in
#   argocd.argoproj.io/sync-options: Argo CD may then delete it, and Onyx's database, index or file store go
#   down with it (its PVCs then depend on persistentVolumeClaimRetentionPolicy).
# scope: rule
# custom:
#   id: ONYX-PROD-060
#   severity: error
deny contains finding if {
	stateful := _retention.stateful
	workloads := input.workloads
	some w in workloads
	spec := stateful[w.name]
	w.kind == spec.kind
	options := _options(object.get(w.annotations, _retention.annotation, ""))
	some option in _retention.required_options
	not option in options
	what := concat("", [w.kind, " ", w.name, " lacks ", option, " in ", _retention.annotation])
	why := concat("", [_option_why[option], ", taking down ", spec.holds])
	finding := {
		"id": _unprotected_meta.id,
		"severity": _unprotected_meta.severity,
		"title": _unprotected_meta.title,
		"kind": w.kind,
		"name": w.name,
		"field": concat("", ["metadata.annotations[", _retention.annotation, "]"]),
		"file": w.file,
		"message": concat("", [what, " — ", why, " (", w.kind, " ", w.name, " metadata.annotations)"]),
	}
}

# METADATA
# title: Stateful workload or its volume missing under auto-prune
# description: |
#   The overlay's Argo CD Application syncs automatically with prune, and a StatefulSet that holds Onyx's state
#   is not rendered: the next automatic sync prunes it from the cluster.
# scope: rule
# custom:
#   id: ONYX-PROD-061
#   severity: error
deny contains finding if {
	stateful := _retention.stateful
	present := {w.name | some w in input.workloads; stateful[w.name].kind == w.kind}
	some application in _auto_pruning
	some name, spec in stateful
	not name in present
	what := concat("", [
		spec.kind, " ", name, " is not rendered, and Argo CD Application ", application.name,
		" auto-syncs with prune",
	])
	why := concat("", [_auto_pruned_why, ": Onyx loses ", spec.holds])
	finding := object.union(_volume_meta, {
		"kind": spec.kind,
		"name": name,
		"field": "",
		"file": "",
		"message": concat("", [what, " — ", why, " (Application ", application.name, " in ", application.file, ")"]),
	})
}

# METADATA
# title: Stateful workload or its volume missing under auto-prune
# description: |
#   The overlay's Argo CD Application syncs automatically with prune, and a StatefulSet that holds Onyx's state
#   has no volumeClaimTemplate of the expected name (data_retention.stateful[*].claim): volumeClaimTemplates
#   are immutable, so the sync fails, or a forced replace brings it back on an empty volume.
# scope: rule
# custom:
#   id: ONYX-PROD-061
#   severity: error
deny contains finding if {
	stateful := _retention.stateful
	workloads := input.workloads
	some application in _auto_pruning
	some w in workloads
	spec := stateful[w.name]
	w.kind == spec.kind
	not spec.claim in w.volume_claim_templates
	what := concat("", [
		w.kind, " ", w.name, " has no volumeClaimTemplate ", spec.claim, ", and Argo CD Application ",
		application.name, " auto-syncs with prune",
	])
	why := concat("", [
		"volumeClaimTemplates cannot change in place, so the automatic sync fails on it, and a forced replace ",
		"restarts ", w.name, " without its volume: Onyx loses ", spec.holds,
	])
	finding := object.union(_volume_meta, {
		"kind": w.kind,
		"name": w.name,
		"field": "spec.volumeClaimTemplates",
		"file": w.file,
		"message": concat("", [what, " — ", why, " (", w.kind, " ", w.name, " spec.volumeClaimTemplates)"]),
	})
}

# Applications that deploy this overlay and prune automatically.
_auto_pruning contains application if {
	applications := input.argocd.applications
	some application in applications
	application.path == input.overlay
	application.automated.prune == true
	object.get(application.automated, "enabled", true) != false
}

# "Prune=false, Delete=false" → {"Prune=false", "Delete=false"}
# regal ignore:comprehension-term-assignment
_options(text) := {option | some raw in split(text, ","); option := trim_space(raw)}
