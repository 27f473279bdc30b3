"""Static guard for the Rego subset that regopy and OPA evaluate alike (policies/README.md).

The parity suite proves agreement on every fixture; this catches the known traps before any fixture does:
regopy has no rego.metadata.*, cannot parse `{k | some k, _ in obj}`, and its sprintf renders some %s
arguments (locals bound to literals, concat results) with quotes — so messages are built with concat().
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

POLICIES = sorted((Path(__file__).resolve().parents[2] / "policies").rglob("*.rego"))
FORBIDDEN = {
    r"\bsprintf\(": "sprintf renders some %s arguments with quotes in regopy; build messages with concat()",
    r"\brego\.metadata\.": "rego.metadata.* is undefined in regopy, so the rule would never fire",
    r"some\s+\w+\s*,\s*_\s+in\b": "`some k, _ in obj` fails to parse in regopy; use `some k; obj[k]`",
}


@pytest.mark.parametrize("path", [p for p in POLICIES if not p.name.endswith("_test.rego")],
                         ids=lambda p: p.parent.name)
def test_policies_stay_in_the_shared_subset(path: Path):
    code = "\n".join(line.split("#", 1)[0] for line in path.read_text().splitlines())
    problems = [f"{pattern}: {why}" for pattern, why in FORBIDDEN.items() if re.search(pattern, code)]
    assert not problems, problems


def test_the_guard_sees_policies():
    assert len([p for p in POLICIES if not p.name.endswith("_test.rego")]) >= 10
