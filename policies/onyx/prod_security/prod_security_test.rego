package onyx.prod_security_test

import data.onyx.prod_security

# Evaluated with the real policy data (opa test policies/onyx policies/data): data.hardening, data.profiles.

_restricted_pod := {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}}

_restricted_container := {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}

_workload(kind, name, service_account, container_context) := {
	"kind": kind, "name": name, "file": concat("", ["base/", name, "/workload.yaml"]),
	"service_account": service_account, "pod_security_context": _restricted_pod,
	"host_namespaces": [], "host_path_volumes": [],
	"containers": [{"name": name, "security_context": container_context}],
	"init_containers": [],
}

_vespa := object.union(_workload("StatefulSet", "vespa", "vespa", {"privileged": true, "runAsUser": 0}), {"pod_security_context": {}})

_binding(name, role_kind, role_name, subjects) := {
	"kind": "RoleBinding", "name": name, "file": concat("", ["components/prod-security/", name, ".yaml"]),
	"role_ref": {"kind": role_kind, "name": role_name, "apiGroup": "rbac.authorization.k8s.io"},
	"subjects": subjects,
}

_sa(name) := {"kind": "ServiceAccount", "name": name, "namespace": "onyx-prod"}

_healthy := {
	"overlay": "overlays/prod",
	"namespace": "onyx-prod",
	"workloads": [
		_workload("Deployment", "api-server", "default", _restricted_container),
		_workload("Deployment", "nginx", "default", object.union(_restricted_container, {"capabilities": {"add": ["NET_BIND_SERVICE"]}})),
		_vespa,
	],
	"role_bindings": [_binding("vespa-scc-privileged", "ClusterRole", "system:openshift:scc:privileged", [_sa("vespa")])],
	"roles": [],
	"objects": [{"api_version": "v1", "kind": "ServiceAccount", "name": "vespa", "namespace": "onyx-prod", "file": "sa.yaml", "annotations": {}}],
}

_set_workload(model, name, fields) := object.union(model, {"workloads": [_patch(w, name, fields) | some w in model.workloads]})

# Replaces the given fields (object.union alone would merge nested objects).
_patch(w, name, fields) := object.union(object.remove(w, object.keys(fields)), fields) if w.name == name

_patch(w, name, _) := w if w.name != name

_api_context(context) := _set_workload(_healthy, "api-server", {"containers": [{"name": "api-server", "security_context": context}]})

_replace(model, key, value) := object.union(object.remove(model, [key]), {key: value})

test_restricted_pods_and_the_bound_exception if {
	findings := prod_security.deny with input as _healthy
	count(findings) == 1
	some f in findings
	f.id == "ONYX-PROD-040"
	f.kind == "StatefulSet"
	f.name == "vespa"
	f.field == "spec.template.spec.containers[0].securityContext.privileged"
	contains(f.message, "container vespa of vespa runs privileged — restricted-v2 forbids it (allowPrivilegedContainer: false)")
}

test_privileged_without_binding if {
	findings := prod_security.deny with input as _replace(_healthy, "role_bindings", [])
	some f in findings
	f.id == "ONYX-PROD-043"
	f.field == "spec.template.spec.serviceAccountName"
	contains(f.message, "StatefulSet vespa runs a privileged container under ServiceAccount vespa, which no RoleBinding lets use SCC privileged")
}

test_privileged_under_the_default_service_account if {
	model := _replace(_set_workload(_healthy, "vespa", {"service_account": "default"}), "role_bindings", [])
	findings := prod_security.deny with input as model
	some f in findings
	f.id == "ONYX-PROD-043"
	contains(f.message, "under the default ServiceAccount — the SCC it needs can only be granted to the default ServiceAccount")
}

test_privileged_under_an_unrendered_service_account if {
	findings := prod_security.deny with input as _replace(_healthy, "objects", [])
	some f in findings
	f.id == "ONYX-PROD-043"
	contains(f.message, "under ServiceAccount vespa, which the overlay does not render — the API server refuses pods")
}

