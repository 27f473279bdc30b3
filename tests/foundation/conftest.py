"""Session fixtures for the foundation tests: every overlay is rendered once per test session.

The gate's own functions do all rendering and normalizing (onyx_gate.render, onyx_gate.model,
onyx_gate.argocd, onyx_gate.policy_data); the tests only state what the result must be.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from onyx_gate.argocd import load_argocd
from onyx_gate.model import build_model
from onyx_gate.policy_data import load_policy_data
from onyx_gate.render import Rendered, render_overlay, render_plain

from .foundation_support import OVERLAYS, REPO_ROOT, overlay_dir


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def plain_renders() -> dict[str, list[dict[str, Any]]]:
    """`kustomize build overlays/<name>` as Argo CD applies it (pykustomize, in-process)."""
    return {overlay: render_plain(overlay_dir(overlay)) for overlay in OVERLAYS}


@pytest.fixture(scope="session")
def origin_renders() -> dict[str, Rendered]:
    """The gate's render: objects plus the repo file each one came from."""
    return {overlay: render_overlay(overlay_dir(overlay), REPO_ROOT) for overlay in OVERLAYS}


@pytest.fixture(scope="session")
def policy_data() -> dict[str, Any]:
    return load_policy_data(REPO_ROOT / "policies" / "data", REPO_ROOT)


@pytest.fixture(scope="session")
def argocd_loaded() -> tuple[dict[str, Any], list[Any]]:
    return load_argocd(REPO_ROOT / "argocd", REPO_ROOT)


@pytest.fixture(scope="session")
def models(origin_renders, policy_data, argocd_loaded) -> dict[str, dict[str, Any]]:
    """The policy input (docs/model.md) of each overlay."""
    catalog = policy_data.get("catalog") or {}
    return {
        overlay: build_model(f"overlays/{overlay}", rendered.objects, rendered.origins, catalog, argocd_loaded[0])
        for overlay, rendered in origin_renders.items()
    }
