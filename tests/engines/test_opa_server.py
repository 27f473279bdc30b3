"""Server mode: the same verdicts through a real OPA, and every way a server can fail ends in exit 3."""

from __future__ import annotations

import http.server
import io
import socket
import threading
from contextlib import contextmanager

import pytest

from onyx_gate.cli import main
from onyx_gate.errors import EXIT_CLEAN, EXIT_INTERNAL

from ..mutations.corpus import copy_repo
from .conftest import free_port


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_real_overlays_pass_on_a_real_opa_server(opa_url):
    code, out, err = run_cli("--opa-url", opa_url, "--all")
    assert code == EXIT_CLEAN, out + err
    assert out.count(": ok") == 3


def test_unreachable_server_is_exit_3_naming_the_server():
    port = free_port()  # nothing listens there
    code, out, err = run_cli("--opa-url", f"http://127.0.0.1:{port}", "overlays/prod")
    assert code == EXIT_INTERNAL
    assert f"OPA at http://127.0.0.1:{port}" in err and "unreachable" in err
    assert out == "" and len(err.strip().splitlines()) == 1


@contextmanager
def silent_server():
    """Accepts connections and never answers: the client must time out, not hang."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()
        listener.close()


def test_timeout_is_exit_3():
    with silent_server() as url:
        code, _, err = run_cli("--opa-url", url, "--opa-timeout", "0.5", "overlays/prod")
    assert code == EXIT_INTERNAL
    assert "timed out" in err and url in err


@contextmanager
def fake_opa(status_for_query: int, body: bytes, content_type: str = "application/json"):
    """Accepts every upload like OPA (200/204) and answers queries with the given status and body."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_PUT(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(204 if self.path.startswith("/v1/data") else 200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            if not self.path.startswith("/v1/data"):
                self.wfile.write(b"{}")

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"result": []}')

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(status_for_query)
            self.send_header("Content-Type", content_type)
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("status", "body", "content_type", "says"), [
    (500, b'{"code": "internal_error", "message": "storage failure"}', "application/json", "HTTP 500: storage failure"),
    (403, b'{"code": "unauthorized", "message": "denied"}', "application/json", "HTTP 403: denied"),
    (200, b"<html>proxy login</html>", "text/html", "not JSON"),
    (200, b"{}", "application/json", "undefined"),
    (200, b'{"result": [{"defined": ["overlay_registry"], "findings": []}]}', "application/json",
     "produced no `deny` set"),
    (200, b'{"result": [{"defined": null, "findings": [{"id": 1}]}]}', "application/json", "no list"),
])
def test_bad_server_replies_are_exit_3(status, body, content_type, says):
    with fake_opa(status, body, content_type) as url:
        code, out, err = run_cli("--opa-url", url, "overlays/prod")
    assert code == EXIT_INTERNAL, out + err
    assert says in err and url in err


def test_policy_that_fails_to_compile_is_exit_3_on_both_engines(opa_url, tmp_path):
    repo = copy_repo(tmp_path)
    broken = repo / "policies" / "onyx" / "singletons" / "singletons.rego"
    broken.write_text(broken.read_text() + "\ndeny contains x if {\n")
    code, _, err = run_cli("--repo", str(repo), "--opa-url", opa_url, "overlays/prod")
    assert code == EXIT_INTERNAL
    assert "does not compile" in err and "singletons.rego" in err
    code, _, err = run_cli("--repo", str(repo), "overlays/prod")
    assert code == EXIT_INTERNAL
    assert "singletons.rego: policy failed to load" in err


def test_a_malformed_url_is_rejected():
    code, _, err = run_cli("--opa-url", "opa:8181", "overlays/prod")
    assert code == EXIT_INTERNAL
    assert "expected http(s)://HOST:PORT" in err
