"""`validate.py --base REF` end to end: real temporary git repositories (a base commit and a change), the base
rendered in a real `git worktree`, the semantic delta and the removal findings ONYX-DIFF-001/002/003."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import pytest
import yaml

from onyx_gate import diff as diff_module
from onyx_gate.diff import DIFF_QUEUE, DIFF_STORAGE, DIFF_WORKLOAD, DiffResult, run_diff
from onyx_gate.errors import EXIT_CLEAN, EXIT_FINDINGS, EXIT_INPUT, InputError
from onyx_gate.locate import Locator
from onyx_gate.waivers import EXPIRED_WAIVER, UNUSED_WAIVER

from ..mutations.corpus import config, edit, replicas
from .support import (add_patches, commit_all, delete_patch, find_line, git, line_of, manifest_repo, run_main,
                      run_validate)

LIGHT_QUEUES = "vespa_metadata_sync,connector_deletion,doc_permissions_upsert,checkpoint_cleanup,index_attempt_cleanup"


def light_command(queues: str) -> str:
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: celery-worker-light
spec:
  template:
    spec:
      containers:
        - name: celery-worker-light
          command:
            - celery
            - -A
            - onyx.background.celery.versioned_apps.light
            - worker
            - --hostname=light@%n
            - -Q
            - {queues}
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return manifest_repo(tmp_path / "repo")


def changed(repo: Path, message: str = "change") -> Path:
    commit_all(repo, message)
    return repo


def overlay(result: DiffResult, name: str):
    [found] = [o for o in result.overlays if o.overlay == name]
    [delta] = [d for d in result.deltas if d.overlay == name]
    return found, delta


def ids(findings) -> list[tuple[str, str, str]]:
    return [(f.id, f.kind, f.name) for f in findings]


def test_dropping_a_worker_from_prod_says_argo_cd_prunes_it_and_points_at_the_patch(repo: Path):
    add_patches(repo, "overlays/prod", delete_patch("Deployment", "celery-worker-heavy"))
    changed(repo)
    result = run_diff("HEAD~1", [], repo_root=repo)
    assert [o.overlay for o in result.overlays] == ["overlays/full", "overlays/minimal", "overlays/prod"]
    prod, delta = overlay(result, "overlays/prod")
    assert ids(prod.findings) == [(DIFF_WORKLOAD, "Deployment", "celery-worker-heavy")]
    [finding] = prod.findings
    assert "Argo CD prunes Deployment celery-worker-heavy minutes after merge — " in finding.message
    assert "connector_pruning" in finding.message  # the catalog's consequence, and the orphaned queues
    assert delta.auto_prune and delta.status == "changed"
    assert ("workloads", "Deployment/celery-worker-heavy") in [(c.section, c.subject) for c in delta.changes]
    assert result.exit_code == EXIT_FINDINGS
    for name in ("overlays/full", "overlays/minimal"):
        other, other_delta = overlay(result, name)
        assert other.findings == [] and other_delta.status == "unchanged" and other_delta.changes == []
    location = Locator(repo)(finding)
    assert location.file == "overlays/prod/kustomization.yaml"
    assert line_of(repo / location.file, location.line).strip() == "$patch: delete"
    assert location.line == find_line(repo / location.file, "$patch: delete")


def test_the_same_removal_in_a_manually_synced_overlay_is_listed_not_refused(repo: Path):
    add_patches(repo, "overlays/full", delete_patch("Deployment", "celery-worker-heavy"))
    changed(repo)
    result = run_diff("main~1", [], repo_root=repo)
    full, delta = overlay(result, "overlays/full")
    assert full.findings == [] and result.exit_code == EXIT_CLEAN
    assert not delta.auto_prune and "manual sync" in delta.sync
    assert [(c.section, c.subject, c.after) for c in delta.changes] == [
        ("workloads", "Deployment/celery-worker-heavy", "removed")]


def test_a_queue_dropped_from_a_workers_command_is_a_finding_at_the_command_line(repo: Path):
    add_patches(repo, "overlays/prod", light_command("connector_deletion,checkpoint_cleanup,index_attempt_cleanup"))
    changed(repo)
    result = run_diff("HEAD~1", ["overlays/prod"], repo_root=repo)
    prod, delta = overlay(result, "overlays/prod")
    assert [o.overlay for o in result.overlays] == ["overlays/prod"]
    assert ids(prod.findings) == [(DIFF_QUEUE, "Deployment", "celery-worker-light")]
    [finding] = prod.findings
    assert finding.field == "spec.template.spec.containers[0].command"
    assert 'stops consuming "doc_permissions_upsert", "vespa_metadata_sync"' in finding.message
    assert "Argo CD rolls the new command out minutes after merge — " in finding.message
    assert '"vespa_metadata_sync" has no consumer left: document-set' in finding.message
    [queues] = [c for c in delta.changes if c.section == "queues"]
    assert queues.subject == "Deployment/celery-worker-light" and "vespa_metadata_sync" in queues.before
    assert "vespa_metadata_sync" not in queues.after
    location = Locator(repo)(finding)
    kustomization = repo / "overlays/prod/kustomization.yaml"
    assert location.file == "overlays/prod/kustomization.yaml"
    assert line_of(kustomization, location.line).strip() == "command:"
    assert location.line > find_line(kustomization, "patches:")


def test_a_queue_still_consumed_elsewhere_says_by_whom(repo: Path):
    add_patches(repo, "overlays/prod", """apiVersion: apps/v1
