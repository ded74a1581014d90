# generated from openapi.yaml by scripts/generate.py — do not edit.
"""Routes for every operation of openapi.yaml: parse, validate, authorize, call, answer.

Each operation reads its parameters from the raw request by their style and explode
rules, under the contract's names, and validates them and its body with adapters
built once, when this module is imported. Errors answer 422 in FastAPI's shape.
"""

from __future__ import annotations

import datetime  # noqa: F401
import uuid  # noqa: F401
from typing import Annotated, Any, Literal  # noqa: F401

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ConfigDict, Field, TypeAdapter  # noqa: F401
from typing_extensions import NotRequired, Required, TypedDict  # noqa: F401

from . import _runtime as runtime
from . import models  # noqa: F401
from .api import (
    AuthApi,
    CreateItem201,
    GetItem200,
    GetItem304,
    Handlers,
    HealthApi,
    ItemsApi,
    ListItems200,
    ListUsers200,
    RegisterUser201,
    UsersApi,
)
from .security import SecurityScheme, SecurityVerifier

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
        frozenset(["201", "409", "413", "422", "429", "500", "503"]),
    ),
    "createToken": runtime.Operation(
        "createToken",
        "POST",
        "/api/v1/auth/token",
        frozenset(["200", "401", "413", "422", "429", "500", "503"]),
    ),
    "getCurrentUser": runtime.Operation(
        "getCurrentUser", "GET", "/api/v1/auth/me", frozenset(["200", "401", "429", "500", "503"])
    ),
    "listUsers": runtime.Operation(
        "listUsers",
        "GET",
        "/api/v1/users",
        frozenset(["200", "401", "403", "422", "429", "500", "503"]),
    ),
    "getUser": runtime.Operation(
        "getUser",
        "GET",
        "/api/v1/users/{user_id}",
        frozenset(["200", "401", "403", "404", "422", "429", "500", "503"]),
    ),
    "updateUser": runtime.Operation(
        "updateUser",
        "PUT",
        "/api/v1/users/{user_id}",
        frozenset(["200", "401", "403", "404", "409", "413", "422", "429", "500", "503"]),
    ),
    "deleteUser": runtime.Operation(
        "deleteUser",
        "DELETE",
        "/api/v1/users/{user_id}",
        frozenset(["204", "401", "403", "404", "422", "429", "500", "503"]),
    ),
    "listItems": runtime.Operation(
        "listItems", "GET", "/api/v1/items", frozenset(["200", "422", "429", "500", "503"])
    ),
    "createItem": runtime.Operation(
        "createItem",
        "POST",
        "/api/v1/items",
        frozenset(["201", "401", "403", "413", "422", "429", "500", "503"]),
    ),
    "getItem": runtime.Operation(
        "getItem",
        "GET",
        "/api/v1/items/{item_id}",
        frozenset(["200", "304", "404", "422", "429", "500", "503"]),
    ),
    "updateItem": runtime.Operation(
        "updateItem",
        "PUT",
        "/api/v1/items/{item_id}",
        frozenset(["200", "401", "403", "404", "413", "422", "429", "500", "503"]),
    ),
    "deleteItem": runtime.Operation(
        "deleteItem",
        "DELETE",
        "/api/v1/items/{item_id}",
        frozenset(["204", "401", "403", "404", "422", "429", "500", "503"]),
    ),
}


def _get_health(impl: HealthApi | None, verifier: SecurityVerifier | None) -> runtime.Endpoint:
    operation = OPERATIONS["getHealth"]
    dump_0 = runtime.adapter(models.Health)

    async def endpoint(request: Request) -> Response:
        if impl is None:
            return runtime.not_implemented(operation)
        tasks = runtime.new_tasks(request)
        try:
            result = await impl.get_health()
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.finish(runtime.error_response(exc, operation), tasks)
        if isinstance(result, models.Health):
            return runtime.finish(
                runtime.json_response(200, dump_0, result, None, "application/json"), tasks
            )
        runtime.violation(operation, f"returned {type(result).__name__}")

    return endpoint


