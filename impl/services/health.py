"""Readiness: can we reach the database?"""

from __future__ import annotations

import asyncio
import logging

from impl.db import Database, HealthRepository

__all__ = ["HealthService"]

logger = logging.getLogger(__name__)


class HealthService:
    def __init__(self, db: Database, *, timeout: float = 2.0) -> None:
        self._db = db
        self._timeout = timeout

    async def check_database(self) -> bool:
        """``SELECT 1`` within ``timeout`` seconds. Never raises (cancellation aside): any
        failure is logged and answered False, and the readiness probe reports it."""
        try:
            async with asyncio.timeout(self._timeout):
                async with self._db.transaction(readonly=True) as session:
                    return await HealthRepository(session).ping()
        except Exception:
            logger.warning("database health check failed", exc_info=True)
            return False
