"""Helpers for the pull-request workflow tests: temporary git repositories built from this one, git with a
fixed identity and no user or system configuration, and the gate's CLI run in-process or as a process."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

from onyx_gate import cli

from ..mutations.corpus import copy_repo

REPO_ROOT = Path(__file__).resolve().parents[2]
VALIDATE = REPO_ROOT / "tools" / "validate.py"
SARIF_SCHEMA = REPO_ROOT / "schemas" / "sarif" / "sarif-schema-2.1.0.json"

# A fixed identity, and neither ~/.gitconfig nor /etc/gitconfig (signing, hooks paths, templates …).
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Gate Test", "GIT_AUTHOR_EMAIL": "gate@example.invalid",
    "GIT_COMMITTER_NAME": "Gate Test", "GIT_COMMITTER_EMAIL": "gate@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0",
}


def git(repo: Path, *args: str, check: bool = True) -> str:
    completed = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False,
                               env={**os.environ, **GIT_ENV})
    if check and completed.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {completed.stderr}")
    return completed.stdout


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def init_repo(repo: Path) -> Path:
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "base")
    return repo


def manifest_repo(target: Path) -> Path:
    """A git repository holding what the gate reads (corpus.copy_repo), committed once as `main`."""
    target.mkdir(parents=True, exist_ok=True)
    return init_repo(copy_repo(target))


def full_copy(target: Path) -> Path:
    """Every file a clone of this working tree has (tracked, plus new files not ignored), with this checkout's
    .venv and .tools reachable as symlinks, committed once. Hooks and CLI run from the copy's own tools/."""
    target.mkdir(parents=True, exist_ok=True)
    listed = subprocess.run(["git", "-C", str(REPO_ROOT), "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], capture_output=True, check=True).stdout.decode()
    for relative in filter(None, listed.split("\0")):
        source = REPO_ROOT / relative
        if not source.is_file():
            continue  # deleted in the working tree
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / relative, follow_symlinks=False)
    for name in (".venv", ".tools"):
        (target / name).symlink_to(REPO_ROOT / name, target_is_directory=True)
    git(target, "init", "-q", "-b", "main")
    (target / ".git" / "info").mkdir(parents=True, exist_ok=True)
    (target / ".git" / "info" / "exclude").write_text(".venv\n.tools\n")
    commit_all(target, "base")
    return target


def run_main(*argv: str) -> tuple[int, str, str]:
    """cli.main in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def run_validate(*argv: str, cwd: Path | None = None, env: dict[str, str] | None = None
                 ) -> subprocess.CompletedProcess[str]:
    """tools/validate.py as a fresh process (the exit-code API as CI and pre-commit see it)."""
    return subprocess.run([sys.executable, str(VALIDATE), *argv], capture_output=True, text=True, check=False,
                          cwd=cwd or REPO_ROOT, env={**os.environ, **GIT_ENV, **(env or {})}, timeout=300)


def line_of(path: Path, number: int) -> str:
    return path.read_text(encoding="utf-8").splitlines()[number - 1]


def add_patches(repo: Path, overlay: str, *patches: str | tuple[str, dict[str, str]]) -> None:
    """Append a `patches:` list of inline block-literal patches to an overlay (which has none), the way a person
    writes them — so a finding's line inside the `|-` block can be checked. An entry is the patch text, or
    (text, target) for a JSON 6902 patch."""
    lines = ["patches:"]
    for entry in patches:
        text, target = (entry, None) if isinstance(entry, str) else entry
        if target:
            lines.append("  - target:")
            lines += [f"      {key}: {value}" for key, value in target.items()]
            lines.append("    patch: |-")
        else:
            lines.append("  - patch: |-")
        lines += [f"      {line}" if line else "" for line in text.strip("\n").splitlines()]
    kustomization = repo / overlay / "kustomization.yaml"
    assert "\npatches:" not in kustomization.read_text(), "add_patches expects an overlay without patches"
    with kustomization.open("a", encoding="utf-8") as stream:
        stream.write("\n".join(lines) + "\n")


def delete_patch(kind: str, name: str) -> str:
    api = "apps/v1" if kind in ("Deployment", "StatefulSet", "DaemonSet") else "v1"
    return f"$patch: delete\napiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {name}\n"


def find_line(path: Path, needle: str, after: int = 0) -> int:
    """1-based number of the first line at or after line `after` that contains `needle`."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if number >= after and needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")
