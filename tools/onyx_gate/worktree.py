"""A base ref checked out in a temporary `git worktree`, removed afterwards even when rendering fails.

A worktree (not `git archive` or `git show`) because Kustomize needs the whole tree on disk, exactly as Argo CD
sees it at that commit; a detached worktree shares the object store, so it costs a checkout, not a clone.
Hooks are disabled for the checkout (`core.hooksPath=/dev/null`): a post-checkout hook must not run here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import InputError

GIT_TIMEOUT_S = 120.0


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        completed = subprocess.run(["git", "-C", str(repo), "-c", "core.hooksPath=/dev/null", *args],
                                   capture_output=True, text=True, timeout=GIT_TIMEOUT_S, env=env, check=False)
    except FileNotFoundError:
        raise InputError("--base needs git, and no `git` executable is on PATH") from None
    except subprocess.TimeoutExpired:
        raise InputError(f"git {' '.join(args)} did not finish within {GIT_TIMEOUT_S:.0f} s") from None
    if check and completed.returncode != 0:
        reason = (completed.stderr.strip().splitlines() or [f"exit {completed.returncode}"])[-1]
        raise InputError(f"git {args[0]} failed in {repo}: {reason}")
    return completed


def toplevel(repo_root: Path) -> Path:
    completed = git(repo_root, "rev-parse", "--show-toplevel", check=False)
    if completed.returncode != 0:
        raise InputError(f"--base needs a git repository, and {repo_root} is not inside one")
    return Path(completed.stdout.strip()).resolve()


def resolve_commit(repo_root: Path, ref: str) -> str:
    """The full commit id `ref` names, or InputError (exit 2) in one line."""
    completed = git(repo_root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}",
                    check=False)
    if completed.returncode != 0 or not completed.stdout.strip():
        hint = " (in CI, check out with fetch-depth: 0 or fetch the base branch first)" if "/" in ref else ""
        raise InputError(f"--base {ref}: not a commit in this repository{hint}")
    return completed.stdout.strip()


@contextmanager
def checked_out(repo_root: Path, commit: str) -> Iterator[Path]:
    """Yield the directory that corresponds to `repo_root` inside a detached worktree at `commit`."""
    top = toplevel(repo_root)
    relative = repo_root.resolve().relative_to(top)
    holder = Path(tempfile.mkdtemp(prefix="onyx-gate-base-"))
    path = holder / "tree"
    try:
        git(top, "worktree", "add", "--detach", "--quiet", str(path), commit)
        yield path / relative
    finally:
        git(top, "worktree", "remove", "--force", str(path), check=False)
        shutil.rmtree(holder, ignore_errors=True)
        git(top, "worktree", "prune", check=False)
