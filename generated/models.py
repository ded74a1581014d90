# generated from openapi.yaml by scripts/generate.py — do not edit.
from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Dict
from uuid import UUID

from pydantic import (
    MISSING,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
)

from ._formats import JsonEmail, JsonInt  # noqa: F401


class Scope(StrEnum):
    ITEMS_WRITE = "items:write"
    USERS_READ = "users:read"
    USERS_WRITE = "users:write"
    ADMIN = "admin"


class User(BaseModel):
    model_config = ConfigDict(
        validate_by_name=True,
    )
    id: UUID
    username: Annotated[StrictStr, Field(max_length=32, min_length=3, pattern="^[A-Za-z0-9_.-]+$")]
    email: Annotated[JsonEmail, Field(max_length=254)]
    full_name: Annotated[StrictStr | None, Field(max_length=100)]
    is_active: Annotated[
        StrictBool, Field(description="Inactive users cannot log in and their tokens stop working.")
    ]
    scopes: Annotated[
        list[Scope], Field(description="The scopes this user may ask for in a token.")
    ]
    created_at: Annotated[AwareDatetime, Field(description="When the user registered (UTC).")]


class UserCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        validate_by_name=True,
    )
    username: Annotated[
        StrictStr,
        Field(
            description="Unique, compared case-insensitively.",
            max_length=32,
            min_length=3,
            pattern="^[A-Za-z0-9_.-]+$",
        ),
    ]
    email: Annotated[
        JsonEmail,
        Field(
            description="Unique, compared case-insensitively.",
            max_length=254,
            pattern="^[^\\u0000]*$",
        ),
    ]
    password: Annotated[StrictStr, Field(max_length=128, min_length=8)]
    full_name: Annotated[
        StrictStr | None | MISSING, Field(max_length=100, pattern="^[^\\u0000]*$")
    ] = MISSING


class UserUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        validate_by_name=True,
    )
    email: Annotated[JsonEmail | MISSING, Field(max_length=254, pattern="^[^\\u0000]*$")] = MISSING
    full_name: Annotated[
        StrictStr | None | MISSING, Field(max_length=100, pattern="^[^\\u0000]*$")
    ] = MISSING
    password: Annotated[
        StrictStr | MISSING,
        Field(
            description="The new password. Changing your own needs `current_password`; every token issued\nbefore the change stops working.\n",
            max_length=128,
            min_length=8,
        ),
    ] = MISSING
    current_password: Annotated[
        StrictStr | MISSING,
        Field(
            description="Your current password; required to change your own `password`.",
            max_length=128,
            min_length=1,
        ),
    ] = MISSING
    is_active: Annotated[StrictBool | MISSING, Field(description="Admin only.")] = MISSING
    scopes: Annotated[
        list[Scope] | MISSING, Field(description="Admin only. Replaces the user's scopes.")
    ] = MISSING


class Tag(RootModel[StrictStr]):
    root: Annotated[StrictStr, Field(max_length=50, min_length=1)]


class Item(BaseModel):
    model_config = ConfigDict(
        validate_by_name=True,
    )
    id: Annotated[JsonInt, Field(ge=1, le=9223372036854775807)]
    name: Annotated[StrictStr, Field(max_length=100, min_length=1)]
    description: Annotated[StrictStr | None, Field(max_length=1000)]
    price: Annotated[StrictFloat, Field(gt=0.0, le=1000000000.0)]
    tags: Annotated[list[Tag], Field(max_length=20)]
    owner_id: Annotated[UUID, Field(description="The id of the user who created the item.")]
    created_at: Annotated[AwareDatetime, Field(description="When the item was created (UTC).")]
    updated_at: Annotated[AwareDatetime, Field(description="When the item was last changed (UTC).")]


class Tag1(RootModel[StrictStr]):
    root: Annotated[StrictStr, Field(max_length=50, min_length=1, pattern="^[^\\u0000]*$")]


class ItemCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        validate_by_name=True,
    )
    name: Annotated[StrictStr, Field(max_length=100, min_length=1, pattern="^[^\\u0000]*$")]
    description: Annotated[
        StrictStr | None | MISSING, Field(max_length=1000, pattern="^[^\\u0000]*$")
    ] = MISSING
    price: Annotated[StrictFloat, Field(gt=0.0, le=1000000000.0)]
    tags: Annotated[
        list[Tag1] | MISSING, Field(description="Absent means no tags.", max_length=20)
    ] = MISSING


class ItemUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        validate_by_name=True,
    )
    name: Annotated[StrictStr, Field(max_length=100, min_length=1, pattern="^[^\\u0000]*$")]
    description: Annotated[
        StrictStr | None | MISSING, Field(max_length=1000, pattern="^[^\\u0000]*$")
    ] = MISSING
    price: Annotated[StrictFloat, Field(gt=0.0, le=1000000000.0)]
    tags: Annotated[
        list[Tag1] | MISSING, Field(description="Absent means no tags.", max_length=20)
    ] = MISSING


class TokenType(StrEnum):
    BEARER = "bearer"


class Token(BaseModel):
    model_config = ConfigDict(
        validate_by_name=True,
    )
    access_token: Annotated[
        StrictStr,
        Field(
            description="A JWT (HS256) with the claims sub (user id), scopes, iat, exp, jti and ver (the\nuser's token version: a password change or deactivation ends older tokens).\n"
        ),
    ]
    token_type: TokenType
    expires_in: Annotated[JsonInt, Field(description="Seconds until the token expires.", ge=1)]


class GrantType(StrEnum):
    PASSWORD = "password"


class TokenRequest(BaseModel):
    model_config = ConfigDict(
        validate_by_name=True,
    )
    grant_type: GrantType | MISSING = MISSING
    username: Annotated[StrictStr, Field(min_length=1, pattern="^[^\\u0000]*$")]
    password: Annotated[StrictStr, Field(min_length=1)]
    scope: Annotated[
        StrictStr | MISSING,
        Field(
            description="Space-separated scopes to ask for; absent means all of the user's scopes."
        ),
    ] = MISSING


class Status(StrEnum):
    OK = "ok"


class Health(BaseModel):
    model_config = ConfigDict(
        validate_by_name=True,
    )
    status: Status
    version: Annotated[StrictStr, Field(description="The service's version.")]
    timestamp: Annotated[AwareDatetime, Field(description="The server's current time (UTC).")]


class Status1(StrEnum):
    OK = "ok"
    ERROR = "error"


class Database(StrEnum):
    OK = "ok"
    ERROR = "error"


class ChecksAdditionalProperty(StrEnum):
    OK = "ok"
    ERROR = "error"


class Checks(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        validate_by_name=True,
    )
    __annotations__ = {
        "__pydantic_extra__": Dict[str, ChecksAdditionalProperty],
    }
    database: Database


class Readiness(BaseModel):
    model_config = ConfigDict(
        validate_by_name=True,
    )
    status: Annotated[Status1, Field(description="`ok` when every check passed, else `error`.")]
    checks: Annotated[Checks, Field(description="One entry per dependency, named after it.")]
    detail: Annotated[
        StrictStr | MISSING,
        Field(description="Only when a check failed (503) - which ones, in words."),
    ] = MISSING


class Error(BaseModel):
    model_config = ConfigDict(
        validate_by_name=True,
    )
    detail: StrictStr


class ValidationErrorItem(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        validate_by_name=True,
    )
    loc: Annotated[
        list[StrictStr | JsonInt],
        Field(description='Where the problem is, e.g. ["body", "price"] or ["query", "limit"].'),
    ]
    msg: StrictStr
    type: StrictStr


class HTTPValidationError(BaseModel):
    model_config = ConfigDict(
        validate_by_name=True,
    )
    detail: list[ValidationErrorItem]
