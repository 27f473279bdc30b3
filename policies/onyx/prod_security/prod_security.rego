# METADATA
# title: Production pods meet OpenShift restricted-v2
# description: |
#   In the prod profile every container and pod meets the restricted-v2 SCC as data (data.hardening.restricted_v2,
#   from 0000_20_kube-apiserver-operator_00_scc-restricted-v2.yaml): not privileged, runAsNonRoot and no fixed
#   runAsUser (MustRunAsRange), allowPrivilegeEscalation false, capabilities drop ALL and add only
#   NET_BIND_SERVICE, seccomp RuntimeDefault, no host namespaces or hostPath. A privileged container is an
#   exception: it is reported (waivable in policies/waivers.yaml, e.g. Vespa, v1.9.0 V:50-52) and must run under
#   its own ServiceAccount bound to the SCC it needs; no SCC wider than restricted-v2 is granted to anything else.
# entrypoint: true
package onyx.prod_security

_privileged_meta := {"id": "ONYX-PROD-040", "severity": "error", "title": "Privileged container"}

_restricted_meta := {"id": "ONYX-PROD-041", "severity": "error", "title": "Container breaks restricted-v2"}

_host_meta := {"id": "ONYX-PROD-042", "severity": "error", "title": "Host namespace or hostPath volume"}

_unbound_meta := {"id": "ONYX-PROD-043", "severity": "error", "title": "Exception without its own SCC binding"}

_broad_meta := {"id": "ONYX-PROD-044", "severity": "error", "title": "SCC granted beyond the exception"}

# regal ignore:unresolved-reference
_hardening := data.hardening

_scc := _hardening.restricted_v2

_prod if data.profiles.overlays[input.overlay] == _hardening.profile

_privileged_why := concat("", [
	"restricted-v2 forbids it (allowPrivilegedContainer: false), so only a wider SCC such as privileged admits ",
	"the pod, and a privileged process holds every capability and the node's devices: its compromise is the ",
	"node's. It needs a reviewed exception in policies/waivers.yaml and its own SCC binding (ONYX-PROD-043)",
])

_broad_why := "any pod under it may be admitted with host-level or root privileges that nobody reviewed as an exception"

_host_why := concat("", [
	"restricted-v2 forbids host namespaces and hostPath (allowHostNetwork/PID/IPC and allowHostDirVolumePlugin ",
	"are false), so only a host-level SCC admits the pod, which then reaches the node's network, processes or files",
])

# METADATA
# title: Privileged container
# description: |
#   A prod container or init container sets securityContext.privileged: true (restricted-v2
#   allowPrivilegedContainer: false). Waivable per workload with reason, owner and expiry.
# scope: rule
# custom:
#   id: ONYX-PROD-040
#   severity: error
deny contains finding if {
	_prod
	workloads := input.workloads
	some w in workloads
	some entry in _security_containers(w)
	entry.container.security_context.privileged == true
	what := concat("", ["container ", entry.container.name, " of ", w.name, " runs privileged"])
	field := concat("", [entry.path, ".securityContext.privileged"])
	finding := _security_finding(_privileged_meta, w, field, what, _privileged_why)
}

# METADATA
# title: Container breaks restricted-v2
# description: |
#   A prod container that is not privileged (those are ONYX-PROD-040's) leaves out or contradicts a
#   restricted-v2 setting: runAsNonRoot true, no runAsUser, allowPrivilegeEscalation false, capabilities drop
#   ALL, no added capability beyond NET_BIND_SERVICE, seccomp RuntimeDefault (container value, else the pod's).
# scope: rule
# custom:
#   id: ONYX-PROD-041
#   severity: error
deny contains finding if {
	_prod
	workloads := input.workloads
	some w in workloads
	some entry in _security_containers(w)
	not entry.container.security_context.privileged == true
	some violation in _violations(w, entry)
	what := concat("", ["container ", entry.container.name, " of ", w.name, " ", violation.what])
	finding := _security_finding(_restricted_meta, w, violation.field, what, _scc[violation.consequence])
}

