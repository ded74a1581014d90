# generated from openapi.yaml by scripts/generate.py — do not edit.
"""FastAPI routes for every operation of openapi.yaml: validate, authorize, call, answer.

No ``from __future__ import annotations`` here: FastAPI reads the endpoint annotations,
which refer to each route's local security dependency.
"""

import datetime  # noqa: F401
import uuid  # noqa: F401
from typing import Annotated, Any, Literal  # noqa: F401

from fastapi import (  # noqa: F401
    APIRouter,
    BackgroundTasks,
    Body,
    Cookie,
    Depends,
    File,
    Form,
    Header,
    Path,
    Query,
    Request,
    UploadFile,
)
from fastapi.responses import Response
from pydantic import Field  # noqa: F401
from starlette.routing import Route

from . import _runtime as runtime
from . import models  # noqa: F401
from .api import (
    AuthApi,
    CreateItem201,
    Handlers,
    HealthApi,
    ItemsApi,
    ListItems200,
    ListUsers200,
    RegisterUser201,
    UsersApi,
)
from .security import Principal, SecurityScheme, SecurityVerifier  # noqa: F401

_SCHEMES: dict[str, SecurityScheme] = {
    "OAuth2PasswordBearer": SecurityScheme("OAuth2PasswordBearer", "http", http_scheme="bearer"),
}

OPERATIONS: dict[str, runtime.Operation] = {
    "getHealth": runtime.Operation("getHealth", "GET", "/health", frozenset(["200", "429", "500"])),
    "getReadiness": runtime.Operation(
        "getReadiness", "GET", "/ready", frozenset(["200", "429", "500", "503"])
    ),
    "getMetrics": runtime.Operation(
        "getMetrics", "GET", "/metrics", frozenset(["200", "429", "500"])
    ),
    "registerUser": runtime.Operation(
        "registerUser",
        "POST",
        "/api/v1/auth/register",
        frozenset(["201", "409", "413", "422", "429", "500"]),
    ),
    "createToken": runtime.Operation(
        "createToken",
        "POST",
        "/api/v1/auth/token",
        frozenset(["200", "401", "413", "422", "429", "500"]),
    ),
    "getCurrentUser": runtime.Operation(
        "getCurrentUser", "GET", "/api/v1/auth/me", frozenset(["200", "401", "429", "500"])
    ),
    "listUsers": runtime.Operation(
        "listUsers", "GET", "/api/v1/users", frozenset(["200", "401", "403", "422", "429", "500"])
    ),
    "getUser": runtime.Operation(
        "getUser",
        "GET",
        "/api/v1/users/{user_id}",
        frozenset(["200", "401", "403", "404", "422", "429", "500"]),
    ),
    "updateUser": runtime.Operation(
        "updateUser",
        "PUT",
        "/api/v1/users/{user_id}",
        frozenset(["200", "401", "403", "404", "409", "413", "422", "429", "500"]),
    ),
    "deleteUser": runtime.Operation(
        "deleteUser",
        "DELETE",
        "/api/v1/users/{user_id}",
        frozenset(["204", "401", "403", "404", "422", "429", "500"]),
    ),
    "listItems": runtime.Operation(
        "listItems", "GET", "/api/v1/items", frozenset(["200", "422", "429", "500"])
    ),
    "createItem": runtime.Operation(
        "createItem",
        "POST",
        "/api/v1/items",
        frozenset(["201", "401", "403", "413", "422", "429", "500"]),
    ),
    "getItem": runtime.Operation(
        "getItem", "GET", "/api/v1/items/{item_id}", frozenset(["200", "404", "422", "429", "500"])
    ),
    "updateItem": runtime.Operation(
        "updateItem",
        "PUT",
        "/api/v1/items/{item_id}",
        frozenset(["200", "401", "403", "404", "413", "422", "429", "500"]),
    ),
    "deleteItem": runtime.Operation(
        "deleteItem",
        "DELETE",
        "/api/v1/items/{item_id}",
        frozenset(["204", "401", "403", "404", "422", "429", "500"]),
    ),
}


def _add_get_health(
    router: APIRouter, impl: HealthApi | None, verifier: SecurityVerifier | None
) -> None:
    operation = OPERATIONS["getHealth"]

    @router.api_route(
        "/health",
        methods=["GET"],
        operation_id="getHealth",
        name="get_health",
        tags=["health"],
        responses={
            "429": {
                "description": "Rate limit exceeded; retry after the number of seconds in `Retry-After`.",
                "content": {"application/json": {}},
            },
            "500": {
                "description": 'An unexpected error. The body is always `{"detail": "Internal server error"}`; the\ndetails are in the server\'s log under the response\'s `X-Request-ID`.\n',
                "content": {"application/json": {}},
            },
        },
        status_code=200,
        response_model=models.Health,
        summary="Liveness probe",
        description="Answers as long as the process serves requests. Checks no dependency; use\n`/ready` for that.\n",
    )
    async def get_health(*, _request: Request, _background: BackgroundTasks) -> Response:
        if impl is None:
            return runtime.not_implemented(operation)
        runtime.enter_context(_request, _background)
        try:
            result = await impl.get_health()
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.error_response(exc, operation)
        if isinstance(result, models.Health):
            return runtime.json_response(200, models.Health, result, None, "application/json")
        runtime.violation(operation, f"returned {type(result).__name__}")


