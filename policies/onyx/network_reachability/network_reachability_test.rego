package onyx.network_reachability_test

import data.onyx.lib.fixtures_test as fx
import data.onyx.network_reachability

_all := [w.name | some w in fx.workloads]

_policy(name, types, ingress, egress) := {
	"name": name, "namespace": fx.namespace, "file": sprintf("base/netpol/%s.yaml", [name]),
	"selected_workloads": _all, "policy_types": types, "ingress": ingress, "egress": egress,
}

_peer(workloads, namespaces) := {"workloads": workloads, "namespaces": namespaces, "ip_block": null}

_port(number, protocol) := {"port": number, "name": null, "end_port": null, "protocol": protocol}

_deny_all := _policy("default-deny", ["Ingress", "Egress"], [], [])

_intra := _policy(
	"allow-onyx", ["Ingress", "Egress"],
	[{"peers": [_peer(null, [fx.namespace])], "ports": []}],
	[{"peers": [_peer(null, [fx.namespace])], "ports": []}],
)

_dns := _policy("allow-dns", ["Egress"], [], [
	{"peers": [_peer(null, ["kube-system"])], "ports": [_port(53, "UDP"), _port(53, "TCP")]},
	{"peers": [_peer(null, ["openshift-dns"])], "ports": [_port(5353, "UDP"), _port(5353, "TCP")]},
])

_resolving := {w.name | some w in fx.workloads; not w.name in {"postgres", "vespa", "redis", "minio", "inference-model-server", "indexing-model-server"}}

_with(policies) := object.union(fx.prod, {"network_policies": policies})

_messages(findings) := concat("\n", [f.message | some f in findings])

test_no_network_policies if {
	count(network_reachability.deny) == 0 with input as fx.prod
}

test_complete_allow_set_passes if {
	count(network_reachability.deny) == 0 with input as _with([_deny_all, _intra, _dns])
}

test_default_deny_blocks_every_edge if {
	findings := network_reachability.deny with input as _with([_deny_all])
	messages := _messages(findings)
	contains(messages, "egress of api-server does not allow TCP 6379 to redis — the API cannot reach the Celery broker")
	contains(messages, "ingress of redis does not allow TCP 6379 from celery-worker-primary — the pod waits 60 s for Redis")
	contains(messages, "egress of nginx does not allow DNS (UDP/TCP 53 to namespace kube-system)")
	contains(messages, "(NetworkPolicies selecting api-server with policyType Egress: default-deny; no rule of theirs allows it)")
	some f in findings
	f.kind == "NetworkPolicy"
	f.name == "default-deny"
	f.file == "base/netpol/default-deny.yaml"
}

test_dns_missing if {
	findings := network_reachability.deny with input as _with([_deny_all, _intra])
	count(findings) == 2 * count(_resolving)
	contains(_messages(findings), "egress of celery-beat does not allow DNS (UDP/TCP 53 to namespace kube-system) — no Service name resolves")
	contains(_messages(findings), "egress of celery-beat does not allow DNS (UDP/TCP 5353 to namespace openshift-dns)")
}

test_kubernetes_dns_only_breaks_openshift if {
	kube_only := _policy("allow-dns", ["Egress"], [], [_dns.egress[0]])
	findings := network_reachability.deny with input as _with([_deny_all, _intra, kube_only])
	count(findings) == count(_resolving)
	not contains(_messages(findings), "namespace kube-system")
	contains(_messages(findings), "(UDP/TCP 5353 to namespace openshift-dns)")
}

test_dns_over_udp_only if {
	udp := _policy("allow-dns", ["Egress"], [], [
		{"peers": [_peer(null, ["kube-system"])], "ports": [_port(53, "UDP")]},
		_dns.egress[1],
	])
	findings := network_reachability.deny with input as _with([_deny_all, _intra, udp])
	contains(_messages(findings), "does not allow DNS (TCP 53 to namespace kube-system)")
}

test_dns_to_any_destination if {
	anywhere := _policy("allow-dns", ["Egress"], [], [{"peers": [], "ports": [
		_port(53, "UDP"), _port(53, "TCP"),
		_port(5353, "UDP"), _port(5353, "TCP"),
	]}])
	count(network_reachability.deny) == 0 with input as _with([_deny_all, _intra, anywhere])
}

test_dns_peer_proven_to_select_nothing if {
	nothing := _policy("allow-dns", ["Egress"], [], [{"peers": [_peer([], ["kube-system"])], "ports": []}])
	count(network_reachability.deny) > 0 with input as _with([_deny_all, _intra, nothing])
}

test_ingress_limited_to_the_api if {
	redis_only_api := object.union(
		_policy("redis-ingress", ["Ingress"], [{"peers": [_peer(["api-server"], [fx.namespace])], "ports": [_port(6379, "TCP")]}], []),
		{"selected_workloads": ["redis"]},
	)
	findings := network_reachability.deny with input as _with([redis_only_api])
	{f.message | some f in findings; startswith(f.message, "ingress of redis")} == {f.message | some f in findings}
	contains(_messages(findings), "ingress of redis does not allow TCP 6379 from celery-beat")
	not contains(_messages(findings), "from api-server")
}

test_named_and_ranged_ports if {
	named := {"port": null, "name": "redis", "end_port": null, "protocol": "TCP"}
	ranged := {"port": 5000, "name": null, "end_port": 9000, "protocol": "TCP"}
	every_port := {"port": null, "name": null, "end_port": null, "protocol": "TCP"}
	egress := _policy("egress", ["Egress"], [], [
		{"peers": [_peer(["redis"], [fx.namespace])], "ports": [named]},
		{"peers": [_peer(null, [fx.namespace])], "ports": [ranged, _port(3000, "TCP")]},
		{"peers": [_peer(null, ["kube-system"])], "ports": [_port(53, "UDP"), _port(53, "TCP")]},
	])
	findings := network_reachability.deny with input as _with([egress])
	contains(_messages(findings), "egress of api-server does not allow TCP 19071 to vespa")
	not contains(_messages(findings), "6379")
	not contains(_messages(findings), "8081")
	open := _policy("egress", ["Egress"], [], [{"peers": [_peer(null, null)], "ports": [every_port, _port(53, "UDP"), _port(5353, "UDP")]}])
	count(network_reachability.deny) == 0 with input as _with([open])
}

test_wrong_namespace if {
	elsewhere := _policy("egress", ["Egress"], [], [
		{"peers": [_peer(null, ["other"])], "ports": []},
		{"peers": [_peer(null, ["kube-system"])], "ports": [_port(53, "UDP"), _port(53, "TCP")]},
	])
	findings := network_reachability.deny with input as _with([elsewhere])
	contains(_messages(findings), "egress of celery-worker-docprocessing does not allow TCP 9000 to indexing-model-server")
}

test_ingress_only_policy_leaves_egress_open if {
	ingress_only := _policy("ingress", ["Ingress"], [{"peers": [], "ports": []}], [])
	count(network_reachability.deny) == 0 with input as _with([ingress_only])
}
