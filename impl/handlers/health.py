from __future__ import annotations

from datetime import UTC, datetime

from generated import ApiError, HealthApi, models
from impl.http import Metrics, render
from impl.services import HealthService


class HealthHandlers(HealthApi):
    def __init__(self, health: HealthService, metrics: Metrics, version: str) -> None:
        self._health = health
        self._metrics = metrics
        self._version = version

    async def get_health(self) -> models.Health:
        return models.Health(
            status=models.Status.OK, version=self._version, timestamp=datetime.now(UTC)
        )

    async def get_readiness(self) -> models.Readiness:
        ok = await self._health.check_database()
        readiness = models.Readiness.model_validate(
            {"status": "ok" if ok else "error", "checks": {"database": "ok" if ok else "error"}}
        )
        if not ok:
            # The contract's 503 carries the same shape, naming the failing check.
            raise ApiError(503, body=readiness)
        return readiness

    async def get_metrics(self) -> str:
        return render(self._metrics.registry).decode()