def _add_get_readiness(
    router: APIRouter, impl: HealthApi | None, verifier: SecurityVerifier | None
) -> None:
    operation = OPERATIONS["getReadiness"]

    @router.api_route(
        "/ready",
        methods=["GET"],
        operation_id="getReadiness",
        name="get_readiness",
        tags=["health"],
        responses={
            "503": {
                "description": "At least one check failed; `checks` names it.",
                "content": {"application/json": {}},
            },
            "429": {
                "description": "Rate limit exceeded; retry after the number of seconds in `Retry-After`.",
                "content": {"application/json": {}},
            },
            "500": {
                "description": 'An unexpected error. The body is always `{"detail": "Internal server error"}`; the\ndetails are in the server\'s log under the response\'s `X-Request-ID`.\n',
                "content": {"application/json": {}},
            },
        },
        status_code=200,
        response_model=models.Readiness,
        summary="Readiness probe",
        description="Checks the dependencies the service needs to answer requests (the database). 200 when\nevery check passes; 503 with the same shape, naming the failing check, otherwise.\n",
    )
    async def get_readiness(*, _request: Request, _background: BackgroundTasks) -> Response:
        if impl is None:
            return runtime.not_implemented(operation)
        runtime.enter_context(_request, _background)
        try:
            result = await impl.get_readiness()
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.error_response(exc, operation)
        if isinstance(result, models.Readiness):
            return runtime.json_response(200, models.Readiness, result, None, "application/json")
        runtime.violation(operation, f"returned {type(result).__name__}")


def _add_get_metrics(
    router: APIRouter, impl: HealthApi | None, verifier: SecurityVerifier | None
) -> None:
    operation = OPERATIONS["getMetrics"]

    @router.api_route(
        "/metrics",
        methods=["GET"],
        operation_id="getMetrics",
        name="get_metrics",
        tags=["health"],
        responses={
            "429": {
                "description": "Rate limit exceeded; retry after the number of seconds in `Retry-After`.",
                "content": {"application/json": {}},
            },
            "500": {
                "description": 'An unexpected error. The body is always `{"detail": "Internal server error"}`; the\ndetails are in the server\'s log under the response\'s `X-Request-ID`.\n',
                "content": {"application/json": {}},
            },
        },
        status_code=200,
        response_model=None,
        summary="Prometheus metrics",
        description="Request counts and latencies in the Prometheus text exposition format, for scraping.\nNot rate limited and not authenticated; restrict it at the network edge in production.\n",
    )
    async def get_metrics(*, _request: Request, _background: BackgroundTasks) -> Response:
        if impl is None:
            return runtime.not_implemented(operation)
        runtime.enter_context(_request, _background)
        try:
            result = await impl.get_metrics()
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.error_response(exc, operation)
        if isinstance(result, str):
            return runtime.raw_response(200, result, "text/plain", None)
        runtime.violation(operation, f"returned {type(result).__name__}")


def _add_register_user(
    router: APIRouter, impl: AuthApi | None, verifier: SecurityVerifier | None
) -> None:
    operation = OPERATIONS["registerUser"]

    @router.api_route(
        "/api/v1/auth/register",
        methods=["POST"],
        operation_id="registerUser",
        name="register_user",
        tags=["auth"],
        responses={
            "409": {
                "description": "The username or email is already taken.",
                "content": {"application/json": {}},
            },
            "413": {
                "description": "The request body is larger than the server accepts (`MAX_BODY_BYTES`, 1 MiB by\ndefault). Answered before the body is read.\n",
                "content": {"application/json": {}},
            },
            "422": {
                "description": "The request's parameters or body do not satisfy this contract.",
                "content": {"application/json": {}},
            },
            "429": {
                "description": "Rate limit exceeded; retry after the number of seconds in `Retry-After`.",
                "content": {"application/json": {}},
            },
            "500": {
                "description": 'An unexpected error. The body is always `{"detail": "Internal server error"}`; the\ndetails are in the server\'s log under the response\'s `X-Request-ID`.\n',
                "content": {"application/json": {}},
            },
        },
        status_code=201,
        response_model=models.User,
        summary="Register a new user",
        description="Creates an active user with the scopes `items:write`, `users:read` and `users:write`.\nNobody can register as admin: any field other than those of `UserCreate` is rejected\nwith 422. Usernames and emails are unique, compared case-insensitively (409).\nRegistrations are rate limited per client (429).\n",
    )
    async def register_user(
        *,
        _request: Request,
        _background: BackgroundTasks,
        body: Annotated[models.UserCreate, Body(media_type="application/json")],
    ) -> Response:
        if impl is None:
            return runtime.not_implemented(operation)
        runtime.enter_context(_request, _background)
        try:
            result = await impl.register_user(body=body)
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.error_response(exc, operation)
        if isinstance(result, RegisterUser201):
            return runtime.json_response(
                201,
                models.User,
                result.body,
                runtime.headers({"Location": result.location}),
                "application/json",
            )
        runtime.violation(operation, f"returned {type(result).__name__}")


