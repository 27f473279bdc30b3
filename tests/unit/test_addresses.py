import pytest

from onyx_gate.addresses import parse_port, parse_url, resolve_host

SERVICES = {("onyx", "vespa"), ("onyx", "api-server")}


@pytest.mark.parametrize(("host", "service", "namespace", "pod"), [
    ("api-server", "api-server", "onyx", None),
    ("api-server.other", "api-server", "other", None),
    ("api-server.other.svc", "api-server", "other", None),
    ("api-server.other.svc.cluster.local", "api-server", "other", None),
    ("API-Server.onyx.svc.cluster.local.", "api-server", "onyx", None),
    ("vespa-0.vespa", "vespa", "onyx", "vespa-0"),
    ("da-vespa-0.vespa-service.onyx.svc.cluster.local", "vespa-service", "onyx", "da-vespa-0"),
    ("localhost", None, None, None),
    ("127.0.0.1", None, None, None),
    ("db.example.com", None, None, None),
])
def test_host_forms_resolve_to_service_and_namespace(host, service, namespace, pod):
    address = resolve_host(host, 9000, "onyx", SERVICES)
    assert (address.service, address.service_namespace, address.pod) == (service, namespace, pod)


@pytest.mark.parametrize(("url", "host", "port"), [
    ("http://minio:9000", "minio", 9000),
    ("http://api-server", "api-server", 80),
    ("https://s3.example.com/bucket", "s3.example.com", 443),
    ("minio:9000", "minio", 9000),
    ("http://minio:notaport", "minio", 80),
])
def test_urls_yield_host_and_effective_port(url, host, port):
    assert parse_url(url) == (host, port)


@pytest.mark.parametrize(("value", "port"), [("9000", 9000), (" 80 ", 80), ("", None), ("x", None), ("70000", None)])
def test_ports_are_validated(value, port):
    assert parse_port(value) == port
