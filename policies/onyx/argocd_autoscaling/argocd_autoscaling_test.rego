package onyx.argocd_autoscaling_test

import data.onyx.argocd_autoscaling

_ignore(name) := {
	"group": "apps", "kind": "Deployment", "name": name, "json_pointers": ["/spec/replicas"],
	"jq_path_expressions": [],
}

_app := {
	"name": "onyx-prod", "file": "argocd/applications/prod-application.yaml", "path": "overlays/prod",
	"automated": {"prune": true, "self_heal": true, "enabled": true},
	"sync_options": ["CreateNamespace=true", "RespectIgnoreDifferences=true"],
	"ignore_differences": [_ignore("api-server")],
}

_input(app) := {
	"overlay": "overlays/prod",
	"workloads": [{"kind": "Deployment", "name": "api-server"}, {"kind": "Deployment", "name": "celery-beat"}],
	"autoscalers": [{
		"kind": "HorizontalPodAutoscaler", "name": "api-server",
		"target_kind": "Deployment", "target_name": "api-server",
	}],
	"argocd": {"applications": [app]},
}

test_ignored_and_respected_passes if {
	count(argocd_autoscaling.deny) == 0 with input as _input(_app)
}

test_jq_expression_and_wildcard_name_pass if {
	jq := {
		"group": "", "kind": "Deployment", "name": "", "json_pointers": [],
		"jq_path_expressions": [".spec.replicas"],
	}
	count(argocd_autoscaling.deny) == 0 with input as _input(object.union(_app, {"ignore_differences": [jq]}))
}

test_missing_ignore_difference_is_refused if {
	some f in argocd_autoscaling.deny with input as _input(object.union(_app, {"ignore_differences": []}))
	f.id == "ONYX-ARGOCD-006"
	f.scope == "repo"
	contains(f.message, "self-heals Deployment api-server while HorizontalPodAutoscaler api-server scales it — ")
	contains(f.message, "(spec.ignoreDifferences has no /spec/replicas entry for it)")
}

test_ignore_for_another_deployment_is_refused if {
	other := object.union(_app, {"ignore_differences": [_ignore("web-server")]})
	count(argocd_autoscaling.deny) == 1 with input as _input(other)
}

test_not_respected_at_sync_is_refused if {
	some f in argocd_autoscaling.deny with input as _input(object.union(_app, {"sync_options": ["CreateNamespace=true"]}))
	contains(f.message, "(syncOptions lacks RespectIgnoreDifferences=true, so a sync still writes the count)")
}

test_manual_sync_is_not_judged if {
	manual := object.union(_app, {"automated": null, "ignore_differences": []})
	count(argocd_autoscaling.deny) == 0 with input as _input(manual)
}

test_other_overlays_application_is_not_judged if {
	other := object.union(_app, {"path": "overlays/full", "ignore_differences": []})
	count(argocd_autoscaling.deny) == 0 with input as _input(other)
}