def _add_create_token(
    router: APIRouter, impl: AuthApi | None, verifier: SecurityVerifier | None
) -> None:
    operation = OPERATIONS["createToken"]

    @router.api_route(
        "/api/v1/auth/token",
        methods=["POST"],
        operation_id="createToken",
        name="create_token",
        tags=["auth"],
        responses={
            "401": {
                "description": "Missing, malformed, expired or revoked credentials, or wrong username or password.",
                "content": {"application/json": {}},
            },
            "413": {
                "description": "The request body is larger than the server accepts (`MAX_BODY_BYTES`, 1 MiB by\ndefault). Answered before the body is read.\n",
                "content": {"application/json": {}},
            },
            "422": {
                "description": "The request's parameters or body do not satisfy this contract.",
                "content": {"application/json": {}},
            },
            "429": {
                "description": "Rate limit exceeded; retry after the number of seconds in `Retry-After`.",
                "content": {"application/json": {}},
            },
            "500": {
                "description": 'An unexpected error. The body is always `{"detail": "Internal server error"}`; the\ndetails are in the server\'s log under the response\'s `X-Request-ID`.\n',
                "content": {"application/json": {}},
            },
        },
        status_code=200,
        response_model=models.Token,
        summary="Obtain an access token (OAuth2 password flow)",
        description="Exchanges a username and password for a bearer JWT. The token carries the scopes\nasked for in `scope` (space-separated) intersected with the user's own scopes, or all\nof the user's scopes when `scope` is absent. Wrong credentials and inactive users get\n401. Attempts are rate limited per client, and failed attempts per username and\nclient together (429), so that nobody can lock a user out from elsewhere.\n",
    )
    async def create_token(
        *,
        _request: Request,
        _background: BackgroundTasks,
        grant_type: Annotated[Literal["password"] | None, Form(alias="grant_type")] = None,
        username: Annotated[str, Form(alias="username", min_length=1, pattern="^[^\\u0000]*$")],
        password: Annotated[str, Form(alias="password", min_length=1)],
        scope: Annotated[str | None, Form(alias="scope")] = None,
    ) -> Response:
        body_value = runtime.parse_value(
            models.TokenRequest,
            await runtime.form_fields(
                _request,
                {
                    "grant_type": grant_type,
                    "username": username,
                    "password": password,
                    "scope": scope,
                },
            ),
            ("body",),
        )
        if impl is None:
            return runtime.not_implemented(operation)
        runtime.enter_context(_request, _background)
        try:
            result = await impl.create_token(body=body_value)
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.error_response(exc, operation)
        if isinstance(result, models.Token):
            return runtime.json_response(200, models.Token, result, None, "application/json")
        runtime.violation(operation, f"returned {type(result).__name__}")


def _add_get_current_user(
    router: APIRouter, impl: AuthApi | None, verifier: SecurityVerifier | None
) -> None:
    operation = OPERATIONS["getCurrentUser"]
    authorize = runtime.authorizer(
        (((_SCHEMES["OAuth2PasswordBearer"], frozenset([])),),),
        verifier,
        unimplemented=impl is None,
    )

    @router.api_route(
        "/api/v1/auth/me",
        methods=["GET"],
        operation_id="getCurrentUser",
        name="get_current_user",
        tags=["auth"],
        responses={
            "401": {
                "description": "Missing, malformed, expired or revoked credentials, or wrong username or password.",
                "content": {"application/json": {}},
            },
            "429": {
                "description": "Rate limit exceeded; retry after the number of seconds in `Retry-After`.",
                "content": {"application/json": {}},
            },
            "500": {
                "description": 'An unexpected error. The body is always `{"detail": "Internal server error"}`; the\ndetails are in the server\'s log under the response\'s `X-Request-ID`.\n',
                "content": {"application/json": {}},
            },
        },
        status_code=200,
        response_model=models.User,
        summary="The authenticated user",
        description="Returns the user the bearer token belongs to. Any valid token will do, whatever its\nscopes; a token of a deleted or deactivated user is 401.\n",
    )
    async def get_current_user(
        *,
        _request: Request,
        _background: BackgroundTasks,
        principal: Annotated[Principal, Depends(authorize)],
    ) -> Response:
        if impl is None:
            return runtime.not_implemented(operation)
        runtime.enter_context(_request, _background)
        try:
            result = await impl.get_current_user(principal=principal)
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.error_response(exc, operation)
        if isinstance(result, models.User):
            return runtime.json_response(200, models.User, result, None, "application/json")
        runtime.violation(operation, f"returned {type(result).__name__}")


