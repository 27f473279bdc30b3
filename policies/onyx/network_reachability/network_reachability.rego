# METADATA
# title: Network reachability
# description: |
#   When NetworkPolicies are rendered, every correctly wired edge (data.catalog.edges, v1.9.0 fact sheet
#   §4) is allowed on both sides: by the egress of the source pods if a policy selecting them has Egress
#   in policyTypes, and by the ingress of the target pods likewise, at the target container port over
#   TCP. A pod whose egress is restricted and that resolves Service names (every edge source) must also
#   reach cluster DNS (data.catalog.dns). Peer semantics as docs/model.md: workloads null = every pod of
#   the matched namespaces, namespaces null = any namespace, peers [] = anywhere, ports [] = every port.
# entrypoint: true
package onyx.network_reachability

import data.onyx.lib.reach

_blocked := {"id": "ONYX-NETPOL-001", "severity": "error", "title": "Dependency blocked by NetworkPolicy"}

# Performance (policies/README.md): the policies are read once (regopy copies every object it binds or
# passes to a function); links are then checked against the rules of their workload's policies only.

# Workloads whose egress / ingress some policy restricts, with the names of those policies.
_restricted[type][name] contains np.name if {
	policies := input.network_policies
	some np in policies
	some type in np.policy_types
	some name in np.selected_workloads
}

# Rules of each policy by name, per type.
_rules_by_policy := {
	"Egress": {np.name: np.egress | some np in input.network_policies; "Egress" in np.policy_types},
	"Ingress": {np.name: np.ingress | some np in input.network_policies; "Ingress" in np.policy_types},
}

# File of each NetworkPolicy by name (the first, should two namespaces reuse a name).
_policy_files := {np.name: file |
	some np in input.network_policies
	file := min({other.file | some other in input.network_policies; other.name == np.name})
}

# METADATA
# title: Dependency blocked by NetworkPolicy (egress)
# description: |
#   The source's egress is restricted and no egress rule of a policy selecting it allows TCP to the
#   target pods at the target container port. Consequence: the edge's (§4, §7).
# scope: rule
# custom:
#   id: ONYX-NETPOL-001
#   severity: error
deny contains finding if {
	restricted := _restricted.Egress
	rules := _rules_by_policy.Egress
	links := reach.links
	some link in links
	names := restricted[link.from]
	allowed := [name |
		some name in names
		some rule in rules[name]
		_peers_allow(rule.peers, link.to, link.to_namespace)
		_ports_allow(rule.ports, link.port, link.port_names, "TCP")
	]
	count(allowed) == 0
	what := concat("", ["egress of ", link.from, " does not allow TCP ", format_int(link.port, 10), " to ", link.to])
	finding := _blocked_finding(names, "spec.egress", what, data.catalog.edges[link.edge].consequence, link.from, "Egress")
}

# METADATA
# title: Dependency blocked by NetworkPolicy (ingress)
# description: |
#   The target's ingress is restricted and no ingress rule of a policy selecting it allows TCP from the
#   source pods at the target container port. Consequence: the edge's (§4, §7).
# scope: rule
# custom:
#   id: ONYX-NETPOL-001
#   severity: error
deny contains finding if {
	restricted := _restricted.Ingress
	rules := _rules_by_policy.Ingress
	links := reach.links
	some link in links
	names := restricted[link.to]
	allowed := [name |
		some name in names
		some rule in rules[name]
		_peers_allow(rule.peers, link.from, link.from_namespace)
		_ports_allow(rule.ports, link.port, link.port_names, "TCP")
	]
	count(allowed) == 0
	what := concat("", ["ingress of ", link.to, " does not allow TCP ", format_int(link.port, 10), " from ", link.from])
	finding := _blocked_finding(names, "spec.ingress", what, data.catalog.edges[link.edge].consequence, link.to, "Ingress")
}

# METADATA
# title: Dependency blocked by NetworkPolicy (DNS)
# description: |
#   An edge source's egress is restricted and DNS to a cluster DNS target (data.catalog.dns.targets:
#   Kubernetes and OpenShift) is not allowed for every protocol: every address is a Service DNS name
#   (v1.9.0 §1b, T/configmap.yaml:8-19), so none resolves.
# scope: rule
# custom:
#   id: ONYX-NETPOL-001
#   severity: error
deny contains finding if {
	why := "no Service name resolves, so the pod reaches none of the dependencies it is wired to"
	protocols := data.catalog.dns.protocols
	restricted := _restricted.Egress
	rules := _rules_by_policy.Egress
	sources := reach.sources
	some target in data.catalog.dns.targets
	some name in sources
	names := restricted[name]
	missing := [protocol |
		some protocol in protocols
		allowed := [policy |
			some policy in names
			some rule in rules[policy]
			_dns_peers_allow(rule.peers, target.namespace)
			some port in target.ports
			_ports_allow(rule.ports, port, set(), protocol)
		]
		count(allowed) == 0
	]
	count(missing) > 0
	what := concat("", [
		"egress of ", name, " does not allow DNS (", concat("/", missing), " ",
		concat(",", [format_int(p, 10) | some p in target.ports]), " to namespace ", target.namespace, ")",
	])
	finding := _blocked_finding(names, "spec.egress", what, why, name, "Egress")
}

_blocked_finding(names, field, what, why, workload, type) := object.union(_blocked, {
	"kind": "NetworkPolicy",
	"name": min(names),
	"field": field,
	"file": object.get(_policy_files, min(names), ""),
	"message": concat("", [
		what, " — ", why, " (",
		concat("", [
			"NetworkPolicies selecting ", workload, " with policyType ", type, ": ", concat(", ", names),
			"; no rule of theirs allows it",
		]),
		")",
	]),
})

_peers_allow([], _, _)

_peers_allow(peers, name, namespace) if {
	some peer in peers
	_namespace_matches(peer.namespaces, namespace)
	_workload_matches(peer.workloads, name)
}

# DNS pods live outside the overlay, so the model cannot resolve their labels: a peer for the DNS
# namespace counts unless the model proved it selects no pod (workloads == []).
_dns_peers_allow([], _)

_dns_peers_allow(peers, namespace) if {
	some peer in peers
	_namespace_matches(peer.namespaces, namespace)
	peer.workloads != []
}

_namespace_matches(null, _)

_namespace_matches(namespaces, namespace) if namespace in namespaces

_workload_matches(null, _)

_workload_matches(workloads, name) if name in workloads

_ports_allow([], _, _, _)

_ports_allow(ports, port, names, protocol) if {
	some p in ports
	p.protocol == protocol
	_rule_port_matches(p, port, names)
}

# port and name both null: every port of the protocol.
_rule_port_matches(p, _, _) if {
	object.get(p, "port", null) == null
	object.get(p, "name", null) == null
}

_rule_port_matches(p, port, _) if p.port == port

_rule_port_matches(p, port, _) if {
	is_number(object.get(p, "end_port", null))
	p.port <= port
	port <= p.end_port
}

_rule_port_matches(p, _, names) if p.name in names
