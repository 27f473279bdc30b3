"""Every realistic breakage in the corpus is blocked with the expected policy id; every legitimate change passes."""

from __future__ import annotations

import pytest

from onyx_gate.errors import EXIT_CLEAN, EXIT_FINDINGS
from onyx_gate.gate import run_gate

from .corpus import CASES, Case, copy_repo, judge


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_mutation(case: Case, tmp_path):
    result, _, failing = judge(case, tmp_path)
    reported = {finding.id for finding in failing}
    if not case.blocks:
        assert result.exit_code == EXIT_CLEAN, "a legitimate change was refused:\n" + "\n".join(
            f"{f.id} {f.message}" for f in failing)
        return
    assert result.exit_code == EXIT_FINDINGS
    missing = set(case.blocks) - reported
    assert not missing, f"expected {sorted(missing)}, got:\n" + "\n".join(f"{f.id} {f.message}" for f in failing)
    if case.says:
        messages = [f.message for f in failing if f.id == case.blocks[0]]
        assert any(case.says in message for message in messages), messages
    for finding in failing:
        assert finding.message and " — " in finding.message or finding.id.startswith(("ONYX-SCHEMA", "ONYX-RENDER")), (
            f"{finding.id} does not say what breaks: {finding.message}")


def test_the_proposed_minimal_set_is_refused_with_the_docfetching_explanation(tmp_path):
    repo = copy_repo(tmp_path)
    [case] = [c for c in CASES if c.name.startswith("minimal becomes the proposed")]
    case.mutate(repo)
    [overlay] = run_gate([case.overlay], repo_root=repo, cwd=repo).overlays
    docfetching = [f for f in overlay.failing if f.id == "ONYX-WORKLOAD-001" and f.name == "celery-worker-docfetching"]
    assert docfetching, [f.message for f in overlay.failing]
    assert "docprocessing" in docfetching[0].message


def test_the_real_overlays_pass():
    result = run_gate([], all_overlays=True)
    failing = [f"{f.overlay}: {f.id} {f.message}" for o in result.overlays for f in o.failing]
    failing += [f"repository: {f.id} {f.message}" for f in result.repository if not f.waived]
    assert [o.overlay for o in result.overlays] == ["overlays/full", "overlays/minimal", "overlays/prod"]
    assert result.exit_code == EXIT_CLEAN, "\n".join(failing)