def _add_list_users(
    router: APIRouter, impl: UsersApi | None, verifier: SecurityVerifier | None
) -> None:
    operation = OPERATIONS["listUsers"]
    authorize = runtime.authorizer(
        (((_SCHEMES["OAuth2PasswordBearer"], frozenset(["users:read"])),),),
        verifier,
        unimplemented=impl is None,
    )

    @router.api_route(
        "/api/v1/users",
        methods=["GET"],
        operation_id="listUsers",
        name="list_users",
        tags=["users"],
        responses={
            "401": {
                "description": "Missing, malformed, expired or revoked credentials, or wrong username or password.",
                "content": {"application/json": {}},
            },
            "403": {
                "description": "The token lacks the required scope, or the caller is neither the owner nor an admin.",
                "content": {"application/json": {}},
            },
            "422": {
                "description": "The request's parameters or body do not satisfy this contract.",
                "content": {"application/json": {}},
            },
            "429": {
                "description": "Rate limit exceeded; retry after the number of seconds in `Retry-After`.",
                "content": {"application/json": {}},
            },
            "500": {
                "description": 'An unexpected error. The body is always `{"detail": "Internal server error"}`; the\ndetails are in the server\'s log under the response\'s `X-Request-ID`.\n',
                "content": {"application/json": {}},
            },
        },
        status_code=200,
        response_model=list[models.User],
        summary="List users",
        description="A page of users, oldest first. `X-Total-Count` is the number of users in total,\nregardless of paging.\n",
    )
    async def list_users(
        *,
        _request: Request,
        _background: BackgroundTasks,
        skip: Annotated[int, Query(alias="skip", ge=0, le=10000)] = 0,
        limit: Annotated[int, Query(alias="limit", ge=1, le=100)] = 10,
        principal: Annotated[Principal, Depends(authorize)],
    ) -> Response:
        if impl is None:
            return runtime.not_implemented(operation)
        runtime.enter_context(_request, _background)
        try:
            result = await impl.list_users(principal=principal, skip=skip, limit=limit)
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.error_response(exc, operation)
        if isinstance(result, ListUsers200):
            return runtime.json_response(
                200,
                list[models.User],
                result.body,
                runtime.headers({"X-Total-Count": result.x_total_count}),
                "application/json",
            )
        runtime.violation(operation, f"returned {type(result).__name__}")


def _add_get_user(
    router: APIRouter, impl: UsersApi | None, verifier: SecurityVerifier | None
) -> None:
    operation = OPERATIONS["getUser"]
    authorize = runtime.authorizer(
        (((_SCHEMES["OAuth2PasswordBearer"], frozenset(["users:read"])),),),
        verifier,
        unimplemented=impl is None,
    )

    @router.api_route(
        "/api/v1/users/{user_id}",
        methods=["GET"],
        operation_id="getUser",
        name="get_user",
        tags=["users"],
        responses={
            "401": {
                "description": "Missing, malformed, expired or revoked credentials, or wrong username or password.",
                "content": {"application/json": {}},
            },
            "403": {
                "description": "The token lacks the required scope, or the caller is neither the owner nor an admin.",
                "content": {"application/json": {}},
            },
            "404": {"description": "No resource has this id.", "content": {"application/json": {}}},
            "422": {
                "description": "The request's parameters or body do not satisfy this contract.",
                "content": {"application/json": {}},
            },
            "429": {
                "description": "Rate limit exceeded; retry after the number of seconds in `Retry-After`.",
                "content": {"application/json": {}},
            },
            "500": {
                "description": 'An unexpected error. The body is always `{"detail": "Internal server error"}`; the\ndetails are in the server\'s log under the response\'s `X-Request-ID`.\n',
                "content": {"application/json": {}},
            },
        },
        status_code=200,
        response_model=models.User,
        summary="Get a user",
        description="One user by id.",
    )
    async def get_user(
        *,
        _request: Request,
        _background: BackgroundTasks,
        user_id: Annotated[uuid.UUID, Path(alias="user_id")],
        principal: Annotated[Principal, Depends(authorize)],
    ) -> Response:
        if impl is None:
            return runtime.not_implemented(operation)
        runtime.enter_context(_request, _background)
        try:
            result = await impl.get_user(principal=principal, user_id=user_id)
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.error_response(exc, operation)
        if isinstance(result, models.User):
            return runtime.json_response(200, models.User, result, None, "application/json")
        runtime.violation(operation, f"returned {type(result).__name__}")


