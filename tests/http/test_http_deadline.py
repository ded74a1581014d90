"""The request time limit inside the whole HTTP layer (issue 10): its 503 carries the request
id and the security headers, and the access log and the metrics count it, as for any answer.

A FastAPI app of its own (one route that never finishes) wearing ``install_http_layer``;
the route waits on an event nobody sets, so only the limit can end the request.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI

from impl.http import Metrics, RateLimiter, install_http_layer
from impl.http.deadline import TIMEOUT_DETAIL
from impl.settings import Settings


async def test_the_503_goes_through_every_outer_layer(
    settings_with: Callable[..., Settings],
    limiter: RateLimiter,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    cleaned_up: list[bool] = []

    @app.get("/stuck")
    async def stuck() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            cleaned_up.append(True)

    @app.get("/quick")
    async def quick() -> dict[str, bool]:
        return {"ok": True}

    metrics = Metrics.create()
    settings = settings_with(request_timeout=0.1)
    install_http_layer(app, settings, metrics=metrics, limiter=lambda: limiter)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        with caplog.at_level(logging.INFO, logger="impl.access"):
            response = await client.get("/stuck", headers={"X-Request-ID": "req-deadline-1"})
        # Before /quick: its own line is captured too when an earlier test left impl.access
        # at INFO.
        access = [r for r in caplog.records if r.name == "impl.access"]
        after = await client.get("/quick")

    assert response.status_code == 503
    assert response.json() == {"detail": TIMEOUT_DETAIL}
    assert response.headers["retry-after"] == "1"
    assert response.headers["x-request-id"] == "req-deadline-1"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert cleaned_up == [True]
    assert [(r.path, r.status) for r in access] == [("/stuck", 503)]  # type: ignore[attr-defined]
    assert metrics.requests.labels("GET", "/stuck", "503")._value.get() == 1
    assert after.status_code == 200  # the app carries on
