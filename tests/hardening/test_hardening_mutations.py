"""Every hardening breakage is refused with its ONYX-PROD (or NETPOL) id; every legitimate prod change passes.

The gate runs for real (onyx_gate.gate.run_gate: screen, render, schemas, model, embedded Rego, waivers) on a
copy of the repository changed the way a pull request would change it (tests/hardening/cases.py).
"""

from __future__ import annotations

import pytest

from onyx_gate.errors import EXIT_CLEAN, EXIT_FINDINGS
from onyx_gate.gate import run_gate

from ..mutations.corpus import judge
from .cases import BREAKAGES, LEGITIMATE, Case


@pytest.mark.parametrize("case", BREAKAGES, ids=[case.name for case in BREAKAGES])
def test_breakage_is_refused(case: Case, tmp_path):
    result, _, failing = judge(case, tmp_path)
    assert result.exit_code == EXIT_FINDINGS
    reported = {finding.id for finding in failing}
    missing = set(case.blocks) - reported
    assert not missing, f"expected {sorted(missing)}, got:\n" + "\n".join(f"{f.id} {f.message}" for f in failing)
    messages = [f.message for f in failing if f.id == case.blocks[0]]
    assert any(case.says in message for message in messages), messages
    for finding in failing:
        assert " — " in finding.message, f"{finding.id} does not say what breaks: {finding.message}"


@pytest.mark.parametrize("case", LEGITIMATE, ids=[case.name for case in LEGITIMATE])
def test_legitimate_change_passes(case: Case, tmp_path):
    result, overlay, failing = judge(case, tmp_path)
    assert result.exit_code == EXIT_CLEAN, "a legitimate change was refused:\n" + "\n".join(
        f"{f.id} {f.message}" for f in failing)
    if case.overlay == "overlays/prod":  # the Vespa exception stays visible, waived
        assert [(f.id, f.kind, f.name) for f in overlay.findings if f.waived] == [
            ("ONYX-PROD-040", "StatefulSet", "vespa")]


def test_prod_is_clean_but_for_the_waived_vespa_exception():
    result = run_gate(["overlays/prod"])
    [overlay] = result.overlays
    assert overlay.error is None
    assert overlay.failing == [], [f"{f.id} {f.message}" for f in overlay.failing]
    [waived] = [f for f in overlay.findings if f.waived]
    assert (waived.id, waived.kind, waived.name) == ("ONYX-PROD-040", "StatefulSet", "vespa")
    assert "platform-team" in waived.waived and "2027-06-30" in waived.waived


@pytest.mark.parametrize("overlay", ["overlays/minimal", "overlays/full"])
def test_minimal_and_full_get_no_hardening_finding(overlay):
    result = run_gate([overlay])
    [judged] = result.overlays
    assert judged.error is None
    assert [f.id for f in judged.findings if f.id.startswith("ONYX-PROD")] == []


def test_an_expired_vespa_waiver_fails_the_gate(tmp_path):
    import datetime as dt

    result = run_gate(["overlays/prod"], today=dt.date(2027, 7, 1))
    [overlay] = result.overlays
    assert {f.id for f in overlay.failing} == {"ONYX-PROD-040", "ONYX-WAIVER-001"}


def test_every_prod_rule_has_a_breaking_case():
    import re

    from onyx_gate.gate import REPO_ROOT

    declared = set()
    for path in (REPO_ROOT / "policies" / "onyx").glob("prod_*/prod_*.rego"):
        if not path.name.endswith("_test.rego"):
            declared |= set(re.findall(r"^#\s+id: (ONYX-PROD-\d{3})$", path.read_text(), re.MULTILINE))
    covered = {block for case in BREAKAGES for block in case.blocks}
    assert len(declared) == 26
    assert declared - covered == set()
