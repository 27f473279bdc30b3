"""Output formats: SARIF 2.1.0 checked against the published schema, JUnit XML parsed with the expected counts,
GitHub workflow commands with GitHub's escaping, Markdown for the pull request, text and JSON with lines."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from onyx_gate.diff import DIFF_QUEUE, DIFF_WORKLOAD, run_diff
from onyx_gate.errors import EXIT_FINDINGS, EXIT_INPUT, InputError
from onyx_gate.findings import Finding
from onyx_gate.gate import GateResult, OverlayResult
from onyx_gate.locate import Location, Locator
from onyx_gate.report import (REPORTERS, escape_data, escape_property, report_github, report_junit,
                              report_markdown, report_sarif, workflow_command)

from .support import (SARIF_SCHEMA, add_patches, commit_all, delete_patch, line_of, manifest_repo, run_main)
from .test_diff import LIGHT_QUEUES, light_command, write_waivers


@pytest.fixture(scope="module")
def diff_case(tmp_path_factory: pytest.TempPathFactory):
    """A real diff: prod removes heavy (waived) and drops a queue from light (fails); minimal loads a file with
    a YAML anchor (not judged, exit 2); full is unchanged."""
    repo = manifest_repo(tmp_path_factory.mktemp("reporters") / "repo")
    add_patches(repo, "overlays/prod", delete_patch("Deployment", "celery-worker-heavy"),
                light_command(LIGHT_QUEUES.replace("vespa_metadata_sync,", "")))
    write_waivers(repo, {
        "id": DIFF_WORKLOAD, "overlay": "overlays/prod", "resource": "Deployment/celery-worker-heavy",
        "reason": "heavy: moved to the batch cluster, 50% | done", "owner": "platform-team",
        "expires": "2099-12-31"})
    (repo / "overlays/minimal/extra.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  a: &x one\n  b: *x\n")
    with (repo / "overlays/minimal/kustomization.yaml").open("a") as stream:
        stream.write("resources:\n  - extra.yaml\n")
    commit_all(repo, "change")
    result = run_diff("HEAD~1", [], repo_root=repo)
    return repo, result, Locator(repo)


def render(reporter, result, locate) -> str:
    stream = io.StringIO()
    reporter(result, stream, locate=locate)
    return stream.getvalue()


def test_the_case_has_what_the_formats_must_show(diff_case):
    repo, result, _ = diff_case
    assert result.exit_code == EXIT_INPUT  # an overlay that cannot be judged outranks findings
    by_name = {o.overlay: o for o in result.overlays}
    assert isinstance(by_name["overlays/minimal"].error, InputError)
    prod = by_name["overlays/prod"]
    assert [(f.id, bool(f.waived)) for f in prod.findings] == [(DIFF_WORKLOAD, True), (DIFF_QUEUE, False)]


# --- SARIF -----------------------------------------------------------------------------------------------------

def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def test_sarif_is_valid_against_the_published_schema_with_lines_and_suppressions(diff_case):
    repo, result, locate = diff_case
    document = json.loads(render(report_sarif, result, locate))
    errors = sorted(sarif_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
    [run] = document["runs"]
    findings = [f for o in result.overlays for f in o.findings]
    assert len(run["results"]) == len(findings) == 2
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert rules == sorted(set(rules)) == [DIFF_WORKLOAD, DIFF_QUEUE]
    for finding, sarif in zip(findings, run["results"]):
        assert rules[sarif["ruleIndex"]] == sarif["ruleId"] == finding.id
        location = locate(finding)
        physical = sarif["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == location.file == "overlays/prod/kustomization.yaml"
        assert physical["region"]["startLine"] == location.line > 0
        assert sarif["message"]["text"] == f"overlays/prod: {finding.message}"
        assert ("suppressions" in sarif) == bool(finding.waived)
    waived = run["results"][0]
    assert waived["suppressions"][0]["status"] == "accepted" and "platform-team" in waived["suppressions"][0]["justification"]
    line = line_of(repo / "overlays/prod/kustomization.yaml", run["results"][1]["locations"][0]["physicalLocation"]["region"]["startLine"])
    assert line.strip() == "command:"
    invocation = run["invocations"][0]
    assert invocation["exitCode"] == EXIT_INPUT and invocation["executionSuccessful"] is False
    assert "overlays/minimal" in invocation["toolExecutionNotifications"][0]["message"]["text"]


def test_the_schema_check_can_fail():
    validator = sarif_validator()
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
                                         "results": [{"message": {"text": "m"}, "level": "fatal"}]}]}
    assert any(e.validator == "enum" for e in validator.iter_errors(bad))
    assert list(validator.iter_errors({"runs": []}))  # version is required


def test_sarif_of_a_clean_run_is_valid_and_empty():
    document = json.loads(render(report_sarif, GateResult(overlays=[OverlayResult("overlays/prod")]),
                                 lambda f: Location(f.file, 1)))
    assert not list(sarif_validator().iter_errors(document))
    assert document["runs"][0]["results"] == [] and document["runs"][0]["invocations"][0]["exitCode"] == 0


# --- JUnit -----------------------------------------------------------------------------------------------------

def test_junit_counts_one_case_per_overlay_and_per_finding(diff_case):
    _, result, locate = diff_case
    root = ET.fromstring(render(report_junit, result, locate))
    assert root.tag == "testsuites"
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    assert list(suites) == ["overlays/full", "overlays/minimal", "overlays/prod"]
    # full: the overlay case; minimal: the overlay case in error; prod: the overlay case + 2 findings
    assert {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "5", "failures": "1", "errors": "1", "skipped": "1"}
    for name, suite in suites.items():
        cases = suite.findall("testcase")
        assert suite.get("tests") == str(len(cases))
        assert suite.get("failures") == str(sum(1 for c in cases if c.find("failure") is not None))
        assert suite.get("skipped") == str(sum(1 for c in cases if c.find("skipped") is not None))
        assert suite.get("errors") == str(sum(1 for c in cases if c.find("error") is not None))
    [error] = suites["overlays/minimal"].iter("error")
    assert "anchors and aliases" in error.get("message")
    prod = suites["overlays/prod"].findall("testcase")
    assert [c.get("name") for c in prod] == ["semantic diff against HEAD~1",
                                             "ONYX-DIFF-001 Deployment/celery-worker-heavy",
                                             "ONYX-DIFF-002 Deployment/celery-worker-light "
                                             "spec.template.spec.containers[0].command"]
    skipped = prod[1].find("skipped")
    assert skipped is not None and skipped.get("message").startswith("waived: heavy: moved to the batch cluster")
    failure = prod[2].find("failure")
    assert failure.get("type") == DIFF_QUEUE and "overlays/prod/kustomization.yaml:" in failure.text


def test_junit_puts_repository_findings_in_their_own_suite_and_names_duplicates_apart():
    finding = Finding("ONYX-ARGOCD-003", "error", "t", "argocd", "Application", "onyx-prod", "spec", "argocd/a.yaml", "m")
    result = GateResult(overlays=[OverlayResult("overlays/prod")], repository=[finding, finding])
    root = ET.fromstring(render(report_junit, result, lambda f: Location(f.file, 3)))
    repository = root.find("testsuite[@name='repository']")
    assert [c.get("name") for c in repository.findall("testcase")] == [
        "ONYX-ARGOCD-003 Application/onyx-prod spec", "ONYX-ARGOCD-003 Application/onyx-prod spec #2"]
    assert root.get("tests") == "3" and root.get("failures") == "2"


# --- GitHub workflow commands -----------------------------------------------------------------------------------

def test_github_escaping_follows_the_runner_rules():
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_data("a:b,c") == "a:b,c"  # data keeps : and ,
    assert escape_property("x: 1, y%\n") == "x%3A 1%2C y%25%0A"
    assert escape_data("%0A") == "%250A"  # an already-escaped-looking text stays literal
    assert workflow_command("error", "line 1\nline 2: 100%", file="a,b.yaml", line=7, col=3, title="T: x, y") == \
        "::error file=a%2Cb.yaml,line=7,col=3,title=T%3A x%2C y::line 1%0Aline 2: 100%25"
    assert workflow_command("notice", "m", file="", line=0) == "::notice::m"


def unescape(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


COMMAND = re.compile(r"^::(error|warning|notice)(?: (?P<props>[^:]*))?::(?P<message>.*)$")


def test_github_annotations_point_at_file_and_line(diff_case):
    _, result, locate = diff_case
    lines = render(report_github, result, locate).splitlines()
    commands = [COMMAND.match(line) for line in lines if line.startswith("::")]
    assert all(commands) and len(commands) == 3
    assert [c.group(1) for c in commands] == ["error", "notice", "error"]  # minimal not judged, waived, failing
    findings = [f for o in result.overlays for f in o.findings]
    for match, finding in zip(commands[1:], findings):
        props = dict(item.split("=", 1) for item in match.group("props").split(","))
        location = locate(finding)
        assert unescape(props["file"]) == location.file and int(props["line"]) == location.line
        assert unescape(props["title"]) == f"{finding.id} {finding.title} (overlays/prod)"
        assert unescape(match.group("message")).startswith(f"overlays/prod: {finding.message}")
        assert "\n" not in match.group(0)
    assert "50%25 | done" in commands[1].group("message")  # the waiver's reason, escaped
    assert lines[-1] == "onyx-gate: 1 finding(s) fail, 1 waived, 1 overlay(s) not judged (exit 2)"


# --- Markdown, text, JSON ---------------------------------------------------------------------------------------

def test_markdown_summary_has_the_delta_and_the_findings_as_tables(diff_case):
    _, result, locate = diff_case
    text = render(report_markdown, result, locate)
    assert text.startswith("### Onyx: what Argo CD applies after merge (against `HEAD~1`")
    assert "❌ **blocked**: 1 finding(s) fail, 1 waived, 1 overlay(s) not judged" in text
    assert ("#### `overlays/prod` — Application onyx-prod: automated sync with prune and selfHeal "
            "(prunes what is removed)") in text
    assert "| workloads | Deployment/celery-worker-heavy | 1 replica(s) | removed |" in text
    assert "| ⚠️ waived | ONYX-DIFF-001 | Deployment/celery-worker-heavy |" in text
    assert "50% \\| done" in text  # a | in a cell is escaped, so the table keeps its columns
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("| ---"):
            assert len(re.findall(r"(?<!\\)\|", line)) in (5, 6), line
    assert "❌ not judged: overlays/minimal/extra.yaml:6:" in text
    assert "#### `overlays/full` — Application onyx-full: manual sync\n\nNo change to what Argo CD applies." in text


def test_text_and_json_carry_the_line(diff_case):
    _, result, locate = diff_case
    [queue] = [f for o in result.overlays for f in o.findings if f.id == DIFF_QUEUE]
    line = locate(queue).line
    assert f"overlays/prod/kustomization.yaml:{line}" in render(REPORTERS["text"], result, locate)
    document = json.loads(render(REPORTERS["json"], result, locate))
    [prod] = [o for o in document["overlays"] if o["overlay"] == "overlays/prod"]
    assert [(f["id"], f["line"]) for f in prod["findings"]][1] == (DIFF_QUEUE, line)
    assert [d["status"] for d in document["deltas"]] == ["unchanged", "not-rendered", "changed"]


def test_report_writes_several_formats_in_one_run_and_refuses_a_bad_spec(diff_case, tmp_path: Path):
    repo, _, _ = diff_case
    sarif, junit, summary = tmp_path / "out.sarif", tmp_path / "out.xml", tmp_path / "summary.md"
    code, out, err = run_main("--repo", str(repo), "--base", "HEAD~1", "overlays/prod", "--format", "github",
                              "--report", f"sarif={sarif}", "--report", f"junit={junit}", "--summary", str(summary))
    assert code == EXIT_FINDINGS and err == ""
    assert out.startswith("::notice ") and "::error " in out
    assert not list(sarif_validator().iter_errors(json.loads(sarif.read_text())))
    assert ET.parse(junit).getroot().get("failures") == "1"
    assert summary.read_text().startswith("### Onyx: what Argo CD applies after merge")
    for spec in ("sarif", "pdf=x.pdf", "sarif="):
        code, out, err = run_main("--repo", str(repo), "overlays/prod", "--report", spec)
        assert code == EXIT_INPUT and out == "" and err.startswith(f"validate.py: error: --report {spec}: ")
