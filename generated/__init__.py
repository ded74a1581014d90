# generated from openapi.yaml by scripts/generate.py — do not edit.
"""Typed FastAPI layer generated from openapi.yaml.

Public surface: ``create_router(handlers, *, allow_missing=False)``, ``SPEC``, ``models``,
the per-tag Protocols the implementation fills in, and the ``Handlers`` container.
"""

from . import models
from ._runtime import MissingHandlers, RequestContext, request_context
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
from .errors import ApiError, ContractViolation
from .routes import OPERATIONS, create_router
from .security import Principal, SecurityVerifier
from .spec import SPEC

__all__ = [
    "ApiError",
    "AuthApi",
    "ContractViolation",
    "CreateItem201",
    "GetItem200",
    "GetItem304",
    "Handlers",
    "HealthApi",
    "ItemsApi",
    "ListItems200",
    "ListUsers200",
    "MissingHandlers",
    "OPERATIONS",
    "Principal",
    "RegisterUser201",
    "RequestContext",
    "SPEC",
    "SecurityVerifier",
    "UsersApi",
    "create_router",
    "models",
    "request_context",
]
