"""A small on-disk cache of pure, expensive results (the gate runs on every commit).

Only verdicts that cannot go stale are cached, each under a key that hashes everything it depends on:
compiled policy bundles (key: engine version, query, every module, the data) and "this exact object passed
this exact schema set" (key: validator version, Kubernetes version, every CRD schema file). A failed verdict is
never cached. A missing, unreadable or corrupt cache only costs time. `ONYX_GATE_CACHE=off` disables it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from importlib.util import find_spec
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def cache_dir() -> Path | None:
    setting = os.environ.get("ONYX_GATE_CACHE", "")
    if setting.lower() in ("off", "0", "false", "no"):
        return None
    return Path(setting) if setting else REPO_ROOT / ".cache" / "onyx-gate"


def dist_version(package: str) -> str:
    """The installed version of `package`, read from its dist-info directory without importing it."""
    spec = find_spec(package)
    if spec is None or not spec.origin:
        return "missing"
    site = Path(spec.origin).parent.parent
    found = sorted(site.glob(f"{package}-*.dist-info"))
    return found[-1].name if found else "unknown"


def digest(*parts: str | bytes) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()[:32]


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, so a concurrent reader never sees half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(handle, "wb") as sink:
            sink.write(data)
        os.replace(temporary, path)
    except OSError:
        pass  # a read-only checkout simply runs uncached
