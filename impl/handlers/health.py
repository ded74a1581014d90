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
        results = await self._health.check()
        failed = [name for name, ok in results.items() if not ok]
        body: dict[str, object] = {
            "status": "error" if failed else "ok",
            "checks": {name: "ok" if ok else "error" for name, ok in results.items()},
        }
        if failed:
            # The contract's 503: the same shape, with `detail` naming the failed checks.
            body["detail"] = "Not ready: " + ", ".join(failed) + " unavailable"
            raise ApiError(503, body=models.Readiness.model_validate(body))
        return models.Readiness.model_validate(body)

    async def get_metrics(self) -> str:
        return render(self._metrics.registry).decode()