kind: Deployment
metadata:
  name: celery-worker-docfetching
spec:
  template:
    spec:
      containers:
        - name: celery-worker-docfetching
          command: [celery, -A, onyx.background.celery.versioned_apps.docfetching, worker, -Q, connector_doc_fetching]
""")
    changed(repo)
    [prod] = run_diff("HEAD~1", ["overlays/prod"], repo_root=repo).overlays
    [finding] = prod.findings
    assert finding.id == DIFF_QUEUE and finding.name == "celery-worker-docfetching"
    assert '"user_files_indexing" is still consumed by celery-worker-user-files-indexing' in finding.message


def test_scaling_a_consumer_to_zero_is_a_finding_at_the_overlays_replicas_entry(repo: Path):
    replicas("overlays/prod", "celery-worker-monitoring", 0)(repo)
    changed(repo)
    result = run_diff("HEAD~1", ["overlays/prod"], repo_root=repo)
    prod, delta = overlay(result, "overlays/prod")
    [finding] = prod.findings
    assert (finding.id, finding.name, finding.field) == (DIFF_QUEUE, "celery-worker-monitoring", "spec.replicas")
    assert "scales Deployment celery-worker-monitoring from 1 to 0 replicas minutes after merge" in finding.message
    # the delta lists the replica change; the configured -Q list is unchanged, so no queues row
    assert [(c.section, c.before, c.after) for c in delta.changes] == [("replicas", "1", "0")]
    location = Locator(repo)(finding)
    kustomization = repo / "overlays/prod/kustomization.yaml"
    assert location.file == "overlays/prod/kustomization.yaml"
    assert line_of(kustomization, location.line).strip() == "count: 0"
    assert line_of(kustomization, location.line - 1).strip() == "- name: celery-worker-monitoring"


def test_removing_a_statefulset_with_prune_disabled_says_argo_cd_leaves_it_unmanaged(repo: Path):
    add_patches(repo, "overlays/prod", delete_patch("StatefulSet", "vespa"))
    changed(repo)
    [prod] = run_diff("HEAD~1", ["overlays/prod"], repo_root=repo).overlays
    [finding] = prod.findings
    assert (finding.id, finding.kind, finding.name) == (DIFF_STORAGE, "StatefulSet", "vespa")
    assert "Argo CD does not prune it (sync-options Prune=false)" in finding.message
    assert "stays OutOfSync" in finding.message and '"vespa-storage"' in finding.message


def test_removing_a_prunable_statefulset_says_argo_cd_prunes_it(repo: Path):
    edit("base/minio/stateful-set.yaml", lambda s: s["metadata"]["annotations"].pop("argocd.argoproj.io/sync-options"))(repo)
    commit_all(repo, "minio may be pruned")
    add_patches(repo, "overlays/prod", delete_patch("StatefulSet", "minio"))
    changed(repo)
    [prod] = run_diff("HEAD~1", ["overlays/prod"], repo_root=repo).overlays
    [finding] = prod.findings
    assert (finding.id, finding.name) == (DIFF_STORAGE, "minio")
    assert "Argo CD prunes StatefulSet minio minutes after merge — its pods stop and" in finding.message


def test_dropping_a_volume_claim_template_is_a_finding_at_the_json6902_operation(repo: Path):
    add_patches(repo, "overlays/prod", ("- op: remove\n  path: /spec/volumeClaimTemplates\n",
                                        {"kind": "StatefulSet", "name": "vespa"}))
    changed(repo)
    result = run_diff("HEAD~1", ["overlays/prod"], repo_root=repo)
    prod, delta = overlay(result, "overlays/prod")
    [finding] = prod.findings
    assert (finding.id, finding.name, finding.field) == (DIFF_STORAGE, "vespa", "spec.volumeClaimTemplates")
    assert "volumeClaimTemplates are immutable" in finding.message
    assert finding.file == "base/vespa/stateful-set.yaml"  # origin annotation of the object
    assert [(c.section, c.after) for c in delta.changes if c.section == "storage"] == [
        ("storage", "volumeClaimTemplates: none")]
    location = Locator(repo)(finding)
    assert location.file == "overlays/prod/kustomization.yaml"
    assert line_of(repo / location.file, location.line).strip() == "path: /spec/volumeClaimTemplates"


def test_legitimate_changes_are_listed_and_pass(repo: Path):
    replicas("overlays/prod", "celery-worker-light", 4)(repo)
    edit("overlays/prod/kustomization.yaml", lambda k: k["images"].append({"name": "busybox", "newTag": "1"}))(repo)
    edit("overlays/prod/kustomization.yaml", lambda k: [i.update(newTag="1.23.5-alpine") for i in k["images"]
                                                        if i["name"] == "nginx"])(repo)
    config("overlays/prod", REDIS_HOST="redis.onyx-prod.svc.cluster.local")(repo)
    changed(repo)
    result = run_diff("HEAD~1", ["overlays/prod"], repo_root=repo)
    prod, delta = overlay(result, "overlays/prod")
    assert prod.findings == [] and result.exit_code == EXIT_CLEAN
    rows = {(c.section, c.subject): (c.before, c.after) for c in delta.changes}
    assert rows[("replicas", "Deployment/celery-worker-light")] == ("2", "4")
    assert rows[("images", "Deployment/nginx nginx")] == ("nginx:1.23.4-alpine", "nginx:1.23.5-alpine")
    [(subject, (before, after))] = [(s, v) for (section, s), v in rows.items() if section == "wiring"]
    assert subject.startswith("redis (") and "api-server" in subject
    assert before == "redis:6379 → Service redis → redis"
    assert after == "redis.onyx-prod.svc.cluster.local:6379 → Service redis → redis"


def test_argo_cd_sync_settings_and_network_policies_are_part_of_the_delta(repo: Path):
    edit("argocd/applications/prod-application.yaml", lambda a: a["spec"]["syncPolicy"].pop("automated"))(repo)
    policy = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "deny-all-test"},
              "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}}
    (repo / "overlays/full/deny-all-test.yaml").write_text(yaml.safe_dump(policy))
    edit("overlays/full/kustomization.yaml", lambda k: k.setdefault("resources", []).append("deny-all-test.yaml"))(repo)
    add_patches(repo, "overlays/prod", delete_patch("Deployment", "celery-worker-kg-processing"))
    changed(repo)
    result = run_diff("HEAD~1", [], repo_root=repo)
    prod, prod_delta = overlay(result, "overlays/prod")
    assert ("argocd", "Application/onyx-prod sync", "Application onyx-prod: automated sync with prune and selfHeal",
            "Application onyx-prod: manual sync") in [(c.section, c.subject, c.before, c.after) for c in prod_delta.changes]
    # prune was on at the base: the merge itself is synced automatically, so the removal is still judged
    assert prod_delta.auto_prune and ids(prod.findings) == [(DIFF_WORKLOAD, "Deployment", "celery-worker-kg-processing")]
    _, full_delta = overlay(result, "overlays/full")
    [row] = full_delta.changes
    assert (row.section, row.subject, row.before) == ("network-policies", "NetworkPolicy/deny-all-test", "absent")
    assert row.after.startswith("selects api-server, ") and "Ingress; 0 ingress, 0 egress rule(s)" in row.after


# --- waivers: the same mechanism as every other finding -----------------------------------------------------

def write_waivers(repo: Path, *waivers: dict[str, str]) -> None:
    """Add waivers to the repository's own (which may already hold reviewed exceptions)."""
    path = repo / "policies/waivers.yaml"
    existing = (yaml.safe_load(path.read_text()) or {}).get("waivers") or [] if path.is_file() else []
    path.write_text(yaml.safe_dump({"waivers": [*existing, *waivers]}, sort_keys=False))


