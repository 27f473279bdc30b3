"""Loads the policy data: every `policies/data/<path>/data.yaml` becomes `data.<path>`, as `opa` loads it.

Merged in Python and handed to an engine in one piece (regopy silently drops a nested key loaded twice).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import InputError
from .screen import iter_yaml_documents


def load_policy_data(data_dir: Path, repo_root: Path) -> dict[str, Any]:
    if not data_dir.is_dir():
        raise InputError(f"{data_dir}: policy data directory is missing")
    merged: dict[str, Any] = {}
    for path in sorted([*data_dir.rglob("data.yaml"), *data_dir.rglob("data.json")]):
        documents = list(iter_yaml_documents(path, repo_root))
        if len(documents) != 1 or not isinstance(documents[0], dict):
            raise InputError(f"{path.relative_to(repo_root)}: policy data must be exactly one YAML mapping")
        node = merged
        for part in path.parent.relative_to(data_dir).parts:
            node = node.setdefault(part, {})
        node.update(json.loads(json.dumps(documents[0], default=str)))  # YAML dates → strings, as OPA sees them
    return merged