test_shared_exception_service_account if {
	model := _set_workload(_healthy, "api-server", {"service_account": "vespa"})
	findings := prod_security.deny with input as model
	{f.id | some f in findings} == {"ONYX-PROD-040", "ONYX-PROD-043", "ONYX-PROD-044"}
	some f in findings
	f.id == "ONYX-PROD-043"
	contains(f.message, "under ServiceAccount vespa, which also runs api-server — the SCC its exception needs then reaches those pods")
	some g in findings
	g.id == "ONYX-PROD-044"
	contains(g.message, "grants SCC privileged to ServiceAccount vespa, which runs workloads that need no exception: api-server")
}

test_exception_bound_through_a_role if {
	role := {"kind": "Role", "name": "use-privileged", "file": "role.yaml", "rules": [{
		"apiGroups": ["security.openshift.io"], "resources": ["securitycontextconstraints"],
		"verbs": ["use"], "resourceNames": ["privileged"],
	}]}
	model := object.union(
		_replace(_healthy, "role_bindings", [_binding("vespa-scc", "Role", "use-privileged", [_sa("vespa")])]),
		{"roles": [role]},
	)
	findings := prod_security.deny with input as model
	{f.id | some f in findings} == {"ONYX-PROD-040"}
}

test_role_without_resource_names_grants_every_scc if {
	role := {"kind": "ClusterRole", "name": "any-scc", "file": "role.yaml", "rules": [{
		"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"],
	}]}
	model := object.union(
		_replace(_healthy, "role_bindings", [_binding("all", "ClusterRole", "any-scc", [_sa("default")])]),
		{"roles": [role]},
	)
	findings := prod_security.deny with input as model
	some f in findings
	f.id == "ONYX-PROD-044"
	contains(f.message, "RoleBinding all grants SCC * to ServiceAccount default, under which runs every pod that names no ServiceAccount")
}

test_role_for_other_resources_grants_nothing if {
	role := {"kind": "Role", "name": "pods", "file": "role.yaml", "rules": [{
		"apiGroups": [""], "resources": ["pods"], "verbs": ["get"],
	}]}
	model := object.union(
		_replace(_healthy, "role_bindings", array.concat(_healthy.role_bindings, [_binding("read", "Role", "pods", [_sa("default")])])),
		{"roles": [role]},
	)
	findings := prod_security.deny with input as model
	{f.id | some f in findings} == {"ONYX-PROD-040"}
}

test_restricted_scc_grants_are_no_exception if {
	bindings := array.concat(_healthy.role_bindings, [_binding("r", "ClusterRole", "system:openshift:scc:restricted-v2", [_sa("default")])])
	findings := prod_security.deny with input as _replace(_healthy, "role_bindings", bindings)
	{f.id | some f in findings} == {"ONYX-PROD-040"}
}

test_scc_for_a_group_user_and_unused_account if {
	subjects := [
		{"kind": "Group", "name": "system:authenticated"},
		{"kind": "User", "name": "alice"},
		_sa("ghost"),
	]
	bindings := array.concat(_healthy.role_bindings, [_binding("wide", "ClusterRole", "system:openshift:scc:anyuid", subjects)])
	findings := prod_security.deny with input as _replace(_healthy, "role_bindings", bindings)
	messages := {f.message | some f in findings; f.id == "ONYX-PROD-044"}
	count(messages) == 3
	some m in messages
	contains(m, "grants SCC anyuid to Group system:authenticated, i.e. to every identity in it — any pod under it")
	some n in messages
	contains(n, "grants SCC anyuid to ServiceAccount ghost, under which no workload of the overlay runs")
}

test_escalation_and_capabilities if {
	findings := prod_security.deny with input as _api_context({"allowPrivilegeEscalation": true, "capabilities": {"add": ["SYS_ADMIN", "NET_BIND_SERVICE"]}})
	{f.field | some f in findings; f.id == "ONYX-PROD-041"} == {
		"spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation",
		"spec.template.spec.containers[0].securityContext.capabilities.drop",
		"spec.template.spec.containers[0].securityContext.capabilities.add",
	}
	some f in findings
	contains(f.message, "container api-server of api-server adds capabilities SYS_ADMIN (restricted-v2 allows only NET_BIND_SERVICE) — OpenShift's restricted-v2 refuses the pod")
}

