"""The YAML locator: every finding points at the file and line that introduced the offending value. Checked
against the real files of this repository (the expected line is found by reading the file, never hard-coded)
and against patch fixtures of every kind Kustomize takes."""

from __future__ import annotations

from pathlib import Path

import pytest

from onyx_gate.findings import Finding
from onyx_gate.locate import Location, Locator, parse_field

from ..mutations.corpus import copy_repo
from .support import REPO_ROOT, find_line, line_of


def finding(overlay: str, kind: str, name: str, field: str, file: str, message: str = "m") -> Finding:
    return Finding("ONYX-TEST-001", "error", "t", overlay, kind, name, field, file, message)


@pytest.fixture(scope="module")
def real() -> Locator:
    return Locator(REPO_ROOT)


def block_after(path: Path, anchor: str, needle: str) -> int:
    """The line with `needle` that follows the line with `anchor` (e.g. a list entry's `count` after its name)."""
    return find_line(path, needle, after=find_line(path, anchor))


def test_parse_field_reads_dotted_paths_json_paths_and_label_keys():
    assert parse_field("spec.template.spec.containers[0].command") == [
        "spec", "template", "spec", "containers", 0, "command"]
    assert parse_field("$.spec.template.spec.containers[1]") == ["spec", "template", "spec", "containers", 1]
    assert parse_field("metadata.labels[onyx-gitops/profile]") == ["metadata", "labels", "onyx-gitops/profile"]
    assert parse_field("$['metadata']['annotations']['a.b/c']") == ["metadata", "annotations", "a.b/c"]
    assert parse_field("") == [] and parse_field("$") == []


def test_a_field_in_a_base_file_points_at_its_key(real: Locator):
    file = "base/celery-worker-primary/deployment.yaml"
    location = real(finding("overlays/minimal", "Deployment", "celery-worker-primary",
                            "spec.template.spec.containers[0].command", file))
    assert location == Location(file, find_line(REPO_ROOT / file, "command:"),
                                line_of(REPO_ROOT / file, location.line).index("command:") + 1)


def test_a_field_that_is_not_written_falls_back_to_metadata_name(real: Locator):
    file = "base/celery-worker-primary/deployment.yaml"
    location = real(finding("overlays/minimal", "Deployment", "celery-worker-primary",
                            "spec.template.spec.containers[0].noSuchField", file))
    assert location.file == file
    assert line_of(REPO_ROOT / file, location.line).strip() == "name: celery-worker-primary"
    assert location.line == find_line(REPO_ROOT / file, "name: celery-worker-primary")


def test_replicas_set_by_the_overlay_point_at_its_replicas_entry(real: Locator):
    kustomization = REPO_ROOT / "overlays/prod/kustomization.yaml"
    location = real(finding("overlays/prod", "Deployment", "api-server", "spec.replicas",
                            "base/api-server/deployment.yaml"))
    assert location.file == "overlays/prod/kustomization.yaml"
    assert location.line == block_after(kustomization, "- name: api-server", "count:")
    assert location.line > find_line(kustomization, "replicas:")


def test_replicas_not_overridden_point_at_the_base(real: Locator):
    file = "base/celery-beat/deployment.yaml"
    location = real(finding("overlays/prod", "Deployment", "celery-beat", "spec.replicas", file))
    assert location == Location(file, find_line(REPO_ROOT / file, "replicas:"), 3)


def test_an_image_pinned_by_the_overlay_points_at_its_images_entry(real: Locator):
    kustomization = REPO_ROOT / "overlays/prod/kustomization.yaml"
    location = real(finding("overlays/prod", "Deployment", "api-server", "spec.template.spec.containers[0].image",
                            "base/api-server/deployment.yaml"))
    assert location.file == "overlays/prod/kustomization.yaml"
    assert location.line == block_after(kustomization, "- name: onyxdotapp/onyx-backend", "newTag:")
    # minimal pins nothing: the base file's image line
    file = "base/api-server/deployment.yaml"
    location = real(finding("overlays/minimal", "Deployment", "api-server", "spec.template.spec.containers[0].image",
                            file))
    assert (location.file, location.line) == (file, find_line(REPO_ROOT / file, "image: onyxdotapp/onyx-backend"))


