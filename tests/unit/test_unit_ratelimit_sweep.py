"""The in-memory rate-limit store sweeps expired entries at most once a second (issue 9),
not on every hit, and still limits exactly."""

from __future__ import annotations

import asyncio

import pytest
from limits.aio.storage import MemoryStorage

from impl.errors import RateLimited
from impl.http import RateLimiter
from impl.settings import Settings


async def test_many_hits_sweep_once_and_the_limit_still_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sweeps: list[None] = []

    async def counting_sweep(self: MemoryStorage) -> None:
        sweeps.append(None)

    monkeypatch.setattr(MemoryStorage, "_MemoryStorage__expire_events", counting_sweep)
    limiter = await RateLimiter.create(Settings(environment="test", secret_key="s" * 32))
    try:
        for _ in range(200):
            await limiter.hit("200/minute", "sweep-test")
            await asyncio.sleep(0)  # let a scheduled sweep run, as requests would
        with pytest.raises(RateLimited):
            await limiter.hit("200/minute", "sweep-test")
        await asyncio.sleep(0)
        assert len(sweeps) == 1  # limits' own storage sweeps after each of the 201 hits
    finally:
        await limiter.close()
