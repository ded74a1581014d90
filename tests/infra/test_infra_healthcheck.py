"""scripts/healthcheck.py, the image's HEALTHCHECK: 0 only when GET /health answers 200."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "healthcheck.py"


class Server:
    """A real HTTP server on 127.0.0.1 answering every GET with ``status``; records the paths."""

    def __init__(self) -> None:
        self.status = 200
        self.paths: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.paths.append(self.path)
                self.send_response(owner.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port: int = self.httpd.server_address[1]


@pytest.fixture
def server() -> Iterator[Server]:
    server = Server()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()
    thread.join()


def run(port: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PORT": str(port)}
    return subprocess.run(
        [sys.executable, str(SCRIPT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_healthy_when_health_answers_200(server: Server) -> None:
    done = run(server.port)
    assert done.returncode == 0, done.stderr
    assert server.paths == ["/health"]


@pytest.mark.parametrize("status", [503, 500, 429, 404])
def test_unhealthy_on_any_other_status(server: Server, status: int) -> None:
    server.status = status
    done = run(server.port)
    assert done.returncode == 1
    assert f"/health answered {status}" in done.stderr


def test_unhealthy_when_nothing_listens() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    done = run(port)
    assert done.returncode == 1
    assert "unreachable" in done.stderr
