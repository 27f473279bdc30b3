# METADATA
# title: Argo CD leaves autoscaled replicas alone
# description: |
#   With selfHeal, Argo CD syncs whenever the live state drifts from Git. An HPA (or ScaledObject) that
#   scales a Deployment changes spec.replicas, so unless the Application ignores /spec/replicas of that
#   Deployment (ignoreDifferences) and applies the same rule when it syncs (RespectIgnoreDifferences=true),
#   every scale-up is reset to the committed count. Not an Onyx fact: Argo CD semantics
#   (docs/user-guide/diffing.md "Application level configuration"; sync-options.md "Respect ignore differences").
# entrypoint: true
package onyx.argocd_autoscaling

_meta := {"id": "ONYX-ARGOCD-006", "severity": "error", "title": "Self-healing Application fights an autoscaler"}

default _applications := []

_applications := input.argocd.applications

default _autoscalers := []

_autoscalers := input.autoscalers

_deployments := {w.name | some w in input.workloads; w.kind == "Deployment"}

# METADATA
# title: Self-healing Application fights an autoscaler
# description: |
#   An autoscaled Deployment of a self-healing overlay whose Application does not ignore its
#   spec.replicas, or does not respect that at sync time.
# scope: rule
# custom:
#   id: ONYX-ARGOCD-006
#   severity: error
deny contains finding if {
	why := "every scale-up is reset to the committed spec.replicas, so the autoscaler never holds more pods"
	some app in _applications
	app.path == input.overlay
	app.automated.self_heal == true
	some scaler in _autoscalers
	scaler.target_kind == "Deployment"
	scaler.target_name in _deployments
	gap := _gap(app, scaler.target_name)
	what := concat("", [
		"Argo CD Application ", app.name, " self-heals Deployment ", scaler.target_name,
		" while ", scaler.kind, " ", scaler.name, " scales it",
	])
	finding := object.union(_meta, {
		"kind": "Application", "name": app.name, "field": "spec.ignoreDifferences", "file": app.file,
		"message": concat("", [what, " — ", why, " (", gap, ")"]),
		"scope": "repo",
	})
}

_gap(app, name) := "spec.ignoreDifferences has no /spec/replicas entry for it" if {
	not _ignores_replicas(app, name)
}

_gap(app, name) := "syncOptions lacks RespectIgnoreDifferences=true, so a sync still writes the count" if {
	_ignores_replicas(app, name)
	not "RespectIgnoreDifferences=true" in app.sync_options
}

_ignores_replicas(app, name) if {
	some entry in app.ignore_differences
	entry.kind == "Deployment"
	entry.group in {"apps", ""}
	entry.name in {name, ""}
	_covers_replicas(entry)
}

_covers_replicas(entry) if "/spec/replicas" in entry.json_pointers

_covers_replicas(entry) if ".spec.replicas" in entry.jq_path_expressions