def heavy_waiver(expires: str = "2099-12-31", resource: str = "Deployment/celery-worker-heavy") -> dict[str, str]:
    return {"id": DIFF_WORKLOAD, "overlay": "overlays/prod", "resource": resource,
            "reason": "heavy work moves to the batch cluster (CHG-1234)", "owner": "platform-team", "expires": expires}


def test_a_live_waiver_lets_a_removal_pass_and_it_is_still_reported_and_counted(repo: Path):
    add_patches(repo, "overlays/prod", delete_patch("Deployment", "celery-worker-heavy"))
    write_waivers(repo, heavy_waiver())
    changed(repo)
    code, out, err = run_main("--repo", str(repo), "--base", "HEAD~1", "--format", "json")
    assert (code, err) == (EXIT_CLEAN, "")
    document = json.loads(out)
    [prod] = [o for o in document["overlays"] if o["overlay"] == "overlays/prod"]
    assert prod["status"] == "clean" and prod["waived"] == 1
    [finding] = prod["findings"]
    assert finding["id"] == DIFF_WORKLOAD and "CHG-1234" in finding["waived"] and "platform-team" in finding["waived"]
    assert document["base"]["ref"] == "HEAD~1" and len(document["base"]["commit"]) == 40


def test_an_expired_waiver_does_not_apply_and_is_itself_a_finding(repo: Path):
    add_patches(repo, "overlays/prod", delete_patch("Deployment", "celery-worker-heavy"))
    write_waivers(repo, heavy_waiver(expires="2020-01-01"))
    changed(repo)
    result = run_diff("HEAD~1", ["overlays/prod"], repo_root=repo, today=dt.date(2026, 12, 4))
    [prod] = result.overlays
    assert sorted(f.id for f in prod.failing) == [DIFF_WORKLOAD, EXPIRED_WAIVER]
    assert result.exit_code == EXIT_FINDINGS
    [expired] = [f for f in prod.findings if f.id == EXPIRED_WAIVER]
    location = Locator(repo)(expired)
    assert location.file == "policies/waivers.yaml"
    assert line_of(repo / location.file, location.line).strip() == "expires: '2020-01-01'"


