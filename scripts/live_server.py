#!/usr/bin/env python3
"""Run a command against a live server: the app on a free 127.0.0.1 port, stopped afterwards.

    python scripts/live_server.py [--app impl.main:app] -- COMMAND [ARG...]

The server runs uvicorn on a fresh SQLite file built by the migrations (a temporary directory,
removed afterwards), with a cheap password hash and a test secret. The command gets the server's
URL in ``API_BASE_URL``; its exit status is this script's (1 if the server never answered).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(base: str, process: subprocess.Popen[bytes], timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--app", default="impl.main:app", help="the ASGI app to serve")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARG...]")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    with tempfile.TemporaryDirectory(prefix="live-server-") as tmp:
        env = {
            **os.environ,
            "ENVIRONMENT": "test",
            "SECRET_KEY": "live-server-secret-key-that-is-long-enough-0123456789",
            "DATABASE_URL": f"sqlite+aiosqlite:///{Path(tmp) / 'app.db'}",
            "PASSWORD_HASH_MEMORY_KIB": "8",
            "PASSWORD_HASH_TIME_COST": "1",
            "PASSWORD_HASH_PARALLELISM": "1",
            "LOG_LEVEL": "WARNING",
        }
        subprocess.run([sys.executable, "-m", "impl.db", "upgrade"], cwd=ROOT, env=env, check=True)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                args.app,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            if not _wait_until_up(base, server):
                print(f"the server ({args.app}) did not answer on {base}", file=sys.stderr)
                return 1
            print(f"serving {args.app} on {base}; running: {' '.join(command)}", flush=True)
            return subprocess.run(
                command, env={**env, "API_BASE_URL": base}, check=False
            ).returncode
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


if __name__ == "__main__":
    sys.exit(main())
