"""Readiness: can we reach what we need? The database always; Redis when configured.

Each check runs at the same time as the others and within ``timeout`` seconds, so /ready
answers within about that long even when a dependency hangs (issue 10).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping

from impl.db import Database, HealthRepository

__all__ = ["Check", "HealthService"]

logger = logging.getLogger(__name__)

Check = Callable[[], Awaitable[bool]]
"""A readiness check: True when the dependency answers. It may raise; that counts as False."""


class HealthService:
    def __init__(
        self, db: Database, *, timeout: float = 1.0, checks: Mapping[str, Check] | None = None
    ) -> None:
        self._db = db
        self._timeout = timeout
        self._checks: dict[str, Check] = {"database": self.check_database, **(checks or {})}

    async def check_database(self) -> bool:
        async with self._db.transaction(readonly=True) as session:
            return await HealthRepository(session).ping()

    async def check(self) -> dict[str, bool]:
        """Every check by name: True when it passed within ``timeout`` seconds. Never raises
        (cancellation aside): a failure is logged and reported as False."""
        names = list(self._checks)
        results = await asyncio.gather(*(self._run(name) for name in names))
        return dict(zip(names, results, strict=True))

    async def _run(self, name: str) -> bool:
        try:
            async with asyncio.timeout(self._timeout):
                return await self._checks[name]()
        except TimeoutError:
            logger.warning("readiness check %r: no answer within %.1f s", name, self._timeout)
        except Exception as exc:
            logger.warning("readiness check %r failed: %s: %s", name, type(exc).__name__, exc)
        return False
