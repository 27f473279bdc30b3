"""What the policies cannot see in the gate's model, checked on the rendered prod overlay and the policy files."""

from __future__ import annotations

import re
from pathlib import Path

from onyx_gate.gate import REPO_ROOT
from onyx_gate.render import render_plain

POLICIES = REPO_ROOT / "policies" / "onyx"


def _prod() -> list[dict]:
    return render_plain(REPO_ROOT / "overlays" / "prod")


def test_external_secret_writes_every_key_the_pods_read():
    """ONYX-PROD-052 pairs Secrets and ExternalSecrets by name only; the keys are checked here."""
    objects = _prod()
    referenced: dict[str, set[str]] = {}
    for obj in objects:
        template = (obj.get("spec") or {}).get("template") or {}
        for container in (template.get("spec") or {}).get("containers") or []:
            for entry in container.get("env") or []:
                ref = (entry.get("valueFrom") or {}).get("secretKeyRef")
                if ref:
                    referenced.setdefault(ref["name"], set()).add(ref["key"])
    externals = {o["metadata"]["name"]: o for o in objects if o["kind"] == "ExternalSecret"}
    assert set(referenced) == {"onyx-secrets"} == set(externals)
    external = externals["onyx-secrets"]
    assert external["spec"]["target"]["name"] == external["metadata"]["name"]
    written = {item["secretKey"] for item in external["spec"]["data"]}
    assert written == referenced["onyx-secrets"] == {
        "postgres_password", "redis_password", "s3_aws_access_key_id", "s3_aws_secret_access_key"}
    assert external["spec"]["secretStoreRef"]["name"], "the store is referenced by name"
    assert not [o for o in objects if o["kind"] in ("SecretStore", "ClusterSecretStore", "Secret")]


def test_hpa_minimum_equals_replicas_and_spares_the_singletons_and_datastores():
    objects = _prod()
    replicas = {o["metadata"]["name"]: o["spec"].get("replicas", 1) for o in objects if o["kind"] == "Deployment"}
    hpas = {o["spec"]["scaleTargetRef"]["name"]: o["spec"] for o in objects if o["kind"] == "HorizontalPodAutoscaler"}
    assert {name: spec["minReplicas"] for name, spec in hpas.items()} == {name: replicas[name] for name in hpas}
    assert not set(hpas) & {"celery-beat", "celery-worker-primary", "redis", "postgres", "vespa", "minio"}


def test_every_pod_but_vespa_is_restricted_v2_in_the_manifest():
    for obj in _prod():
        if obj["kind"] not in ("Deployment", "StatefulSet"):
            continue
        spec = obj["spec"]["template"]["spec"]
        name = obj["metadata"]["name"]
        if name == "vespa":
            assert spec["serviceAccountName"] == "vespa"
            continue
        assert spec["securityContext"] == {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}, name
        assert spec.get("serviceAccountName", "default") == "default", name
        for container in spec["containers"] + spec.get("initContainers", []):
            assert container["securityContext"] == {"allowPrivilegeEscalation": False,
                                                    "capabilities": {"drop": ["ALL"]}}, (name, container["name"])


def test_every_onyx_backend_process_has_writable_log_and_tmp_directories():
    """The Onyx logger opens /var/log/onyx/*.log at import (logger.py:203-231): unwritable, nothing starts."""
    for obj in _prod():
        if obj["kind"] != "Deployment":
            continue
        container = obj["spec"]["template"]["spec"]["containers"][0]
        if not container["image"].startswith(("onyxdotapp/onyx-backend", "onyxdotapp/onyx-model-server")):
            continue
        mounts = {m["mountPath"].rstrip("/") for m in container.get("volumeMounts") or []}
        assert {"/tmp", "/var/log/onyx"} <= mounts, obj["metadata"]["name"]
        env = {e["name"]: e.get("value") for e in container.get("env") or []}
        assert env.get("HOME") == "/tmp", obj["metadata"]["name"]


def _helpers(path: Path) -> set[str]:
    return set(re.findall(r"^(_[A-Za-z0-9_]+)\s*(?:\(|:=|if\b|contains\b)", path.read_text(), re.MULTILINE))


def test_prod_helper_functions_are_unique_across_packages():
    """regopy 1.5.2 mixes up same-named functions of two packages (found with prod_quota's and prod_resources'
    _amount("cpu", …)): every helper *function* of a prod_* package has a name no other package defines."""
    modules = [p for p in POLICIES.rglob("*.rego") if not p.name.endswith("_test.rego")]
    mine = [p for p in modules if p.parent.name.startswith("prod_")]
    functions = {p: set(re.findall(r"^(_[A-Za-z0-9_]+)\(", p.read_text(), re.MULTILINE)) for p in modules}
    for path in mine:
        for other in modules:
            if other != path:
                shared = functions[path] & functions[other]
                assert not shared, f"{path.parent.name} and {other.parent.name} both define {sorted(shared)}"