def _get_readiness(impl: HealthApi | None, verifier: SecurityVerifier | None) -> runtime.Endpoint:
    operation = OPERATIONS["getReadiness"]
    dump_0 = runtime.adapter(models.Readiness)

    async def endpoint(request: Request) -> Response:
        if impl is None:
            return runtime.not_implemented(operation)
        tasks = runtime.new_tasks(request)
        try:
            result = await impl.get_readiness()
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.finish(runtime.error_response(exc, operation), tasks)
        if isinstance(result, models.Readiness):
            return runtime.finish(
                runtime.json_response(200, dump_0, result, None, "application/json"), tasks
            )
        runtime.violation(operation, f"returned {type(result).__name__}")

    return endpoint


def _get_metrics(impl: HealthApi | None, verifier: SecurityVerifier | None) -> runtime.Endpoint:
    operation = OPERATIONS["getMetrics"]

    async def endpoint(request: Request) -> Response:
        if impl is None:
            return runtime.not_implemented(operation)
        tasks = runtime.new_tasks(request)
        try:
            result = await impl.get_metrics()
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.finish(runtime.error_response(exc, operation), tasks)
        if isinstance(result, str):
            return runtime.finish(runtime.raw_response(200, result, "text/plain", None), tasks)
        runtime.violation(operation, f"returned {type(result).__name__}")

    return endpoint


_REGISTER_USER_BODY = runtime.Body(
    (runtime.Media("application/json", "json", TypeAdapter(models.UserCreate), None),),
    True,
    False,
)


def _register_user(impl: AuthApi | None, verifier: SecurityVerifier | None) -> runtime.Endpoint:
    operation = OPERATIONS["registerUser"]
    dump_0 = runtime.adapter(models.User)

    async def endpoint(request: Request) -> Response:
        errors: runtime.Errors = []
        body = await _REGISTER_USER_BODY.read(request, errors)
        if errors:
            runtime.invalid(errors)
        if impl is None:
            return runtime.not_implemented(operation)
        tasks = runtime.new_tasks(request)
        try:
            result = await impl.register_user(body=body)
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.finish(runtime.error_response(exc, operation), tasks)
        if isinstance(result, RegisterUser201):
            return runtime.finish(
                runtime.json_response(
                    201,
                    dump_0,
                    result.body,
                    runtime.headers({"Location": result.location}),
                    "application/json",
                ),
                tasks,
            )
        runtime.violation(operation, f"returned {type(result).__name__}")

    return endpoint


_CREATE_TOKEN_BODY = runtime.Body(
    (
        runtime.Media(
            "application/x-www-form-urlencoded",
            "form",
            TypeAdapter(models.TokenRequest),
            (
                "object",
                {
                    "grant_type": "string",
                    "username": "string",
                    "password": "string",
                    "scope": "string",
                },
                None,
            ),
        ),
    ),
    True,
    False,
)


def _create_token(impl: AuthApi | None, verifier: SecurityVerifier | None) -> runtime.Endpoint:
    operation = OPERATIONS["createToken"]
    dump_0 = runtime.adapter(models.Token)

    async def endpoint(request: Request) -> Response:
        errors: runtime.Errors = []
        body = await _CREATE_TOKEN_BODY.read(request, errors)
        if errors:
            runtime.invalid(errors)
        if impl is None:
            return runtime.not_implemented(operation)
        tasks = runtime.new_tasks(request)
        try:
            result = await impl.create_token(body=body)
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.finish(runtime.error_response(exc, operation), tasks)
        if isinstance(result, models.Token):
            return runtime.finish(
                runtime.json_response(200, dump_0, result, None, "application/json"), tasks
            )
        runtime.violation(operation, f"returned {type(result).__name__}")

    return endpoint