# METADATA
# title: Host namespace or hostPath volume
# description: |
#   A prod pod shares a host namespace (hostNetwork, hostPID, hostIPC) or mounts a hostPath volume
#   (restricted-v2: allowHostNetwork/PID/IPC false, allowHostDirVolumePlugin false).
# scope: rule
# custom:
#   id: ONYX-PROD-042
#   severity: error
deny contains finding if {
	_prod
	workloads := input.workloads
	some w in workloads
	some namespace in w.host_namespaces
	what := concat("", [w.name, " sets ", namespace, ": true"])
	finding := _security_finding(_host_meta, w, concat("", ["spec.template.spec.", namespace]), what, _host_why)
}

# METADATA
# title: Host namespace or hostPath volume
# description: A prod pod mounts a hostPath volume (restricted-v2 allowHostDirVolumePlugin false).
# scope: rule
# custom:
#   id: ONYX-PROD-042
#   severity: error
deny contains finding if {
	_prod
	workloads := input.workloads
	some w in workloads
	some volume in w.host_path_volumes
	what := concat("", [w.name, " mounts hostPath volume ", volume])
	finding := _security_finding(_host_meta, w, "spec.template.spec.volumes", what, _host_why)
}

# METADATA
# title: Exception without its own SCC binding
# description: |
#   A prod workload with a privileged container does not run under a ServiceAccount of its own that is
#   rendered and bound, by a RoleBinding, to a role that grants `use` of the privileged SCC
#   (restricted_v2.privileged_scc): the ClusterRole system:openshift:scc:privileged, or a Role/ClusterRole rule
#   on securitycontextconstraints with verb use. Without it no SCC admits the pod; with a shared or default
#   ServiceAccount the exception reaches other pods.
# scope: rule
# custom:
#   id: ONYX-PROD-043
#   severity: error
deny contains finding if {
	_prod
	workloads := input.workloads
	bindings := input.role_bindings
	roles := input.roles
	objects := input.objects
	some w in workloads
	_privileged(w)
	problem := _exception_problem(w, workloads, bindings, roles, objects)
	what := concat("", [w.kind, " ", w.name, " runs a privileged container ", problem.what])
	finding := _security_finding(_unbound_meta, w, "spec.template.spec.serviceAccountName", what, problem.why)
}

# METADATA
# title: SCC granted beyond the exception
# description: |
#   A prod RoleBinding grants `use` of an SCC wider than restricted-v2 to a Group or User, to the default
#   ServiceAccount, to a ServiceAccount no workload runs under, or to one that runs a workload needing no
#   exception (no privileged container, host namespace, hostPath or fixed UID): any pod under it may then
#   bypass restricted-v2 without review.
# scope: rule
# custom:
#   id: ONYX-PROD-044
#   severity: error
deny contains finding if {
	_prod
	workloads := input.workloads
	bindings := input.role_bindings
	roles := input.roles
	some b in bindings
	granted := _sccs(b, roles)
	sccs := [scc | some scc in granted; not scc in _scc.restricted_sccs]
	count(sccs) > 0
	some subject in b.subjects
	problem := _subject_problem(subject, workloads)
	what := concat("", [
		b.kind, " ", b.name, " grants SCC ", concat(", ", sort(sccs)), " to ", subject.kind, " ", subject.name,
		problem,
	])
	finding := object.union(_broad_meta, {
		"kind": b.kind,
		"name": b.name,
		"field": "subjects",
		"file": b.file,
		"message": concat("", [what, " — ", _broad_why, " (", b.kind, " ", b.name, " subjects)"]),
	})
}

# --- restricted-v2 fields --------------------------------------------------------------------------------

# Every restricted-v2 setting a container misses: {"field", "what", "consequence"} (consequence = the key of
# the data.hardening.restricted_v2 sentence: a forbidden value, or a setting left to admission).
_violations(w, entry) := array.flatten([
	_run_as_non_root(w, entry),
	_run_as_user(w, entry),
	_escalation(entry),
	_drop(entry),
	_added(entry),
	_seccomp(w, entry),
])

_run_as_non_root(w, entry) := [] if {
	_effective(w, entry, "runAsNonRoot") == _scc.run_as_non_root
} else := [{
	"field": "spec.template.spec.securityContext.runAsNonRoot",
	"what": "does not set runAsNonRoot: true (restricted-v2 runAsUser: MustRunAsRange)",
	"consequence": "consequence_unset",
}]

