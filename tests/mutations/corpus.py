"""The mutation corpus: realistic pull-request changes to the real overlays, and what the gate must say.

Each case copies the repository into a temporary directory, changes it the way a pull request would (a patch
appended to an overlay, an edited ConfigMap, a deleted Application …) and names the policy ids the gate must
report (`blocks`) — or, for a legitimate change, that it must pass (`blocks=()`). Used by test_mutations.py
(embedded engine) and by the parity suite (embedded engine vs real OPA).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
COPIED = ("base", "components", "overlays", "argocd", "policies", "schemas")


@dataclass(frozen=True)
class Case:
    name: str
    overlay: str
    mutate: Callable[[Path], None]
    blocks: tuple[str, ...] = ()  # policy ids that must be reported; () = must pass with exit 0
    says: str = ""  # a phrase the blocking finding's message must contain


def judge(case: "Case", tmp_path: Path):
    """Run the real gate on a copy of the repository changed as `case` says: (result, overlay, failing)."""
    from onyx_gate.gate import run_gate

    repo = copy_repo(tmp_path)
    case.mutate(repo)
    result = run_gate([case.overlay], repo_root=repo, cwd=repo)
    [overlay] = result.overlays
    assert overlay.error is None, f"gate failed instead of judging: {overlay.error}"
    failing = overlay.failing + [f for f in result.repository if not f.waived]
    return result, overlay, failing


def copy_repo(target: Path) -> Path:
    for name in COPIED:
        if (REPO_ROOT / name).exists():
            shutil.copytree(REPO_ROOT / name, target / name, symlinks=True)
    return target


def load(repo: Path, relative: str) -> dict:
    return yaml.safe_load((repo / relative).read_text())


def dump(repo: Path, relative: str, document: dict) -> None:
    (repo / relative).parent.mkdir(parents=True, exist_ok=True)
    (repo / relative).write_text(yaml.safe_dump(document, sort_keys=False))


def edit(relative: str, change: Callable[[dict], None]) -> Callable[[Path], None]:
    def apply(repo: Path) -> None:
        document = load(repo, relative)
        change(document)
        dump(repo, relative, document)

    return apply


def patch(overlay: str, text: str) -> Callable[[Path], None]:
    """Append an inline patch to an overlay, the way most PRs change an environment."""
    return edit(f"{overlay}/kustomization.yaml", lambda k: k.setdefault("patches", []).append({"patch": text}))


def add_resource(overlay: str, filename: str, document: dict) -> Callable[[Path], None]:
    def apply(repo: Path) -> None:
        dump(repo, f"{overlay}/{filename}", document)
        edit(f"{overlay}/kustomization.yaml", lambda k: k.setdefault("resources", []).append(filename))(repo)

    return apply


def config(overlay: str, **values: str) -> Callable[[Path], None]:
    body = "\n".join(f"  {key}: {value!r}" if value != "" else f"  {key}: ''" for key, value in values.items())
    return patch(overlay, f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: onyx-config\ndata:\n{body}\n")


def replicas(overlay: str, name: str, count: int) -> Callable[[Path], None]:
    return edit(f"{overlay}/kustomization.yaml", lambda k: _set_replicas(k, name, count))


def _set_replicas(kustomization: dict, name: str, count: int) -> None:
    entries = [r for r in kustomization.setdefault("replicas", []) if r["name"] != name]
    kustomization["replicas"] = [*entries, {"name": name, "count": count}]


def command(overlay: str, deployment: str, argv: list[str]) -> Callable[[Path], None]:
    items = "".join(f"\n            - {arg!r}" for arg in argv)
    return patch(overlay, f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {deployment}
spec:
  template:
    spec:
      containers:
        - name: {deployment}
          command:{items}
""")


def delete_workload(overlay: str, kind: str, name: str) -> Callable[[Path], None]:
    return patch(overlay, f"$patch: delete\napiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: {name}\n")


