"""Errors a handler raises to answer with a status the contract declares.

Exception
├── ApiError            a declared error response: status, ``{"detail": ...}`` or a body
└── ContractViolation   the implementation answered what the contract does not declare (500)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ApiError(Exception):
    """An error response the contract declares for the operation (404, 409, ...).

    The body is ``{"detail": detail}`` unless ``body`` (a model or JSON-able value) is given.
    """

    def __init__(
        self,
        status_code: int,
        detail: Any = None,
        *,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status_code = status_code
        self.detail = detail
        self.body = body
        self.headers: dict[str, str] = dict(headers or {})
        super().__init__(f"{status_code}: {detail}")


class ContractViolation(Exception):
    """A handler returned or raised something its operation does not declare."""