def _add_update_user(
    router: APIRouter, impl: UsersApi | None, verifier: SecurityVerifier | None
) -> None:
    operation = OPERATIONS["updateUser"]
    authorize = runtime.authorizer(
        (((_SCHEMES["OAuth2PasswordBearer"], frozenset(["users:write"])),),),
        verifier,
        unimplemented=impl is None,
    )

    @router.api_route(
        "/api/v1/users/{user_id}",
        methods=["PUT"],
        operation_id="updateUser",
        name="update_user",
        tags=["users"],
        responses={
            "401": {
                "description": "Missing, malformed, expired or revoked credentials, or wrong username or password.",
                "content": {"application/json": {}},
            },
            "403": {
                "description": "The token lacks the required scope, or the caller is neither the owner nor an admin.",
                "content": {"application/json": {}},
            },
            "404": {"description": "No resource has this id.", "content": {"application/json": {}}},
            "409": {
                "description": "The username or email is already taken.",
                "content": {"application/json": {}},
            },
            "413": {
                "description": "The request body is larger than the server accepts (`MAX_BODY_BYTES`, 1 MiB by\ndefault). Answered before the body is read.\n",
                "content": {"application/json": {}},
            },
            "422": {
                "description": "The request's parameters or body do not satisfy this contract.",
                "content": {"application/json": {}},
            },
            "429": {
                "description": "Rate limit exceeded; retry after the number of seconds in `Retry-After`.",
                "content": {"application/json": {}},
            },
            "500": {
                "description": 'An unexpected error. The body is always `{"detail": "Internal server error"}`; the\ndetails are in the server\'s log under the response\'s `X-Request-ID`.\n',
                "content": {"application/json": {}},
            },
        },
        status_code=200,
        response_model=models.User,
        summary="Update a user",
        description="Changes the given fields of a user; absent fields are left as they are. A user may\nupdate themselves; an admin may update anyone. Only an admin may set `is_active` or\n`scopes` (403 otherwise). A new email already in use is 409. Changing your own\n`password` needs your `current_password` (403 when it is missing or wrong); an admin\nsetting another user's password does not. A password change or a deactivation ends\nevery token the user was issued before it (401 from then on).\n",
    )
    async def update_user(
        *,
        _request: Request,
        _background: BackgroundTasks,
        user_id: Annotated[uuid.UUID, Path(alias="user_id")],
        body: Annotated[models.UserUpdate, Body(media_type="application/json")],
        principal: Annotated[Principal, Depends(authorize)],
    ) -> Response:
        if impl is None:
            return runtime.not_implemented(operation)
        runtime.enter_context(_request, _background)
        try:
            result = await impl.update_user(principal=principal, user_id=user_id, body=body)
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.error_response(exc, operation)
        if isinstance(result, models.User):
            return runtime.json_response(200, models.User, result, None, "application/json")
        runtime.violation(operation, f"returned {type(result).__name__}")


def _add_delete_user(
    router: APIRouter, impl: UsersApi | None, verifier: SecurityVerifier | None
) -> None:
    operation = OPERATIONS["deleteUser"]
    authorize = runtime.authorizer(
        (((_SCHEMES["OAuth2PasswordBearer"], frozenset(["admin"])),),),
        verifier,
        unimplemented=impl is None,
    )

    @router.api_route(
        "/api/v1/users/{user_id}",
        methods=["DELETE"],
        operation_id="deleteUser",
        name="delete_user",
        tags=["users"],
        responses={
            "401": {
                "description": "Missing, malformed, expired or revoked credentials, or wrong username or password.",
                "content": {"application/json": {}},
            },
            "403": {
                "description": "The token lacks the required scope, or the caller is neither the owner nor an admin.",
                "content": {"application/json": {}},
            },
            "404": {"description": "No resource has this id.", "content": {"application/json": {}}},
            "422": {
                "description": "The request's parameters or body do not satisfy this contract.",
                "content": {"application/json": {}},
            },
            "429": {
                "description": "Rate limit exceeded; retry after the number of seconds in `Retry-After`.",
                "content": {"application/json": {}},
            },
            "500": {
                "description": 'An unexpected error. The body is always `{"detail": "Internal server error"}`; the\ndetails are in the server\'s log under the response\'s `X-Request-ID`.\n',
                "content": {"application/json": {}},
            },
        },
        status_code=204,
        response_model=None,
        summary="Delete a user",
        description="Deletes a user and the items they own. Admins only.",
    )
    async def delete_user(
        *,
        _request: Request,
        _background: BackgroundTasks,
        user_id: Annotated[uuid.UUID, Path(alias="user_id")],
        principal: Annotated[Principal, Depends(authorize)],
    ) -> Response:
        if impl is None:
            return runtime.not_implemented(operation)
        runtime.enter_context(_request, _background)
        try:
            await impl.delete_user(principal=principal, user_id=user_id)
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.error_response(exc, operation)
        return runtime.empty_response(204)