def swap_components(overlay: str, old: str, new: list[str]) -> Callable[[Path], None]:
    def change(kustomization: dict) -> None:
        components = kustomization["components"]
        index = components.index(old)
        kustomization["components"] = components[:index] + new + components[index + 1:]

    return edit(f"{overlay}/kustomization.yaml", change)


def both(*steps: Callable[[Path], None]) -> Callable[[Path], None]:
    def apply(repo: Path) -> None:
        for step in steps:
            step(repo)

    return apply


def service_patch(overlay: str, name: str, body: str) -> Callable[[Path], None]:
    return patch(overlay, f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n{body}")


def application(name: str, change: Callable[[dict], None]) -> Callable[[Path], None]:
    return edit(f"argocd/applications/{name}-application.yaml", change)


def _hpa(target: str) -> dict:
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": target},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target},
                     "minReplicas": 1, "maxReplicas": 3,
                     "metrics": [{"type": "Resource", "resource": {"name": "cpu",
                                                                    "target": {"type": "Utilization",
                                                                               "averageUtilization": 80}}}]}}


def _scaled_object(target: str) -> dict:
    return {"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject", "metadata": {"name": target},
            "spec": {"scaleTargetRef": {"name": target}, "minReplicaCount": 1, "maxReplicaCount": 2,
                     "triggers": [{"type": "cpu", "metricType": "Utilization", "metadata": {"value": "80"}}]}}


def _network_policy(name: str, spec: dict) -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": name}, "spec": spec}


