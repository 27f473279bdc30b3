import datetime as dt

import pytest

from onyx_gate.errors import InputError
from onyx_gate.findings import Finding
from onyx_gate.waivers import EXPIRED_WAIVER, UNUSED_WAIVER, apply_waivers, load_waivers

TODAY = dt.date(2026, 12, 4)
VESPA = Finding("ONYX-PROD-020", "error", "Privileged", "overlays/prod", "StatefulSet", "vespa",
                "spec.template.spec.containers[0].securityContext.privileged", "base/vespa/stateful-set.yaml",
                "container vespa runs privileged — …")


def waiver_file(tmp_path, body):
    (tmp_path / "policies").mkdir(exist_ok=True)
    path = tmp_path / "policies" / "waivers.yaml"
    path.write_text(body)
    return load_waivers(path, tmp_path)


ENTRY = """waivers:
- id: ONYX-PROD-020
  overlay: overlays/prod
  resource: StatefulSet/vespa
  reason: Vespa 8.526 needs privileged in Onyx v1.9.0 (V:50-52)
  owner: platform-team
  expires: {expires}
"""


def test_live_waiver_marks_the_finding_waived_but_keeps_it(tmp_path):
    waivers = waiver_file(tmp_path, ENTRY.format(expires="2027-06-30"))
    [finding] = apply_waivers([VESPA], waivers, {"overlays/prod"}, TODAY, "policies/waivers.yaml")
    assert finding.id == VESPA.id
    assert "platform-team" in finding.waived and "2027-06-30" in finding.waived


def test_expired_waiver_is_a_finding_and_no_longer_covers(tmp_path):
    waivers = waiver_file(tmp_path, ENTRY.format(expires="2026-12-03"))
    findings = apply_waivers([VESPA], waivers, {"overlays/prod"}, TODAY, "policies/waivers.yaml")
    assert [(f.id, bool(f.waived)) for f in findings] == [(VESPA.id, False), (EXPIRED_WAIVER, False)]
    assert "expired on 2026-12-03" in findings[1].message


def test_waiver_matching_nothing_is_a_finding(tmp_path):
    waivers = waiver_file(tmp_path, ENTRY.format(expires="2027-06-30"))
    findings = apply_waivers([], waivers, {"overlays/prod"}, TODAY, "policies/waivers.yaml")
    assert [f.id for f in findings] == [UNUSED_WAIVER]
    assert apply_waivers([], waivers, {"overlays/full"}, TODAY, "x") == []  # prod not judged in this run


@pytest.mark.parametrize(("body", "message"), [
    (ENTRY.format(expires="2027-06-30").replace("  owner: platform-team\n", ""), "'owner' is a required property"),
    (ENTRY.format(expires="2027-02-30"), "day is out of range for month"),
    (ENTRY.format(expires="soon"), "does not match a date"),
    (ENTRY.format(expires="2027-06-30").replace("reason: Vespa", "reason: x\n  note: Vespa"), "invalid waiver"),
])
def test_malformed_waivers_are_input_errors(tmp_path, body, message):
    with pytest.raises(InputError, match=message):
        waiver_file(tmp_path, body)


def test_a_waiver_for_findings_this_run_cannot_produce_is_not_unused_but_still_expires(tmp_path):
    body = ENTRY.replace("ONYX-PROD-020", "ONYX-DIFF-001")
    live = waiver_file(tmp_path, body.format(expires="2027-06-30"))
    only_gate = lambda policy: not policy.startswith("ONYX-DIFF-")  # noqa: E731
    assert apply_waivers([], live, {"overlays/prod"}, TODAY, "w", can_produce=only_gate) == []
    expired = waiver_file(tmp_path, body.format(expires="2026-01-01"))
    findings = apply_waivers([], expired, {"overlays/prod"}, TODAY, "w", can_produce=only_gate)
    assert [f.id for f in findings] == [EXPIRED_WAIVER]