def _add_list_items(
    router: APIRouter, impl: ItemsApi | None, verifier: SecurityVerifier | None
) -> None:
    operation = OPERATIONS["listItems"]

    @router.api_route(
        "/api/v1/items",
        methods=["GET"],
        operation_id="listItems",
        name="list_items",
        tags=["items"],
        responses={
            "422": {
                "description": "The request's parameters or body do not satisfy this contract.",
                "content": {"application/json": {}},
            },
            "429": {
                "description": "Rate limit exceeded; retry after the number of seconds in `Retry-After`.",
                "content": {"application/json": {}},
            },
            "500": {
                "description": 'An unexpected error. The body is always `{"detail": "Internal server error"}`; the\ndetails are in the server\'s log under the response\'s `X-Request-ID`.\n',
                "content": {"application/json": {}},
            },
        },
        status_code=200,
        response_model=list[models.Item],
        summary="List items",
        description="A page of items, newest first (ties broken by id, descending), optionally only those\ncarrying `tag`. `X-Total-Count` is the number of matching items regardless of paging.\n",
    )
    async def list_items(
        *,
        _request: Request,
        _background: BackgroundTasks,
        skip: Annotated[int, Query(alias="skip", ge=0, le=10000)] = 0,
        limit: Annotated[int, Query(alias="limit", ge=1, le=100)] = 10,
        tag: Annotated[
            str | None, Query(alias="tag", min_length=1, max_length=50, pattern="^[^\\u0000]*$")
        ] = None,
    ) -> Response:
        if impl is None:
            return runtime.not_implemented(operation)
        runtime.enter_context(_request, _background)
        try:
            result = await impl.list_items(skip=skip, limit=limit, tag=tag)
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.error_response(exc, operation)
        if isinstance(result, ListItems200):
            return runtime.json_response(
                200,
                list[models.Item],
                result.body,
                runtime.headers({"X-Total-Count": result.x_total_count}),
                "application/json",
            )
        runtime.violation(operation, f"returned {type(result).__name__}")


def _add_create_item(
    router: APIRouter, impl: ItemsApi | None, verifier: SecurityVerifier | None
) -> None:
    operation = OPERATIONS["createItem"]
    authorize = runtime.authorizer(
        (((_SCHEMES["OAuth2PasswordBearer"], frozenset(["items:write"])),),),
        verifier,
        unimplemented=impl is None,
    )

    @router.api_route(
        "/api/v1/items",
        methods=["POST"],
        operation_id="createItem",
        name="create_item",
        tags=["items"],
        responses={
            "401": {
                "description": "Missing, malformed, expired or revoked credentials, or wrong username or password.",
                "content": {"application/json": {}},
            },
            "403": {
                "description": "The token lacks the required scope, or the caller is neither the owner nor an admin.",
                "content": {"application/json": {}},
            },
            "413": {
                "description": "The request body is larger than the server accepts (`MAX_BODY_BYTES`, 1 MiB by\ndefault). Answered before the body is read.\n",
                "content": {"application/json": {}},
            },
            "422": {
                "description": "The request's parameters or body do not satisfy this contract.",
                "content": {"application/json": {}},
            },
            "429": {
                "description": "Rate limit exceeded; retry after the number of seconds in `Retry-After`.",
                "content": {"application/json": {}},
            },
            "500": {
                "description": 'An unexpected error. The body is always `{"detail": "Internal server error"}`; the\ndetails are in the server\'s log under the response\'s `X-Request-ID`.\n',
                "content": {"application/json": {}},
            },
        },
        status_code=201,
        response_model=models.Item,
        summary="Create an item",
        description="Creates an item owned by the authenticated user.",
    )
    async def create_item(
        *,
        _request: Request,
        _background: BackgroundTasks,
        body: Annotated[models.ItemCreate, Body(media_type="application/json")],
        principal: Annotated[Principal, Depends(authorize)],
    ) -> Response:
        if impl is None:
            return runtime.not_implemented(operation)
        runtime.enter_context(_request, _background)
        try:
            result = await impl.create_item(principal=principal, body=body)
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.error_response(exc, operation)
        if isinstance(result, CreateItem201):
            return runtime.json_response(
                201,
                models.Item,
                result.body,
                runtime.headers({"Location": result.location}),
                "application/json",
            )
        runtime.violation(operation, f"returned {type(result).__name__}")


