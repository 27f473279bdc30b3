"""Waivers: reviewed data (policies/waivers.yaml) that lets one known finding pass, visibly and for a while.

A waived finding is still reported and counted; it only stops failing the gate. A waiver that has expired,
or that matches nothing in the overlays judged, is itself a finding: exceptions must not outlive their reason.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterable

from .errors import InputError
from .findings import Finding
from .screen import iter_yaml_documents

EXPIRED_WAIVER = "ONYX-WAIVER-001"
UNUSED_WAIVER = "ONYX-WAIVER-002"
_FIELDS = {  # field → (pattern it must match in full, what a reviewer is told)
    "id": (r"ONYX-[A-Z]+-[0-9]{3}", "a policy id such as ONYX-PROD-040"),
    "overlay": (r"\S.*", "a non-empty overlay path"),
    "resource": (r"[A-Za-z]+/[a-z0-9.-]+", "Kind/name, e.g. StatefulSet/vespa"),
    "reason": (r"(?s)\s*\S.{8,}", "a reason of at least ten characters"),
    "owner": (r"(?s)\s*\S.+", "an owner"),
    "expires": (r"\d{4}-\d{2}-\d{2}", "a date YYYY-MM-DD"),
}


def _problem(document: Any) -> str | None:
    """The first problem of a waiver file, as `<json path>: <message>`; None when it is well-formed.
    (Checked by hand: importing jsonschema for this alone cost ~45 ms of every pre-commit run.)"""
    if not isinstance(document, dict):
        return "$: the file must be a mapping with a `waivers:` list"
    extra = sorted(set(document) - {"waivers"})
    if extra:
        return f"$: unexpected key {extra[0]!r} (only `waivers:` is allowed)"
    if not isinstance(document["waivers"], list):
        return "$.waivers: must be a list"
    for index, entry in enumerate(document["waivers"]):
        where = f"$.waivers[{index}]"
        if not isinstance(entry, dict):
            return f"{where}: each waiver must be a mapping"
        for key in sorted(set(entry) - set(_FIELDS)):
            return f"{where}: unexpected key {key!r}"
        for key, (pattern, meaning) in _FIELDS.items():
            if key not in entry:
                return f"{where}: {key!r} is a required property"
            if not isinstance(entry[key], str) or not re.fullmatch(pattern, entry[key]):
                return f"{where}.{key}: {entry[key]!r} does not match {meaning}"
    return None


@dataclass(frozen=True)
class Waiver:
    id: str
    overlay: str
    resource: str
    reason: str
    owner: str
    expires: dt.date
    line: int

    def covers(self, finding: Finding) -> bool:
        return (finding.id, finding.overlay, f"{finding.kind}/{finding.name}") == (self.id, self.overlay, self.resource)


def load_waivers(path: Path, repo_root: Path) -> list[Waiver]:
    if not path.is_file():
        return []
    name = str(path.relative_to(repo_root))
    documents = list(iter_yaml_documents(path, repo_root))
    document: Any = {"waivers": []} if not documents else documents[0]
    if isinstance(document, dict) and document.get("waivers") is None:
        document = {**document, "waivers": []}
    # YAML turns 2027-01-31 into a date; the schema (and a reviewer) reads it as the string it was written as
    if isinstance(document, dict) and isinstance(document.get("waivers"), list):
        document = {**document, "waivers": [
            {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in w.items()} if isinstance(w, dict) else w
            for w in document["waivers"]]}
    problem = _problem(document)
    if problem is not None:
        raise InputError(f"{name}: invalid waiver at {problem}")
    waivers = []
    for index, entry in enumerate(document["waivers"]):
        try:
            expires = dt.date.fromisoformat(entry["expires"])
        except ValueError:
            raise InputError(f"{name}: waiver {index + 1} has an impossible date {entry['expires']!r}") from None
        waivers.append(Waiver(entry["id"], entry["overlay"].strip("/"), entry["resource"], entry["reason"],
                              entry["owner"], expires, index + 1))
    return waivers


def apply_waivers(findings: Iterable[Finding], waivers: list[Waiver], judged_overlays: set[str],
                  today: dt.date, waiver_file: str,
                  can_produce: Callable[[str], bool] = lambda _id: True) -> list[Finding]:
    """Return the findings with live waivers applied, plus a finding per expired or unused waiver.

    `can_produce(id)` says whether this run could have reported that id at all: a waiver for a finding only
    another kind of run produces (ONYX-DIFF-* comes from `--base`) is not "unused" here; expired, it still is."""
    out: list[Finding] = []
    used: set[int] = set()
    for finding in findings:
        live = None
        for waiver in waivers:
            if waiver.covers(finding):
                used.add(waiver.line)
                if waiver.expires >= today:
                    live = waiver
                    break
        if live is not None:
            finding = replace(finding, waived=f"{live.reason} (owner {live.owner}, until {live.expires.isoformat()})")
        out.append(finding)
    for waiver in waivers:
        if waiver.overlay not in judged_overlays:
            continue
        kind, _, name = waiver.resource.partition("/")
        if waiver.expires < today:
            out.append(Finding(
                EXPIRED_WAIVER, "error", "Expired waiver", waiver.overlay, kind, name, "expires", waiver_file,
                f"waiver {waiver.line} for {waiver.id} on {waiver.resource} expired on {waiver.expires.isoformat()} — "
                f"the exception it granted ({waiver.reason}) is no longer reviewed; renew it with its owner "
                f"{waiver.owner} or fix the finding"))
        elif waiver.line not in used and can_produce(waiver.id):
            out.append(Finding(
                UNUSED_WAIVER, "error", "Waiver matches nothing", waiver.overlay, kind, name, "id", waiver_file,
                f"waiver {waiver.line} for {waiver.id} on {waiver.resource} matches no finding — a stale exception "
                "would silently cover the next regression; delete it"))
    return out
