"""Reporters turn a GateResult (or a DiffResult) into text for a person, JSON for a machine, JUnit XML for CI test
reporters, SARIF 2.1.0 for code scanning, GitHub workflow commands for annotations, or Markdown for a pull-request
comment. Each is `report(result, stream, *, locate=…, color=…)`; data goes to the stream, nothing else.

`locate(finding) -> Location` (locate.py) gives the file and line that introduced a finding's value; without it a
finding points at its file only (line 0 = unknown).
"""

from __future__ import annotations

import hashlib
import json
import os
import xml.etree.ElementTree as ET
from typing import IO, Any, Callable, Iterable

from .diff import DiffResult, OverlayDelta
from .findings import Finding
from .gate import GateResult, OverlayResult
from .locate import Location

Locate = Callable[[Finding], Location]
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
TOOL_NAME = "onyx-gate"
_COLORS = {"error": "\033[31m", "warning": "\033[33m", "ok": "\033[32m", "dim": "\033[2m", "reset": "\033[0m"}


def _no_line(finding: Finding) -> Location:
    return Location(finding.file, 0)


def use_color(stream: IO[str]) -> bool:
    """Color only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def _where(location: Location) -> str:
    if not location.file:
        return ""
    return f"{location.file}:{location.line}" if location.line else location.file


def _all_findings(result: GateResult) -> Iterable[tuple[str, Finding]]:
    for overlay in result.overlays:
        for finding in overlay.findings:
            yield overlay.overlay, finding
    for finding in result.repository:
        yield "repository", finding


def _counts(result: GateResult) -> tuple[int, int, int]:
    """(failing findings, waived findings, overlays not judged)."""
    findings = [f for _, f in _all_findings(result)]
    waived = sum(1 for f in findings if f.waived)
    return len(findings) - waived, waived, sum(1 for o in result.overlays if o.error is not None)


def _status(overlay: OverlayResult) -> str:
    return "error" if overlay.error else ("findings" if overlay.failing else "clean")


# --- text -------------------------------------------------------------------------------------------------------

def report_text(result: GateResult, stream: IO[str], *, locate: Locate = _no_line, color: bool | None = None) -> None:
    paint = _painter(use_color(stream) if color is None else color)
    deltas = {d.overlay: d for d in result.deltas} if isinstance(result, DiffResult) else {}
    if isinstance(result, DiffResult):
        stream.write(f"what Argo CD applies after merge, compared with {result.base_ref} ({result.base_commit[:12]})\n")
    for overlay in result.overlays:
        delta = deltas.get(overlay.overlay)
        if delta is not None:
            _write_delta(stream, delta, paint)
        if overlay.error is not None:
            stream.write(paint("error", f"{overlay.overlay}: error: {overlay.error}") + "\n")
            continue
        waived = len(overlay.findings) - len(overlay.failing)
        note = f" ({waived} waived finding(s) reported below)" if waived else ""
        if not overlay.failing:
            stream.write(paint("ok", f"{overlay.overlay}: ok{note}") + "\n")
        else:
            stream.write(f"{overlay.overlay}: {len(overlay.failing)} finding(s){note}\n")
        for finding in overlay.findings:
            _write_finding(stream, finding, paint, locate(finding))
    if result.repository:
        stream.write(f"repository: {len(result.repository)} finding(s)\n")
        for finding in result.repository:
            _write_finding(stream, finding, paint, locate(finding))


def _write_delta(stream: IO[str], delta: OverlayDelta, paint: Callable[[str, str], str]) -> None:
    stream.write(f"{delta.overlay} [{delta.sync}]: {delta.status}"
                 + (f", {len(delta.changes)} change(s)" if delta.changes else "") + "\n")
    if delta.note:
        stream.write(paint("dim", f"      {delta.note}") + "\n")
    for change in delta.changes:
        stream.write(f"    {change.section} {change.subject}: {change.before}  ⇒  {change.after}\n")


def _write_finding(stream: IO[str], finding: Finding, paint: Callable[[str, str], str], location: Location) -> None:
    where = " · ".join(part for part in (
        f"{finding.kind}/{finding.name}" if finding.kind else "", finding.field, _where(location)) if part)
    label = paint("dim", f"{finding.id} [waived]") if finding.waived else paint(finding.severity, finding.id)
    stream.write(f"  {finding.overlay}: {label} {finding.message}\n")
    if finding.waived:
        stream.write(paint("dim", f"      waived: {finding.waived}") + "\n")
    if where:
        stream.write(paint("dim", f"      at {where}") + "\n")


# --- json -------------------------------------------------------------------------------------------------------

def _finding_dict(finding: Finding, locate: Locate) -> dict[str, Any]:
    location = locate(finding)
    return {**finding.as_dict(), "line": location.line, "column": location.column,
            "location_file": location.file}


def report_json(result: GateResult, stream: IO[str], *, locate: Locate = _no_line, color: bool | None = None) -> None:
    document: dict[str, Any] = {
        "engine": result.engine,
        "exit_code": result.exit_code,
        "overlays": [
            {
                "overlay": overlay.overlay,
                "status": _status(overlay),
                "waived": len(overlay.findings) - len(overlay.failing),
                "error": str(overlay.error) if overlay.error else None,
                "findings": [_finding_dict(finding, locate) for finding in overlay.findings],
            }
            for overlay in result.overlays
        ],
        "repository": [_finding_dict(finding, locate) for finding in result.repository],
    }
    if isinstance(result, DiffResult):
        document["base"] = {"ref": result.base_ref, "commit": result.base_commit}
        document["deltas"] = [
            {"overlay": d.overlay, "status": d.status, "application": d.application, "sync": d.sync,
             "auto_prune": d.auto_prune, "note": d.note,
             "changes": [change.__dict__ for change in d.changes]}
            for d in result.deltas
        ]
    json.dump(document, stream, indent=2, sort_keys=False)
    stream.write("\n")


# --- JUnit XML --------------------------------------------------------------------------------------------------
# One <testsuite> per overlay (plus "repository" when there are repository findings). In it, one testcase that
# stands for judging the overlay at all (an <error> when it could not be judged: exit 2/3 input) and one testcase
# per finding: <failure> when it fails the gate, <skipped message="waived: …"> when a live waiver lets it pass.
# Skipped, not passed-with-properties: every CI test reporter shows a skipped test and its message, none fails the
# build on it, and few display <properties>. Only elements and attributes of the common Jenkins/Ant schema are used.

def report_junit(result: GateResult, stream: IO[str], *, locate: Locate = _no_line, color: bool | None = None) -> None:
    diff = isinstance(result, DiffResult)
    root = ET.Element("testsuites", name=f"{TOOL_NAME} diff against {result.base_ref}" if diff else TOOL_NAME)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    groups: list[tuple[str, OverlayResult | None, list[Finding]]] = [
        (overlay.overlay, overlay, overlay.findings) for overlay in result.overlays]
    if result.repository:
        groups.append(("repository", None, result.repository))
    for name, overlay, findings in groups:
        suite = ET.SubElement(root, "testsuite", name=name)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        if overlay is not None:
            case = ET.SubElement(suite, "testcase", classname=f"{TOOL_NAME}.{name}", time="0",
                                 name="semantic diff against " + result.base_ref if diff
                                 else "render, schemas and policies")
            counts["tests"] += 1
            if overlay.error is not None:
                error = ET.SubElement(case, "error", message=str(overlay.error), type=type(overlay.error).__name__)
                error.text = f"{name}: not judged (exit {overlay.error.exit_code}): {overlay.error}"
                counts["errors"] += 1
        seen: dict[str, int] = {}
        for finding in findings:
            location = locate(finding)
            title = f"{finding.id} {finding.kind}/{finding.name}" if finding.kind else finding.id
            if finding.field:
                title += f" {finding.field}"
            seen[title] = seen.get(title, 0) + 1
            if seen[title] > 1:
                title += f" #{seen[title]}"
            case = ET.SubElement(suite, "testcase", classname=f"{TOOL_NAME}.{name}", name=title, time="0")
            counts["tests"] += 1
            detail = f"{finding.overlay}: {finding.id} {finding.message}\nat {_where(location) or 'unknown file'}"
            if finding.waived:
                ET.SubElement(case, "skipped", message=f"waived: {finding.waived}")
                counts["skipped"] += 1
            else:
                failure = ET.SubElement(case, "failure", message=finding.message, type=finding.id)
                failure.text = detail
                counts["failures"] += 1
            ET.SubElement(case, "system-out").text = detail
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("time", "0")
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(root, encoding="unicode"))
    stream.write("\n")


# --- SARIF 2.1.0 ------------------------------------------------------------------------------------------------

_SARIF_LEVEL = {"error": "error", "warning": "warning"}


def report_sarif(result: GateResult, stream: IO[str], *, locate: Locate = _no_line, color: bool | None = None) -> None:
    findings = [finding for _, finding in _all_findings(result)]
    rules: dict[str, dict[str, Any]] = {}
    for finding in sorted(findings, key=lambda f: f.id):
        rules.setdefault(finding.id, {
            "id": finding.id,
            "name": "".join(word.capitalize() for word in finding.title.replace("-", " ").split()) or finding.id,
            "shortDescription": {"text": finding.title or finding.id},
            "defaultConfiguration": {"level": _SARIF_LEVEL.get(finding.severity, "warning")},
            "helpUri": "https://github.com/onyx-gitops/onyx-gitops/blob/main/docs/pull-requests.md",
        })
    rule_index = {rule_id: index for index, rule_id in enumerate(rules)}
    results = [_sarif_result(finding, locate(finding), rule_index) for finding in findings]
    notifications = [
        {"level": "error", "message": {"text": f"{overlay.overlay}: not judged: {overlay.error}"},
         "locations": [{"logicalLocations": [{"fullyQualifiedName": overlay.overlay, "kind": "module"}]}]}
        for overlay in result.overlays if overlay.error is not None]
    run: dict[str, Any] = {
        "tool": {"driver": {"name": TOOL_NAME, "informationUri": "https://github.com/onyx-gitops/onyx-gitops",
                            "rules": list(rules.values())}},
        "automationDetails": {"id": f"{TOOL_NAME}/{'diff' if isinstance(result, DiffResult) else 'gate'}/"},
        "invocations": [{"executionSuccessful": result.exit_code in (0, 1), "exitCode": result.exit_code,
                         "toolExecutionNotifications": notifications}],
        "results": results,
    }
    if isinstance(result, DiffResult):
        run["versionControlProvenance"] = [{"repositoryUri": "https://github.com/onyx-gitops/onyx-gitops",
                                            "revisionId": result.base_commit,
                                            "properties": {"role": "base", "ref": result.base_ref}}]
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    json.dump(document, stream, indent=2)
    stream.write("\n")


def _sarif_result(finding: Finding, location: Location, rule_index: dict[str, int]) -> dict[str, Any]:
    qualified = "/".join(part for part in (finding.overlay, finding.kind, finding.name) if part)
    physical: dict[str, Any] = {"artifactLocation": {"uri": location.file, "uriBaseId": "%SRCROOT%"}}
    if location.line:
        physical["region"] = {"startLine": location.line, "startColumn": max(location.column, 1)}
    result: dict[str, Any] = {
        "ruleId": finding.id,
        "ruleIndex": rule_index[finding.id],
        "level": _SARIF_LEVEL.get(finding.severity, "warning"),
        "message": {"text": f"{finding.overlay}: {finding.message}"},
        "locations": [{"physicalLocation": physical,
                       "logicalLocations": [{"fullyQualifiedName": qualified, "kind": "object"}]}],
        "partialFingerprints": {"onyxGateFinding/v1": hashlib.sha256(
            "\0".join((finding.id, finding.overlay, finding.kind, finding.name, finding.field)).encode()).hexdigest()},
        "properties": {"overlay": finding.overlay, "kind": finding.kind, "name": finding.name, "field": finding.field},
    }
    if not location.file:
        del result["locations"][0]["physicalLocation"]
    if finding.waived:
        result["suppressions"] = [{"kind": "external", "status": "accepted",
                                   "justification": f"policies/waivers.yaml: {finding.waived}"}]
    return result


# --- GitHub workflow commands -----------------------------------------------------------------------------------
# https://docs.github.com/actions/reference/workflow-commands-for-github-actions; escaping as the runner's
# toolkit does (actions/toolkit packages/core/src/command.ts): data escapes %, CR, LF; property values also
# `:` and `,`.

def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(command: str, message: str, **properties: Any) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items()
                     if value not in (None, "", 0))
    return f"::{command}{' ' + props if props else ''}::{escape_data(message)}"


def report_github(result: GateResult, stream: IO[str], *, locate: Locate = _no_line, color: bool | None = None) -> None:
    for overlay in result.overlays:
        if overlay.error is not None:
            stream.write(workflow_command("error", f"{overlay.overlay}: not judged: {overlay.error}",
                                          title=f"{TOOL_NAME}: {overlay.overlay} could not be judged") + "\n")
    for _, finding in _all_findings(result):
        location = locate(finding)
        if finding.waived:
            command, message = "notice", f"{finding.overlay}: {finding.message} [waived: {finding.waived}]"
        else:
            command, message = ("error" if finding.severity == "error" else "warning"), \
                f"{finding.overlay}: {finding.message}"
        stream.write(workflow_command(command, message, file=location.file, line=location.line,
                                      col=location.column if location.line else 0,
                                      title=f"{finding.id} {finding.title} ({finding.overlay})") + "\n")
    failing, waived, errors = _counts(result)
    stream.write(f"{TOOL_NAME}: {failing} finding(s) fail, {waived} waived, {errors} overlay(s) not judged "
                 f"(exit {result.exit_code})\n")


# --- Markdown (pull-request comment, $GITHUB_STEP_SUMMARY) ------------------------------------------------------

def _cell(text: str) -> str:
    """One Markdown table cell: no line breaks, no column breaks, no raw HTML."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
            .replace("\r", " ").replace("\n", " "))


