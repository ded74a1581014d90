"""getHealth, getReadiness, getMetrics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.pool import NullPool

from generated import SPEC
from impl.db import Database, create_engine
from tests.api.helpers import MakeClient, assert_common_headers, parse_utc


class TestGetHealth:
    async def test_answers_ok_with_the_contract_version_and_the_current_utc_time(
        self, client: httpx.AsyncClient
    ) -> None:
        before = datetime.now(UTC).replace(microsecond=0)
        response = await client.get("/health")
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/json"
        body = response.json()
        assert set(body) == {"status", "version", "timestamp"}
        assert body["status"] == "ok"
        assert body["version"] == SPEC["info"]["version"]
        assert before <= parse_utc(body["timestamp"]) <= datetime.now(UTC) + timedelta(seconds=1)
        assert_common_headers(response)

    async def test_needs_no_token_and_ignores_a_bad_one(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/health", headers={"Authorization": "Bearer garbage"})
        assert response.status_code == 200
        assert response.json()["status"] == "ok"


@pytest.fixture
async def broken_database(tmp_path: Path) -> AsyncIterator[Database]:
    """A real database that cannot answer: a file that is not a SQLite database."""
    path = tmp_path / "not-a-database.db"
    path.write_bytes(b"this is not a SQLite file\x00" * 200)
    engine = create_engine(f"sqlite+aiosqlite:///{path}", poolclass=NullPool)
    try:
        yield Database(engine)
    finally:
        await engine.dispose()


class TestGetReadiness:
    async def test_answers_ok_when_the_database_answers(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/ready")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "checks": {"database": "ok"}}
        assert_common_headers(response)

    async def test_answers_503_naming_the_database_when_it_does_not_answer(
        self, make_client: MakeClient, broken_database: Database
    ) -> None:
        client = await make_client(database=broken_database)
        response = await client.get("/ready")
        assert response.status_code == 503
        assert response.headers["Content-Type"] == "application/json"
        assert response.json() == {
            "status": "error",
            "checks": {"database": "error"},
            "detail": "Not ready: database unavailable",
        }
        assert_common_headers(response)


class TestGetMetrics:
    async def test_exposes_request_counts_by_route_template(
        self, client: httpx.AsyncClient
    ) -> None:
        assert (await client.get("/api/v1/items/12345")).status_code == 404
        response = await client.get("/metrics")
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        assert 'route="/api/v1/items/{item_id}"' in response.text
        assert 'route="/api/v1/items/12345"' not in response.text
        assert_common_headers(response)