def _get_current_user(impl: AuthApi | None, verifier: SecurityVerifier | None) -> runtime.Endpoint:
    operation = OPERATIONS["getCurrentUser"]
    authorize = runtime.authorizer(
        (((_SCHEMES["OAuth2PasswordBearer"], frozenset([])),),),
        verifier,
        unimplemented=impl is None,
    )
    dump_0 = runtime.adapter(models.User)

    async def endpoint(request: Request) -> Response:
        principal = await authorize(request)
        if impl is None:
            return runtime.not_implemented(operation)
        tasks = runtime.new_tasks(request)
        try:
            result = await impl.get_current_user(principal=runtime.authenticated(principal))
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.finish(runtime.error_response(exc, operation), tasks)
        if isinstance(result, models.User):
            return runtime.finish(
                runtime.json_response(200, dump_0, result, None, "application/json"), tasks
            )
        runtime.violation(operation, f"returned {type(result).__name__}")

    return endpoint


_LIST_USERS_PARAMETERS_TYPE = TypedDict(
    "_LIST_USERS_PARAMETERS_TYPE",
    {
        "query:skip": NotRequired[Annotated[int, Field(ge=0, le=10000)]],
        "query:limit": NotRequired[Annotated[int, Field(ge=1, le=100)]],
    },
)
_LIST_USERS_PARAMETERS: TypeAdapter[_LIST_USERS_PARAMETERS_TYPE] = TypeAdapter(
    _LIST_USERS_PARAMETERS_TYPE
)


def _list_users(impl: UsersApi | None, verifier: SecurityVerifier | None) -> runtime.Endpoint:
    operation = OPERATIONS["listUsers"]
    authorize = runtime.authorizer(
        (((_SCHEMES["OAuth2PasswordBearer"], frozenset(["users:read"])),),),
        verifier,
        unimplemented=impl is None,
    )
    dump_0 = runtime.adapter(list[models.User])

    async def endpoint(request: Request) -> Response:
        principal = await authorize(request)
        errors: runtime.Errors = []
        query = request.query_params
        raw: dict[str, Any] = {}
        value = query.get("skip")
        if value is not None:
            raw["query:skip"] = value
        value = query.get("limit")
        if value is not None:
            raw["query:limit"] = value
        values = runtime.validate_parameters(_LIST_USERS_PARAMETERS, raw, errors)
        if errors:
            runtime.invalid(errors)
        if impl is None:
            return runtime.not_implemented(operation)
        tasks = runtime.new_tasks(request)
        try:
            result = await impl.list_users(
                principal=runtime.authenticated(principal),
                skip=values.get("query:skip", 0),
                limit=values.get("query:limit", 10),
            )
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.finish(runtime.error_response(exc, operation), tasks)
        if isinstance(result, ListUsers200):
            return runtime.finish(
                runtime.json_response(
                    200,
                    dump_0,
                    result.body,
                    runtime.headers({"X-Total-Count": result.x_total_count}),
                    "application/json",
                ),
                tasks,
            )
        runtime.violation(operation, f"returned {type(result).__name__}")

    return endpoint


_GET_USER_PARAMETERS_TYPE = TypedDict(
    "_GET_USER_PARAMETERS_TYPE",
    {
        "path:user_id": Required[uuid.UUID],
    },
)
_GET_USER_PARAMETERS: TypeAdapter[_GET_USER_PARAMETERS_TYPE] = TypeAdapter(
    _GET_USER_PARAMETERS_TYPE
)


def _get_user(impl: UsersApi | None, verifier: SecurityVerifier | None) -> runtime.Endpoint:
    operation = OPERATIONS["getUser"]
    authorize = runtime.authorizer(
        (((_SCHEMES["OAuth2PasswordBearer"], frozenset(["users:read"])),),),
        verifier,
        unimplemented=impl is None,
    )
    dump_0 = runtime.adapter(models.User)

    async def endpoint(request: Request) -> Response:
        principal = await authorize(request)
        errors: runtime.Errors = []
        raw: dict[str, Any] = {}
        value = request.path_params.get("user_id")
        if value is not None:
            raw["path:user_id"] = value
        values = runtime.validate_parameters(_GET_USER_PARAMETERS, raw, errors)
        if errors:
            runtime.invalid(errors)
        if impl is None:
            return runtime.not_implemented(operation)
        tasks = runtime.new_tasks(request)
        try:
            result = await impl.get_user(
                principal=runtime.authenticated(principal), user_id=values.get("path:user_id")
            )
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.finish(runtime.error_response(exc, operation), tasks)
        if isinstance(result, models.User):
            return runtime.finish(
                runtime.json_response(200, dump_0, result, None, "application/json"), tasks
            )
        runtime.violation(operation, f"returned {type(result).__name__}")

    return endpoint