_run_as_user(w, entry) := [v |
	some level in _levels(w, entry)
	uid := level.context.runAsUser
	not _scc.fixed_uid_allowed
	v := {
		"field": concat("", [level.path, ".runAsUser"]),
		"what": concat("", [
			"sets the fixed UID runAsUser: ", format_int(uid, 10),
			" (restricted-v2 runAsUser: MustRunAsRange assigns the namespace's UID)",
		]),
		"consequence": "consequence_conflict",
	}
]

_escalation(entry) := [] if {
	entry.container.security_context.allowPrivilegeEscalation == _scc.allow_privilege_escalation
} else := [{
	"field": concat("", [entry.path, ".securityContext.allowPrivilegeEscalation"]),
	"what": _escalation_what(object.get(entry.container.security_context, "allowPrivilegeEscalation", null)),
	"consequence": _escalation_consequence(object.get(entry.container.security_context, "allowPrivilegeEscalation", null)),
}]

_escalation_what(null) := "does not set allowPrivilegeEscalation: false (restricted-v2 allowPrivilegeEscalation: false)"

_escalation_what(true) := "sets allowPrivilegeEscalation: true (restricted-v2 allowPrivilegeEscalation: false)"

_escalation_consequence(null) := "consequence_unset"

_escalation_consequence(true) := "consequence_conflict"

_drop(entry) := [] if {
	dropped := object.get(entry.container.security_context, ["capabilities", "drop"], [])
	every capability in _scc.required_drop_capabilities {
		capability in dropped
	}
} else := [{
	"field": concat("", [entry.path, ".securityContext.capabilities.drop"]),
	"what": concat("", [
		"does not drop ", concat(", ", _scc.required_drop_capabilities),
		" capabilities (restricted-v2 requiredDropCapabilities)",
	]),
	"consequence": "consequence_unset",
}]

_added(entry) := [v |
	added := object.get(entry.container.security_context, ["capabilities", "add"], [])
	extra := [capability | some capability in added; not capability in _scc.allowed_add_capabilities]
	count(extra) > 0
	v := {
		"field": concat("", [entry.path, ".securityContext.capabilities.add"]),
		"what": concat("", [
			"adds capabilities ", concat(", ", extra), " (restricted-v2 allows only ",
			concat(", ", _scc.allowed_add_capabilities), ")",
		]),
		"consequence": "consequence_conflict",
	}
]

_seccomp(w, entry) := [] if {
	_effective(w, entry, "seccompProfile").type in _scc.seccomp_profiles
} else := [{
	"field": "spec.template.spec.securityContext.seccompProfile",
	"what": "does not set seccompProfile type RuntimeDefault (restricted-v2 seccompProfiles: runtime/default)",
	"consequence": "consequence_unset",
}] if {
	not _effective(w, entry, "seccompProfile")
} else := [{
	"field": concat("", [entry.path, ".securityContext.seccompProfile"]),
	"what": concat("", [
		"sets seccompProfile type ", _effective(w, entry, "seccompProfile").type,
		" (restricted-v2 seccompProfiles: runtime/default)",
	]),
	"consequence": "consequence_conflict",
}]

# The container's value, else the pod's (Kubernetes: container securityContext overrides the pod's).
_effective(_, entry, key) := entry.container.security_context[key]

_effective(w, entry, key) := w.pod_security_context[key] if not _security_has(entry.container.security_context, key)

_security_has(context, key) if context[key] != null

# The pod's and the container's security contexts, with their field paths.
_levels(w, entry) := [
	{"path": "spec.template.spec.securityContext", "context": object.get(w, "pod_security_context", {})},
	{"path": concat("", [entry.path, ".securityContext"]), "context": entry.container.security_context},
]

# --- the exception's ServiceAccount and SCC bindings -------------------------------------------------------

_privileged(w) if {
	some entry in _security_containers(w)
	entry.container.security_context.privileged == true
}

# A workload that needs an SCC wider than restricted-v2.
_needs_exception(w) if _privileged(w)

_needs_exception(w) if count(w.host_namespaces) > 0

_needs_exception(w) if count(w.host_path_volumes) > 0

_needs_exception(w) if {
	some entry in _security_containers(w)
	some level in _levels(w, entry)
	level.context.runAsUser != null
}

