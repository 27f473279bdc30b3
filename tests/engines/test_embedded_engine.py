"""The embedded engine fails closed and gives the same verdict however its packages are sharded."""

from __future__ import annotations

import io
import re

import pytest

from onyx_gate.cli import main
from onyx_gate.engine import EmbeddedEngine, load_policy_set
from onyx_gate.errors import EXIT_INTERNAL, EngineError
from onyx_gate.gate import REPO_ROOT, run_gate
from onyx_gate.policy_data import load_policy_data

from ..mutations.corpus import CASES, copy_repo


def test_a_package_whose_deny_never_evaluates_is_an_engine_error_naming_it(tmp_path):
    repo = copy_repo(tmp_path)
    policy = repo / "policies" / "onyx" / "singletons" / "singletons.rego"
    policy.write_text(re.sub(r"^deny contains", "deny_typo contains", policy.read_text(), flags=re.M))
    err = io.StringIO()
    code = main(["--repo", str(repo), "overlays/prod"], stdout=io.StringIO(), stderr=err)
    assert code == EXIT_INTERNAL
    assert "onyx.singletons produced no `deny` set" in err.getvalue()
    assert "onyx.queue_coverage" not in err.getvalue()


@pytest.mark.parametrize("value", [2 ** 70, float("nan")])
def test_inputs_the_engine_would_silently_corrupt_are_refused(value):
    data = load_policy_data(REPO_ROOT / "policies" / "data", REPO_ROOT)
    engine = EmbeddedEngine(load_policy_set(REPO_ROOT / "policies", data))
    with pytest.raises(EngineError):
        engine.evaluate({"overlay": "overlays/prod", "workloads": [{"replicas": value}]})


@pytest.mark.parametrize("case", [c for c in CASES if c.blocks][:6], ids=lambda c: c.name)
def test_sharding_does_not_change_findings(case, tmp_path):
    repo = copy_repo(tmp_path)
    case.mutate(repo)

    def findings(shards):
        result = run_gate([case.overlay], repo_root=repo, cwd=repo,
                          engine_factory=lambda policies: EmbeddedEngine(policies, shards=shards))
        return sorted((f.id, f.kind, f.name, f.message) for o in result.overlays for f in o.findings)

    one = findings(1)
    assert one, "the case must produce findings for the comparison to mean anything"
    assert findings(3) == one
