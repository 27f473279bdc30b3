"""Parity: the embedded engine (regopy) and real OPA report exactly the same findings on every overlay and
on every case of the mutation corpus. A difference means a rule that silently never fires in one engine."""

from __future__ import annotations

import pytest

from onyx_gate.gate import registered_overlays, run_gate
from onyx_gate.opa_server import OpaServerEngine

from ..mutations.corpus import CASES, Case, copy_repo


def findings(result):
    rows = set()
    for overlay in result.overlays:
        assert overlay.error is None, f"{overlay.overlay}: {overlay.error}"
        rows |= {(f.overlay, f.id, f.severity, f.kind, f.name, f.field, f.file, f.message) for f in overlay.findings}
    rows |= {("repository", f.id, f.severity, f.kind, f.name, f.field, f.file, f.message) for f in result.repository}
    return rows


def both_engines(paths, repo, opa_url):
    embedded = run_gate(paths, repo_root=repo, cwd=repo)
    server = run_gate(paths, repo_root=repo, cwd=repo,
                      engine_factory=lambda policies: OpaServerEngine(policies, opa_url))
    return findings(embedded), findings(server)


@pytest.mark.parametrize("overlay", registered_overlays())
def test_real_overlays_agree(overlay, opa_url):
    from onyx_gate.gate import REPO_ROOT

    embedded, server = both_engines([overlay], REPO_ROOT, opa_url)
    assert embedded == server


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_mutation_corpus_agrees(case: Case, tmp_path, opa_url):
    repo = copy_repo(tmp_path)
    case.mutate(repo)
    embedded, server = both_engines([case.overlay], repo, opa_url)
    assert embedded == server, {"only embedded": embedded - server, "only OPA": server - embedded}