_DEFAULT_DENY = _network_policy("default-deny", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})
_DNS_ONLY = _network_policy("allow-dns", {
    "podSelector": {}, "policyTypes": ["Egress"],
    "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}],
                "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}]})
_ALLOW_INTRA_NAMESPACE = _network_policy("allow-same-namespace", {
    "podSelector": {}, "policyTypes": ["Ingress", "Egress"],
    "ingress": [{"from": [{"podSelector": {}}]}],
    "egress": [{"to": [{"podSelector": {}}]},
               {"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}],
                "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]},
               {"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "openshift-dns"}}}],
                "ports": [{"port": 5353, "protocol": "UDP"}, {"port": 5353, "protocol": "TCP"}]}]})
_REDIS_INGRESS_WRONG_PORT = _network_policy("redis-ingress", {
    "podSelector": {"matchLabels": {"app": "redis"}}, "policyTypes": ["Ingress"],
    "ingress": [{"from": [{"podSelector": {}}], "ports": [{"port": 6380}]}]})

FQDN = "svc.cluster.local"

CASES: list[Case] = [
    # --- ONYX-WORKLOAD-001/002: required workloads per profile ----------------------------------------
    Case("prod deletes the monitoring and KG workers to save money", "overlays/prod",
         both(delete_workload("overlays/prod", "Deployment", "celery-worker-monitoring"),
              delete_workload("overlays/prod", "Deployment", "celery-worker-kg-processing")),
         ("ONYX-WORKLOAD-001", "ONYX-QUEUE-001"), says="kg_processing"),
    Case("minimal becomes the proposed beat + primary + docprocessing set", "overlays/minimal",
         both(swap_components("overlays/minimal", "../../components/indexing-workers", []),
              edit("overlays/minimal/kustomization.yaml", lambda k: k.setdefault("resources", []).extend(
                  ["../../base/celery-beat", "../../base/celery-worker-primary",
                   "../../base/celery-worker-docprocessing"]))),
         ("ONYX-WORKLOAD-001", "ONYX-QUEUE-001"), says="docprocessing"),
    Case("full deletes the indexing model server", "overlays/full",
         delete_workload("overlays/full", "Deployment", "indexing-model-server"), ("ONYX-WORKLOAD-001",)),
    Case("prod scales docprocessing to zero", "overlays/prod",
         replicas("overlays/prod", "celery-worker-docprocessing", 0), ("ONYX-WORKLOAD-002", "ONYX-QUEUE-001")),
    Case("minimal scales the web server to zero", "overlays/minimal",
         replicas("overlays/minimal", "web-server", 0), ("ONYX-WORKLOAD-002",)),
    # --- ONYX-QUEUE-001: queue coverage from parsed -Q lists ------------------------------------------
    Case("prod light worker -Q typo", "overlays/prod",
         command("overlays/prod", "celery-worker-light", [
             "celery", "-A", "onyx.background.celery.versioned_apps.light", "worker", "--loglevel=INFO",
             "--hostname=light@%n", "-Q",
             "vespa_metadata_synch,connector_deletion,doc_permissions_upsert,checkpoint_cleanup,index_attempt_cleanup"]),
         ("ONYX-QUEUE-001",), says="vespa_metadata_sync"),
    Case("prod docprocessing consumes a renamed queue", "overlays/prod",
         command("overlays/prod", "celery-worker-docprocessing", [
             "celery", "-A", "onyx.background.celery.versioned_apps.docprocessing", "worker",
             "--hostname=docprocessing@%n", "--queues=doc_processing"]),
         ("ONYX-QUEUE-001",), says="docprocessing"),
    Case("minimal docfetching stops consuming user_files_indexing", "overlays/minimal",
         command("overlays/minimal", "celery-worker-docfetching", [
             "celery", "-A", "onyx.background.celery.versioned_apps.docfetching", "worker",
             "--hostname=docfetching@%n", "-Q", "connector_doc_fetching"]),
         ("ONYX-QUEUE-001",), says="user_files_indexing"),
    Case("prod moves docfetching's queue to primary, whose app does not register the task", "overlays/prod",
         both(delete_workload("overlays/prod", "Deployment", "celery-worker-docfetching"),
              edit("overlays/prod/kustomization.yaml", lambda k: k.update(replicas=[
                  r for r in k["replicas"] if r["name"] != "celery-worker-docfetching"])),
              command("overlays/prod", "celery-worker-primary", [
                  "celery", "-A", "onyx.background.celery.versioned_apps.primary", "worker",
                  "--hostname=primary@%n", "-Q", "celery,periodic_tasks,connector_doc_fetching"])),
         ("ONYX-QUEUE-001",), says="connector_doc_fetching"),
    Case("prod wraps the heavy worker in sh -c and drops a queue", "overlays/prod",
         command("overlays/prod", "celery-worker-heavy", [
             "/bin/sh", "-c", "exec celery -A onyx.background.celery.versioned_apps.heavy worker "
             "--hostname=heavy@%n -Q connector_doc_permissions_sync,connector_external_group_sync,csv_generation"]),
         ("ONYX-QUEUE-001",), says="connector_pruning"),
    # --- ONYX-PRIMARY-001 -------------------------------------------------------------------------------
    Case("full deletes the primary worker", "overlays/full",
         delete_workload("overlays/full", "Deployment", "celery-worker-primary"), ("ONYX-PRIMARY-001",)),
    Case("prod scales primary to zero", "overlays/prod",
         replicas("overlays/prod", "celery-worker-primary", 0), ("ONYX-PRIMARY-001",)),
    Case("prod primary runs the light app by mistake", "overlays/prod",
         command("overlays/prod", "celery-worker-primary", [
             "celery", "-A", "onyx.background.celery.versioned_apps.light", "worker", "--hostname=primary@%n",
             "-Q", "celery,periodic_tasks"]),
         ("ONYX-PRIMARY-001",)),
    # --- ONYX-SINGLETON-001/002/003 -------------------------------------------------------------------
    Case("prod runs two beats", "overlays/prod", replicas("overlays/prod", "celery-beat", 2), ("ONYX-SINGLETON-001",)),
    Case("full runs two primaries", "overlays/full",
         replicas("overlays/full", "celery-worker-primary", 2), ("ONYX-SINGLETON-001",)),
    Case("prod gives primary a rolling update", "overlays/prod",
         patch("overlays/prod", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: celery-worker-primary\n"
                                "spec:\n  strategy:\n    $retainKeys: [type]\n    type: RollingUpdate\n"),
         ("ONYX-SINGLETON-002",)),
    Case("prod autoscales the primary worker", "overlays/prod",
         add_resource("overlays/prod", "primary-hpa.yaml", _hpa("celery-worker-primary")), ("ONYX-SINGLETON-003",)),
    Case("prod puts beat under KEDA", "overlays/prod",
         add_resource("overlays/prod", "beat-scaled-object.yaml", _scaled_object("celery-beat")),
         ("ONYX-SINGLETON-003",)),
    # --- ONYX-WIRING-001: model servers --------------------------------------------------------------
    Case("prod points the api at the indexing model server", "overlays/prod",
         config("overlays/prod", MODEL_SERVER_HOST="indexing-model-server"), ("ONYX-WIRING-001",),
         says="indexing-model-server"),
    Case("prod drops INDEXING_MODEL_SERVER_HOST, so docprocessing falls back to the inference server",
         "overlays/prod",
         edit("base/config/config-map.yaml", lambda cm: cm["data"].pop("INDEXING_MODEL_SERVER_HOST")),
         ("ONYX-WIRING-001",), says="inference-model-server"),
    Case("prod sets a model server port nobody listens on", "overlays/prod",
         config("overlays/prod", MODEL_SERVER_PORT="9001"), ("ONYX-WIRING-001",)),
    Case("prod indexing model server Service targets a port the pod does not serve", "overlays/prod",
         edit("overlays/prod/kustomization.yaml", lambda k: k.setdefault("patches", []).append({
             "target": {"kind": "Service", "name": "indexing-model-server"},
             "patch": "- op: replace\n  path: /spec/ports/0/targetPort\n  value: 9001\n"})),
         ("ONYX-WIRING-001",)),
    Case("prod api-server overrides MODEL_SERVER_HOST with localhost", "overlays/prod",
         patch("overlays/prod", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api-server\nspec:\n"
                                "  template:\n    spec:\n      containers:\n        - name: api-server\n"
                                "          env:\n            - name: MODEL_SERVER_HOST\n              value: localhost\n"),
         ("ONYX-WIRING-001",), says="localhost"),
    # --- ONYX-WIRING-002: backing services ------------------------------------------------------------
    Case("prod renames the Redis host to the Helm chart's", "overlays/prod",
         config("overlays/prod", REDIS_HOST="onyx-redis-master"), ("ONYX-WIRING-002",)),
    Case("prod moves Postgres to a port it does not listen on", "overlays/prod",
         config("overlays/prod", POSTGRES_PORT="5433"), ("ONYX-WIRING-002",)),
    Case("prod points Vespa at another environment's namespace", "overlays/prod",
         config("overlays/prod", VESPA_HOST=f"vespa.onyx-full.{FQDN}"), ("ONYX-WIRING-002",)),
    Case("prod web server calls the api on the web port", "overlays/prod",
         config("overlays/prod", INTERNAL_URL="http://api-server:3000"), ("ONYX-WIRING-002",)),
    Case("full points S3 at a host that is not in the cluster", "overlays/full",
         config("overlays/full", S3_ENDPOINT_URL="http://localhost:9000"), ("ONYX-WIRING-002",)),
    # --- ONYX-SERVICE-001 --------------------------------------------------------------------------------
    Case("prod api Service selects on the shared part-of label", "overlays/prod",
         service_patch("overlays/prod", "api-server",
                       "  selector:\n    app: null\n    app.kubernetes.io/part-of: onyx\n"),
         ("ONYX-SERVICE-001",)),
    Case("prod redis Service selector typo", "overlays/prod",
         service_patch("overlays/prod", "redis", "  selector:\n    app: rediss\n"), ("ONYX-SERVICE-001",)),
    Case("full adds a Service over every Celery pod", "overlays/full",
         add_resource("overlays/full", "celery-service.yaml", {
             "apiVersion": "v1", "kind": "Service", "metadata": {"name": "celery"},
             "spec": {"selector": {"scope": "onyx-backend-celery"}, "ports": [{"port": 80}]}}),
         ("ONYX-SERVICE-001",)),
    # --- ONYX-NETPOL-001 ----------------------------------------------------------------------------------
    Case("full adds a default-deny NetworkPolicy and nothing else", "overlays/full",
         add_resource("overlays/full", "network-policy.yaml", _DEFAULT_DENY), ("ONYX-NETPOL-001",)),
    Case("full allows only DNS after default deny", "overlays/full",
         both(add_resource("overlays/full", "default-deny.yaml", _DEFAULT_DENY),
              add_resource("overlays/full", "allow-dns.yaml", _DNS_ONLY)), ("ONYX-NETPOL-001",)),
    Case("full opens Redis ingress on the wrong port", "overlays/full",
         add_resource("overlays/full", "redis-network-policy.yaml", _REDIS_INGRESS_WRONG_PORT),
         ("ONYX-NETPOL-001",), says="redis"),
    Case("prod keeps only the Kubernetes DNS rule", "overlays/prod",
         edit("components/prod-network-policies/allow-dns-network-policy.yaml",
              lambda np: np["spec"].update(egress=np["spec"]["egress"][:1])),
         ("ONYX-NETPOL-001",), says="namespace openshift-dns"),
    # --- ONYX-ARGOCD-00x ----------------------------------------------------------------------------------
    Case("prod Application deploys the full overlay", "overlays/prod",
         application("prod", lambda a: a["spec"]["source"].update(path="overlays/full")),
         ("ONYX-ARGOCD-001",)),
    Case("full Application deleted", "overlays/full",
         both(lambda repo: (repo / "argocd/applications/full-application.yaml").unlink(),
              edit("argocd/kustomization.yaml", lambda k: k["resources"].remove("applications/full-application.yaml"))),
         ("ONYX-ARGOCD-001",)),
    Case("prod Application targets a namespace the AppProject does not allow", "overlays/prod",
         application("prod", lambda a: a["spec"]["destination"].update(namespace="onyx-production")),
         ("ONYX-ARGOCD-004",)),
    Case("prod Application loses automated sync", "overlays/prod",
         application("prod", lambda a: a["spec"]["syncPolicy"].pop("automated")), ("ONYX-ARGOCD-005",)),
    Case("prod Application labelled with the minimal profile", "overlays/prod",
         application("prod", lambda a: a["metadata"]["labels"].update({"onyx-gitops/profile": "minimal"})),
         ("ONYX-ARGOCD-002",)),
    Case("prod Application stops ignoring autoscaled replicas", "overlays/prod",
         application("prod", lambda a: a["spec"].pop("ignoreDifferences")), ("ONYX-ARGOCD-006",),
         says="no /spec/replicas entry"),
    Case("prod Application drops RespectIgnoreDifferences", "overlays/prod",
         application("prod", lambda a: a["spec"]["syncPolicy"]["syncOptions"].remove("RespectIgnoreDifferences=true")),
         ("ONYX-ARGOCD-006",), says="RespectIgnoreDifferences"),
    Case("prod autoscales the monitoring worker without telling Argo CD", "overlays/prod",
         add_resource("overlays/prod", "monitoring-hpa.yaml", _hpa("celery-worker-monitoring")),
         ("ONYX-ARGOCD-006",), says="celery-worker-monitoring"),
    # --- ONYX-OVERLAY-001 ----------------------------------------------------------------------------------
    Case("an unregistered copy of prod", "overlays/prod-eu",
         lambda repo: shutil.copytree(repo / "overlays/prod", repo / "overlays/prod-eu"), ("ONYX-OVERLAY-001",)),
    Case("an unregistered trimmed overlay", "overlays/lite",
         both(lambda repo: shutil.copytree(repo / "overlays/minimal", repo / "overlays/lite"),
              edit("overlays/lite/kustomization.yaml", lambda k: k.update(namespace="onyx-lite"))),
         ("ONYX-OVERLAY-001",)),
    # --- Schema and render ---------------------------------------------------------------------------------
    Case("prod replicas written as a word", "overlays/prod",
         patch("overlays/prod", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: celery-worker-monitoring\n"
                                "spec:\n  replicas: two\n"), ("ONYX-SCHEMA-001",)),
    Case("prod container field typo", "overlays/prod",
         patch("overlays/prod", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api-server\nspec:\n"
                                "  template:\n    spec:\n      containers:\n        - name: api-server\n"
                                "          imagePullPolice: Always\n"), ("ONYX-SCHEMA-001",)),
    Case("prod Application selfHeal typo", "overlays/prod",
         application("prod", lambda a: a["spec"]["syncPolicy"]["automated"].update(selfheal=True)),
         ("ONYX-SCHEMA-001",)),
    Case("prod patch targets a Deployment that does not exist", "overlays/prod",
         patch("overlays/prod", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: celery-worker-indexing\n"
                                "spec:\n  replicas: 2\n"), ("ONYX-RENDER-001",)),
    # --- Legitimate changes: must pass --------------------------------------------------------------------
    Case("prod lets the light worker scale further", "overlays/prod",
         patch("overlays/prod", "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n"
                                "  name: celery-worker-light\nspec:\n  maxReplicas: 6\n")),
    Case("full scales stateless workers", "overlays/full",
         both(replicas("overlays/full", "celery-worker-light", 4),
              replicas("overlays/full", "celery-worker-docprocessing", 3))),
    Case("prod uses fully qualified service hosts", "overlays/prod",
         config("overlays/prod", MODEL_SERVER_HOST=f"inference-model-server.onyx-prod.{FQDN}",
                INDEXING_MODEL_SERVER_HOST="indexing-model-server.onyx-prod.svc",
                REDIS_HOST="redis.onyx-prod", POSTGRES_HOST=f"postgres.onyx-prod.{FQDN}",
                VESPA_HOST=f"vespa.onyx-prod.{FQDN}", S3_ENDPOINT_URL=f"http://minio.onyx-prod.{FQDN}:9000",
                INTERNAL_URL="http://api-server.onyx-prod.svc:8080")),
    Case("prod adds a team label", "overlays/prod",
         edit("overlays/prod/kustomization.yaml", lambda k: k["labels"].append(
             {"pairs": {"team": "search"}, "includeSelectors": False}))),
    Case("prod annotates docprocessing pods for the log shipper", "overlays/prod",
         patch("overlays/prod", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: celery-worker-docprocessing\n"
                                "spec:\n  template:\n    metadata:\n      annotations:\n"
                                "        fluentbit.io/parser: json\n")),
    Case("prod adds an unrelated ConfigMap", "overlays/prod",
         add_resource("overlays/prod", "feature-flags-config-map.yaml", {
             "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "feature-flags"},
             "data": {"SEARCH_BANNER": "maintenance on Sunday"}})),
    Case("full primary drops the producer-less periodic_tasks queue", "overlays/full",
         command("overlays/full", "celery-worker-primary", [
             "celery", "-A", "onyx.background.celery.versioned_apps.primary", "worker", "--loglevel=INFO",
             "--hostname=primary@%n", "-Q", "celery"])),
    Case("full docfetching leaves user files to the user-files-indexing worker", "overlays/full",
         command("overlays/full", "celery-worker-docfetching", [
             "celery", "-A", "onyx.background.celery.versioned_apps.docfetching", "worker",
             "--hostname=docfetching@%n", "-Q", "connector_doc_fetching"])),
    Case("full adds NetworkPolicies that allow the namespace and DNS", "overlays/full",
         both(add_resource("overlays/full", "default-deny.yaml", _DEFAULT_DENY),
              add_resource("overlays/full", "allow-same-namespace.yaml", _ALLOW_INTRA_NAMESPACE))),
]
