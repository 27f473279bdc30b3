import time

import pytest

from onyx_gate.errors import InputError
from onyx_gate.screen import screen_overlay

ALIAS_BOMB = "a: &a [x, x]\n" + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}]\n"
                                         for i in range(20))


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "kustomization.yaml").write_text("resources: [config-map.yaml]\n")
    (tmp_path / "base" / "config-map.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    (tmp_path / "overlay").mkdir()
    (tmp_path / "overlay" / "kustomization.yaml").write_text("namespace: x\nresources: [../base]\n")
    return tmp_path


def test_a_clean_overlay_walks_every_file(repo):
    report = screen_overlay(repo / "overlay", repo)
    assert sorted(p.name for p in report.files) == ["config-map.yaml", "kustomization.yaml", "kustomization.yaml"]


def test_alias_bomb_is_refused_quickly_with_file_and_position(repo):
    (repo / "base" / "config-map.yaml").write_text(ALIAS_BOMB)
    started = time.monotonic()
    with pytest.raises(InputError, match=r"base/config-map.yaml:1:4: YAML anchors and aliases are not allowed"):
        screen_overlay(repo / "overlay", repo)
    assert time.monotonic() - started < 2


def test_huge_file_is_refused_before_parsing(repo):
    (repo / "base" / "config-map.yaml").write_bytes(b"# padding\n" * (5 << 20))  # 50 MB
    with pytest.raises(InputError, match=r"base/config-map.yaml: file is 52428800 bytes, over the"):
        screen_overlay(repo / "overlay", repo)


def test_path_escaping_the_repository_is_refused(repo, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s}\n")
    (repo / "overlay" / "kustomization.yaml").write_text(f"resources: [../base, {outside}/secret.yaml]\n")
    with pytest.raises(InputError, match="points outside the repository"):
        screen_overlay(repo / "overlay", repo)


def test_symlink_escaping_the_repository_is_refused(repo, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "kustomization.yaml").write_text("resources: []\n")
    (repo / "link").symlink_to(outside)
    (repo / "overlay" / "kustomization.yaml").write_text("resources: [../link]\n")
    with pytest.raises(InputError, match="points outside the repository"):
        screen_overlay(repo / "overlay", repo)


def test_remote_resources_are_refused(repo):
    (repo / "overlay" / "kustomization.yaml").write_text("resources: [https://github.com/x/y//base?ref=main]\n")
    with pytest.raises(InputError, match="remote resources entry"):
        screen_overlay(repo / "overlay", repo)


def test_malformed_yaml_names_file_and_line(repo):
    (repo / "base" / "config-map.yaml").write_text("kind: ConfigMap\nmetadata: {name: [\n")
    with pytest.raises(InputError, match=r"base/config-map.yaml: malformed YAML: .*line 3"):
        screen_overlay(repo / "overlay", repo)


def test_missing_kustomization_in_a_referenced_directory(repo):
    (repo / "base" / "kustomization.yaml").unlink()
    with pytest.raises(InputError, match=r"base: no kustomization.yaml in this directory \(named in overlay/"):
        screen_overlay(repo / "overlay", repo)


def test_patch_and_generator_files_are_screened(repo):
    (repo / "overlay" / "patch-deployment.yaml").write_text(ALIAS_BOMB)
    (repo / "overlay" / "kustomization.yaml").write_text(
        "resources: [../base]\npatches:\n- path: patch-deployment.yaml\n")
    with pytest.raises(InputError, match="patch-deployment.yaml:1:4"):
        screen_overlay(repo / "overlay", repo)
