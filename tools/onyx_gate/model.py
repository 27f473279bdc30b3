"""Builds the policy input (docs/model.md) from a rendered overlay. Normalizes facts; judges nothing."""

from __future__ import annotations

from typing import Any

from .addresses import parse_port, parse_url, resolve_host
from .celery_cmd import parse_celery
from .env import ObjectIndex, effective_env
from .selectors import network_policy, selected, service_selects

WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet"}


def build_model(overlay: str, objects: list[dict[str, Any]], origins: list[str], catalog: dict[str, Any],
                argocd: dict[str, Any]) -> dict[str, Any]:
    """`objects[i]` came from repo file `origins[i]`; `catalog` is data.catalog (addresses, env_defaults)."""
    index = ObjectIndex()
    namespaces: dict[str, int] = {}
    for obj in objects:
        namespace = _namespace(obj)
        index.add(obj, namespace)
        if obj.get("kind") in WORKLOAD_KINDS:
            namespaces[namespace] = namespaces.get(namespace, 0) + 1
    service_names = {(_namespace(o), _name(o)) for o in objects if o.get("kind") == "Service"}
    workloads = [
        _workload(obj, origin, index, catalog, service_names)
        for obj, origin in zip(objects, origins) if obj.get("kind") in WORKLOAD_KINDS
    ]
    by_namespace = _group(workloads)
    model: dict[str, Any] = {
        "overlay": overlay,
        "namespace": max(namespaces, key=namespaces.__getitem__) if namespaces else "",
        "workloads": workloads,
        "services": [],
        "autoscalers": [],
        "network_policies": [],
        "disruption_budgets": [],
        "resource_quotas": [],
        "config_maps": [],
        "secrets": [],
        "role_bindings": [],
        "roles": [],
        "objects": [],
        "argocd": argocd,
    }
    for obj, origin in zip(objects, origins):
        kind = obj.get("kind")
        if kind == "Service":
            model["services"].append(_service(obj, origin, by_namespace.get(_namespace(obj), [])))
        elif kind in ("HorizontalPodAutoscaler", "ScaledObject"):
            model["autoscalers"].append(_autoscaler(obj, origin))
        elif kind == "NetworkPolicy":
            policy = network_policy(obj, _namespace(obj), by_namespace.get(_namespace(obj), []))
            policy["file"] = origin
            model["network_policies"].append(policy)
        elif kind == "PodDisruptionBudget":
            model["disruption_budgets"].append(_disruption_budget(obj, origin, by_namespace.get(_namespace(obj), [])))
        elif kind == "ResourceQuota":
            hard = ((obj.get("spec") or {}).get("hard") or {})
            model["resource_quotas"].append({"name": _name(obj), "file": origin, "hard": dict(hard)})
        elif kind == "ConfigMap":
            model["config_maps"].append({"name": _name(obj), "file": origin, "data": dict(obj.get("data") or {})})
        elif kind == "Secret":
            model["secrets"].append({"name": _name(obj), "file": origin,
                                     "has_values": bool(obj.get("data") or obj.get("stringData"))})
        elif kind in ("RoleBinding", "ClusterRoleBinding"):
            model["role_bindings"].append({
                "kind": kind, "name": _name(obj), "file": origin, "role_ref": dict(obj.get("roleRef") or {}),
                "subjects": [dict(subject) for subject in obj.get("subjects") or []]})
        elif kind in ("Role", "ClusterRole"):
            model["roles"].append({"kind": kind, "name": _name(obj), "file": origin,
                                   "rules": [dict(rule) for rule in obj.get("rules") or []]})
        model["objects"].append({"api_version": obj.get("apiVersion", ""), "kind": kind or "", "name": _name(obj),
                                 "namespace": _namespace(obj), "file": origin,
                                 "annotations": dict((obj.get("metadata") or {}).get("annotations") or {})})
    return model


def _disruption_budget(obj: dict[str, Any], origin: str, workloads: list[dict[str, Any]]) -> dict[str, Any]:
    spec = obj.get("spec") or {}
    return {"name": _name(obj), "file": origin, "min_available": spec.get("minAvailable"),
            "max_unavailable": spec.get("maxUnavailable"), "selected_workloads": selected(spec.get("selector"), workloads)}


