"""Three apps serving the same three endpoints from the same in-memory store.

- ``generated``: the generated route layer (``generated.create_router``) with handlers over
  the store: the contract's validation, security and typed results.
- ``fastapi``: the same endpoints written by hand in plain FastAPI, as its docs teach
  (``response_model``, ``Query`` constraints, a scope-checking dependency).
- ``starlette``: raw Starlette endpoints, the near-limit reference (no validation to speak of).

Run one with ``uvicorn benchmarks.apps:<name>``.
"""

# No `from __future__ import annotations`: FastAPI must resolve the local dependency below.

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

import generated
from generated import CreateItem201, ListItems200, Principal, models

TOKEN = "bench-token"
OWNER = uuid.UUID(int=1)
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _row(item_id: int, name: str, price: float, tags: list[str]) -> dict[str, Any]:
    return {
        "id": item_id,
        "name": name,
        "description": None,
        "price": price,
        "tags": tags,
        "owner_id": OWNER,
        "created_at": NOW,
        "updated_at": NOW,
    }


def _store() -> dict[int, dict[str, Any]]:
    return {i: _row(i, f"item {i}", 1.5 * i, ["bench"]) for i in range(1, 21)}


# --- generated ------------------------------------------------------------------------------
class _Verifier(generated.SecurityVerifier):
    async def verify(self, *, scheme: str, credentials: str) -> Principal | None:
        return Principal("bench", frozenset({"items:write"})) if credentials == TOKEN else None


class _Items(generated.ItemsApi):
    def __init__(self) -> None:
        self.rows = _store()

    async def list_items(self, *, skip: int, limit: int, tag: str | None) -> ListItems200:
        rows = sorted(self.rows.values(), key=lambda r: -r["id"])
        page = [models.Item.model_validate(r) for r in rows[skip : skip + limit]]
        return ListItems200(body=page, x_total_count=len(rows))

    async def create_item(self, *, principal: Principal, body: models.ItemCreate) -> CreateItem201:
        item_id = max(self.rows) + 1
        tags = [t.root for t in body.tags] if isinstance(body.tags, list) else []
        self.rows[item_id] = _row(item_id, body.name, body.price, tags)
        item = models.Item.model_validate(self.rows.pop(item_id))  # keep the store's size fixed
        return CreateItem201(body=item, location=f"/api/v1/items/{item_id}")

    async def get_item(self, *, item_id: int) -> models.Item:
        row = self.rows.get(item_id)
        if row is None:
            raise generated.ApiError(404, "Item not found")
        return models.Item.model_validate(row)

    async def update_item(
        self, *, principal: Principal, item_id: int, body: models.ItemUpdate
    ) -> models.Item:
        raise NotImplementedError

    async def delete_item(self, *, principal: Principal, item_id: int) -> None:
        raise NotImplementedError


def _generated_app() -> FastAPI:
    app = FastAPI()
    handlers = generated.Handlers(items=_Items(), security=_Verifier())
    # As impl/app.py does: FastAPI 0.165 matches an included router's routes twice per request.
    app.router.routes.extend(generated.create_router(handlers, allow_missing=True).routes)
    return app


# --- hand-written FastAPI -------------------------------------------------------------------
class ItemIn(BaseModel):
    model_config = {"extra": "forbid"}
    name: Annotated[str, Field(min_length=1, max_length=100)]
    description: Annotated[str | None, Field(max_length=1000)] = None
    price: Annotated[float, Field(gt=0, le=1e9)]
    tags: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=50)]], Field(max_length=20)
    ] = []


class ItemOut(BaseModel):
    id: int
    name: str
    description: str | None
    price: float
    tags: list[str]
    owner_id: uuid.UUID
    created_at: datetime
    updated_at: datetime


def _fastapi_app() -> FastAPI:
    app = FastAPI()
    rows = _store()

    async def require_writer(request: Request) -> str:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or token != TOKEN:
            raise HTTPException(401, "Not authenticated", headers={"WWW-Authenticate": "Bearer"})
        return "bench"

    @app.get("/api/v1/items", response_model=list[ItemOut])
    async def list_items(
        response: Response,
        skip: Annotated[int, Query(ge=0, le=10000)] = 0,
        limit: Annotated[int, Query(ge=1, le=100)] = 10,
        tag: Annotated[str | None, Query(min_length=1, max_length=50)] = None,
    ) -> Any:
        ordered = sorted(rows.values(), key=lambda r: -r["id"])
        response.headers["X-Total-Count"] = str(len(ordered))
        return ordered[skip : skip + limit]

    @app.post("/api/v1/items", response_model=ItemOut, status_code=201)
    async def create_item(body: ItemIn, user: Annotated[str, Depends(require_writer)]) -> Any:
        return _row(max(rows) + 1, body.name, body.price, body.tags)

    @app.get("/api/v1/items/{item_id}", response_model=ItemOut)
    async def get_item(item_id: Annotated[int, Path(ge=1)]) -> Any:
        row = rows.get(item_id)
        if row is None:
            raise HTTPException(404, "Item not found")
        return row

    return app


# --- raw Starlette --------------------------------------------------------------------------
def _starlette_app() -> Starlette:
    rows = {
        i: {
            **r,
            "owner_id": str(OWNER),
            "created_at": NOW.isoformat(),
            "updated_at": NOW.isoformat(),
        }
        for i, r in _store().items()
    }

    async def list_items(request: Request) -> JSONResponse:
        ordered = sorted(rows.values(), key=lambda r: -r["id"])
        return JSONResponse(ordered[:10], headers={"X-Total-Count": str(len(ordered))})

    async def get_item(request: Request) -> JSONResponse:
        row = rows.get(int(request.path_params["item_id"]))
        if row is None:
            return JSONResponse({"detail": "Item not found"}, status_code=404)
        return JSONResponse(row)

    async def create_item(request: Request) -> JSONResponse:
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return JSONResponse({"detail": "Not authenticated"}, status_code=401)
        body = await request.json()
        item_id = max(rows) + 1
        return JSONResponse({**body, "id": item_id}, status_code=201)

    return Starlette(
        routes=[
            Route("/api/v1/items", list_items, methods=["GET"]),
            Route("/api/v1/items", create_item, methods=["POST"]),
            Route("/api/v1/items/{item_id:int}", get_item, methods=["GET"]),
        ]
    )


generated_app = _generated_app()
fastapi_app = _fastapi_app()
starlette_app = _starlette_app()
