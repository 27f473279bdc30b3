"""Fixtures for the hardening tests: the real OPA server of the engine tests, for the parity checks."""

from __future__ import annotations

from ..engines.conftest import opa_binary, opa_url  # noqa: F401  (pytest fixtures, re-exported)
