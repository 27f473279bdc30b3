"""Constants shared by the foundation tests and their conftest."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
OVERLAYS = ("minimal", "full", "prod")
EXPECTED_NAMESPACE = {"minimal": "onyx-minimal", "full": "onyx-full", "prod": "onyx-prod"}


def overlay_dir(overlay: str) -> Path:
    return REPO_ROOT / "overlays" / overlay
