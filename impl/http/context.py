"""Per-request values every log line carries: the request id, and the user id once known.

The context variable holds a small mutable object rather than the values themselves, so
that ``set_user_id`` called deep inside a handler (even from a thread-pool dependency, which
runs in a *copy* of the context) is seen by the access-log middleware wrapped around it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass

__all__ = [
    "RequestContext",
    "bind_request",
    "current_request",
    "enter_request",
    "get_request_id",
    "leave_request",
    "set_user_id",
]


@dataclass(slots=True)
class RequestContext:
    request_id: str
    user_id: str | None = None


_current: ContextVar[RequestContext | None] = ContextVar("impl_http_request", default=None)


def enter_request(request_id: str) -> Token[RequestContext | None]:
    """Make ``request_id`` the current request's id until ``leave_request(token)``: the
    HTTP layer's per-request form of ``bind_request``, without a generator."""
    return _current.set(RequestContext(request_id))


def leave_request(token: Token[RequestContext | None]) -> None:
    _current.reset(token)


@contextmanager
def bind_request(request_id: str) -> Iterator[RequestContext]:
    """Make ``request_id`` the current request's id for the duration of the block."""
    context = RequestContext(request_id)
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def current_request() -> RequestContext | None:
    return _current.get()


def get_request_id() -> str | None:
    context = _current.get()
    return context.request_id if context else None


def set_user_id(user_id: str) -> None:
    """Record the authenticated user for this request's log lines (no-op outside a request)."""
    context = _current.get()
    if context is not None:
        context.user_id = user_id
