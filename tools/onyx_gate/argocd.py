"""Reads the Argo CD objects in argocd/ (what Argo CD syncs), schema-checks them, and normalizes them."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from .findings import SCHEMA_FINDING, Finding
from .schemas import schema_errors
from .screen import iter_yaml_documents

PROFILE_LABEL = "onyx-gitops/profile"


def load_argocd(directory: Path, repo_root: Path,
                check: Callable[[dict[str, Any]], list[str]] = schema_errors) -> tuple[dict[str, Any], list[Finding]]:
    model: dict[str, Any] = {"applications": [], "projects": []}
    findings: list[Finding] = []
    if not directory.is_dir():
        return model, findings
    for path in sorted([*directory.rglob("*.yaml"), *directory.rglob("*.yml")]):
        if path.name.startswith("kustomization."):
            continue
        relative = str(path.relative_to(repo_root))
        for obj in iter_yaml_documents(path, repo_root):
            if not isinstance(obj, dict):
                continue
            kind, name = str(obj.get("kind", "")), str((obj.get("metadata") or {}).get("name", ""))
            for problem in check(obj):
                field_path, _, message = problem.partition(": ")
                findings.append(Finding(SCHEMA_FINDING, "error", "Schema violation", "argocd", kind, name,
                                        field_path, relative,
                                        f"{kind} {name} fails the Argo CD {kind} schema at {field_path}: {message} — "
                                        "Argo CD rejects or silently prunes it", scope="repo"))
            if kind == "Application":
                model["applications"].append(_application(obj, relative))
            elif kind == "AppProject":
                model["projects"].append(_project(obj, relative))
    return model, findings


def _application(obj: dict[str, Any], file: str) -> dict[str, Any]:
    metadata, spec = obj.get("metadata") or {}, obj.get("spec") or {}
    source = spec.get("source") or next(iter(spec.get("sources") or []), {}) or {}
    destination = spec.get("destination") or {}
    sync_policy = spec.get("syncPolicy") or {}
    automated = sync_policy.get("automated")
    return {
        "name": metadata.get("name", ""),
        "file": file,
        "project": spec.get("project", ""),
        "profile": (metadata.get("labels") or {}).get(PROFILE_LABEL, ""),
        "path": str(source.get("path", "")).strip("/"),
        "repo_url": source.get("repoURL", ""),
        "target_revision": source.get("targetRevision", ""),
        "destination": {key: destination.get(key, "") for key in ("server", "name", "namespace")},
        "sync_options": [str(option) for option in sync_policy.get("syncOptions") or []],
        "ignore_differences": [
            {"group": entry.get("group", ""), "kind": entry.get("kind", ""), "name": entry.get("name", ""),
             "json_pointers": list(entry.get("jsonPointers") or []),
             "jq_path_expressions": list(entry.get("jqPathExpressions") or [])}
            for entry in spec.get("ignoreDifferences") or [] if isinstance(entry, dict)
        ],
        "automated": None if automated is None else {
            "prune": bool(automated.get("prune")), "self_heal": bool(automated.get("selfHeal")),
            "enabled": automated.get("enabled", True) is not False,
        },
    }


def _project(obj: dict[str, Any], file: str) -> dict[str, Any]:
    spec = obj.get("spec") or {}
    return {
        "name": (obj.get("metadata") or {}).get("name", ""),
        "file": file,
        "source_repos": list(spec.get("sourceRepos") or []),
        "destinations": [
            {key: d.get(key, "") for key in ("server", "name", "namespace")} for d in spec.get("destinations") or []
        ],
        "cluster_resource_whitelist": list(spec.get("clusterResourceWhitelist") or []),
    }
