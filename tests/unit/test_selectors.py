from onyx_gate.selectors import matches, network_policy, service_selects

WORKLOADS = [
    {"name": "api-server", "pod_labels": {"app": "api-server", "tier": "backend"}},
    {"name": "redis", "pod_labels": {"app": "redis", "tier": "data"}},
]


def test_label_selector_operators():
    labels = {"app": "api-server", "tier": "backend"}
    assert matches({"matchLabels": {"app": "api-server"}}, labels)
    assert matches({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["backend", "x"]}]}, labels)
    assert not matches({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["backend"]}]}, labels)
    assert matches({"matchExpressions": [{"key": "zone", "operator": "DoesNotExist"}]}, labels)
    assert not matches({"matchExpressions": [{"key": "zone", "operator": "Exists"}]}, labels)
    assert matches({}, labels)


def test_service_with_empty_selector_selects_nothing():
    assert not service_selects({}, {"app": "x"})
    assert service_selects({"app": "x"}, {"app": "x", "other": "y"})


def test_network_policy_peers_resolve_to_workloads_and_namespaces():
    policy = network_policy({
        "metadata": {"name": "np"},
        "spec": {
            "podSelector": {"matchLabels": {"tier": "backend"}},
            "policyTypes": ["Egress"],
            "egress": [
                {"to": [{"podSelector": {"matchLabels": {"app": "redis"}}}], "ports": [{"port": 6379}]},
                {"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}],
                 "ports": [{"port": 53, "protocol": "UDP"}]},
                {"to": [{"namespaceSelector": {"matchLabels": {"team": "x"}}}]},
                {"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"port": "http"}]},
            ],
        },
    }, "onyx", WORKLOADS)
    assert policy["selected_workloads"] == ["api-server"]
    assert policy["policy_types"] == ["Egress"]
    redis, dns, unprovable, world = policy["egress"]
    assert redis["peers"] == [{"workloads": ["redis"], "namespaces": ["onyx"], "ip_block": None}]
    assert redis["ports"][0]["port"] == 6379 and redis["ports"][0]["protocol"] == "TCP"
    assert dns["peers"][0]["namespaces"] == ["kube-system"] and dns["peers"][0]["workloads"] is None
    assert unprovable["peers"][0]["namespaces"] == []
    assert world["peers"][0]["workloads"] is None and world["ports"][0]["name"] == "http"


def test_policy_types_default_to_ingress_plus_egress_when_egress_rules_exist():
    assert network_policy({"spec": {"podSelector": {}}}, "onyx", WORKLOADS)["policy_types"] == ["Ingress"]
    both = network_policy({"spec": {"podSelector": {}, "egress": []}}, "onyx", WORKLOADS)
    assert both["policy_types"] == ["Ingress", "Egress"]
    assert both["selected_workloads"] == ["api-server", "redis"]
