"""Turns a host or URL from an env var into the Service and namespace that Kubernetes DNS resolves it to.

Forms (a pod's resolv.conf searches `<ns>.svc.<domain>`, `svc.<domain>`, `<domain>`):
`svc` (the pod's namespace), `svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local`, and a StatefulSet pod
`pod.svc`, `pod.svc.ns.svc[.cluster.local]`. localhost, IP addresses and names that are not cluster DNS
names resolve to no Service (service = None).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443, "redis": 6379, "rediss": 6379, "postgresql": 5432, "postgres": 5432}


@dataclass(frozen=True)
class Address:
    host: str
    port: int | None
    service: str | None
    service_namespace: str | None
    pod: str | None = None


def parse_url(value: str) -> tuple[str, int | None]:
    """Host and port of a URL; the scheme's default port when none is given."""
    parts = urlsplit(value if "://" in value else f"http://{value}")
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = _DEFAULT_PORTS.get(parts.scheme.lower())
    return (parts.hostname or ""), port


def parse_port(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        port = int(str(value).strip())
    except ValueError:
        return None
    return port if 0 < port < 65536 else None


def resolve_host(host: str, port: int | None, pod_namespace: str, service_names: set[tuple[str, str]]) -> Address:
    """`service_names` holds (namespace, name) of rendered Services, to tell `pod.svc` from `svc.ns`."""
    host = host.strip().rstrip(".").lower()
    if not host or host == "localhost" or _is_ip(host):
        return Address(host, port, None, None)
    labels = host.split(".")
    if "svc" in labels:
        at = labels.index("svc")
        if at == 2:
            return Address(host, port, labels[0], labels[1])
        if at == 3:
            return Address(host, port, labels[1], labels[2], pod=labels[0])
        return Address(host, port, None, None)
    if len(labels) == 1:
        return Address(host, port, labels[0], pod_namespace)
    if len(labels) == 2:
        if (pod_namespace, labels[1]) in service_names and (labels[1], labels[0]) not in service_names:
            return Address(host, port, labels[1], pod_namespace, pod=labels[0])
        return Address(host, port, labels[0], labels[1])
    return Address(host, port, None, None)  # an external DNS name


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