def test_an_application_label_and_a_json_path(real: Locator):
    file = "argocd/applications/prod-application.yaml"
    location = real(finding("argocd", "Application", "onyx-prod", "metadata.labels[onyx-gitops/profile]", file))
    assert (location.file, location.line) == (file, find_line(REPO_ROOT / file, "onyx-gitops/profile:"))
    location = real(finding("argocd", "Application", "onyx-prod", "$.spec.syncPolicy.automated", file))
    assert line_of(REPO_ROOT / file, location.line).strip() == "automated:"


def test_an_absent_workload_points_at_the_overlays_component_list(real: Locator):
    file = "overlays/minimal/kustomization.yaml"
    location = real(finding("overlays/minimal", "Deployment", "celery-worker-light", "", file))
    assert (location.file, location.line) == (file, find_line(REPO_ROOT / file, "components:"))
    # a finding with no file at all (e.g. a generated object) still lands on the overlay's kustomization
    location = real(finding("overlays/minimal", "ConfigMap", "generated", "data", ""))
    assert location.file == file and location.line >= 1


# --- patches of every kind (fixtures) -------------------------------------------------------------------------

@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_repo(tmp_path)


def write(repo: Path, relative: str, text: str) -> Path:
    (repo / relative).parent.mkdir(parents=True, exist_ok=True)
    (repo / relative).write_text(text)
    return repo / relative


PATCH_FILE = """# raise docprocessing's memory and give light a new command
apiVersion: apps/v1
kind: Deployment
metadata:
  name: celery-worker-docprocessing
spec:
  template:
    spec:
      containers:
        - name: celery-worker-docprocessing
          resources:
            limits:
              memory: 16Gi
"""


def test_patches_inline_in_a_file_json6902_and_strategic_merge(repo: Path):
    write(repo, "overlays/full/docprocessing-memory.yaml", PATCH_FILE)
    write(repo, "overlays/full/beat-replicas.json6902.yaml", "- op: replace\n  path: /spec/replicas\n  value: 1\n")
    write(repo, "overlays/full/light-sm.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
                                               "  name: celery-worker-light\nspec:\n  replicas: 3\n")
    with (repo / "overlays/full/kustomization.yaml").open("a") as stream:
        stream.write("""patches:
  - path: docprocessing-memory.yaml
  - path: beat-replicas.json6902.yaml
    target:
      kind: Deployment
      name: celery-beat
  - patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: celery-worker-primary
      spec:
        template:
          spec:
            containers:
              - name: celery-worker-primary
                command: [celery, -A, onyx.background.celery.versioned_apps.primary, worker]
  - target:
      kind: Deployment
      name: celery-worker-(heavy|monitoring)
    patch: |-
      - op: add
        path: /spec/template/spec/containers/0/args
        value: [--concurrency=2]
patchesStrategicMerge:
  - light-sm.yaml
""")
    locate = Locator(repo)
    kustomization = repo / "overlays/full/kustomization.yaml"

    location = locate(finding("overlays/full", "Deployment", "celery-worker-docprocessing",
                              "spec.template.spec.containers[0].resources.limits.memory",
                              "base/celery-worker-docprocessing/deployment.yaml"))
    assert (location.file, location.line) == ("overlays/full/docprocessing-memory.yaml", 13)
    assert line_of(repo / location.file, location.line).strip() == "memory: 16Gi"

    location = locate(finding("overlays/full", "Deployment", "celery-beat", "spec.replicas",
                              "base/celery-beat/deployment.yaml"))
    assert (location.file, location.line) == ("overlays/full/beat-replicas.json6902.yaml", 2)

    location = locate(finding("overlays/full", "Deployment", "celery-worker-primary",
                              "spec.template.spec.containers[0].command", "base/celery-worker-primary/deployment.yaml"))
    assert location.file == "overlays/full/kustomization.yaml"
    assert line_of(kustomization, location.line).strip().startswith("command: [celery, -A")
    assert location.column == line_of(kustomization, location.line).index("command") + 1

    # a regex target, JSON 6902 inside an inline block
    location = locate(finding("overlays/full", "Deployment", "celery-worker-monitoring",
                              "spec.template.spec.containers[0].args", "base/celery-worker-monitoring/deployment.yaml"))
    assert line_of(kustomization, location.line).strip() == "path: /spec/template/spec/containers/0/args"

    location = locate(finding("overlays/full", "Deployment", "celery-worker-light", "spec.replicas",
                              "base/celery-worker-light/deployment.yaml"))
    assert (location.file, location.line) == ("overlays/full/light-sm.yaml", 6)

    # a patch that does not set the field does not claim it: the base file does
    location = locate(finding("overlays/full", "Deployment", "celery-worker-docprocessing", "spec.replicas",
                              "base/celery-worker-docprocessing/deployment.yaml"))
    assert location.file == "base/celery-worker-docprocessing/deployment.yaml"