def _add_get_item(
    router: APIRouter, impl: ItemsApi | None, verifier: SecurityVerifier | None
) -> None:
    operation = OPERATIONS["getItem"]

    @router.api_route(
        "/api/v1/items/{item_id}",
        methods=["GET"],
        operation_id="getItem",
        name="get_item",
        tags=["items"],
        responses={
            "404": {"description": "No resource has this id.", "content": {"application/json": {}}},
            "422": {
                "description": "The request's parameters or body do not satisfy this contract.",
                "content": {"application/json": {}},
            },
            "429": {
                "description": "Rate limit exceeded; retry after the number of seconds in `Retry-After`.",
                "content": {"application/json": {}},
            },
            "500": {
                "description": 'An unexpected error. The body is always `{"detail": "Internal server error"}`; the\ndetails are in the server\'s log under the response\'s `X-Request-ID`.\n',
                "content": {"application/json": {}},
            },
        },
        status_code=200,
        response_model=models.Item,
        summary="Get an item",
        description="One item by id.",
    )
    async def get_item(
        *,
        _request: Request,
        _background: BackgroundTasks,
        item_id: Annotated[int, Path(alias="item_id", ge=1, le=9223372036854775807)],
    ) -> Response:
        if impl is None:
            return runtime.not_implemented(operation)
        runtime.enter_context(_request, _background)
        try:
            result = await impl.get_item(item_id=item_id)
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.error_response(exc, operation)
        if isinstance(result, models.Item):
            return runtime.json_response(200, models.Item, result, None, "application/json")
        runtime.violation(operation, f"returned {type(result).__name__}")


def _add_update_item(
    router: APIRouter, impl: ItemsApi | None, verifier: SecurityVerifier | None
) -> None:
    operation = OPERATIONS["updateItem"]
    authorize = runtime.authorizer(
        (((_SCHEMES["OAuth2PasswordBearer"], frozenset(["items:write"])),),),
        verifier,
        unimplemented=impl is None,
    )

    @router.api_route(
        "/api/v1/items/{item_id}",
        methods=["PUT"],
        operation_id="updateItem",
        name="update_item",
        tags=["items"],
        responses={
            "401": {
                "description": "Missing, malformed, expired or revoked credentials, or wrong username or password.",
                "content": {"application/json": {}},
            },
            "403": {
                "description": "The token lacks the required scope, or the caller is neither the owner nor an admin.",
                "content": {"application/json": {}},
            },
            "404": {"description": "No resource has this id.", "content": {"application/json": {}}},
            "413": {
                "description": "The request body is larger than the server accepts (`MAX_BODY_BYTES`, 1 MiB by\ndefault). Answered before the body is read.\n",
                "content": {"application/json": {}},
            },
            "422": {
                "description": "The request's parameters or body do not satisfy this contract.",
                "content": {"application/json": {}},
            },
            "429": {
                "description": "Rate limit exceeded; retry after the number of seconds in `Retry-After`.",
                "content": {"application/json": {}},
            },
            "500": {
                "description": 'An unexpected error. The body is always `{"detail": "Internal server error"}`; the\ndetails are in the server\'s log under the response\'s `X-Request-ID`.\n',
                "content": {"application/json": {}},
            },
        },
        status_code=200,
        response_model=models.Item,
        summary="Replace an item",
        description="Replaces the item's name, description, price and tags (absent `description` becomes\nnull, absent `tags` becomes empty). The owner or an admin only. An unknown id is 404\neven for a caller who would not own it.\n",
    )
    async def update_item(
        *,
        _request: Request,
        _background: BackgroundTasks,
        item_id: Annotated[int, Path(alias="item_id", ge=1, le=9223372036854775807)],
        body: Annotated[models.ItemUpdate, Body(media_type="application/json")],
        principal: Annotated[Principal, Depends(authorize)],
    ) -> Response:
        if impl is None:
            return runtime.not_implemented(operation)
        runtime.enter_context(_request, _background)
        try:
            result = await impl.update_item(principal=principal, item_id=item_id, body=body)
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.error_response(exc, operation)
        if isinstance(result, models.Item):
            return runtime.json_response(200, models.Item, result, None, "application/json")
        runtime.violation(operation, f"returned {type(result).__name__}")


