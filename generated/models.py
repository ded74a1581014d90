# generated from openapi.yaml by scripts/generate.py — do not edit.
from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Dict
from uuid import UUID

from pydantic import (
    MISSING,
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    RootModel,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
)


def _json_int(value: object) -> object:
    """JSON Schema counts 258.0 as an integer; booleans and strings are not integers."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-\u0080-\U0010ffff]"
_ALNUM = r"[A-Za-z0-9\u0080-\U0010ffff]"
_LABEL = rf"{_ALNUM}(?:[A-Za-z0-9\-\u0080-\U0010ffff]*{_ALNUM})?"
_MAILBOX = re.compile(
    rf"(?:{_ATEXT}+(?:\.{_ATEXT}+)*"  # dot-string: no leading, trailing or double dot
    r'|"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*")'  # or a quoted string
    rf"@(?:{_LABEL}(?:\.{_LABEL})*"  # domain: letter/digit/hyphen labels
    r"|\[[^\[\]\\\s]+\])"  # or an address literal
)


def _json_email(value: str) -> str:
    """What ``format: email`` allows: an RFC 5321 mailbox (special-use domains such as
    ``.test`` included, which ``EmailStr`` rejects)."""
    local = value.rpartition("@")[0]
    if len(value) > 254 or len(local) > 64 or not _MAILBOX.fullmatch(value):
        raise ValueError("value is not a valid email address")
    return value


JsonInt = Annotated[StrictInt, BeforeValidator(_json_int)]
JsonEmail = Annotated[StrictStr, AfterValidator(_json_email)]


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
    password: Annotated[StrictStr | MISSING, Field(max_length=128, min_length=8)] = MISSING
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
        Field(description="A JWT (HS256) with the claims sub (user id), scopes, iat, exp and jti."),
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
