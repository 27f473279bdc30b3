"""Hardening mutation cases: pull-request-like changes to the overlays and the ONYX-PROD ids they must trip.

Same shape and helpers as the shared corpus (tests/mutations/corpus.py): each case copies the repository into a
temporary directory, changes it the way a PR would (a patch appended to an overlay, a resource added or
removed, an edited quota …) and names the policy ids the gate must report, or `blocks=()` for a legitimate
production change that must pass with exit 0. Used by test_hardening_mutations.py (embedded engine) and
test_hardening_parity.py (embedded engine vs real OPA).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from ..mutations.corpus import Case, add_resource, both, edit, load, patch

PROD = "overlays/prod"
PROD_KUSTOMIZATION = f"{PROD}/kustomization.yaml"


def json_patch(overlay: str, kind: str, name: str, operations: list[dict[str, Any]]) -> Callable[[Path], None]:
    """Append a JSON 6902 patch with a target, as a PR that removes or replaces one field would."""
    text = json.dumps(operations)
    return edit(f"{overlay}/kustomization.yaml", lambda k: k.setdefault("patches", []).append(
        {"target": {"kind": kind, "name": name}, "patch": text}))


def set_image(tag_or_digest: dict[str, str], name: str = "onyxdotapp/onyx-backend") -> Callable[[Path], None]:
    def change(kustomization: dict) -> None:
        for image in kustomization["images"]:
            if image["name"] == name:
                image.pop("newTag", None)
                image.update(tag_or_digest)

    return edit(PROD_KUSTOMIZATION, change)


def set_replicas(name: str, count: int) -> Callable[[Path], None]:
    def change(kustomization: dict) -> None:
        entries = kustomization.setdefault("replicas", [])
        for entry in entries:
            if entry["name"] == name:
                entry["count"] = count
                return
        entries.append({"name": name, "count": count})

    return edit(PROD_KUSTOMIZATION, change)


def edit_component_file(relative: str, change: Callable[[dict], None]) -> Callable[[Path], None]:
    return edit(relative, change)


def quota(**hard: str) -> Callable[[Path], None]:
    return edit(f"{PROD}/resource-quota.yaml", lambda q: q["spec"]["hard"].update(hard))


def drop_component(component: str) -> Callable[[Path], None]:
    return edit(PROD_KUSTOMIZATION, lambda k: k["components"].remove(f"../../components/{component}"))


def drop_resource(relative: str, entry: str) -> Callable[[Path], None]:
    return edit(relative, lambda k: k["resources"].remove(entry))


def delete_object(overlay: str, api_version: str, kind: str, name: str) -> Callable[[Path], None]:
    """A `$patch: delete`, the way an overlay removes an object a component brings."""
    return patch(overlay, f"apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: {name}\n$patch: delete\n")


def _hpa(name: str, kind: str, minimum: int) -> dict:
    return {
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": name},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": kind, "name": name},
                 "minReplicas": minimum, "maxReplicas": 3,
                 "metrics": [{"type": "Resource", "resource": {"name": "cpu",
                                                                "target": {"type": "Utilization", "averageUtilization": 80}}}]},
    }


def _secret(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}, "type": "Opaque",
            "stringData": {"postgres_password": "changeme", "redis_password": "changeme",
                           "s3_aws_access_key_id": "onyx", "s3_aws_secret_access_key": "changeme123"}}


def _scc_binding(name: str, cluster_role: str, subjects: list[dict]) -> dict:
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": name},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": cluster_role},
            "subjects": subjects}


def _config_patch(**values: str) -> str:
    body = "".join(f"  {key}: {json.dumps(value)}\n" for key, value in values.items())
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: onyx-config\ndata:\n{body}"


def _internal_llm_policy() -> dict:
    return {
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "api-server-internal-llm"},
        "spec": {"podSelector": {"matchLabels": {"app": "api-server"}}, "policyTypes": ["Egress"],
                 "egress": [{"to": [{"ipBlock": {"cidr": "10.20.0.0/16"}}], "ports": [{"protocol": "TCP", "port": 443}]}]},
    }


def _write_digest_pins(repo: Path) -> None:
    kustomization = load(repo, PROD_KUSTOMIZATION)
    for image in kustomization["images"]:
        if image["name"].startswith("onyxdotapp/"):
            image.pop("newTag", None)
            image["digest"] = "sha256:" + "0123456789abcdef" * 4
    (repo / PROD_KUSTOMIZATION).write_text(json.dumps(kustomization))


# --- breakages -----------------------------------------------------------------------------------------------
BREAKAGES = [
    # images
    Case("prod follows the latest backend image", PROD, set_image({"newTag": "latest"}),
         ("ONYX-PROD-001",), "whose tag latest floats"),
    Case("prod adds an untagged debug init container to the api", PROD,
         patch(PROD, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api-server\nspec:\n  template:\n"
                     "    spec:\n      initContainers:\n        - name: wait-for-db\n          image: busybox\n"
                     "          command: [sh, -c, 'until nc -z postgres 5432; do sleep 2; done']\n"),
         ("ONYX-PROD-001", "ONYX-PROD-010", "ONYX-PROD-041"), "without a tag or digest"),
    Case("prod jumps the backend to another Onyx release", PROD, set_image({"newTag": "v1.10.0"}),
         ("ONYX-PROD-002",), "not the v1.9.0 release"),
    # resources
    Case("prod removes redis limits", PROD,
         json_patch(PROD, "Deployment", "redis", [{"op": "remove", "path": "/spec/template/spec/containers/0/resources/limits"}]),
         ("ONYX-PROD-010",), "sets no limits.cpu, limits.memory"),
    Case("prod raises the api memory request above its limit", PROD,
         json_patch(PROD, "Deployment", "api-server", [
             {"op": "replace", "path": "/spec/template/spec/containers/0/resources/requests/memory", "value": "4Gi"}]),
         ("ONYX-PROD-011",), "requests 4Gi memory but limits it to 2Gi"),
    # probes and graceful stop
    Case("prod drops the web liveness probe", PROD,
         json_patch(PROD, "Deployment", "web-server", [{"op": "remove", "path": "/spec/template/spec/containers/0/livenessProbe"}]),
         ("ONYX-PROD-020",), "has no liveness probe"),
    Case("prod probes the api on /healthz", PROD,
         json_patch(PROD, "Deployment", "api-server", [
             {"op": "replace", "path": "/spec/template/spec/containers/0/readinessProbe/httpGet/path", "value": "/healthz"}]),
         ("ONYX-PROD-021",), "checks HTTP GET /healthz on http (8080), not HTTP GET /health on 8080"),
    Case("prod moves Vespa's readiness to the query port", PROD,
         json_patch(PROD, "StatefulSet", "vespa", [
             {"op": "replace", "path": "/spec/template/spec/containers/0/readinessProbe/httpGet/port", "value": "vespa-query"}]),
         ("ONYX-PROD-021",), "not HTTP GET /state/v1/health on 19071"),
    Case("prod copies the primary's probe file into docprocessing", PROD,
         json_patch(PROD, "Deployment", "celery-worker-docprocessing", [
             {"op": "replace", "path": "/spec/template/spec/containers/0/livenessProbe/exec/command/2",
              "value": "python onyx/background/celery/celery_k8s_probe.py --probe liveness "
                       "--filename /tmp/onyx_k8s_primary_liveness.txt"}]),
         ("ONYX-PROD-021",), "kills a healthy worker over and over"),
    Case("prod shortens docfetching's grace period to speed up rollouts", PROD,
         json_patch(PROD, "Deployment", "celery-worker-docfetching", [
             {"op": "replace", "path": "/spec/template/spec/terminationGracePeriodSeconds", "value": 30}]),
         ("ONYX-PROD-022",), "less than the 3600 s it needs"),
    # availability
    Case("prod saves money with one nginx", PROD,
         both(set_replicas("nginx", 1), edit_component_file(
             "components/prod-availability/nginx-horizontal-pod-autoscaler.yaml",
             lambda h: h["spec"].update({"minReplicas": 1}))),
         ("ONYX-PROD-030",), "nginx runs 1 replica(s), fewer than 2"),
    Case("prod deletes the api PodDisruptionBudget", PROD,
         delete_object(PROD, "policy/v1", "PodDisruptionBudget", "api-server"),
         ("ONYX-PROD-031",), "no PodDisruptionBudget selects api-server"),
    Case("prod web PodDisruptionBudget keeps both pods", PROD,
         json_patch(PROD, "PodDisruptionBudget", "web-server", [
             {"op": "remove", "path": "/spec/maxUnavailable"}, {"op": "add", "path": "/spec/minAvailable", "value": 2}]),
         ("ONYX-PROD-031",), "node drains and cluster upgrades hang"),
    Case("prod drops the model server spread", PROD,
         json_patch(PROD, "Deployment", "inference-model-server", [
             {"op": "remove", "path": "/spec/template/spec/topologySpreadConstraints"}]),
         ("ONYX-PROD-032",), "no topology spread constraint or pod anti-affinity"),
    Case("prod deletes the docprocessing HPA", PROD,
         delete_object(PROD, "autoscaling/v2", "HorizontalPodAutoscaler", "celery-worker-docprocessing"),
         ("ONYX-PROD-033",), "no HorizontalPodAutoscaler targets Deployment celery-worker-docprocessing"),
    Case("prod raises api replicas but not its HPA", PROD, set_replicas("api-server", 3),
         ("ONYX-PROD-034",), "has minReplicas 2 but Deployment api-server sets spec.replicas 3"),
    Case("prod autoscales redis", PROD, add_resource(PROD, "redis-hpa.yaml", _hpa("redis", "Deployment", 1)),
         ("ONYX-PROD-035",), "autoscales the datastore Deployment redis"),
    # restricted-v2
    Case("prod runs the api privileged to debug it", PROD,
         json_patch(PROD, "Deployment", "api-server", [
             {"op": "add", "path": "/spec/template/spec/containers/0/securityContext/privileged", "value": True}]),
         ("ONYX-PROD-040", "ONYX-PROD-043"), "container api-server of api-server runs privileged"),
    Case("prod runs the Celery workers as the image's onyx user", PROD,
         json_patch(PROD, "Deployment", "celery-worker-light", [
             {"op": "add", "path": "/spec/template/spec/securityContext/runAsUser", "value": 1001}]),
         ("ONYX-PROD-041",), "sets the fixed UID runAsUser: 1001"),
    Case("prod lets nginx escalate and keep its capabilities", PROD,
         json_patch(PROD, "Deployment", "nginx", [
             {"op": "replace", "path": "/spec/template/spec/containers/0/securityContext",
              "value": {"allowPrivilegeEscalation": True}}]),
         ("ONYX-PROD-041",), "sets allowPrivilegeEscalation: true"),
    Case("prod puts nginx on the host network", PROD,
         json_patch(PROD, "Deployment", "nginx", [{"op": "add", "path": "/spec/template/spec/hostNetwork", "value": True}]),
         ("ONYX-PROD-042",), "nginx sets hostNetwork: true"),
    Case("prod reverts Vespa to the default ServiceAccount", PROD,
         json_patch(PROD, "StatefulSet", "vespa", [{"op": "remove", "path": "/spec/template/spec/serviceAccountName"}]),
         ("ONYX-PROD-043",), "StatefulSet vespa runs a privileged container under the default ServiceAccount"),
    Case("prod drops the Vespa SCC binding", PROD,
         delete_object(PROD, "rbac.authorization.k8s.io/v1", "RoleBinding", "vespa-scc-privileged"),
         ("ONYX-PROD-043",), "which no RoleBinding lets use SCC privileged"),
    Case("prod grants anyuid to every ServiceAccount of the namespace", PROD,
         add_resource(PROD, "anyuid.yaml", _scc_binding("anyuid-all", "system:openshift:scc:anyuid",
                                                        [{"kind": "Group", "name": "system:serviceaccounts:onyx-prod"}])),
         ("ONYX-PROD-044",), "grants SCC anyuid to Group system:serviceaccounts:onyx-prod"),
    # secrets
    Case("prod commits onyx-secrets to get pods running", PROD, add_resource(PROD, "secret.yaml", _secret("onyx-secrets")),
         ("ONYX-PROD-050",), "Secret onyx-secrets carries data or stringData"),
    Case("minimal commits onyx-secrets too (every profile)", "overlays/minimal",
         add_resource("overlays/minimal", "secret.yaml", _secret("onyx-secrets")),
         ("ONYX-PROD-050",), "every reader of the repository"),
    Case("prod puts the LLM key into onyx-config", PROD,
         patch(PROD, _config_patch(GEN_AI_API_KEY="sk-live-0123456789abcdefghijklmnop")),
         ("ONYX-PROD-051",), "key GEN_AI_API_KEY holds a value under a credential name (KEY)"),
    Case("full writes a database URL with its password (every profile)", "overlays/full",
         patch("overlays/full", _config_patch(DATABASE_URL="postgresql://postgres:hunter2@postgres:5432/postgres")),
         ("ONYX-PROD-051",), "that looks like a credential"),
    Case("prod drops the ExternalSecret", PROD, drop_component("prod-external-secrets"),
         ("ONYX-PROD-052",), "reads Secret onyx-secrets (keys postgres_password"),
    Case("prod loads LLM keys from a hand-made Secret", PROD,
         json_patch(PROD, "Deployment", "api-server", [
             {"op": "add", "path": "/spec/template/spec/containers/0/envFrom/-",
              "value": {"secretRef": {"name": "onyx-llm-keys"}}}]),
         ("ONYX-PROD-052",), "reads Secret onyx-llm-keys — nothing in the overlay writes it"),
    # data retention
    Case("prod loses MinIO's prune protection", PROD,
         json_patch(PROD, "StatefulSet", "minio", [
             {"op": "remove", "path": "/metadata/annotations/argocd.argoproj.io~1sync-options"}]),
         ("ONYX-PROD-060",), "StatefulSet minio lacks Prune=false"),
    Case("minimal keeps Prune=false only (every profile)", "overlays/minimal",
         json_patch("overlays/minimal", "StatefulSet", "postgres", [
             {"op": "replace", "path": "/metadata/annotations/argocd.argoproj.io~1sync-options", "value": "Prune=false"}]),
         ("ONYX-PROD-060",), "lacks Delete=false"),
    Case("prod removes Vespa from the overlay", PROD, delete_object(PROD, "apps/v1", "StatefulSet", "vespa"),
         ("ONYX-PROD-061",), "StatefulSet vespa is not rendered, and Argo CD Application onyx-prod auto-syncs with prune"),
    Case("prod swaps MinIO's volume for an emptyDir", PROD,
         json_patch(PROD, "StatefulSet", "minio", [
             {"op": "remove", "path": "/spec/volumeClaimTemplates"},
             {"op": "add", "path": "/spec/template/spec/volumes", "value": [{"name": "data", "emptyDir": {}}]}]),
         ("ONYX-PROD-061",), "has no volumeClaimTemplate data"),
    # quota
    Case("prod drops the ResourceQuota", PROD, drop_resource(PROD_KUSTOMIZATION, "resource-quota.yaml"),
         ("ONYX-PROD-070",), "renders no ResourceQuota"),
    Case("prod quota below the minimum footprint", PROD, quota(**{"requests.cpu": "20"}),
         ("ONYX-PROD-071",), "total 26100m of requests.cpu, more than ResourceQuota onyx-prod allows (requests.cpu: 20)"),
    Case("prod quota without rollout headroom", PROD, quota(**{"limits.memory": "200Gi"}),
         ("ONYX-PROD-072",), "fits the 197888Mi of limits.memory at minimum replicas but not the rollout surge"),
    # the NetworkPolicies are judged by ONYX-NETPOL-001 (catalog edges)
    Case("prod deletes the MinIO ingress allow", PROD,
         delete_object(PROD, "networking.k8s.io/v1", "NetworkPolicy", "minio-ingress"),
         ("ONYX-NETPOL-001",), "ingress of minio does not allow TCP 9000"),
    Case("prod drops DNS from the allow list", PROD,
         delete_object(PROD, "networking.k8s.io/v1", "NetworkPolicy", "allow-dns"),
         ("ONYX-NETPOL-001",), "does not allow DNS"),
]

# --- legitimate production changes ----------------------------------------------------------------------------
LEGITIMATE = [
    Case("prod pins the Onyx images by digest", PROD, _write_digest_pins),
    Case("prod raises the api floor to 3 with its HPA and the quota", PROD,
         both(set_replicas("api-server", 3),
              edit_component_file("components/prod-availability/api-server-horizontal-pod-autoscaler.yaml",
                                  lambda h: h["spec"].update({"minReplicas": 3, "maxReplicas": 6})),
              quota(**{"limits.cpu": "96", "limits.memory": "312Gi"}))),
    Case("prod gives docfetching two hours to finish long connector runs", PROD,
         json_patch(PROD, "Deployment", "celery-worker-docfetching", [
             {"op": "replace", "path": "/spec/template/spec/terminationGracePeriodSeconds", "value": 7200}])),
    Case("prod lets the api reach an internal LLM gateway", PROD,
         add_resource(PROD, "internal-llm-network-policy.yaml", _internal_llm_policy())),
    Case("prod nginx PodDisruptionBudget in percent", PROD,
         json_patch(PROD, "PodDisruptionBudget", "nginx", [
             {"op": "replace", "path": "/spec/maxUnavailable", "value": "50%"}])),
    Case("prod reads its credentials from another store", PROD,
         edit_component_file("components/prod-external-secrets/onyx-secrets-external-secret.yaml",
                             lambda e: e["spec"]["secretStoreRef"].update({"name": "vault-onyx", "kind": "SecretStore"}))),
    Case("prod sets the public domain in onyx-config", PROD,
         patch(PROD, _config_patch(WEB_DOMAIN="https://onyx.example.com"))),
    Case("full keeps following latest (prod-only rule)", "overlays/full",
         edit("overlays/full/kustomization.yaml", lambda k: k.setdefault("images", []).append(
             {"name": "onyxdotapp/onyx-web-server", "newTag": "latest"}))),
]

CASES = BREAKAGES + LEGITIMATE