_UPDATE_USER_PARAMETERS_TYPE = TypedDict(
    "_UPDATE_USER_PARAMETERS_TYPE",
    {
        "path:user_id": Required[uuid.UUID],
    },
)
_UPDATE_USER_PARAMETERS: TypeAdapter[_UPDATE_USER_PARAMETERS_TYPE] = TypeAdapter(
    _UPDATE_USER_PARAMETERS_TYPE
)

_UPDATE_USER_BODY = runtime.Body(
    (runtime.Media("application/json", "json", TypeAdapter(models.UserUpdate), None),),
    True,
    False,
)


def _update_user(impl: UsersApi | None, verifier: SecurityVerifier | None) -> runtime.Endpoint:
    operation = OPERATIONS["updateUser"]
    authorize = runtime.authorizer(
        (((_SCHEMES["OAuth2PasswordBearer"], frozenset(["users:write"])),),),
        verifier,
        unimplemented=impl is None,
    )
    dump_0 = runtime.adapter(models.User)

    async def endpoint(request: Request) -> Response:
        principal = await authorize(request)
        errors: runtime.Errors = []
        raw: dict[str, Any] = {}
        value = request.path_params.get("user_id")
        if value is not None:
            raw["path:user_id"] = value
        values = runtime.validate_parameters(_UPDATE_USER_PARAMETERS, raw, errors)
        body = await _UPDATE_USER_BODY.read(request, errors)
        if errors:
            runtime.invalid(errors)
        if impl is None:
            return runtime.not_implemented(operation)
        tasks = runtime.new_tasks(request)
        try:
            result = await impl.update_user(
                principal=runtime.authenticated(principal),
                user_id=values.get("path:user_id"),
                body=body,
            )
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.finish(runtime.error_response(exc, operation), tasks)
        if isinstance(result, models.User):
            return runtime.finish(
                runtime.json_response(200, dump_0, result, None, "application/json"), tasks
            )
        runtime.violation(operation, f"returned {type(result).__name__}")

    return endpoint


_DELETE_USER_PARAMETERS_TYPE = TypedDict(
    "_DELETE_USER_PARAMETERS_TYPE",
    {
        "path:user_id": Required[uuid.UUID],
    },
)
_DELETE_USER_PARAMETERS: TypeAdapter[_DELETE_USER_PARAMETERS_TYPE] = TypeAdapter(
    _DELETE_USER_PARAMETERS_TYPE
)


def _delete_user(impl: UsersApi | None, verifier: SecurityVerifier | None) -> runtime.Endpoint:
    operation = OPERATIONS["deleteUser"]
    authorize = runtime.authorizer(
        (((_SCHEMES["OAuth2PasswordBearer"], frozenset(["admin"])),),),
        verifier,
        unimplemented=impl is None,
    )

    async def endpoint(request: Request) -> Response:
        principal = await authorize(request)
        errors: runtime.Errors = []
        raw: dict[str, Any] = {}
        value = request.path_params.get("user_id")
        if value is not None:
            raw["path:user_id"] = value
        values = runtime.validate_parameters(_DELETE_USER_PARAMETERS, raw, errors)
        if errors:
            runtime.invalid(errors)
        if impl is None:
            return runtime.not_implemented(operation)
        tasks = runtime.new_tasks(request)
        try:
            await impl.delete_user(
                principal=runtime.authenticated(principal), user_id=values.get("path:user_id")
            )
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.finish(runtime.error_response(exc, operation), tasks)
        return runtime.finish(runtime.empty_response(204), tasks)

    return endpoint


