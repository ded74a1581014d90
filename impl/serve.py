"""``make run``: uvicorn with the server's defences (``impl.http.server``).

    python -m impl.serve [--host 127.0.0.1] [--port 8000]
    python -m impl.serve --check      # only check the settings (make serve does, first)

The settings are checked first: an invalid one exits 2 with the variable and the rule, never
its value.
"""

from __future__ import annotations

import argparse
import sys

import uvicorn
from pydantic import ValidationError

from impl.http.server import server_options
from impl.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m impl.serve", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--check", action="store_true", help="check the settings and exit")
    args = parser.parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        print(f"Invalid settings (values are not shown):\n{exc}", file=sys.stderr)  # noqa: T201
        return 2
    if args.check:
        print(f"Settings are valid (ENVIRONMENT={settings.environment})")  # noqa: T201
        return 0
    uvicorn.run(
        "impl.main:app", host=args.host, port=args.port, log_config=None, **server_options(settings)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
