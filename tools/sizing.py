#!/usr/bin/env python3
"""`python tools/sizing.py [OVERLAY…]`: CPU and memory requests and limits per overlay and component group.

Reuses the gate: onyx_gate.render.cached_render renders each overlay exactly as the gate does (pykustomize,
what Argo CD applies) and onyx_gate.model.build_model normalizes it (replicas, resources, autoscalers); nothing
here renders or parses manifests itself.

Per workload: pod = max(sum of its containers, largest init container) (Kubernetes' effective pod request);
× replicas, where an HPA's minReplicas replaces spec.replicas when an autoscaler targets the workload.
Groups come from the label app.kubernetes.io/component (proxy/server → servers, model-server, datastore,
celery-beat/celery-worker → celery). The rollout surge is what a rollout of every Deployment at once adds
(Deployment maxSurge default 25 %, rounded up; all old pods of a Deployment whose grace period is at least
data.hardening.quota.lingering_grace_seconds), the same rule as policy ONYX-PROD-072.

Exit codes: 0 report written, 2 usage or input error, 3 internal error.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))

from onyx_gate.argocd import load_argocd  # noqa: E402
from onyx_gate.errors import EXIT_INPUT, EXIT_INTERNAL, GateError  # noqa: E402
from onyx_gate.gate import REPO_ROOT, resolve_overlay  # noqa: E402
from onyx_gate.model import build_model  # noqa: E402
from onyx_gate.policy_data import load_policy_data  # noqa: E402
from onyx_gate.render import cached_render  # noqa: E402
from onyx_gate.screen import screen_overlay  # noqa: E402

GROUPS = ("servers", "model servers", "datastores", "celery")
_GROUP_OF_COMPONENT = {
    "proxy": "servers", "server": "servers", "model-server": "model servers", "datastore": "datastores",
    "celery-beat": "celery", "celery-worker": "celery",
}
_QUANTITY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$")
_SUFFIX = {
    "": Decimal(1), "m": Decimal("0.001"), "k": Decimal(10) ** 3, "M": Decimal(10) ** 6, "G": Decimal(10) ** 9,
    "T": Decimal(10) ** 12, "P": Decimal(10) ** 15, "E": Decimal(10) ** 18,
    "Ki": Decimal(2) ** 10, "Mi": Decimal(2) ** 20, "Gi": Decimal(2) ** 30, "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50, "Ei": Decimal(2) ** 60,
}
RESOURCES = ("requests.cpu", "limits.cpu", "requests.memory", "limits.memory")


def quantity(value: Any) -> Decimal:
    """A Kubernetes quantity ("500m", "8Gi", 2, "1e3") as a Decimal of cores or bytes."""
    match = _QUANTITY.match(str(value).strip())
    if match is None or match.group(2) not in _SUFFIX:
        raise ValueError(f"not a Kubernetes quantity: {value!r}")
    return Decimal(match.group(1)) * _SUFFIX[match.group(2)]


@dataclass
class Amounts:
    """Cores and bytes per resource key (requests.cpu, limits.cpu, requests.memory, limits.memory) and pods."""

    values: dict[str, Decimal] = field(default_factory=lambda: {key: Decimal(0) for key in RESOURCES})
    pods: int = 0

    def add(self, other: Amounts, times: int = 1) -> None:
        for key in RESOURCES:
            self.values[key] += other.values[key] * times
        self.pods += other.pods * times

    def as_dict(self) -> dict[str, Any]:
        return {"pods": self.pods, **{key: format(self.values[key].normalize(), "f") for key in RESOURCES}}


@dataclass
class WorkloadSize:
    kind: str
    name: str
    group: str
    replicas: int  # HPA minReplicas where an autoscaler targets the workload, else spec.replicas
    replicas_source: str  # "spec.replicas" | "<Kind>/<name> minReplicas"
    max_replicas: int
    surge: int  # extra pods while every Deployment rolls out at once
    pod: Amounts


@dataclass
class OverlaySize:
    overlay: str
    workloads: list[WorkloadSize]
    groups: dict[str, Amounts]
    total: Amounts
    surge: Amounts
    at_max: Amounts
    quotas: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "overlay": self.overlay,
            "groups": {name: amounts.as_dict() for name, amounts in self.groups.items()},
            "total": self.total.as_dict(),
            "surge": self.surge.as_dict(),
            "total_with_surge": _plus(self.total, self.surge).as_dict(),
            "at_hpa_max": self.at_max.as_dict(),
            "workloads": [
                {"kind": w.kind, "name": w.name, "group": w.group, "replicas": w.replicas,
                 "replicas_source": w.replicas_source, "max_replicas": w.max_replicas, "surge": w.surge,
                 "pod": w.pod.as_dict()}
                for w in self.workloads
            ],
            "quotas": self.quotas,
        }


def pod_amounts(workload: dict[str, Any]) -> Amounts:
    """One pod of the workload: max(sum of containers, largest init container), per resource."""
    amounts = Amounts(pods=1)
    for key in RESOURCES:
        side, resource = key.split(".")
        total = sum((_value(c, side, resource) for c in workload.get("containers") or []), Decimal(0))
        largest_init = max((_value(c, side, resource) for c in workload.get("init_containers") or []),
                           default=Decimal(0))
        amounts.values[key] = max(total, largest_init)
    return amounts


def _value(container: dict[str, Any], side: str, resource: str) -> Decimal:
    raw = ((container.get("resources") or {}).get(side) or {}).get(resource)
    return Decimal(0) if raw in (None, "") else quantity(raw)


def group_of(workload: dict[str, Any]) -> str:
    component = (workload.get("pod_labels") or {}).get("app.kubernetes.io/component", "")
    if component in _GROUP_OF_COMPONENT:
        return _GROUP_OF_COMPONENT[component]
    if any(c.get("celery") for c in workload.get("containers") or []):
        return "celery"
    return "other"


def rollout_surge(workload: dict[str, Any], replicas: int, quota_data: dict[str, Any]) -> int:
    """Extra pods of this workload while a rollout runs (see the module docstring; policy ONYX-PROD-072)."""
    if workload["kind"] != "Deployment" or workload.get("strategy") != "RollingUpdate":
        return 0
    if workload.get("termination_grace_period_seconds", 30) >= quota_data["lingering_grace_seconds"]:
        return replicas
    return math.ceil(replicas * quota_data["default_max_surge_percent"] / 100)


def size_model(model: dict[str, Any], quota_data: dict[str, Any]) -> OverlaySize:
    autoscalers = {(a["target_kind"], a["target_name"]): a for a in model.get("autoscalers") or []}
    groups = {name: Amounts() for name in GROUPS}
    total, surge, at_max = Amounts(), Amounts(), Amounts()
    sizes = []
    for workload in model["workloads"]:
        autoscaler = autoscalers.get((workload["kind"], workload["name"]))
        if autoscaler is not None:
            replicas = int(autoscaler["min_replicas"])
            source = f"{autoscaler['kind']}/{autoscaler['name']} minReplicas"
            maximum = int(autoscaler.get("max_replicas") or replicas)
        else:
            replicas, source, maximum = int(workload["replicas"]), "spec.replicas", int(workload["replicas"])
        pod = pod_amounts(workload)
        size = WorkloadSize(workload["kind"], workload["name"], group_of(workload), replicas, source, maximum,
                            rollout_surge(workload, replicas, quota_data), pod)
        sizes.append(size)
        groups.setdefault(size.group, Amounts()).add(pod, replicas)
        total.add(pod, replicas)
        surge.add(pod, size.surge)
        at_max.add(pod, maximum)
    quotas = [{"name": q["name"], "file": q["file"], "hard": {k: str(v) for k, v in q["hard"].items()}}
              for q in model.get("resource_quotas") or []]
    return OverlaySize(model["overlay"], sizes, groups, total, surge, at_max, quotas)


def size_overlay(overlay: str, repo_root: Path = REPO_ROOT) -> OverlaySize:
    """Render `overlay` with the gate's renderer, build the gate's model, and size it."""
    overlay_dir, name = resolve_overlay(overlay, repo_root, Path.cwd())
    data = load_policy_data(repo_root / "policies" / "data", repo_root)
    argocd, _ = load_argocd(repo_root / "argocd", repo_root)
    # the gate's own screen and (cached) render; sizing needs no origin tracking, which costs seconds on prod
    screened = screen_overlay(overlay_dir, repo_root)
    objects = cached_render(overlay_dir, repo_root, screened.inputs.hexdigest())
    files = [screened.origins.get((str(o.get("kind", "")), str((o.get("metadata") or {}).get("name", ""))), "")
             for o in objects]
    model = build_model(name, objects, files, data.get("catalog") or {}, argocd)
    return size_model(model, (data.get("hardening") or {})["quota"])


def _plus(a: Amounts, b: Amounts) -> Amounts:
    result = Amounts()
    result.add(a)
    result.add(b)
    return result


def cores(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.001')).normalize():f}"
    return text


def gibibytes(value: Decimal) -> str:
    return f"{(value / _SUFFIX['Gi']).quantize(Decimal('0.01'))} Gi"


def report_text(sizes: list[OverlaySize], stream: IO[str]) -> None:
    stream.write("Replicas: an HPA's minReplicas where an autoscaler targets the workload, else spec.replicas.\n"
                 "Pod: max(sum of containers, largest init container). CPU in cores, memory in GiB.\n")
    for size in sizes:
        stream.write(f"\n{size.overlay}\n")
        rows = [(name, size.groups[name]) for name in GROUPS]
        rows += [(name, amounts) for name, amounts in size.groups.items() if name not in GROUPS and amounts.pods]
        rows += [("total", size.total), ("rollout surge", size.surge), ("total + surge", _plus(size.total, size.surge)),
                 ("at HPA max", size.at_max)]
        header = ("group", "pods", "CPU req", "CPU lim", "mem req", "mem lim")
        table = [header] + [(name, str(a.pods), cores(a.values["requests.cpu"]), cores(a.values["limits.cpu"]),
                             gibibytes(a.values["requests.memory"]), gibibytes(a.values["limits.memory"]))
                            for name, a in rows]
        widths = [max(len(row[i]) for row in table) for i in range(len(header))]
        for row in table:
            stream.write("  " + "  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                                          for i, cell in enumerate(row)).rstrip() + "\n")
        for quota in size.quotas:
            hard = ", ".join(f"{k}={v}" for k, v in sorted(quota["hard"].items()))
            stream.write(f"  ResourceQuota {quota['name']} ({quota['file']}): {hard}\n")


def report_markdown(sizes: list[OverlaySize], stream: IO[str]) -> None:
    stream.write("| overlay | group | pods | CPU requests | CPU limits | memory requests | memory limits |\n"
                 "| --- | --- | ---: | ---: | ---: | ---: | ---: |\n")
    for size in sizes:
        rows = [(name, size.groups[name]) for name in GROUPS]
        rows += [("**total**", size.total), ("rollout surge", size.surge),
                 ("total + surge", _plus(size.total, size.surge)), ("at HPA max", size.at_max)]
        for name, a in rows:
            stream.write(f"| {size.overlay} | {name} | {a.pods} | {cores(a.values['requests.cpu'])} | "
                         f"{cores(a.values['limits.cpu'])} | {gibibytes(a.values['requests.memory'])} | "
                         f"{gibibytes(a.values['limits.memory'])} |\n")


def report_json(sizes: list[OverlaySize], stream: IO[str]) -> None:
    json.dump([size.as_dict() for size in sizes], stream, indent=2)
    stream.write("\n")


REPORTERS = {"text": report_text, "markdown": report_markdown, "json": report_json}


def main(argv: Sequence[str] | None = None, stdout: IO[str] | None = None, stderr: IO[str] | None = None) -> int:
    out, err = stdout or sys.stdout, stderr or sys.stderr
    parser = argparse.ArgumentParser(prog="sizing.py", description=__doc__.split("\n\n")[0],
                                     epilog="Exit codes: 0 report written, 2 usage or input error, 3 internal error.")
    parser.add_argument("overlays", nargs="*", help="overlay directories (default: every registered overlay)")
    parser.add_argument("--format", choices=sorted(REPORTERS), default="text")
    args = parser.parse_args(argv)
    try:
        overlays = list(args.overlays) or sorted(
            (load_policy_data(REPO_ROOT / "policies" / "data", REPO_ROOT).get("profiles") or {}).get("overlays") or {})
        sizes = [size_overlay(overlay) for overlay in overlays]
    except GateError as error:
        err.write(f"sizing.py: error: {error}\n")
        return error.exit_code if error.exit_code != 1 else EXIT_INPUT
    except (ValueError, KeyError) as error:
        err.write(f"sizing.py: error: {error}\n")
        return EXIT_INPUT
    except Exception as error:  # never a silent success
        err.write(f"sizing.py: internal error: {type(error).__name__}: {error}\n")
        return EXIT_INTERNAL
    REPORTERS[args.format](sizes, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
