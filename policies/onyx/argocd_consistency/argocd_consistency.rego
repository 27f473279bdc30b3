# METADATA
# title: Argo CD consistency
# description: |
#   The Argo CD objects deploy exactly the registered overlays with the right profile, into destinations
#   their AppProject permits, and prod syncs itself. Not Onyx facts: the overlay → profile registry is
#   policy data (policies/data/profiles), and destination matching follows Argo CD's AppProject
#   semantics (argoproj/argo-cd pkg/apis/application/v1alpha1/app_project_types.go, isDestinationMatched
#   and globMatch: server or name, and namespace, as globs without separators; "!" patterns deny).
# entrypoint: true
package onyx.argocd_consistency

_count_meta := {
	"id": "ONYX-ARGOCD-001", "severity": "error",
	"title": "Overlay not deployed by exactly one Application",
}

_profile_meta := {
	"id": "ONYX-ARGOCD-002", "severity": "error",
	"title": "Application profile disagrees with its overlay",
}

_path_meta := {"id": "ONYX-ARGOCD-003", "severity": "error", "title": "Application deploys an unregistered path"}

_destination_meta := {"id": "ONYX-ARGOCD-004", "severity": "error", "title": "Application destination not permitted"}

_sync_meta := {"id": "ONYX-ARGOCD-005", "severity": "error", "title": "Application does not sync automatically"}

_label := "onyx-gitops/profile"

default _applications := []

_applications := input.argocd.applications

default _projects := []

_projects := input.argocd.projects

default _overlays := {}

_overlays := data.profiles.overlays

_judged_profile := _overlays[input.overlay]

# METADATA
# title: Overlay not deployed by exactly one Application
# description: The judged (registered) overlay has no Application, so Argo CD never deploys it.
# scope: rule
# custom:
#   id: ONYX-ARGOCD-001
#   severity: error
deny contains finding if {
	_judged_profile
	count([app | some app in _applications; app.path == input.overlay]) == 0
	what := concat("", ["no Argo CD Application deploys ", input.overlay])
	why := "the overlay passes the gate but Argo CD never syncs it, so the cluster keeps whatever ran before"
	finding := object.union(_count_meta, {
		"kind": "Application", "name": "", "field": "spec.source.path", "file": "",
		"message": concat("", [
			what, " — ", why, " (", concat("", ["no Application has spec.source.path ", input.overlay]), ")",
		]),
	})
}

# METADATA
# title: Overlay not deployed by exactly one Application
# description: |
#   The judged overlay has several Applications: they fight over the same resources, each pruning or
#   reverting the other's changes.
# scope: rule
# custom:
#   id: ONYX-ARGOCD-001
#   severity: error
deny contains finding if {
	_judged_profile
	names := sort([app.name | some app in _applications; app.path == input.overlay])
	count(names) > 1
	why := "they own the same resources in the same cluster, so each sync reverts or prunes the other's"
	some app in _applications
	app.path == input.overlay
	what := concat("", [
		"Application ", app.name, " is one of ", format_int(count(names), 10), " Applications deploying ",
		input.overlay,
	])
	finding := object.union(_count_meta, {
		"kind": "Application", "name": app.name, "field": "spec.source.path", "file": app.file,
		"message": concat("", [what, " — ", why, " (", concat(", ", names), ")"]),
	})
}

# METADATA
# title: Application profile disagrees with its overlay
# description: |
#   The Application's onyx-gitops/profile label differs from the profile data.profiles registers for its
#   path (e.g. the prod Application must deploy overlays/prod): what is labelled prod is judged by another
#   profile's bar.
# scope: rule
# custom:
#   id: ONYX-ARGOCD-002
#   severity: error
deny contains finding if {
	why := "the deployment the label names is not the one the gate judged, so it reaches the cluster unchecked"
	some app in _applications
	registered := _overlays[app.path]
	registered != app.profile
	what := concat("", [
		"Application ", app.name, " is labelled ", _label, "=", _or_none(app.profile), " but deploys ",
		app.path, ", registered as profile ", registered,
	])
	finding := object.union_n([_profile_meta, _scope(app, input.overlay, _judged_profile), {
		"kind": "Application", "name": app.name, "field": concat("", [
			"metadata.labels[", _label, "]",
		]),
		"file": app.file,
		"message": concat("", [what, " — ", why, " (", "policies/data/profiles overlays", ")"]),
	}])
}

# METADATA
# title: Application deploys an unregistered path
# description: |
#   The Application's path is not an overlay registered in data.profiles, so the gate never renders or
#   judges what it deploys. Repository-level: reported with scope "repo".
# scope: rule
# custom:
#   id: ONYX-ARGOCD-003
#   severity: error
deny contains finding if {
	why := "the gate never renders or judges that path, so anything in it reaches the cluster unchecked"
	where := concat("", ["registered: ", concat(", ", sort(object.keys(_overlays)))])
	some app in _applications
	not _overlays[app.path]
	what := concat("", [
		"Application ", app.name, " deploys ", _or_none(app.path), ", which is not a registered overlay",
	])
	finding := object.union(_path_meta, {
		"kind": "Application", "name": app.name, "field": "spec.source.path", "file": app.file,
		"message": concat("", [what, " — ", why, " (", where, ")"]),
		"scope": "repo",
	})
}

# METADATA
# title: Application destination not permitted
# description: |
#   The Application's project does not exist, or no destination of its AppProject matches (server or
#   name, and namespace, with Argo CD glob semantics; a non-matching "!" pattern denies): Argo CD refuses
#   to sync it.
# scope: rule
# custom:
#   id: ONYX-ARGOCD-004
#   severity: error
deny contains finding if {
	why := "Argo CD refuses to sync an Application whose project does not exist, so nothing is deployed"
	where := concat("", ["defined: ", concat(", ", sort(object.keys(_project_names)))])
	some app in _applications
	not _project_names[app.project]
	what := concat("", ["Application ", app.name, " uses AppProject ", _or_none(app.project), ", which is not defined"])
	finding := _destination_finding(app, "spec.project", what, why, where)
}

