package onyx.argocd_consistency_test

import data.onyx.argocd_consistency
import data.onyx.lib.fixtures_test as fx

_apps(apps) := object.union(fx.prod, {"argocd": {"applications": apps, "projects": fx.argocd.projects}})

_prod := fx.application("prod", "overlays/prod")

_full := fx.application("full", "overlays/full")

_minimal := fx.application("minimal", "overlays/minimal")

_ids(findings) := {f.id | some f in findings}

test_one_application_per_overlay_passes if {
	count(argocd_consistency.deny) == 0 with input as fx.prod
	count(argocd_consistency.deny) == 0 with input as fx.minimal
}

test_overlay_without_application if {
	findings := argocd_consistency.deny with input as _apps([_minimal, _full])
	count(findings) == 1
	some f in findings
	f.id == "ONYX-ARGOCD-001"
	f.file == ""
	contains(f.message, "no Argo CD Application deploys overlays/prod — ")
}

test_no_argocd_section if {
	_ids(argocd_consistency.deny) == {"ONYX-ARGOCD-001"} with input as object.remove(fx.prod, ["argocd"])
}

test_two_applications_for_one_overlay if {
	twin := object.union(_prod, {"name": "onyx-prod-2", "file": "argocd/applications/prod-2.yaml"})
	findings := argocd_consistency.deny with input as _apps([_minimal, _full, _prod, twin])
	fx.names(findings, "ONYX-ARGOCD-001") == {"onyx-prod", "onyx-prod-2"}
	some f in findings
	contains(f.message, "(onyx-prod, onyx-prod-2)")
}

# The prod Application must deploy overlays/prod.
test_prod_label_on_the_full_overlay if {
	wrong := object.union(_full, {"name": "onyx-prod", "profile": "prod"})
	findings := argocd_consistency.deny with input as _apps([_minimal, _full, wrong])
	_ids(findings) == {"ONYX-ARGOCD-001", "ONYX-ARGOCD-002"}
	some f in findings
	f.id == "ONYX-ARGOCD-002"
	not f.scope
	f.field == "metadata.labels[onyx-gitops/profile]"
	contains(f.message, "Application onyx-prod is labelled onyx-gitops/profile=prod but deploys overlays/full, registered as profile full")
}

test_missing_profile_label if {
	unlabelled := object.union(_prod, {"profile": ""})
	findings := argocd_consistency.deny with input as _apps([_minimal, _full, unlabelled])
	some f in findings
	contains(f.message, "labelled onyx-gitops/profile=(none)")
}

test_other_overlays_problems_are_repository_scoped if {
	mislabelled := object.union(_minimal, {"profile": "full"})
	findings := argocd_consistency.deny with input as _apps([mislabelled, _full, _prod])
	some f in findings
	f.id == "ONYX-ARGOCD-002"
	f.scope == "repo"
}

test_unregistered_path if {
	dev := fx.application("dev", "overlays/dev")
	findings := argocd_consistency.deny with input as _apps([_minimal, _full, _prod, dev])
	count(findings) == 1
	some f in findings
	f.id == "ONYX-ARGOCD-003"
	f.scope == "repo"
	contains(f.message, "Application onyx-dev deploys overlays/dev, which is not a registered overlay")
}

test_missing_project if {
	orphan := object.union(_prod, {"project": "platform"})
	findings := argocd_consistency.deny with input as _apps([_minimal, _full, orphan])
	some f in findings
	f.id == "ONYX-ARGOCD-004"
	f.field == "spec.project"
	contains(f.message, "uses AppProject platform, which is not defined")
}

test_destination_outside_the_project if {
	elsewhere := object.union(_prod, {"destination": {"server": "https://kubernetes.default.svc", "name": "", "namespace": "default"}})
	findings := argocd_consistency.deny with input as _apps([_minimal, _full, elsewhere])
	some f in findings
	f.id == "ONYX-ARGOCD-004"
	contains(f.message, "namespace default, which AppProject onyx does not permit")
	contains(f.message, "onyx destinations: server https://kubernetes.default.svc name (none) namespace onyx-*")
}

_project(destinations) := {"name": "onyx", "file": "p.yaml", "source_repos": ["*"], "destinations": destinations}

# The argocd section of a model whose prod Application goes to `destination` under `project`.
_deploy_to(apps, project, destination) := {
	"applications": array.concat(
		[a | some a in apps; a.name != "onyx-prod"],
		[object.union(fx.application("prod", "overlays/prod"), {"destination": destination})],
	),
	"projects": [project],
}

test_destination_by_name_and_deny_patterns if {
	project := _project([
		{"server": "", "name": "in-cluster", "namespace": "onyx-*"},
		{"server": "*", "name": "", "namespace": "!onyx-secret"},
	])
	apps := fx.argocd.applications
	by_name := {"server": "", "name": "in-cluster", "namespace": "onyx-prod"}
	count(argocd_consistency.deny) == 0 with input as object.union(fx.prod, {"argocd": _deploy_to(apps, project, by_name)})
	secret := {"server": "", "name": "in-cluster", "namespace": "onyx-secret"}
	_ids(argocd_consistency.deny) == {"ONYX-ARGOCD-004"} with input as object.union(fx.prod, {"argocd": _deploy_to(apps, project, secret)})
	other := {"server": "", "name": "other-cluster", "namespace": "onyx-prod"}
	_ids(argocd_consistency.deny) == {"ONYX-ARGOCD-004"} with input as object.union(fx.prod, {"argocd": _deploy_to(apps, project, other)})
}

# Argo CD: a "!" server pattern matches every other server, and denies a destination given by name only.
test_negated_server_pattern if {
	project := _project([{"server": "!https://evil.example", "name": "", "namespace": "onyx-*"}])
	apps := fx.argocd.applications
	in_cluster := {"server": "https://kubernetes.default.svc", "name": "", "namespace": "onyx-prod"}
	count(argocd_consistency.deny) == 0 with input as object.union(fx.prod, {"argocd": _deploy_to(apps, project, in_cluster)})
	evil := {"server": "https://evil.example", "name": "", "namespace": "onyx-prod"}
	_ids(argocd_consistency.deny) == {"ONYX-ARGOCD-004"} with input as object.union(fx.prod, {"argocd": _deploy_to(apps, project, evil)})
	by_name := {"server": "", "name": "in-cluster", "namespace": "onyx-prod"}
	_ids(argocd_consistency.deny) == {"ONYX-ARGOCD-004"} with input as object.union(fx.prod, {"argocd": _deploy_to(apps, project, by_name)})
}

test_prod_not_automated if {
	manual := object.union(_prod, {"automated": null})
	findings := argocd_consistency.deny with input as _apps([_minimal, _full, manual])
	some f in findings
	f.id == "ONYX-ARGOCD-005"
	f.field == "spec.syncPolicy.automated"
	contains(f.message, "Application onyx-prod lacks automated sync (syncPolicy.automated is not set) — ")
}

test_prod_without_prune_and_self_heal if {
	partial := object.union(_prod, {"automated": {"prune": false, "self_heal": false, "enabled": false}})
	findings := argocd_consistency.deny with input as _apps([_minimal, _full, partial])
	some f in findings
	contains(f.message, "lacks automated sync (automated.enabled is false) and with prune and with selfHeal")
	contains(f.message, "(profile prod requires automated sync)")
}

test_full_may_sync_manually if {
	manual := object.union(_full, {"automated": null})
	count(argocd_consistency.deny) == 0 with input as _apps([_minimal, manual, _prod])
}
