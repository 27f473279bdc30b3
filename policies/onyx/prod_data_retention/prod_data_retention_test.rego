package onyx.prod_data_retention_test

import data.onyx.prod_data_retention

# Evaluated with the real policy data (opa test policies/onyx policies/data): data.hardening, data.profiles.

_protected := {"argocd.argoproj.io/sync-options": "Prune=false,Delete=false", "argocd.argoproj.io/sync-wave": "0"}

_stateful(name, claim) := {
	"kind": "StatefulSet", "name": name, "file": concat("", ["base/", name, "/stateful-set.yaml"]),
	"annotations": _protected, "volume_claim_templates": [claim],
}

_stores := [_stateful("postgres", "data"), _stateful("vespa", "vespa-storage"), _stateful("minio", "data")]

_application(path, automated) := {"name": "onyx-prod", "file": "argocd/applications/prod-application.yaml", "path": path, "automated": automated}

_model(overlay, workloads, automated) := {
	"overlay": overlay,
	"workloads": workloads,
	"argocd": {"applications": [_application(overlay, automated)], "projects": []},
}

_auto := {"prune": true, "self_heal": true, "enabled": true}

_replace(name, fields) := [_patch(w, name, fields) | some w in _stores]

_patch(w, name, fields) := object.union(object.remove(w, object.keys(fields)), fields) if w.name == name

_patch(w, name, _) := w if w.name != name

test_protected_datastores_pass if {
	findings := prod_data_retention.deny with input as _model("overlays/prod", _stores, _auto)
	count(findings) == 0
}

test_spaces_in_the_options_are_fine if {
	workloads := _replace("vespa", {"annotations": {"argocd.argoproj.io/sync-options": " Delete=false , Prune=false"}})
	findings := prod_data_retention.deny with input as _model("overlays/prod", workloads, _auto)
	count(findings) == 0
}

test_missing_prune_false_in_any_profile if {
	workloads := _replace("postgres", {"annotations": {"argocd.argoproj.io/sync-options": "Delete=false"}})
	findings := prod_data_retention.deny with input as _model("overlays/minimal", workloads, null)
	count(findings) == 1
	some f in findings
	f.id == "ONYX-PROD-060"
	f.field == "metadata.annotations[argocd.argoproj.io/sync-options]"
	contains(f.message, "StatefulSet postgres lacks Prune=false in argocd.argoproj.io/sync-options — an auto-syncing Argo CD deletes it")
	contains(f.message, "taking down every Onyx table")
}

test_no_annotation_at_all if {
	workloads := _replace("minio", {"annotations": {}})
	findings := prod_data_retention.deny with input as _model("overlays/full", workloads, null)
	{f.message | some f in findings; contains(f.message, "lacks Delete=false")} != set()
	count(findings) == 2
}

test_datastore_removed_under_auto_prune if {
	workloads := [w | some w in _stores; w.name != "vespa"]
	findings := prod_data_retention.deny with input as _model("overlays/prod", workloads, _auto)
	count(findings) == 1
	some f in findings
	f.id == "ONYX-PROD-061"
	f.kind == "StatefulSet"
	f.name == "vespa"
	f.file == ""
	contains(f.message, "StatefulSet vespa is not rendered, and Argo CD Application onyx-prod auto-syncs with prune — Argo CD prunes")
}

test_volume_claim_template_removed_under_auto_prune if {
	workloads := _replace("minio", {"volume_claim_templates": []})
	findings := prod_data_retention.deny with input as _model("overlays/prod", workloads, _auto)
	count(findings) == 1
	some f in findings
	f.field == "spec.volumeClaimTemplates"
	contains(f.message, "StatefulSet minio has no volumeClaimTemplate data, and Argo CD Application onyx-prod auto-syncs with prune")
}

test_datastore_turned_into_a_deployment if {
	deployment := object.union(_stateful("postgres", "data"), {"kind": "Deployment"})
	workloads := array.concat([w | some w in _stores; w.name != "postgres"], [deployment])
	findings := prod_data_retention.deny with input as _model("overlays/prod", workloads, _auto)
	some f in findings
	f.name == "postgres"
	contains(f.message, "StatefulSet postgres is not rendered")
}

test_manual_sync_overlays_may_drop_a_datastore if {
	workloads := [w | some w in _stores; w.name != "vespa"]
	manual := prod_data_retention.deny with input as _model("overlays/full", workloads, null)
	count(manual) == 0
	no_prune := prod_data_retention.deny with input as _model("overlays/full", workloads, {"prune": false, "self_heal": true})
	count(no_prune) == 0
	disabled := prod_data_retention.deny with input as _model("overlays/full", workloads, {"prune": true, "enabled": false})
	count(disabled) == 0
}

test_application_of_another_overlay_does_not_count if {
	model := object.union(_model("overlays/prod", [], null), {"argocd": {"applications": [_application("overlays/full", _auto)]}})
	findings := prod_data_retention.deny with input as model
	count(findings) == 0
}
