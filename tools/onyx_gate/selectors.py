"""Label selectors and NetworkPolicies resolved to the workloads of the overlay.

Python only works out *which* pods a selector picks; whether that is right is decided in Rego.
Namespaces are not rendered by the overlays (Argo CD creates them), so a namespaceSelector is resolved only
through the label Kubernetes sets on every namespace, `kubernetes.io/metadata.name`; any other namespace
label cannot be proven to match and resolves to no namespace (the gate fails closed).
"""

from __future__ import annotations

from typing import Any, Iterable

NAME_LABEL = "kubernetes.io/metadata.name"


def matches(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    """Kubernetes LabelSelector semantics; an empty selector matches everything."""
    selector = selector or {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != str(value):
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator = expression.get("key"), expression.get("operator")
        values = [str(v) for v in expression.get("values") or []]
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def service_selects(selector: dict[str, str] | None, labels: dict[str, str]) -> bool:
    """A Service selector is a plain map; an empty or missing one selects no pods (endpoints are manual)."""
    return bool(selector) and all(labels.get(key) == str(value) for key, value in selector.items())


def selected(selector: dict[str, Any] | None, workloads: Iterable[dict[str, Any]]) -> list[str]:
    return sorted(w["name"] for w in workloads if matches(selector, w["pod_labels"]))


def _namespaces(selector: dict[str, Any] | None) -> list[str] | None:
    """None = every namespace; otherwise the namespaces provably matched by name."""
    if selector is None:
        return None
    match_labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not match_labels and not expressions:
        return None
    names: set[str] | None = None
    if NAME_LABEL in match_labels:
        names = {str(match_labels[NAME_LABEL])}
    for expression in expressions:
        if expression.get("key") == NAME_LABEL and expression.get("operator") == "In":
            values = {str(v) for v in expression.get("values") or []}
            names = values if names is None else names & values
    unprovable = set(match_labels) - {NAME_LABEL} or any(
        e.get("key") != NAME_LABEL or e.get("operator") != "In" for e in expressions)
    if unprovable:
        return []  # a label other than the name cannot be checked here: prove nothing
    return sorted(names) if names is not None else None


def _peer(peer: dict[str, Any], namespace: str, workloads: list[dict[str, Any]]) -> dict[str, Any]:
    if "ipBlock" in peer:
        block = peer["ipBlock"] or {}
        open_world = block.get("cidr") in ("0.0.0.0/0", "::/0") and not block.get("except")
        return {"workloads": None if open_world else [], "namespaces": None if open_world else [],
                "ip_block": block.get("cidr")}
    if "namespaceSelector" in peer:
        namespaces = _namespaces(peer.get("namespaceSelector"))
    else:
        namespaces = [namespace]
    pod_selector = peer.get("podSelector")
    if pod_selector is None or not (pod_selector.get("matchLabels") or pod_selector.get("matchExpressions")):
        peer_workloads = None
    elif namespaces == [namespace]:
        peer_workloads = selected(pod_selector, workloads)
    else:
        peer_workloads = None if namespaces != [] else []  # pods of other namespaces are not rendered here
    return {"workloads": peer_workloads, "namespaces": namespaces, "ip_block": None}


def _ports(ports: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    out = []
    for port in ports or []:
        value = port.get("port")
        out.append({
            "port": value if isinstance(value, int) else None,
            "name": value if isinstance(value, str) else None,
            "end_port": port.get("endPort"),
            "protocol": port.get("protocol", "TCP"),
        })
    return out


def network_policy(obj: dict[str, Any], namespace: str, workloads: list[dict[str, Any]]) -> dict[str, Any]:
    spec = obj.get("spec") or {}
    types = spec.get("policyTypes") or (["Ingress"] + (["Egress"] if "egress" in spec else []))

    def rules(key: str, peers_key: str) -> list[dict[str, Any]]:
        return [{"peers": [_peer(p, namespace, workloads) for p in rule.get(peers_key) or []],
                 "ports": _ports(rule.get("ports"))} for rule in spec.get(key) or []]

    return {
        "name": (obj.get("metadata") or {}).get("name", ""),
        "namespace": namespace,
        "selected_workloads": selected(spec.get("podSelector"), workloads),
        "policy_types": types,
        "ingress": rules("ingress", "from"),
        "egress": rules("egress", "to"),
    }