test_unset_container_context if {
	findings := prod_security.deny with input as _api_context({})
	some f in findings
	f.field == "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation"
	contains(f.message, "does not set allowPrivilegeEscalation: false (restricted-v2 allowPrivilegeEscalation: false) — the pod relies on admission")
}

test_pod_level_fixed_uid_and_missing_non_root if {
	model := _set_workload(_healthy, "api-server", {"pod_security_context": {"runAsUser": 1001, "seccompProfile": {"type": "RuntimeDefault"}}})
	findings := prod_security.deny with input as model
	{f.field | some f in findings; f.id == "ONYX-PROD-041"} == {
		"spec.template.spec.securityContext.runAsUser",
		"spec.template.spec.securityContext.runAsNonRoot",
	}
	some f in findings
	contains(f.message, "sets the fixed UID runAsUser: 1001 (restricted-v2 runAsUser: MustRunAsRange assigns the namespace's UID)")
}

test_container_level_values_override_the_pod if {
	context := object.union(_restricted_container, {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}})
	model := _set_workload(_healthy, "api-server", {
		"pod_security_context": {"runAsNonRoot": false, "seccompProfile": {"type": "Unconfined"}},
		"containers": [{"name": "api-server", "security_context": context}],
	})
	findings := prod_security.deny with input as model
	{f.id | some f in findings} == {"ONYX-PROD-040"}
}

test_seccomp_missing_or_unconfined if {
	missing := _set_workload(_healthy, "api-server", {"pod_security_context": {"runAsNonRoot": true}})
	missing_findings := prod_security.deny with input as missing
	unconfined := _api_context(object.union(_restricted_container, {"seccompProfile": {"type": "Unconfined"}}))
	unconfined_findings := prod_security.deny with input as unconfined
	some f in missing_findings
	f.field == "spec.template.spec.securityContext.seccompProfile"
	contains(f.message, "does not set seccompProfile type RuntimeDefault")
	some g in unconfined_findings
	g.field == "spec.template.spec.containers[0].securityContext.seccompProfile"
	contains(g.message, "sets seccompProfile type Unconfined")
}

test_init_containers_are_judged if {
	model := _set_workload(_healthy, "api-server", {"init_containers": [{"name": "seed", "security_context": {"privileged": true}}]})
	findings := prod_security.deny with input as model
	some f in findings
	f.id == "ONYX-PROD-040"
	f.field == "spec.template.spec.initContainers[0].securityContext.privileged"
	some g in findings
	g.id == "ONYX-PROD-043"
	contains(g.message, "Deployment api-server runs a privileged container under the default ServiceAccount")
}

test_host_access if {
	model := _set_workload(_healthy, "nginx", {"host_namespaces": ["hostNetwork", "hostPID"], "host_path_volumes": ["sock"]})
	findings := prod_security.deny with input as model
	{f.field | some f in findings; f.id == "ONYX-PROD-042"} == {
		"spec.template.spec.hostNetwork", "spec.template.spec.hostPID", "spec.template.spec.volumes",
	}
	some f in findings
	contains(f.message, "nginx mounts hostPath volume sock — restricted-v2 forbids host namespaces and hostPath")
}

test_host_access_and_fixed_uid_need_an_exception if {
	model := _set_workload(_healthy, "nginx", {"service_account": "vespa", "host_namespaces": ["hostNetwork"]})
	findings := prod_security.deny with input as model
	not "ONYX-PROD-044" in {f.id | some f in findings}
	uid := _set_workload(_healthy, "api-server", {
		"service_account": "vespa",
		"pod_security_context": {"runAsNonRoot": true, "runAsUser": 1000, "seccompProfile": {"type": "RuntimeDefault"}},
	})
	uid_findings := prod_security.deny with input as uid
	not "ONYX-PROD-044" in {f.id | some f in uid_findings}
}

test_other_profiles_are_not_judged if {
	findings := prod_security.deny with input as object.union(_healthy, {"overlay": "overlays/full"})
	count(findings) == 0
}
