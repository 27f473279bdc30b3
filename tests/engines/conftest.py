"""A real OPA server (built from source by `make tools`) on a free loopback port, for the engine tests."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
OPA = REPO_ROOT / ".tools" / "bin" / "opa"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def opa_binary() -> Path:
    if not OPA.is_file():
        pytest.fail(f"{OPA} is missing: run `make tools` (make test builds it first)")
    return OPA


@pytest.fixture(scope="session")
def opa_url(opa_binary, tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("opa") / "opa.log"
    with log.open("w") as sink:
        process = subprocess.Popen([str(opa_binary), "run", "--server", "--addr", f"127.0.0.1:{port}",
                                    "--log-level", "error"], stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=1) as reply:
                if reply.status == 200:
                    break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail(f"OPA did not become healthy on {url}: {log.read_text()[-500:]}")
    yield url
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