def test_a_patch_in_a_component_is_found_from_the_overlay(repo: Path):
    write(repo, "components/indexing-workers/patch-docfetching.yaml",
          "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: celery-worker-docfetching\nspec:\n"
          "  template:\n    spec:\n      terminationGracePeriodSeconds: 600\n")
    with (repo / "components/indexing-workers/kustomization.yaml").open("a") as stream:
        stream.write("patches:\n  - path: patch-docfetching.yaml\n")
    location = Locator(repo)(finding("overlays/minimal", "Deployment", "celery-worker-docfetching",
                                     "spec.template.spec.terminationGracePeriodSeconds",
                                     "base/celery-worker-docfetching/deployment.yaml"))
    assert (location.file, location.line) == ("components/indexing-workers/patch-docfetching.yaml", 8)


def test_a_container_patched_by_name_is_found_although_its_index_differs(repo: Path):
    # the rendered pod has the container at index 0; the patch lists a sidecar first
    with (repo / "overlays/full/kustomization.yaml").open("a") as stream:
        stream.write("""patches:
  - patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: api-server
      spec:
        template:
          spec:
            containers:
              - name: sidecar
                image: busybox
              - name: api-server
                imagePullPolicy: Always
""")
    location = Locator(repo)(finding("overlays/full", "Deployment", "api-server",
                                     "spec.template.spec.containers[0].imagePullPolicy",
                                     "base/api-server/deployment.yaml"))
    kustomization = repo / "overlays/full/kustomization.yaml"
    assert line_of(kustomization, location.line).strip() == "imagePullPolicy: Always"


def test_a_waiver_finding_points_at_its_entry(repo: Path):
    waivers = write(repo, "policies/waivers.yaml", """waivers:
  - id: ONYX-QUEUE-001
    overlay: overlays/prod
    resource: Deployment/celery-worker-light
    reason: first waiver in the file
    owner: team-a
    expires: 2030-01-01
  - id: ONYX-DIFF-001
    overlay: overlays/prod
    resource: Deployment/celery-worker-heavy
    reason: second waiver in the file
    owner: team-b
    expires: 2020-01-01
""")
    expired = finding("overlays/prod", "Deployment", "celery-worker-heavy", "expires", "policies/waivers.yaml",
                      "waiver 2 for ONYX-DIFF-001 on Deployment/celery-worker-heavy expired on 2020-01-01 — …")
    location = Locator(repo)(expired)
    assert (location.file, location.line) == ("policies/waivers.yaml", 13)
    assert line_of(waivers, 13).strip() == "expires: 2020-01-01"
    unused = finding("overlays/prod", "Deployment", "celery-worker-light", "id", "policies/waivers.yaml",
                     "waiver 1 for ONYX-QUEUE-001 on Deployment/celery-worker-light matches no finding — …")
    assert Locator(repo)(unused).line == 2


def test_an_unreadable_file_degrades_to_the_file_without_a_line(repo: Path):
    write(repo, "base/broken.yaml", "a: [unclosed\n")
    location = Locator(repo)(finding("overlays/full", "Deployment", "x", "spec.replicas", "base/broken.yaml"))
    assert location == Location("base/broken.yaml", 1)
    assert Locator(repo)(finding("", "", "", "", "nowhere.yaml")) == Location("nowhere.yaml", 0)


def test_resource_files_name_the_file_that_defines_each_object():
    from onyx_gate.locate import resource_files

    files = resource_files(REPO_ROOT, "overlays/prod")
    assert files[("Deployment", "api-server")] == "base/api-server/deployment.yaml"
    assert files[("StatefulSet", "vespa")] == "base/vespa/stateful-set.yaml"
    for (kind, name), file in files.items():  # every entry really defines that object
        text = (REPO_ROOT / file).read_text()
        assert f"kind: {kind}" in text and f"name: {name}" in text, (kind, name, file)
    assert resource_files(REPO_ROOT, "overlays/nowhere") == {}
