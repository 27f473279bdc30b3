"""Every git command in these tests (ours and the gate's own `git worktree`) runs with a fixed identity and
without the user's or the system's git configuration."""

from __future__ import annotations

import pytest

from .support import GIT_ENV


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