def _name(obj: dict[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("name", ""))


def _namespace(obj: dict[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("namespace") or "default")


def _group(workloads: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for workload in workloads:
        groups.setdefault(workload["namespace"], []).append(workload)
    return groups


def _workload(obj: dict[str, Any], origin: str, index: ObjectIndex, catalog: dict[str, Any],
              service_names: set[tuple[str, str]]) -> dict[str, Any]:
    spec = obj.get("spec") or {}
    template = spec.get("template") or {}
    pod_meta = template.get("metadata") or {}
    pod_spec = template.get("spec") or {}
    namespace = _namespace(obj)
    replicas = spec.get("replicas", 1) if obj.get("kind") != "DaemonSet" else 1
    strategy_key = "strategy" if obj.get("kind") == "Deployment" else "updateStrategy"
    strategy = (spec.get(strategy_key) or {}).get("type") or "RollingUpdate"
    containers = [
        _container(c, namespace, pod_meta, index, catalog, service_names) for c in pod_spec.get("containers") or []
    ]
    return {
        "kind": obj.get("kind"),
        "name": _name(obj),
        "namespace": namespace,
        "replicas": replicas if isinstance(replicas, int) else 1,
        "strategy": strategy,
        "pod_labels": {k: str(v) for k, v in (pod_meta.get("labels") or {}).items()},
        "annotations": dict((obj.get("metadata") or {}).get("annotations") or {}),
        "volume_claim_templates": [_name(t) for t in spec.get("volumeClaimTemplates") or []],
        "file": origin,
        "containers": containers,
        "init_containers": [_security_view(c) for c in pod_spec.get("initContainers") or []],
        "service_account": pod_spec.get("serviceAccountName", "default"),
        "pod_security_context": pod_spec.get("securityContext") or {},
        "host_namespaces": [key for key in ("hostNetwork", "hostPID", "hostIPC") if pod_spec.get(key)],
        "host_path_volumes": [v.get("name", "") for v in pod_spec.get("volumes") or [] if "hostPath" in v],
        "termination_grace_period_seconds": pod_spec.get("terminationGracePeriodSeconds", 30),
        "topology_spread": bool(pod_spec.get("topologySpreadConstraints")),
        "anti_affinity": bool((pod_spec.get("affinity") or {}).get("podAntiAffinity")),
    }


def _container(container: dict[str, Any], namespace: str, pod_meta: dict[str, Any], index: ObjectIndex,
               catalog: dict[str, Any], service_names: set[tuple[str, str]]) -> dict[str, Any]:
    image = str(container.get("image", ""))
    family = (catalog.get("image_families") or {}).get(_image_repository(image))
    defaults = (catalog.get("env_defaults") or {}).get(family) if family else None
    env = effective_env(container, namespace, pod_meta, index, defaults)
    celery = parse_celery(container.get("command"), container.get("args"))
    return {
        **_security_view(container),
        "image": image,
        "ports": [
            {"name": p.get("name", ""), "port": p.get("containerPort"), "protocol": p.get("protocol", "TCP")}
            for p in container.get("ports") or []
        ],
        "env": env.values,
        "env_sources": env.sources,
        "missing_references": env.missing,
        "celery": celery.as_dict() if celery else None,
        "endpoints": _endpoints(env.values, env.sources, catalog.get("addresses") or {}, namespace, service_names),
    }


def _security_view(container: dict[str, Any]) -> dict[str, Any]:
    """What the hardening policies read of any container (init containers included)."""
    return {
        "name": container.get("name", ""),
        "image": str(container.get("image", "")),
        "security_context": container.get("securityContext") or {},
        "resources": container.get("resources") or {},
        "probes": {kind: container[f"{kind}Probe"] for kind in ("readiness", "liveness", "startup")
                   if f"{kind}Probe" in container},
    }


def _image_repository(image: str) -> str:
    """`docker.io/onyxdotapp/onyx-backend:v1.9.0@sha256:…` → `onyxdotapp/onyx-backend`."""
    repository = image.split("@", 1)[0]
    last = repository.rsplit("/", 1)
    if ":" in last[-1]:
        repository = repository.rsplit(":", 1)[0]
    for registry in ("docker.io/", "index.docker.io/"):
        repository = repository.removeprefix(registry)
    return repository.removeprefix("library/")


def _endpoints(env: dict[str, str], sources: dict[str, str], addresses: dict[str, Any], namespace: str,
               service_names: set[tuple[str, str]]) -> dict[str, Any]:
    endpoints = {}
    for name, spec in addresses.items():
        var = spec.get("url_var") or spec.get("host_var")
        value = env.get(var or "")
        if not value:
            continue
        if "url_var" in spec:
            host, port = parse_url(value)
        else:
            host = value
            port = spec.get("port") if "port" in spec else parse_port(env.get(spec.get("port_var", "")))
        address = resolve_host(host, port, namespace, service_names)
        endpoints[name] = {
            "var": var, "value": value, "source": sources.get(var or "", ""),
            "host": address.host, "port": address.port,
            "service": address.service, "service_namespace": address.service_namespace, "pod": address.pod,
        }
    return endpoints


def _service(obj: dict[str, Any], origin: str, workloads: list[dict[str, Any]]) -> dict[str, Any]:
    spec = obj.get("spec") or {}
    selector = spec.get("selector") or {}
    return {
        "name": _name(obj),
        "namespace": _namespace(obj),
        "file": origin,
        "type": spec.get("type", "ClusterIP"),
        "headless": spec.get("clusterIP") == "None",
        "selector": selector,
        "ports": [
            {"name": p.get("name", ""), "port": p.get("port"), "target_port": p.get("targetPort", p.get("port")),
             "protocol": p.get("protocol", "TCP")}
            for p in spec.get("ports") or []
        ],
        "selected_workloads": sorted(w["name"] for w in workloads if service_selects(selector, w["pod_labels"])),
    }


def _autoscaler(obj: dict[str, Any], origin: str) -> dict[str, Any]:
    spec = obj.get("spec") or {}
    target = spec.get("scaleTargetRef") or {}
    if obj.get("kind") == "ScaledObject":
        minimum = spec.get("minReplicaCount", 0)  # KEDA's default: scale to zero when idle
    else:
        minimum = spec.get("minReplicas", 1)
    return {
        "kind": obj.get("kind"),
        "name": _name(obj),
        "namespace": _namespace(obj),
        "file": origin,
        "target_kind": target.get("kind", "Deployment"),
        "target_name": target.get("name", ""),
        "min_replicas": minimum,
        "max_replicas": spec.get("maxReplicas", spec.get("maxReplicaCount")),
    }
