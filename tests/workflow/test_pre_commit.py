"""The pre-commit hooks with the real pre-commit framework, in a temporary git repository holding a copy of this
one: `pre-commit install`, then real `git commit`s. Nothing may be downloaded: PRE_COMMIT_HOME is a fresh
directory, every proxy points at a closed port and pip has no index."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ..mutations.corpus import add_resource
from .support import GIT_ENV, add_patches, delete_patch, full_copy, git

DEAD_PROXY = "http://127.0.0.1:9"


@pytest.fixture
def hooked(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    repo = full_copy(tmp_path / "repo")
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
           "PRE_COMMIT_COLOR": "never", "NO_COLOR": "1", "PIP_NO_INDEX": "1",
           **{name: DEAD_PROXY for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")}}
    install = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo, env=env,
                             capture_output=True, text=True, check=False)
    assert install.returncode == 0, install.stdout + install.stderr
    assert (repo / ".git/hooks/pre-commit").is_file()
    return repo, env


def commit(repo: Path, env: dict[str, str], *paths: str, message: str = "change") -> subprocess.CompletedProcess[str]:
    git(repo, "add", *paths)
    return subprocess.run(["git", "commit", "-m", message], cwd=repo, env=env, capture_output=True, text=True,
                          check=False, timeout=600)


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def hook_line(output: str, name: str) -> str:
    [line] = [line for line in output.splitlines() if line.startswith(name)]
    return line


def assert_nothing_downloaded(env: dict[str, str]) -> None:
    database = Path(env["PRE_COMMIT_HOME"]) / "db.db"
    if database.exists():
        with sqlite3.connect(database) as connection:
            assert connection.execute("SELECT COUNT(*) FROM repos").fetchone() == (0,)
    assert not [p for p in Path(env["PRE_COMMIT_HOME"]).glob("repo*") if p.is_dir()]


def test_a_commit_that_drops_a_required_worker_from_prod_is_rejected(hooked):
    repo, env = hooked
    before = head(repo)
    add_patches(repo, "overlays/prod", delete_patch("Deployment", "celery-worker-heavy"))
    completed = commit(repo, env, "overlays/prod/kustomization.yaml")
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0, output
    assert head(repo) == before, "the commit went through"
    assert "Failed" in hook_line(output, "onyx gate (overlays/prod)")
    assert "- exit code: 1" in output  # findings, not an engine or input error
    assert "ONYX-WORKLOAD-001" in output and "celery-worker-heavy" in output
    assert "Passed" in hook_line(output, "YAML lint")
    assert "Skipped" in hook_line(output, "onyx gate (every overlay)")
    assert_nothing_downloaded(env)


def test_a_harmless_commit_to_prod_is_accepted(hooked):
    repo, env = hooked
    before = head(repo)
    add_resource("overlays/prod", "feature-flags-config-map.yaml", {
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "feature-flags"},
        "data": {"SEARCH_BANNER": "maintenance on Sunday"}})(repo)
    completed = commit(repo, env, "overlays/prod")
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert head(repo) != before
    assert "Passed" in hook_line(output, "onyx gate (overlays/prod)")
    assert "Passed" in hook_line(output, "YAML lint")
    assert_nothing_downloaded(env)


def test_a_change_to_a_base_runs_the_gate_on_every_overlay(hooked):
    repo, env = hooked
    kustomization = repo / "base/celery-beat/kustomization.yaml"
    kustomization.write_text(kustomization.read_text() + "# reviewed: beat stays a single replica\n")
    completed = commit(repo, env, "base/celery-beat/kustomization.yaml")
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "Passed" in hook_line(output, "onyx gate (every overlay)")
    assert "Skipped" in hook_line(output, "onyx gate (overlays/prod)")


def test_unformatted_rego_is_formatted_and_the_commit_stops(hooked):
    repo, env = hooked
    rego = repo / "docs/example.rego"
    rego.write_text("package example\n\nallow if {   input.x == 1 }\n")
    before = head(repo)
    completed = commit(repo, env, "docs/example.rego")
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0 and head(repo) == before, output
    assert "Failed" in hook_line(output, "opa fmt (Rego)") and "files were modified by this hook" in output
    assert rego.read_text() == "package example\n\nallow if input.x == 1\n"
    completed = commit(repo, env, "docs/example.rego", message="formatted")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Passed" in hook_line(completed.stdout + completed.stderr, "opa fmt (Rego)")


def test_yaml_with_a_duplicate_key_is_rejected(hooked):
    repo, env = hooked
    (repo / "docs/notes.yaml").write_text("owner: platform\nreviewers: [a]\nowner: search\n")
    completed = commit(repo, env, "docs/notes.yaml")
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0, output
    assert "Failed" in hook_line(output, "YAML lint")
    assert "docs/notes.yaml:3:1: [duplicate-key] duplicate key 'owner' (first on line 1)" in output


def test_which_hooks_a_staged_file_triggers():
    """pre-commit selects files with re.search on the hook's `files` (and identify's tags for `types`)."""
    import re

    import yaml

    from .support import REPO_ROOT

    [local] = yaml.safe_load((REPO_ROOT / ".pre-commit-config.yaml").read_text())["repos"]
    assert local["repo"] == "local"
    hooks = {hook["id"]: hook for hook in local["hooks"]}
    assert {hook["language"] for hook in hooks.values()} == {"unsupported"}

    def triggered(path: str) -> set[str]:
        return {name for name in ("onyx-gate-prod", "onyx-gate-all", "opa-fmt")
                if re.search(hooks[name]["files"], path)}

    assert triggered("overlays/prod/kustomization.yaml") == {"onyx-gate-prod"}
    assert triggered("argocd/applications/prod-application.yaml") == {"onyx-gate-prod"}
    assert triggered("overlays/minimal/kustomization.yaml") == {"onyx-gate-all"}
    assert triggered("base/redis/deployment.yaml") == {"onyx-gate-all"}
    assert triggered("components/servers/kustomization.yaml") == {"onyx-gate-all"}
    assert triggered("policies/waivers.yaml") == {"onyx-gate-all"}
    assert triggered("policies/onyx/singletons/singletons.rego") == {"onyx-gate-all", "opa-fmt"}
    assert triggered("tools/onyx_gate/model.py") == {"onyx-gate-all"}
    assert triggered("docs/deployment.md") == set() and triggered("README.md") == set()
    assert hooks["onyx-gate-prod"]["entry"] == ".venv/bin/python tools/validate.py overlays/prod"
    assert hooks["onyx-gate-all"]["entry"] == ".venv/bin/python tools/validate.py --all"
    assert hooks["opa-fmt"]["entry"].startswith(".tools/bin/opa fmt")
