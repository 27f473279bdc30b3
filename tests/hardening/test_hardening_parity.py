"""Parity for the hardening policies: the gate's embedded engine (regopy, every policy package loaded, as the
gate runs) and real OPA (`opa eval` on the prod_* packages and the policy data) report exactly the same
ONYX-PROD findings on the three overlays and on every hardening case.

regopy 1.5.2 diverges silently in ways these policies had to avoid, each found by this test: max()/sort() order
numbers as text; a comprehension whose head calls a function or indexes by an outer variable, or that indexes
by a function parameter, yields values of another call; same-named helper functions in two packages get mixed
up. OPA sees only the prod_* packages, so another package's work in progress cannot hide a divergence here.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from onyx_gate.argocd import load_argocd
from onyx_gate.engine import EmbeddedEngine, load_policy_set
from onyx_gate.gate import REPO_ROOT, resolve_overlay
from onyx_gate.model import build_model
from onyx_gate.policy_data import load_policy_data
from onyx_gate.render import render_overlay

from ..mutations.corpus import copy_repo
from .cases import CASES, Case

_QUERY = "findings := [f | some p; some f in data.onyx[p].deny]"
_KEYS = ("id", "severity", "title", "kind", "name", "field", "file", "message")


def _model(repo: Path, overlay: str) -> dict:
    data = load_policy_data(repo / "policies" / "data", repo)
    argocd, _ = load_argocd(repo / "argocd", repo)
    directory, name = resolve_overlay(overlay, repo, repo)
    rendered = render_overlay(directory, repo)
    return build_model(name, rendered.objects, rendered.origins, data.get("catalog") or {}, argocd)


def _rows(findings: list[dict]) -> set[tuple[str, ...]]:
    return {tuple(f[key] for key in _KEYS) for f in findings if f["id"].startswith("ONYX-PROD")}


def _embedded(repo: Path, model: dict) -> set[tuple[str, ...]]:
    data = load_policy_data(repo / "policies" / "data", repo)
    return _rows(EmbeddedEngine(load_policy_set(repo / "policies", data)).evaluate(model))


def _opa(opa: Path, repo: Path, model: dict) -> set[tuple[str, ...]]:
    modules = [str(p) for p in sorted((repo / "policies" / "onyx").glob("prod_*/prod_*.rego"))
               if not p.name.endswith("_test.rego")]
    command = [str(opa), "eval", "--format", "json", "--stdin-input", "-d", str(repo / "policies" / "data")]
    for module in modules:
        command += ["-d", module]
    completed = subprocess.run([*command, _QUERY], input=json.dumps(model), capture_output=True, text=True,
                               timeout=60, check=False)
    assert completed.returncode == 0, completed.stderr
    [result] = json.loads(completed.stdout)["result"]
    return _rows(result["bindings"]["findings"])


def _assert_same(embedded: set, reference: set) -> None:
    assert embedded == reference, {"only regopy": sorted(embedded - reference), "only OPA": sorted(reference - embedded)}


@pytest.mark.parametrize("overlay", ["overlays/prod", "overlays/full", "overlays/minimal"])
def test_real_overlays_agree(overlay, opa_binary):
    model = _model(REPO_ROOT, overlay)
    _assert_same(_embedded(REPO_ROOT, model), _opa(opa_binary, REPO_ROOT, model))


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case_agrees(case: Case, tmp_path, opa_binary):
    repo = copy_repo(tmp_path)
    case.mutate(repo)
    model = _model(repo, case.overlay)
    embedded = _embedded(repo, model)
    _assert_same(embedded, _opa(opa_binary, repo, model))
    if case.blocks and any(block.startswith("ONYX-PROD") for block in case.blocks):
        assert {row[0] for row in embedded} & set(case.blocks), "the case must exercise its own rule"