_LIST_ITEMS_PARAMETERS_TYPE = TypedDict(
    "_LIST_ITEMS_PARAMETERS_TYPE",
    {
        "query:skip": NotRequired[Annotated[int, Field(ge=0, le=10000)]],
        "query:limit": NotRequired[Annotated[int, Field(ge=1, le=100)]],
        "query:tag": NotRequired[
            Annotated[str, Field(min_length=1, max_length=50, pattern="^[^\\u0000]*$")]
        ],
    },
)
_LIST_ITEMS_PARAMETERS: TypeAdapter[_LIST_ITEMS_PARAMETERS_TYPE] = TypeAdapter(
    _LIST_ITEMS_PARAMETERS_TYPE
)


def _list_items(impl: ItemsApi | None, verifier: SecurityVerifier | None) -> runtime.Endpoint:
    operation = OPERATIONS["listItems"]
    dump_0 = runtime.adapter(list[models.Item])

    async def endpoint(request: Request) -> Response:
        errors: runtime.Errors = []
        query = request.query_params
        raw: dict[str, Any] = {}
        value = query.get("skip")
        if value is not None:
            raw["query:skip"] = value
        value = query.get("limit")
        if value is not None:
            raw["query:limit"] = value
        value = query.get("tag")
        if value is not None:
            raw["query:tag"] = value
        values = runtime.validate_parameters(_LIST_ITEMS_PARAMETERS, raw, errors)
        if errors:
            runtime.invalid(errors)
        if impl is None:
            return runtime.not_implemented(operation)
        tasks = runtime.new_tasks(request)
        try:
            result = await impl.list_items(
                skip=values.get("query:skip", 0),
                limit=values.get("query:limit", 10),
                tag=values.get("query:tag"),
            )
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.finish(runtime.error_response(exc, operation), tasks)
        if isinstance(result, ListItems200):
            return runtime.finish(
                runtime.json_response(
                    200,
                    dump_0,
                    result.body,
                    runtime.headers({"X-Total-Count": result.x_total_count}),
                    "application/json",
                ),
                tasks,
            )
        runtime.violation(operation, f"returned {type(result).__name__}")

    return endpoint


_CREATE_ITEM_BODY = runtime.Body(
    (runtime.Media("application/json", "json", TypeAdapter(models.ItemCreate), None),),
    True,
    False,
)


def _create_item(impl: ItemsApi | None, verifier: SecurityVerifier | None) -> runtime.Endpoint:
    operation = OPERATIONS["createItem"]
    authorize = runtime.authorizer(
        (((_SCHEMES["OAuth2PasswordBearer"], frozenset(["items:write"])),),),
        verifier,
        unimplemented=impl is None,
    )
    dump_0 = runtime.adapter(models.Item)

    async def endpoint(request: Request) -> Response:
        principal = await authorize(request)
        errors: runtime.Errors = []
        body = await _CREATE_ITEM_BODY.read(request, errors)
        if errors:
            runtime.invalid(errors)
        if impl is None:
            return runtime.not_implemented(operation)
        tasks = runtime.new_tasks(request)
        try:
            result = await impl.create_item(principal=runtime.authenticated(principal), body=body)
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.finish(runtime.error_response(exc, operation), tasks)
        if isinstance(result, CreateItem201):
            return runtime.finish(
                runtime.json_response(
                    201,
                    dump_0,
                    result.body,
                    runtime.headers({"Location": result.location}),
                    "application/json",
                ),
                tasks,
            )
        runtime.violation(operation, f"returned {type(result).__name__}")

    return endpoint


_GET_ITEM_PARAMETERS_TYPE = TypedDict(
    "_GET_ITEM_PARAMETERS_TYPE",
    {
        "path:item_id": Required[Annotated[int, Field(ge=1, le=9223372036854775807)]],
        "header:If-None-Match": NotRequired[Annotated[str, Field(max_length=8192)]],
    },
)
_GET_ITEM_PARAMETERS: TypeAdapter[_GET_ITEM_PARAMETERS_TYPE] = TypeAdapter(
    _GET_ITEM_PARAMETERS_TYPE
)