def report_markdown(result: GateResult, stream: IO[str], *, locate: Locate = _no_line,
                    color: bool | None = None) -> None:
    failing, waived, errors = _counts(result)
    diff = isinstance(result, DiffResult)
    title = (f"### Onyx: what Argo CD applies after merge (against `{_cell(result.base_ref)}` "
             f"`{result.base_commit[:12]}`)" if diff else "### Onyx gate")
    verdict = ("❌ **blocked**" if failing or errors else "✅ **passes**") + \
        f": {failing} finding(s) fail, {waived} waived" + (f", {errors} overlay(s) not judged" if errors else "")
    lines = [title, "", verdict, ""]
    deltas = {d.overlay: d for d in result.deltas} if diff else {}
    for overlay in result.overlays:
        delta = deltas.get(overlay.overlay)
        heading = f"#### `{overlay.overlay}`"
        if delta is not None:
            heading += f" — {_cell(delta.sync)}" + (" (prunes what is removed)" if delta.auto_prune else "")
        lines += [heading, ""]
        if delta is not None:
            if delta.note:
                lines += [f"_{_cell(delta.note)}_", ""]
            if delta.changes:
                lines += ["| change | what | before | after |", "| --- | --- | --- | --- |"]
                lines += [f"| {_cell(c.section)} | {_cell(c.subject)} | {_cell(c.before)} | {_cell(c.after)} |"
                          for c in delta.changes]
                lines.append("")
            elif not delta.note:
                lines += ["No change to what Argo CD applies.", ""]
        if overlay.error is not None:
            lines += [f"❌ not judged: {_cell(str(overlay.error))}", ""]
        lines += _markdown_findings(overlay.findings, locate)
    if result.repository:
        lines += ["#### repository", ""] + _markdown_findings(result.repository, locate)
    stream.write("\n".join(lines).rstrip() + "\n\n")


def _markdown_findings(findings: list[Finding], locate: Locate) -> list[str]:
    if not findings:
        return []
    lines = ["| | finding | resource | what happens | where |", "| --- | --- | --- | --- | --- |"]
    for finding in findings:
        mark = "⚠️ waived" if finding.waived else ("❌" if finding.severity == "error" else "⚠️")
        message = finding.message + (f" — **waived**: {finding.waived}" if finding.waived else "")
        resource = f"{finding.kind}/{finding.name}" if finding.kind else ""
        lines.append(f"| {mark} | {finding.id} | {_cell(resource)} | {_cell(message)} | "
                     f"`{_cell(_where(locate(finding)))}` |")
    return lines + [""]


def _painter(enabled: bool) -> Callable[[str, str], str]:
    def paint(style: str, text: str) -> str:
        return f"{_COLORS[style]}{text}{_COLORS['reset']}" if enabled and style in _COLORS else text

    return paint


REPORTERS: dict[str, Callable[..., None]] = {
    "text": report_text, "json": report_json, "junit": report_junit, "sarif": report_sarif,
    "github": report_github, "markdown": report_markdown,
}
