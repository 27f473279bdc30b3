""".github/workflows/validate.yml: actionlint-clean (and actionlint does catch a broken copy), the steps the pull
request check needs, actions pinned by commit SHA, and the gate and diff steps' own commands run as written."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import yaml

from .support import GIT_ENV, REPO_ROOT, add_patches, delete_patch, full_copy, git
from .test_reporters import sarif_validator

WORKFLOW = REPO_ROOT / ".github/workflows/validate.yml"
ACTIONLINT = REPO_ROOT / ".tools/bin/actionlint"


def actionlint(path: Path) -> subprocess.CompletedProcess[str]:
    assert ACTIONLINT.is_file(), "build it with `make tools`"
    return subprocess.run([str(ACTIONLINT), "-no-color", str(path)], capture_output=True, text=True, check=False,
                          cwd=REPO_ROOT, timeout=120)


def steps() -> list[dict]:
    return yaml.safe_load(WORKFLOW.read_text())["jobs"]["validate"]["steps"]


def step(name_part: str) -> dict:
    [found] = [s for s in steps() if name_part in s.get("name", "")]
    return found


def test_actionlint_is_clean():
    completed = actionlint(WORKFLOW)
    assert (completed.returncode, completed.stdout, completed.stderr) == (0, "", "")


def test_actionlint_catches_a_broken_workflow(tmp_path: Path):
    broken = tmp_path / ".github/workflows/validate.yml"
    broken.parent.mkdir(parents=True)
    text = WORKFLOW.read_text().replace("steps.install.outcome == 'success' }}", "steps.instal.outcome == 'success' }}")
    broken.write_text(text.replace("runs-on: ubuntu-24.04", "runs-on: ubuntu-24.04\n    timeout-minutes: many"))
    completed = actionlint(broken)
    assert completed.returncode == 1
    assert "instal" in completed.stdout and "timeout-minutes" in completed.stdout


def test_the_pull_request_check_has_every_step():
    document = yaml.safe_load(WORKFLOW.read_text())
    assert list(document[True]) == ["pull_request"]  # YAML 1.1 reads the key `on` as true
    assert document["permissions"] == {"contents": "read"}
    assert document["jobs"]["validate"]["permissions"]["security-events"] == "write"
    uses = {s["uses"].split("@")[0]: s for s in steps() if "uses" in s}
    assert list(uses) == ["actions/checkout", "actions/setup-python", "actions/setup-go", "actions/cache",
                          "github/codeql-action/upload-sarif"]
    for action, entry in uses.items():
        assert re.fullmatch(r"[0-9a-f]{40}", entry["uses"].split("@")[1]), f"{action} is not pinned by commit SHA"
    assert uses["actions/checkout"]["with"]["fetch-depth"] == 0
    assert uses["actions/setup-python"]["with"]["python-version"] == "3.11"
    assert uses["actions/setup-go"]["with"]["go-version-file"] == "tools/go/opa/go.mod"
    assert uses["actions/cache"]["with"]["path"] == ".tools/bin"
    runs = [s.get("run", "") for s in steps()]
    assert runs.index("make tools") < runs.index("make venv")
    for command in ("make test-rego", "make test-python", "make lint-workflows"):
        assert command in runs
    gate, diff = step("Gate every overlay")["run"], step("diff against the base branch")
    assert "--all --format github" in gate and '--summary "$GITHUB_STEP_SUMMARY"' in gate
    sarif_file = re.search(r"--report sarif=(\S+)", gate).group(1)
    assert uses["github/codeql-action/upload-sarif"]["with"]["sarif_file"] == sarif_file
    assert '--base "origin/$BASE_REF" --format github' in diff["run"]
    assert diff["env"]["BASE_REF"] == "${{ github.base_ref }}"
    assert "${{" not in diff["run"] and "${{" not in gate  # untrusted values only through the environment


def test_the_gate_and_diff_steps_run_as_written(tmp_path: Path):
    """The two `run:` scripts, verbatim, in a copy of this repository whose pull request drops a worker from
    prod, with the variables GitHub sets: annotations on stdout, a valid SARIF file, the job summary."""
    repo = full_copy(tmp_path / "repo")
    git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")  # what fetch-depth: 0 gives the job
    add_patches(repo, "overlays/prod", delete_patch("Deployment", "celery-worker-heavy"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", "pull request")
    summary = tmp_path / "step-summary.md"
    env = {**os.environ, **GIT_ENV, "GITHUB_STEP_SUMMARY": str(summary), "BASE_REF": "main", "NO_COLOR": "1"}

    def run(script: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", "-e", "-c", script], cwd=repo, env=env, capture_output=True, text=True,
                              check=False, timeout=600)

    gate = run(step("Gate every overlay")["run"])
    assert gate.returncode == 1, gate.stderr
    assert re.search(r"^::error file=overlays/prod/kustomization\.yaml,line=\d+,col=\d+,title=ONYX-WORKLOAD-001 ",
                     gate.stdout, re.MULTILINE), gate.stdout
    sarif = json.loads((repo / "onyx-gate.sarif").read_text())
    assert not list(sarif_validator().iter_errors(sarif))
    assert "ONYX-WORKLOAD-001" in {r["ruleId"] for r in sarif["runs"][0]["results"]}

    diff = run(step("diff against the base branch")["run"])
    assert diff.returncode == 1, diff.stderr
    assert re.search(r"^::error file=overlays/prod/kustomization\.yaml,line=\d+,col=1,title=ONYX-DIFF-001 ",
                     diff.stdout, re.MULTILINE), diff.stdout
    text = summary.read_text()
    assert text.startswith("### Onyx gate\n") and "\n### Onyx: what Argo CD applies after merge (against `origin/main`" in text
    assert "Argo CD prunes Deployment celery-worker-heavy minutes after merge" in text


def test_make_test_runs_the_workflow_lint():
    makefile = (REPO_ROOT / "Makefile").read_text()
    assert re.search(r"^test: lint-workflows$", makefile, re.MULTILINE)
    dry = subprocess.run(["make", "-n", "test"], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    assert ".tools/bin/actionlint .github/workflows/" in dry.stdout, dry.stdout + dry.stderr
