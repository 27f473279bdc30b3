"""The CLI contract: exit codes, one clear line on bad input (never a traceback, never a hang), formats, color."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from onyx_gate.report import use_color

from ..mutations.corpus import copy_repo, patch

REPO_ROOT = Path(__file__).resolve().parents[2]
ALIAS_BOMB = "a: &a [x, x]\n" + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}]\n"
                                         for i in range(28))


def validate(*argv: str, repo: Path = REPO_ROOT, timeout: float = 60) -> tuple[int, str, str, float]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, str(REPO_ROOT / "tools" / "validate.py"), "--repo", str(repo), *argv],
                          cwd=repo, capture_output=True, text=True, timeout=timeout, check=False)
    return done.returncode, done.stdout, done.stderr, time.monotonic() - started


def assert_one_clear_line(text: str, *fragments: str) -> None:
    assert "Traceback" not in text
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture
def repo(tmp_path):
    return copy_repo(tmp_path)


def test_clean_overlay_exits_0():
    code, out, err, _ = validate("overlays/minimal")
    assert (code, err) == (0, "")
    assert out.strip() == "overlays/minimal: ok"


def test_alias_bomb_is_refused_within_seconds_with_exit_2(repo):
    (repo / "overlays" / "prod" / "bomb.yaml").write_text(ALIAS_BOMB)
    patch_entry = {"path": "bomb.yaml"}
    kustomization = repo / "overlays" / "prod" / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text() + f"patchesStrategicMerge:\n- {patch_entry['path']}\n")
    code, out, err, seconds = validate("overlays/prod", repo=repo)
    assert code == 2 and seconds < 10
    assert_one_clear_line(out, "overlays/prod/bomb.yaml:1:4", "anchors and aliases are not allowed")


def test_a_50_mb_file_is_refused_within_seconds_with_exit_2(repo):
    huge = repo / "base" / "api-server" / "deployment.yaml"
    huge.write_bytes(huge.read_bytes() + b"#" * (50 << 20))
    code, out, _, seconds = validate("overlays/full", repo=repo)
    assert code == 2 and seconds < 10
    assert_one_clear_line(out, "base/api-server/deployment.yaml", "over the 1048576-byte limit")


def test_a_kustomization_reaching_outside_the_repository_is_exit_2(repo, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "config-map.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: stolen}\n")
    kustomization = repo / "overlays" / "full" / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text() + f"resources:\n- {outside}/config-map.yaml\n")
    code, out, _, _ = validate("overlays/full", repo=repo)
    assert code == 2
    assert_one_clear_line(out, "overlays/full/kustomization.yaml", "points outside the repository")


def test_malformed_yaml_names_file_and_line_with_exit_2(repo):
    (repo / "base" / "redis" / "service.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: {name: [\n")
    code, out, _, _ = validate("overlays/minimal", repo=repo)
    assert code == 2
    assert_one_clear_line(out, "base/redis/service.yaml: malformed YAML", "line 4")


@pytest.mark.parametrize(("argv", "says"), [
    (("docs",), "not an overlay (no kustomization.yaml in it)"),
    (("overlays/nowhere",), "no such overlay directory"),
    (("/etc",), "is outside the repository"),
])
def test_paths_that_are_not_overlays_are_exit_2(argv, says):
    code, out, _, _ = validate(*argv)
    assert code == 2
    assert_one_clear_line(out, says)


def test_usage_errors_are_exit_2():
    code, _, err, _ = validate()
    assert code == 2 and "name at least one overlay" in err
    code, _, err, _ = validate("--format", "yaml", "overlays/prod")
    assert code == 2 and "invalid choice" in err


def test_an_overlay_kustomize_cannot_render_is_exit_1_with_the_cause(repo):
    patch("overlays/minimal", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: no-such-worker\n"
                              "spec:\n  replicas: 2\n")(repo)
    code, out, _, _ = validate("overlays/minimal", repo=repo)
    assert code == 1
    assert "ONYX-RENDER-001 Kustomize cannot render this overlay, so Argo CD cannot sync it" in out
    assert "no-such-worker" in out and str(repo) not in out


def test_json_format_is_machine_readable(repo):
    patch("overlays/full", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: celery-beat\n"
                           "spec:\n  replicas: 2\n")(repo)
    code, out, _, _ = validate("--format", "json", "--all", repo=repo)
    document = json.loads(out)
    assert code == document["exit_code"] == 1
    by_overlay = {o["overlay"]: o for o in document["overlays"]}
    assert by_overlay["overlays/minimal"]["status"] == "clean"
    [finding] = [f for f in by_overlay["overlays/full"]["findings"] if f["id"] == "ONYX-SINGLETON-001"]
    assert finding["kind"] == "Deployment" and finding["name"] == "celery-beat"
    assert finding["file"] == "base/celery-beat/deployment.yaml"  # its origin, as Kustomize names it
    assert " — " in finding["message"]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_color_only_on_a_terminal_and_never_with_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color(_Terminal()) and not use_color(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color(_Terminal())
