"""pykustomize renders exactly what a `kustomize build` / `kubectl kustomize` binary renders (what Argo CD runs),
and the gate's binary fallback (render_plain(renderer="binary")) returns the same objects.

The only test in tests/foundation that may skip: when neither binary is installed.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from onyx_gate import render
from onyx_gate.render import find_binary_renderer, render_plain

from .foundation_support import OVERLAYS, REPO_ROOT

TARGETS = [f"overlays/{overlay}" for overlay in OVERLAYS] + ["argocd"]


def _native(directory: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """render_plain with the native library only: a silent fallback to the binary would compare it with itself."""
    def no_fallback(directory: Path) -> list[dict[str, Any]]:
        raise AssertionError("the pykustomize native library did not load; render_plain fell back to the binary")

    monkeypatch.setattr(render, "_render_binary", no_fallback)
    objects = render_plain(directory)
    monkeypatch.undo()
    return objects


@pytest.fixture(scope="module")
def binary() -> list[str]:
    command = find_binary_renderer()
    if command is None:
        pytest.skip("neither a kustomize nor a kubectl binary is installed (find_binary_renderer() is None)")
    return command


@pytest.mark.parametrize("target", TARGETS)
def test_pykustomize_equals_the_kustomize_binary(binary, target, monkeypatch):
    completed = subprocess.run([*binary, str(REPO_ROOT / target)], capture_output=True, text=True, timeout=60,
                               check=False)
    assert completed.returncode == 0, f"{' '.join(binary)} {target} failed: {completed.stderr}"
    expected = [doc for doc in yaml.safe_load_all(completed.stdout) if doc is not None]
    assert expected, f"{' '.join(binary)} {target} rendered nothing"
    assert _native(REPO_ROOT / target, monkeypatch) == expected


@pytest.mark.parametrize("target", TARGETS)
def test_binary_fallback_renders_the_same_objects(binary, target, monkeypatch):
    assert render_plain(REPO_ROOT / target, renderer="binary") == _native(REPO_ROOT / target, monkeypatch)