# METADATA
# title: Application destination not permitted
# description: No destination of the Application's AppProject permits its server/name and namespace.
# scope: rule
# custom:
#   id: ONYX-ARGOCD-004
#   severity: error
deny contains finding if {
	why := "Argo CD refuses to sync it (destination not permitted in project), so nothing is deployed"
	some app in _applications
	project := _project_names[app.project]
	not permitted(app.destination, project.destinations)
	dst := app.destination
	what := concat("", [
		"Application ", app.name, " deploys to server ", _or_none(dst.server), " name ", _or_none(dst.name),
		" namespace ", _or_none(dst.namespace), ", which AppProject ", project.name, " does not permit",
	])
	where := concat("", [project.name, " destinations: ", _destinations_text(project.destinations)])
	finding := _destination_finding(app, "spec.destination", what, why, where)
}

# METADATA
# title: Application does not sync automatically
# description: |
#   The Application of a profile that requires it (prod: require_automated_sync) lacks automated sync
#   with prune and selfHeal: a merged change is not deployed, deleted resources linger and manual drift
#   stays.
# scope: rule
# custom:
#   id: ONYX-ARGOCD-005
#   severity: error
deny contains finding if {
	why := "a merged change waits for a manual sync, deleted resources linger and manual drift is never reverted"
	some app in _applications
	_requires_automated_sync(app)
	missing := _missing_sync(object.get(app, "automated", null))
	count(missing) > 0
	what := concat("", ["Application ", app.name, " lacks automated sync ", concat(" and ", missing)])
	where := concat("", ["profile ", _app_profile(app), " requires automated sync"])
	finding := object.union_n([_sync_meta, _scope(app, input.overlay, _judged_profile), {
		"kind": "Application", "name": app.name, "field": "spec.syncPolicy.automated", "file": app.file,
		"message": concat("", [what, " — ", why, " (", where, ")"]),
	}])
}

_project_names := {p.name: p | some p in _projects}

_destination_finding(app, field, what, why, where) := object.union_n([
	_destination_meta, _scope(app, input.overlay, _judged_profile),
	{
		"kind": "Application", "name": app.name, "field": field, "file": app.file,
		"message": concat("", [what, " — ", why, " (", where, ")"]),
	},
])

# A finding about an Application that neither deploys the judged overlay nor carries its profile is a
# repository-level finding.
_scope(app, overlay, _) := {} if app.path == overlay

_scope(app, overlay, profile) := {} if {
	app.path != overlay
	app.profile == profile
}

_scope(app, overlay, profile) := {"scope": "repo"} if {
	app.path != overlay
	app.profile != profile
}

_requires_automated_sync(app) if data.profiles.profiles[_overlays[app.path]].require_automated_sync == true

_requires_automated_sync(app) if data.profiles.profiles[app.profile].require_automated_sync == true

_app_profile(app) := _overlays[app.path]

_app_profile(app) := app.profile if not _overlays[app.path]

_missing_sync(null) := ["(syncPolicy.automated is not set)"]

_missing_sync(automated) := missing if {
	automated != null
	missing := [check.text |
		some check in [
			{"ok": object.get(automated, "enabled", true), "text": "(automated.enabled is false)"},
			{"ok": object.get(automated, "prune", false), "text": "with prune"},
			{"ok": object.get(automated, "self_heal", false), "text": "with selfHeal"},
		]
		check.ok != true
	]
}

# METADATA
# title: AppProject destination matching
# description: |
#   Argo CD isDestinationMatched: some destination matches (server or name, and namespace) and no "!"
#   pattern of a non-matching destination denies.
permitted(dst, destinations) if {
	not _denied(dst, destinations)
	some item in destinations
	_destination_matches(dst, item)
}

_destination_matches(dst, item) if {
	_server_or_name(dst, item)
	_glob(item.namespace, dst.namespace)
}

_server_or_name(dst, item) if {
	dst.server != ""
	_glob(item.server, dst.server)
}

_server_or_name(dst, item) if {
	dst.name != ""
	_glob(item.name, dst.name)
}

_denied(dst, destinations) if {
	some item in destinations
	not _destination_matches(dst, item)
	_deny_applies(dst, item)
}

_deny_applies(dst, item) if {
	_is_deny(item.name)
	not _name_matches(dst, item)
}

_deny_applies(dst, item) if {
	_is_deny(item.server)
	not _server_matches(dst, item)
}

_deny_applies(dst, item) if {
	_is_deny(item.namespace)
	not _glob(item.namespace, dst.namespace)
}

_name_matches(dst, item) if {
	dst.name != ""
	_glob(item.name, dst.name)
}

_server_matches(dst, item) if {
	dst.server != ""
	_glob(item.server, dst.server)
}

_is_deny(pattern) if startswith(pattern, "!")

# Argo CD globMatch: "!" negates, "*" matches everything, otherwise a glob with no separators
# (gobwas/glob; null delimiters in Rego).
_glob(pattern, value) if {
	_is_deny(pattern)
	not glob.match(substring(pattern, 1, -1), null, value)
}

_glob("*", _)

_glob(pattern, value) if {
	not _is_deny(pattern)
	pattern != "*"
	glob.match(pattern, null, value)
}

_destinations_text(destinations) := concat("; ", [concat("", [
	"server ", _or_none(d.server), " name ", _or_none(d.name), " namespace ", _or_none(d.namespace),
]) |
	some d in destinations
])

_or_none("") := "(none)"

_or_none(value) := value if value != ""
