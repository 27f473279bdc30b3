"""The gate names a finding's file from its own index of `resources:` files (fast); Kustomize's origin
annotations (seconds on prod) are the reference. They must agree on every object of every real overlay."""

from __future__ import annotations

import pytest

from onyx_gate.gate import REPO_ROOT, registered_overlays
from onyx_gate.render import origin_map
from onyx_gate.screen import screen_overlay


@pytest.mark.parametrize("overlay", registered_overlays())
def test_screen_index_names_the_same_file_as_kustomize(overlay):
    kustomize = origin_map(REPO_ROOT / overlay, REPO_ROOT)
    index = screen_overlay(REPO_ROOT / overlay, REPO_ROOT).origins
    assert kustomize, "Kustomize reported no origins"
    assert {key: index.get(key) for key in kustomize} == kustomize