def test_a_new_diff_waiver_that_matches_nothing_is_a_finding(repo: Path):
    write_waivers(repo, heavy_waiver(resource="Deployment/celery-worker-light"))
    changed(repo)
    [prod] = run_diff("HEAD~1", ["overlays/prod"], repo_root=repo).overlays
    assert [(f.id, f.name) for f in prod.failing] == [(UNUSED_WAIVER, "celery-worker-light")]


def test_a_diff_waiver_inherited_from_the_base_is_left_to_expire(repo: Path):
    write_waivers(repo, heavy_waiver(resource="Deployment/celery-worker-light"))
    commit_all(repo, "an earlier pull request's reviewed removal")
    replicas("overlays/prod", "celery-worker-light", 3)(repo)
    changed(repo)
    result = run_diff("HEAD~1", ["overlays/prod"], repo_root=repo)
    assert result.overlays[0].findings == [] and result.exit_code == EXIT_CLEAN


def test_the_gate_does_not_call_a_diff_waiver_unused_but_still_flags_other_unused_waivers(repo: Path):
    unrelated = {"id": "ONYX-QUEUE-001", "overlay": "overlays/prod", "resource": "Deployment/celery-worker-light",
                 "reason": "a waiver that matches nothing", "owner": "platform-team", "expires": "2099-12-31"}
    write_waivers(repo, heavy_waiver(), unrelated)
    changed(repo)
    code, out, err = run_main("--repo", str(repo), "overlays/prod", "--format", "json")
    assert err == "" and code == EXIT_FINDINGS, out
    [prod] = json.loads(out)["overlays"]
    failing = [(f["id"], f["name"]) for f in prod["findings"] if not f["waived"]]
    assert failing == [(UNUSED_WAIVER, "celery-worker-light")]
    assert not any(f["id"] == UNUSED_WAIVER and f["name"] == "celery-worker-heavy" for f in prod["findings"])