def _get_item(impl: ItemsApi | None, verifier: SecurityVerifier | None) -> runtime.Endpoint:
    operation = OPERATIONS["getItem"]
    dump_0 = runtime.adapter(models.Item)

    async def endpoint(request: Request) -> Response:
        errors: runtime.Errors = []
        raw: dict[str, Any] = {}
        value = request.path_params.get("item_id")
        if value is not None:
            raw["path:item_id"] = value
        value = request.headers.get("If-None-Match")
        if value is not None:
            raw["header:If-None-Match"] = value
        values = runtime.validate_parameters(_GET_ITEM_PARAMETERS, raw, errors)
        if errors:
            runtime.invalid(errors)
        if impl is None:
            return runtime.not_implemented(operation)
        tasks = runtime.new_tasks(request)
        try:
            result = await impl.get_item(
                item_id=values.get("path:item_id"), if_none_match=values.get("header:If-None-Match")
            )
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.finish(runtime.error_response(exc, operation), tasks)
        if isinstance(result, GetItem200):
            return runtime.finish(
                runtime.json_response(
                    200,
                    dump_0,
                    result.body,
                    runtime.headers({"ETag": result.e_tag}),
                    "application/json",
                ),
                tasks,
            )
        if isinstance(result, GetItem304):
            return runtime.finish(
                runtime.empty_response(304, runtime.headers({"ETag": result.e_tag})), tasks
            )
        runtime.violation(operation, f"returned {type(result).__name__}")

    return endpoint


_UPDATE_ITEM_PARAMETERS_TYPE = TypedDict(
    "_UPDATE_ITEM_PARAMETERS_TYPE",
    {
        "path:item_id": Required[Annotated[int, Field(ge=1, le=9223372036854775807)]],
    },
)
_UPDATE_ITEM_PARAMETERS: TypeAdapter[_UPDATE_ITEM_PARAMETERS_TYPE] = TypeAdapter(
    _UPDATE_ITEM_PARAMETERS_TYPE
)

_UPDATE_ITEM_BODY = runtime.Body(
    (runtime.Media("application/json", "json", TypeAdapter(models.ItemUpdate), None),),
    True,
    False,
)


def _update_item(impl: ItemsApi | None, verifier: SecurityVerifier | None) -> runtime.Endpoint:
    operation = OPERATIONS["updateItem"]
    authorize = runtime.authorizer(
        (((_SCHEMES["OAuth2PasswordBearer"], frozenset(["items:write"])),),),
        verifier,
        unimplemented=impl is None,
    )
    dump_0 = runtime.adapter(models.Item)

    async def endpoint(request: Request) -> Response:
        principal = await authorize(request)
        errors: runtime.Errors = []
        raw: dict[str, Any] = {}
        value = request.path_params.get("item_id")
        if value is not None:
            raw["path:item_id"] = value
        values = runtime.validate_parameters(_UPDATE_ITEM_PARAMETERS, raw, errors)
        body = await _UPDATE_ITEM_BODY.read(request, errors)
        if errors:
            runtime.invalid(errors)
        if impl is None:
            return runtime.not_implemented(operation)
        tasks = runtime.new_tasks(request)
        try:
            result = await impl.update_item(
                principal=runtime.authenticated(principal),
                item_id=values.get("path:item_id"),
                body=body,
            )
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.finish(runtime.error_response(exc, operation), tasks)
        if isinstance(result, models.Item):
            return runtime.finish(
                runtime.json_response(200, dump_0, result, None, "application/json"), tasks
            )
        runtime.violation(operation, f"returned {type(result).__name__}")

    return endpoint


_DELETE_ITEM_PARAMETERS_TYPE = TypedDict(
    "_DELETE_ITEM_PARAMETERS_TYPE",
    {
        "path:item_id": Required[Annotated[int, Field(ge=1, le=9223372036854775807)]],
    },
)
_DELETE_ITEM_PARAMETERS: TypeAdapter[_DELETE_ITEM_PARAMETERS_TYPE] = TypeAdapter(
    _DELETE_ITEM_PARAMETERS_TYPE
)


