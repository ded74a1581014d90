"""`make mock` (scripts/mock_server.py): every operation answered from the contract alone.

Schemathesis fuzzes the mock in process, like tests/contract fuzzes the real app: every phase,
every check except three of the suite's own (tests/contract/checks.py, registered globally once
that package is imported), which test what the mock deliberately does not do:
``bearer_token_enforced`` replays with a forged token and ``scopes_enforced`` with a scope-less
one (the mock accepts any token with every scope), and ``unknown_id_is_404`` probes ids that
cannot exist (the mock knows no records). What the mock does enforce, 401 without a token and
422 for invalid input, is asserted below.
"""

from __future__ import annotations

from typing import Any, Final

import httpx
import hypothesis
import mock_server
import pytest
import schemathesis
from schemathesis import Case
from schemathesis.config import SchemathesisConfig

from generated import OPERATIONS, SPEC

MOCK_CONFIG: Final[dict[str, Any]] = {
    "seed": 20261201,
    "generation": {"mode": "all", "max-examples": 25, "deterministic": True, "database": "none"},
    "phases": {
        "examples": {"enabled": True},
        "coverage": {"enabled": True},
        "fuzzing": {"enabled": True},
        "stateful": {"enabled": True, "max-steps": 8},
    },
    "checks": {
        "enabled": True,  # no max_response_time: timing never fails a test
        "bearer_token_enforced": {"enabled": False},
        "scopes_enforced": {"enabled": False},
        "unknown_id_is_404": {"enabled": False},
    },
    "cache": {"enabled": False},
}
SCHEMA: Final = schemathesis.openapi.from_dict(
    SPEC, config=SchemathesisConfig.from_dict(MOCK_CONFIG)
)
TOKEN: Final = "any-token-will-do"


@SCHEMA.auth()
class AnyToken:
    def get(self, case: Case[Any], ctx: Any) -> str:
        return TOKEN

    def set(self, case: Case[Any], data: str, ctx: Any) -> None:
        case.headers["Authorization"] = f"Bearer {data}"


@pytest.fixture
def app() -> Any:
    return mock_server.create_mock_app()


@SCHEMA.parametrize()
@hypothesis.settings(suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
def test_schemathesis_finds_nothing_in_the_mock(case: Case[Any], app: Any) -> None:
    case.call_and_validate(app=app)


def test_stateful_scenarios_find_nothing_in_the_mock() -> None:
    app = mock_server.create_mock_app()
    base = SCHEMA.as_state_machine()

    class Scenarios(base):  # type: ignore[valid-type, misc]
        def get_call_kwargs(self, case: Case[Any]) -> dict[str, Any]:
            return {"app": app}

    settings = SCHEMA.config.get_hypothesis_settings(phase="stateful")
    Scenarios.run(
        settings=hypothesis.settings(
            settings, max_examples=40, stateful_step_count=8, phases=[hypothesis.Phase.generate]
        )
    )


def test_every_operation_has_a_success_response() -> None:
    success, _ = mock_server.prepare(SPEC)
    assert set(success) == set(OPERATIONS)
    for operation_id, canned in success.items():
        assert str(canned.status) in OPERATIONS[operation_id].statuses
        assert 200 <= canned.status < 300


async def _call(app: Any, method: str, url: str, **kwargs: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
        return await client.request(method, url, **kwargs)


AUTH: Final = {"Authorization": f"Bearer {TOKEN}"}


async def test_secured_operation_without_token_is_401(app: Any) -> None:
    response = await _call(app, "POST", "/api/v1/items", json={"name": "Lamp", "price": 1})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_invalid_input_is_422_like_the_real_app(app: Any) -> None:
    response = await _call(app, "POST", "/api/v1/items", json={"price": -1}, headers=AUTH)
    assert response.status_code == 422
    assert {tuple(e["loc"]) for e in response.json()["detail"]} == {
        ("body", "name"),
        ("body", "price"),
    }


async def test_success_carries_headers_that_follow_the_body(app: Any) -> None:
    listed = await _call(app, "GET", "/api/v1/items")
    assert listed.status_code == 200
    assert listed.headers["x-total-count"] == str(len(listed.json()))
    created = await _call(
        app, "POST", "/api/v1/auth/register",
        json={"username": "alice", "email": "alice@example.com", "password": "long enough"},
    )  # fmt: skip
    assert created.status_code == 201
    # The contract's link from registerUser's 201 to getUser says where the user is.
    assert created.headers["location"] == f"/api/v1/users/{created.json()['id']}"


async def test_deleted_resource_stays_404_and_creations_get_fresh_ids(app: Any) -> None:
    assert (await _call(app, "GET", "/api/v1/items/1")).status_code == 200
    assert (await _call(app, "DELETE", "/api/v1/items/1", headers=AUTH)).status_code == 204
    gone = await _call(app, "GET", "/api/v1/items/1")
    assert (gone.status_code, gone.json()) == (
        404,
        {"detail": "Not found (deleted earlier in this mock)"},
    )
    assert (await _call(app, "GET", "/api/v1/items/2")).status_code == 200
    created = await _call(
        app, "POST", "/api/v1/items", json={"name": "L", "price": 1}, headers=AUTH
    )
    # A creation never re-uses an id: re-using the sample's brought a deleted path back.
    assert created.headers["location"] == "/api/v1/items/2"
    assert created.json()["id"] == 2
    again = await _call(app, "POST", "/api/v1/items", json={"name": "M", "price": 1}, headers=AUTH)
    assert again.headers["location"] == "/api/v1/items/3"
    assert (await _call(app, "GET", created.headers["location"])).status_code == 200
    assert (await _call(app, "GET", "/api/v1/items/1")).status_code == 404


def test_examples_are_preferred_and_checked() -> None:
    samples = mock_server.Samples({})
    schema = {"type": "integer", "minimum": 10, "examples": [42]}
    assert samples.value(schema) == 42
    assert samples.value({**schema, "examples": [3]}) == 10  # an invalid example is not used
    media = {"schema": {"type": "string"}, "examples": {"a": {"value": "from the contract"}}}
    assert samples.media_value(media) == "from the contract"


def test_generated_values_satisfy_their_schema() -> None:
    samples = mock_server.Samples(
        {"components": {"schemas": {"Id": {"type": "string", "format": "uuid"}}}}
    )
    schema = {
        "type": "object",
        "required": ["id", "code", "n", "tags"],
        "properties": {
            "id": {"$ref": "#/components/schemas/Id"},
            "code": {"type": "string", "minLength": 12, "pattern": "^[a-z]+$"},
            "n": {"type": "number", "exclusiveMinimum": 5, "maximum": 9},
            "tags": {"type": "array", "minItems": 2, "items": {"type": "string", "enum": ["x"]}},
            "secret": {"type": "string", "writeOnly": True},
        },
    }
    value = samples.value(schema)
    assert value == {
        "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "code": "stringxxxxxx",
        "n": 6,
        "tags": ["x", "x"],
    }


def test_a_value_that_cannot_be_generated_is_an_error() -> None:
    with pytest.raises(mock_server.MockError, match="no string matches pattern"):
        mock_server.Samples({}).value({"type": "string", "pattern": "^[0-9]{4}-Q[1-4]$"})