# --- the worktree, bad refs, exit codes --------------------------------------------------------------------------

def worktrees(repo: Path) -> list[str]:
    return [line for line in git(repo, "worktree", "list", "--porcelain").splitlines() if line.startswith("worktree ")]


def test_the_worktree_is_removed_after_a_run_and_after_a_failure(repo: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    seen: list[Path] = []
    real = diff_module.load_snapshot

    def spy(root: Path, *, strict: bool):
        if not strict:
            seen.append(root)
            assert (root / "overlays/prod/kustomization.yaml").is_file()
            assert len(worktrees(repo)) == 2  # the base is checked out while it is rendered
        return real(root, strict=strict)

    monkeypatch.setattr(diff_module, "load_snapshot", spy)
    run_diff("HEAD", [], repo_root=repo)
    assert seen and not seen[0].exists()
    assert worktrees(repo) == [f"worktree {repo.resolve()}"]

    def boom(*args, **kwargs):
        raise RuntimeError("renderer exploded")

    monkeypatch.setattr(diff_module, "compare_overlay", boom)
    with pytest.raises(RuntimeError, match="renderer exploded"):
        run_diff("HEAD", [], repo_root=repo)
    assert worktrees(repo) == [f"worktree {repo.resolve()}"]
    assert list(scratch.iterdir()) == [], "the temporary worktree directory was left behind"
    assert "onyx-gate-base" not in git(repo, "worktree", "list")


@pytest.mark.parametrize("ref", ["no-such-branch", "origin/main", "HEAD~5", "--all", "main:overlays"])
def test_a_bad_ref_is_exit_2_with_one_line_and_no_worktree(repo: Path, ref: str):
    completed = run_validate("--repo", str(repo), f"--base={ref}")  # = : "--all" is a value here, not an option
    assert completed.returncode == EXIT_INPUT
    assert completed.stdout == ""
    assert completed.stderr.count("\n") == 1 and completed.stderr.startswith(f"validate.py: error: --base {ref}: ")
    assert "Traceback" not in completed.stderr
    assert worktrees(repo) == [f"worktree {repo.resolve()}"]


def test_base_outside_a_git_repository_is_exit_2(tmp_path: Path):
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(InputError, match="not a commit|not inside"):
        run_diff("HEAD", [], repo_root=plain)
    code, out, err = run_main("--repo", str(plain), "--base", "HEAD")
    assert code == EXIT_INPUT and out == "" and err.startswith("validate.py: error: --base ")


def test_the_cli_exit_code_is_1_for_an_unwaived_removal(repo: Path, tmp_path: Path):
    add_patches(repo, "overlays/prod", delete_patch("Deployment", "celery-worker-heavy"))
    changed(repo)
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    completed = run_validate("--repo", str(repo), "--base", "HEAD~1", "--summary", str(summary))
    assert completed.returncode == EXIT_FINDINGS, completed.stderr
    assert "ONYX-DIFF-001" in completed.stdout and "overlays/prod/kustomization.yaml:" in completed.stdout
    text = summary.read_text()
    assert text.startswith("earlier step\n### Onyx: what Argo CD applies after merge")  # appended, not replaced
    assert "| workloads | Deployment/celery-worker-heavy | 1 replica(s) | removed |" in text


def test_uncommitted_changes_in_the_working_tree_are_what_is_compared(repo: Path):
    add_patches(repo, "overlays/prod", delete_patch("Deployment", "celery-worker-heavy"))  # not committed
    [prod] = run_diff("HEAD", ["overlays/prod"], repo_root=repo).overlays
    assert ids(prod.findings) == [(DIFF_WORKLOAD, "Deployment", "celery-worker-heavy")]


def test_an_overlay_that_no_longer_renders_is_a_render_finding(repo: Path):
    add_patches(repo, "overlays/prod", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
                                       "  name: celery-worker-indexing\nspec:\n  replicas: 2\n")
    changed(repo)
    result = run_diff("HEAD~1", ["overlays/prod"], repo_root=repo)
    prod, delta = overlay(result, "overlays/prod")
    assert [(f.id, f.file) for f in prod.findings] == [("ONYX-RENDER-001", "overlays/prod/kustomization.yaml")]
    assert "celery-worker-indexing" in prod.findings[0].message and str(repo) not in prod.findings[0].message
    assert delta.status == "not-rendered" and result.exit_code == EXIT_FINDINGS


def test_a_new_overlay_is_listed_as_added(repo: Path):
    import shutil

    shutil.copytree(repo / "overlays/minimal", repo / "overlays/staging")
    edit("overlays/staging/kustomization.yaml", lambda k: k.update(namespace="onyx-staging"))(repo)
    edit("policies/data/profiles/data.yaml", lambda d: d["overlays"].update({"overlays/staging": "minimal"}))(repo)
    changed(repo)
    result = run_diff("HEAD~1", [], repo_root=repo)
    assert [o.overlay for o in result.overlays] == ["overlays/full", "overlays/minimal", "overlays/prod",
                                                    "overlays/staging"]
    staging, delta = overlay(result, "overlays/staging")
    assert staging.findings == [] and delta.status == "added" and delta.sync == "no Application"
    added = [c.subject for c in delta.changes if c.section == "workloads" and c.before == "absent"]
    assert "Deployment/celery-worker-docprocessing" in added and "StatefulSet/vespa" in added
    assert result.exit_code == EXIT_CLEAN


def test_a_workload_that_changes_kind_is_a_removal_that_says_what_replaces_it(repo: Path):
    edit("argocd/applications/full-application.yaml",
         lambda a: a["spec"]["syncPolicy"].update(automated={"prune": True, "selfHeal": True}))(repo)
    commit_all(repo, "full syncs automatically")
    deployment = yaml.safe_load((repo / "base/redis/deployment.yaml").read_text())
    statefulset = {**deployment, "kind": "StatefulSet", "spec": {**deployment["spec"], "serviceName": "redis"}}
    statefulset["spec"].pop("strategy", None)
    (repo / "base/redis/deployment.yaml").unlink()
    (repo / "base/redis/stateful-set.yaml").write_text(yaml.safe_dump(statefulset, sort_keys=False))
    edit("base/redis/kustomization.yaml", lambda k: k.update(resources=[
        "stateful-set.yaml" if r == "deployment.yaml" else r for r in k["resources"]]))(repo)
    changed(repo)
    [full] = run_diff("HEAD~1", ["overlays/full"], repo_root=repo).overlays
    assert ids(full.findings) == [(DIFF_WORKLOAD, "Deployment", "redis")]
    assert "Argo CD prunes Deployment redis minutes after merge — it is replaced by StatefulSet redis" in \
        full.findings[0].message


def test_network_policies_are_listed_when_rewritten_or_left_selecting_nothing_not_for_every_peer_shift(repo: Path):
    def policy(name: str, selector: dict, port: int) -> dict:
        return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": name},
                "spec": {"podSelector": selector, "policyTypes": ["Ingress"],
                         "ingress": [{"from": [{"podSelector": {}}], "ports": [{"port": port}]}]}}

    policies = {"all-pods": policy("all-pods", {}, 8080),
                "heavy-only": policy("heavy-only", {"matchLabels": {"app": "celery-worker-heavy"}}, 8080),
                "redis-in": policy("redis-in", {"matchLabels": {"app": "redis"}}, 6379)}
    for name, document in policies.items():
        (repo / f"overlays/full/{name}.yaml").write_text(yaml.safe_dump(document))
    edit("overlays/full/kustomization.yaml", lambda k: k.setdefault("resources", []).extend(
        f"{name}.yaml" for name in policies))(repo)
    commit_all(repo, "full gets NetworkPolicies")
    add_patches(repo, "overlays/full", delete_patch("Deployment", "celery-worker-heavy"))
    policies["redis-in"]["spec"]["ingress"][0]["ports"] = [{"port": 6380}]
    (repo / "overlays/full/redis-in.yaml").write_text(yaml.safe_dump(policies["redis-in"]))
    changed(repo)
    _, delta = overlay(run_diff("HEAD~1", ["overlays/full"], repo_root=repo), "overlays/full")
    rows = {c.subject: (c.before, c.after) for c in delta.changes if c.section == "network-policies"}
    assert set(rows) == {"NetworkPolicy/heavy-only", "NetworkPolicy/redis-in"}  # all-pods only lost a pod
    assert rows["NetworkPolicy/heavy-only"][1].startswith("selects no pod;")
    assert rows["NetworkPolicy/redis-in"][1] == "selects redis; Ingress; 1 ingress, 0 egress rule(s) (rules rewritten)"
