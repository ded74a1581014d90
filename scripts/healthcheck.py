"""Container health check: exit 0 when ``GET /health`` on this container answers 200, else 1.

The image's ``HEALTHCHECK`` and compose.yaml run it (the slim image has no curl). It asks
127.0.0.1 on ``PORT`` (default 8000), the port ``scripts/gunicorn_conf.py`` binds, and reads
nothing else: liveness only; ``/ready`` is for the load balancer (README "Containers").
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

TIMEOUT_SECONDS = 4.0


def check(port: int, timeout: float = TIMEOUT_SECONDS) -> str | None:
    """``None`` when /health answers 200, else why not."""
    url = f"http://127.0.0.1:{port}/health"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            status: int = response.status
    except urllib.error.HTTPError as error:
        return f"{url} answered {error.code}"
    except (OSError, ValueError) as error:
        return f"{url} unreachable: {error}"
    return None if status == 200 else f"{url} answered {status}"


def main() -> int:
    problem = check(int(os.environ.get("PORT", "8000")))
    if problem is None:
        return 0
    sys.stderr.write(f"unhealthy: {problem}\n")
    return 1


if __name__ == "__main__":
    sys.exit(main())