def _delete_item(impl: ItemsApi | None, verifier: SecurityVerifier | None) -> runtime.Endpoint:
    operation = OPERATIONS["deleteItem"]
    authorize = runtime.authorizer(
        (((_SCHEMES["OAuth2PasswordBearer"], frozenset(["items:write"])),),),
        verifier,
        unimplemented=impl is None,
    )

    async def endpoint(request: Request) -> Response:
        principal = await authorize(request)
        errors: runtime.Errors = []
        raw: dict[str, Any] = {}
        value = request.path_params.get("item_id")
        if value is not None:
            raw["path:item_id"] = value
        values = runtime.validate_parameters(_DELETE_ITEM_PARAMETERS, raw, errors)
        if errors:
            runtime.invalid(errors)
        if impl is None:
            return runtime.not_implemented(operation)
        tasks = runtime.new_tasks(request)
        try:
            await impl.delete_item(
                principal=runtime.authenticated(principal), item_id=values.get("path:item_id")
            )
        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise
            return runtime.finish(runtime.error_response(exc, operation), tasks)
        return runtime.finish(runtime.empty_response(204), tasks)

    return endpoint


def create_router(handlers: Handlers | None, *, allow_missing: bool = False) -> APIRouter:
    """The API router for the contract; ``allow_missing`` answers 501 for unimplemented operations.

    Its routes are ``runtime.ContractRoute``s (one per path of the contract): add them to an
    app with ``app.router.routes.extend(create_router(handlers).routes)``.
    """
    handlers = handlers or Handlers()
    if not allow_missing:
        runtime.require_handlers(handlers, HANDLER_METHODS, SECURED)
    verifier = handlers.security
    routes: list[runtime.ContractRoute] = [
        runtime.ContractRoute(
            "/health",
            {
                "GET": _get_health(runtime.implemented(handlers.health, "get_health"), verifier),
            },
        ),
        runtime.ContractRoute(
            "/ready",
            {
                "GET": _get_readiness(
                    runtime.implemented(handlers.health, "get_readiness"), verifier
                ),
            },
        ),
        runtime.ContractRoute(
            "/metrics",
            {
                "GET": _get_metrics(runtime.implemented(handlers.health, "get_metrics"), verifier),
            },
        ),
        runtime.ContractRoute(
            "/api/v1/users",
            {
                "GET": _list_users(runtime.implemented(handlers.users, "list_users"), verifier),
            },
        ),
        runtime.ContractRoute(
            "/api/v1/items",
            {
                "GET": _list_items(runtime.implemented(handlers.items, "list_items"), verifier),
                "POST": _create_item(runtime.implemented(handlers.items, "create_item"), verifier),
            },
        ),
        runtime.ContractRoute(
            "/api/v1/auth/register",
            {
                "POST": _register_user(
                    runtime.implemented(handlers.auth, "register_user"), verifier
                ),
            },
        ),
        runtime.ContractRoute(
            "/api/v1/auth/token",
            {
                "POST": _create_token(runtime.implemented(handlers.auth, "create_token"), verifier),
            },
        ),
        runtime.ContractRoute(
            "/api/v1/auth/me",
            {
                "GET": _get_current_user(
                    runtime.implemented(handlers.auth, "get_current_user"), verifier
                ),
            },
        ),
        runtime.ContractRoute(
            "/api/v1/users/{user_id}",
            {
                "GET": _get_user(runtime.implemented(handlers.users, "get_user"), verifier),
                "PUT": _update_user(runtime.implemented(handlers.users, "update_user"), verifier),
                "DELETE": _delete_user(
                    runtime.implemented(handlers.users, "delete_user"), verifier
                ),
            },
        ),
        runtime.ContractRoute(
            "/api/v1/items/{item_id}",
            {
                "GET": _get_item(runtime.implemented(handlers.items, "get_item"), verifier),
                "PUT": _update_item(runtime.implemented(handlers.items, "update_item"), verifier),
                "DELETE": _delete_item(
                    runtime.implemented(handlers.items, "delete_item"), verifier
                ),
            },
        ),
    ]
    return APIRouter(routes=list(routes))


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
