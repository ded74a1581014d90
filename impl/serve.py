"""``make run``: uvicorn with the server's defences (``impl.http.server``).

    python -m impl.serve [--host 127.0.0.1] [--port 8000]

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
    args = parser.parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        print(f"Invalid settings (values are not shown):\n{exc}", file=sys.stderr)  # noqa: T201
        return 2
    uvicorn.run(
        "impl.main:app", host=args.host, port=args.port, log_config=None, **server_options(settings)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