def _add_delete_item(
    router: APIRouter, impl: ItemsApi | None, verifier: SecurityVerifier | None
) -> None:
    operation = OPERATIONS["deleteItem"]
    authorize = runtime.authorizer(
        (((_SCHEMES["OAuth2PasswordBearer"], frozenset(["items:write"])),),),
        verifier,
        unimplemented=impl is None,
    )

    @router.api_route(
        "/api/v1/items/{item_id}",
        methods=["DELETE"],
        operation_id="deleteItem",
        name="delete_item",
        tags=["items"],
        responses={
            "401": {
                "description": "Missing, malformed, expired or revoked credentials, or wrong username or password.",
                "content": {"application/json": {}},
            },
            "403": {
                "description": "The token lacks the required scope, or the caller is neither the owner nor an admin.",
                "content": {"application/json": {}},
            },
            "404": {"description": "No resource has this id.", "content": {"application/json": {}}},
            "422": {
                "description": "The request's parameters or body do not satisfy this contract.",
                "content": {"application/json": {}},
            },
            "429": {
                "description": "Rate limit exceeded; retry after the number of seconds in `Retry-After`.",
                "content": {"application/json": {}},
            },
            "500": {
                "description": 'An unexpected error. The body is always `{"detail": "Internal server error"}`; the\ndetails are in the server\'s log under the response\'s `X-Request-ID`.\n',
                "content": {"application/json": {}},
            },
        },
        status_code=204,
        response_model=None,
        summary="Delete an item",
        description="Deletes the item. The owner or an admin only. An unknown id is 404 even for a caller\nwho would not own it.\n",
    )
    async def delete_item(
        *,
        _request: Request,
        _background: BackgroundTasks,
        item_id: Annotated[int, Path(alias="item_id", ge=1, le=9223372036854775807)],
        principal: Annotated[Principal, Depends(authorize)],
    ) -> Response:
        if impl is None:
            return runtime.not_implemented(operation)
        runtime.enter_context(_request, _background)
        try:
            await impl.delete_item(principal=principal, item_id=item_id)
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.error_response(exc, operation)
        return runtime.empty_response(204)


def create_router(handlers: Handlers | None, *, allow_missing: bool = False) -> APIRouter:
    """The API router for the contract; ``allow_missing`` answers 501 for unimplemented operations."""
    handlers = handlers or Handlers()
    if not allow_missing:
        runtime.require_handlers(handlers, HANDLER_METHODS, SECURED)
    router = APIRouter(route_class=runtime.ContractRoute)
    _add_get_health(router, runtime.implemented(handlers.health, "get_health"), handlers.security)
    _add_get_readiness(
        router, runtime.implemented(handlers.health, "get_readiness"), handlers.security
    )
    _add_get_metrics(router, runtime.implemented(handlers.health, "get_metrics"), handlers.security)
    _add_list_users(router, runtime.implemented(handlers.users, "list_users"), handlers.security)
    _add_list_items(router, runtime.implemented(handlers.items, "list_items"), handlers.security)
    _add_create_item(router, runtime.implemented(handlers.items, "create_item"), handlers.security)
    _add_register_user(
        router, runtime.implemented(handlers.auth, "register_user"), handlers.security
    )
    _add_create_token(router, runtime.implemented(handlers.auth, "create_token"), handlers.security)
    _add_get_current_user(
        router, runtime.implemented(handlers.auth, "get_current_user"), handlers.security
    )
    _add_get_user(router, runtime.implemented(handlers.users, "get_user"), handlers.security)
    _add_update_user(router, runtime.implemented(handlers.users, "update_user"), handlers.security)
    _add_delete_user(router, runtime.implemented(handlers.users, "delete_user"), handlers.security)
    _add_get_item(router, runtime.implemented(handlers.items, "get_item"), handlers.security)
    _add_update_item(router, runtime.implemented(handlers.items, "update_item"), handlers.security)
    _add_delete_item(router, runtime.implemented(handlers.items, "delete_item"), handlers.security)
    for path, methods in ALLOWED_METHODS.items():
        router.routes.append(
            Route(
                path,
                runtime.method_not_allowed(methods),
                methods=runtime.other_methods(methods),
                include_in_schema=False,
            )
        )
    return router


# Operation ids by handler attribute and method, for the start-up check.
HANDLER_METHODS: dict[str, dict[str, str]] = {
    "health": {
        "get_health": "getHealth",
        "get_readiness": "getReadiness",
        "get_metrics": "getMetrics",
    },
    "auth": {
        "register_user": "registerUser",
        "create_token": "createToken",
        "get_current_user": "getCurrentUser",
    },
    "users": {
        "list_users": "listUsers",
        "get_user": "getUser",
        "update_user": "updateUser",
        "delete_user": "deleteUser",
    },
    "items": {
        "list_items": "listItems",
        "create_item": "createItem",
        "get_item": "getItem",
        "update_item": "updateItem",
        "delete_item": "deleteItem",
    },
}
SECURED = True
# Every method of every path, so that 405 answers carry a complete Allow header.
ALLOWED_METHODS: dict[str, tuple[str, ...]] = {
    "/health": ("GET",),
    "/ready": ("GET",),
    "/metrics": ("GET",),
    "/api/v1/auth/register": ("POST",),
    "/api/v1/auth/token": ("POST",),
    "/api/v1/auth/me": ("GET",),
    "/api/v1/users": ("GET",),
    "/api/v1/users/{user_id}": ("DELETE", "GET", "PUT"),
    "/api/v1/items": ("GET", "POST"),
    "/api/v1/items/{item_id}": ("DELETE", "GET", "PUT"),
}