_exception_problem(w, workloads, bindings, roles, objects) := {
	"what": "under the default ServiceAccount",
	"why": concat("", [
		"the SCC it needs can only be granted to the default ServiceAccount, i.e. to every pod of the namespace ",
		"that names no other; give it a ServiceAccount of its own (components/prod-security)",
	]),
} if {
	w.service_account == "default"
} else := {
	"what": concat("", ["under ServiceAccount ", w.service_account, ", which the overlay does not render"]),
	"why": "the API server refuses pods whose ServiceAccount does not exist, so the controller never creates it",
} if {
	not _rendered_service_account(w.service_account, objects)
} else := {
	"what": concat("", ["under ServiceAccount ", w.service_account, ", which also runs ", concat(", ", others)]),
	"why": "the SCC its exception needs then reaches those pods as well, unreviewed",
} if {
	others := sort([o.name | some o in workloads; o.name != w.name; o.service_account == w.service_account])
	count(others) > 0
} else := {
	"what": concat("", [
		"under ServiceAccount ", w.service_account, ", which no RoleBinding lets use SCC ", _scc.privileged_scc,
	]),
	"why": concat("", [
		"no SCC its ServiceAccount may use admits a privileged pod, so OpenShift refuses it and the controller ",
		"never creates it",
	]),
} if {
	not _granted(w.service_account, _scc.privileged_scc, bindings, roles)
}

_rendered_service_account(name, objects) if {
	some o in objects
	o.kind == "ServiceAccount"
	o.name == name
}

_granted(service_account, scc, bindings, roles) if {
	some b in bindings
	some subject in b.subjects
	subject.kind == "ServiceAccount"
	subject.name == service_account
	object.get(subject, "namespace", input.namespace) == input.namespace
	granted := _sccs(b, roles)
	some name in [scc, "*"]
	name in granted
}

# SCC names a binding lets its subjects `use`: the ClusterRoles OpenShift ships per SCC
# (system:openshift:scc:<name>), or the rules of a rendered Role/ClusterRole ("*" = every SCC).
_sccs(b, roles) := {trim_prefix(b.role_ref.name, _scc.scc_cluster_role_prefix)} if {
	b.role_ref.kind == "ClusterRole"
	startswith(b.role_ref.name, _scc.scc_cluster_role_prefix)
} else := {scc |
	some r in roles
	r.kind == b.role_ref.kind
	r.name == b.role_ref.name
	some rule in r.rules
	_grants_use(rule)
	some scc in _resource_names(rule)
}

_grants_use(rule) if {
	some group in object.get(rule, "apiGroups", [])
	group in {"security.openshift.io", "*"}
	some resource in object.get(rule, "resources", [])
	resource in {"securitycontextconstraints", "*"}
	some verb in object.get(rule, "verbs", [])
	verb in {"use", "*"}
}

_resource_names(rule) := rule.resourceNames if count(object.get(rule, "resourceNames", [])) > 0

_resource_names(rule) := ["*"] if count(object.get(rule, "resourceNames", [])) == 0

_subject_problem(subject, _) := ", i.e. to every identity in it" if subject.kind == "Group"

_subject_problem(subject, _) := "" if subject.kind == "User"

_subject_problem(subject, _) := ", under which runs every pod that names no ServiceAccount" if {
	subject.kind == "ServiceAccount"
	subject.name == "default"
}

_subject_problem(subject, workloads) := ", under which no workload of the overlay runs" if {
	subject.kind == "ServiceAccount"
	subject.name != "default"
	count([w | some w in workloads; w.service_account == subject.name]) == 0
}

_subject_problem(subject, workloads) := concat("", [
	", which runs workloads that need no exception: ", concat(", ", unneeded),
]) if {
	subject.kind == "ServiceAccount"
	subject.name != "default"
	unneeded := sort([w.name | some w in workloads; w.service_account == subject.name; not _needs_exception(w)])
	count(unneeded) > 0
}

# Containers and init containers with their field path (`some i; x[i]`: regopy cannot parse `some i, c in x`
# inside a comprehension).
_security_containers(w) := array.concat(
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

_security_finding(meta, w, field, what, why) := object.union(meta, {
	"kind": w.kind,
	"name": w.name,
	"field": field,
	"file": w.file,
	"message": concat("", [what, " — ", why, " (", w.kind, " ", w.name, " ", field, ")"]),
})
