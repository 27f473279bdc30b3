"""Shared fixtures. The gate's package lives in tools/ (run as `python tools/validate.py`)."""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "tools"))
