"""The client SDK generated from openapi.yaml (openapi-python-client) against a live server.

Client teams generate their SDK from the same contract; this proves that SDK works against the
real app over real HTTP: uvicorn on a free 127.0.0.1 port, a fresh SQLite database built by the
migrations.
"""

from __future__ import annotations

import importlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def sdk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    out = tmp_path_factory.mktemp("sdk")
    package = out / "items_sdk"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    subprocess.run(
        [str(BIN / "openapi-python-client"), "generate", "--path", str(ROOT / "openapi.yaml"),
         "--output-path", str(package), "--meta", "none"],
        check=True, capture_output=True, env=env,
    )  # fmt: skip
    shutil.rmtree(package / ".ruff_cache", ignore_errors=True)
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module("items_sdk")
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m == "items_sdk" or m.startswith("items_sdk.")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    database = tmp_path_factory.mktemp("sdk-db") / "app.db"
    port = _free_port()
    env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "SECRET_KEY": "sdk-test-secret-key-that-is-long-enough-0123456789",
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "PASSWORD_HASH_MEMORY_KIB": "8",
        "PASSWORD_HASH_TIME_COST": "1",
        "PASSWORD_HASH_PARALLELISM": "1",
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run([sys.executable, "-m", "impl.db", "upgrade"], cwd=ROOT, env=env, check=True)
    command = [sys.executable, "-m", "uvicorn", "impl.main:app", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail("the server did not start")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _api(sdk: ModuleType, name: str) -> Any:
    return importlib.import_module(f"items_sdk.api.{name}")


def test_sdk_registers_logs_in_and_manages_items(sdk: ModuleType, server: str) -> None:
    models = importlib.import_module("items_sdk.models")
    with sdk.Client(base_url=server) as client:
        _items_lifecycle(sdk, models, client, server)


def _items_lifecycle(sdk: ModuleType, models: Any, client: Any, server: str) -> None:
    registered = _api(sdk, "auth.register_user").sync_detailed(
        client=client,
        body=models.UserCreate(
            username="sdk_user", email="sdk@example.test", password="sdk-pass-123"
        ),
    )
    assert registered.status_code == 201
    assert registered.parsed.username == "sdk_user"
    assert registered.headers["location"] == f"/api/v1/users/{registered.parsed.id}"

    token = _api(sdk, "auth.create_token").sync(
        client=client, body=models.TokenRequest(username="sdk_user", password="sdk-pass-123")
    )
    assert isinstance(token, models.Token)
    with sdk.AuthenticatedClient(base_url=server, token=token.access_token) as authed:
        _owner_actions(sdk, models, client, authed, registered.parsed.id)


def _owner_actions(sdk: ModuleType, models: Any, client: Any, authed: Any, user_id: Any) -> None:
    me = _api(sdk, "auth.get_current_user").sync(client=authed)
    assert me.id == user_id

    created = _api(sdk, "items.create_item").sync_detailed(
        client=authed, body=models.ItemCreate(name="Lamp", price=19.5, tags=["home"])
    )
    assert created.status_code == 201
    item = created.parsed
    assert (item.name, item.price, item.tags, item.owner_id) == ("Lamp", 19.5, ["home"], me.id)

    fetched = _api(sdk, "items.get_item").sync(client=client, item_id=item.id)
    assert fetched.to_dict() == item.to_dict()

    listed = _api(sdk, "items.list_items").sync_detailed(client=client, tag="home", limit=5)
    assert listed.status_code == 200
    assert listed.headers["x-total-count"] == "1"
    assert [i.id for i in listed.parsed] == [item.id]

    deleted = _api(sdk, "items.delete_item").sync_detailed(client=authed, item_id=item.id)
    assert deleted.status_code == 204
    missing = _api(sdk, "items.get_item").sync_detailed(client=client, item_id=item.id)
    assert missing.status_code == 404
    assert missing.parsed.detail == "Item not found"


def test_sdk_sees_the_contracts_errors(sdk: ModuleType, server: str) -> None:
    models = importlib.import_module("items_sdk.models")
    with sdk.AuthenticatedClient(base_url=server, token="not-a-jwt") as bad_token:
        anonymous = _api(sdk, "items.create_item").sync_detailed(
            client=bad_token, body=models.ItemCreate(name="x", price=1.0)
        )
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert anonymous.parsed.detail == "Not authenticated"

    with sdk.Client(base_url=server) as client:
        invalid = _api(sdk, "items.list_items").sync_detailed(client=client, limit=0)
    assert invalid.status_code == 422
    assert isinstance(invalid.parsed, models.HTTPValidationError)
    assert invalid.parsed.detail[0].loc == ["query", "limit"]
