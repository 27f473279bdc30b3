"""The gate's caches never answer for changed input: a change after a cached run is judged anew."""

from __future__ import annotations

from onyx_gate.gate import run_gate

from .corpus import copy_repo, replicas


def test_a_cached_render_is_not_reused_after_an_overlay_input_changes(tmp_path):
    repo = copy_repo(tmp_path)
    first = run_gate(["overlays/full"], repo_root=repo, cwd=repo)
    assert first.exit_code == 0
    replicas("overlays/full", "celery-beat", 2)(repo)  # same paths, new bytes
    second = run_gate(["overlays/full"], repo_root=repo, cwd=repo)
    assert "ONYX-SINGLETON-001" in {f.id for f in second.overlays[0].findings}


def test_a_base_file_change_reaches_every_overlay_that_loads_it(tmp_path):
    repo = copy_repo(tmp_path)
    assert run_gate(["overlays/minimal"], repo_root=repo, cwd=repo).exit_code == 0
    config = repo / "base" / "config" / "config-map.yaml"
    config.write_text(config.read_text().replace("REDIS_HOST: redis", "REDIS_HOST: redis-master"))
    result = run_gate(["overlays/minimal"], repo_root=repo, cwd=repo)
    assert "ONYX-WIRING-002" in {f.id for f in result.overlays[0].findings}
