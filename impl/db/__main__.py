"""``python -m impl.db upgrade [REVISION]`` | ``downgrade REVISION`` | ``current`` | ``heads``.

The database is ``--url``, else ``Settings().database_url`` (``DATABASE_URL``, ``.env``).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import warnings

from sqlalchemy.pool import NullPool

from .database import create_engine
from .migrate import current_revision, downgrade, head_revision, upgrade


def _default_url() -> str:
    from impl.settings import Settings

    with warnings.catch_warnings():
        # Settings warns about a missing SECRET_KEY in development; irrelevant here.
        warnings.simplefilter("ignore", RuntimeWarning)
        return Settings().database_url


async def _main(args: argparse.Namespace) -> str | None:
    if args.command == "heads":
        return head_revision()
    engine = create_engine(args.url or _default_url(), poolclass=NullPool)
    try:
        if args.command == "upgrade":
            await upgrade(engine, args.revision)
        elif args.command == "downgrade":
            await downgrade(engine, args.revision)
        return await current_revision(engine)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m impl.db", description=__doc__)
    parser.add_argument("--url", help="database URL (default: DATABASE_URL / Settings)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("upgrade").add_argument("revision", nargs="?", default="head")
    commands.add_parser("downgrade").add_argument("revision")
    commands.add_parser("current")
    commands.add_parser("heads")
    args = parser.parse_args(argv)
    revision = asyncio.run(_main(args))
    sys.stdout.write(f"{revision or '(base)'}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
