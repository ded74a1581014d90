"""Structured JSON logs: one object per line, each carrying the request id and user id.

Nothing here logs headers, bodies or query strings, which is where passwords and tokens
travel (issue 3: never a password, token or Authorization header in a log). As a second
line of defence, the formatter redacts ``extra`` fields whose names look secret, and in
every message and traceback (issue 8: a traceback carried a request's password):

* a validation error's text (pydantic, FastAPI) becomes its locations and error types: its
  own ``str`` quotes the input, request bodies included;
* anything shaped like a JWT, a ``Bearer`` credential or the password in a URL, SQL
  parameters in SQLAlchemy's messages, and the secrets given to ``configure_logging``
  (SECRET_KEY, ADMIN_PASSWORD, ...) are replaced by ``[REDACTED]``.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from starlette.types import ASGIApp, Receive, Scope, Send

from ._asgi import ResponseRecorder, client_host, route_template
from .context import current_request, set_user_id
from .trace_context import trace_id

__all__ = [
    "ACCESS_LOGGER",
    "AccessLogMiddleware",
    "JsonFormatter",
    "configure_logging",
    "set_user_id",
]

ACCESS_LOGGER = "impl.access"

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
# (uvicorn adds "color_message", an ANSI-coloured copy of the message.)
_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "color_message",
}
_SECRET_NAME = re.compile(r"pass(word)?|secret|token|authori[sz]ation|cookie|api_?key", re.I)
_REDACTED = "[REDACTED]"
_SECRET_TEXT = (
    re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"),  # a JWT
    re.compile(r"(?i)(?<=bearer )[^\s'\",]+"),
    re.compile(r"(?<=://)[^/@\s:]*:[^/@\s]*(?=@)"),  # user:password@ in a URL
    re.compile(r"(?<=\[parameters: )[\s\S]*?(?=\]\n|\]$)"),  # SQLAlchemy's statement parameters
)
_MIN_SECRET_LENGTH = 4


def _validation_summary(exc: BaseException) -> str | None:
    """A validation error's locations and types, without the input its text quotes."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return None
    try:
        items = errors()
    except Exception:  # an ``errors`` that is not pydantic's
        return None
    if not isinstance(items, list | tuple):
        return None
    parts = [
        f"{'.'.join(str(part) for part in item.get('loc', ()))}: {item.get('type')}"
        for item in items
        if isinstance(item, dict)
    ]
    return f"{len(parts)} validation error(s) [input not logged]: " + "; ".join(parts)


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object: time, level, logger, message, request_id,
    user_id, any ``extra`` fields, and the formatted traceback when there is one, with
    secrets redacted (see the module docstring)."""

    def __init__(self, *, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        # Longest first, so that a secret containing another is replaced whole.
        self._secrets = sorted(
            {value for value in secrets if len(value) >= _MIN_SECRET_LENGTH}, key=len, reverse=True
        )

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, _REDACTED)
        for pattern in _SECRET_TEXT:
            text = pattern.sub(_REDACTED, text)
        return text

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's name
        _, exc, _ = ei
        if not isinstance(exc, BaseException):
            return self.redact(super().formatException(ei))
        return self.redact("".join(_format_chain(exc, set())).rstrip("\n"))

    def format(self, record: logging.LogRecord) -> str:
        context = current_request()
        entry: dict[str, object] = {
            "timestamp": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": self.redact(record.getMessage()),
            "request_id": context.request_id if context else getattr(record, "request_id", None),
            "user_id": context.user_id if context else getattr(record, "user_id", None),
            "trace_id": trace_id(),
        }
        for key, value in vars(record).items():
            if key in _RECORD_ATTRIBUTES or key in entry or key.startswith("_"):
                continue
            if _SECRET_NAME.search(key):
                value = _REDACTED
            elif isinstance(value, str):
                value = self.redact(value)
            entry[key] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.redact(self.formatStack(record.stack_info))
        return json.dumps(entry, default=str, ensure_ascii=False)


def _format_chain(exc: BaseException, seen: set[int]) -> list[str]:
    """``traceback.format_exception`` of the chain, each exception's text made safe first
    (a validation error's own text quotes its input)."""
    seen.add(id(exc))
    lines: list[str] = []
    cause, context = exc.__cause__, exc.__context__
    if cause is not None and id(cause) not in seen:
        lines += _format_chain(cause, seen)
        lines.append("\nThe above exception was the direct cause of the following exception:\n\n")
    elif context is not None and not exc.__suppress_context__ and id(context) not in seen:
        lines += _format_chain(context, seen)
        lines.append("\nDuring handling of the above exception, another exception occurred:\n\n")
    if exc.__traceback__ is not None:
        lines.append("Traceback (most recent call last):\n")
        lines += traceback.format_tb(exc.__traceback__)
    summary = _validation_summary(exc)
    if summary is None:
        lines += traceback.format_exception_only(exc)
    else:
        lines.append(f"{type(exc).__module__}.{type(exc).__qualname__}: {summary}\n")
    return lines


class _JsonHandler(logging.StreamHandler[TextIO]):
    """Marks the handler ``configure_logging`` installed, so a second call replaces it."""


def configure_logging(
    level: str | int, *, stream: TextIO | None = None, secrets: Iterable[str] = ()
) -> None:
    """Send every log record, uvicorn's included, to ``stream`` (stdout) as JSON lines, with
    ``secrets`` (and whatever looks like one) redacted.

    Idempotent (apps are created many times in tests) and leaves foreign handlers, such as
    pytest's capture handler, in place. Uvicorn's own access log is silenced: the
    access-log middleware writes a richer line for each request.
    """
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _JsonHandler)]:
        root.removeHandler(handler)
    handler = _JsonHandler(stream if stream is not None else sys.stdout)
    handler.setFormatter(JsonFormatter(secrets=secrets))
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)

    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    uvicorn_access = logging.getLogger("uvicorn.access")
    uvicorn_access.handlers.clear()
    uvicorn_access.propagate = False
    uvicorn_access.disabled = True


class AccessLogMiddleware:
    """One line per HTTP request: method, route template, path, status, duration_ms,
    client, plus request_id and user_id from the formatter. The query string is left out
    on purpose: it is the one part of a URL that may carry credentials."""

    def __init__(self, app: ASGIApp, *, logger_name: str = ACCESS_LOGGER) -> None:
        self.app = app
        self._logger = logging.getLogger(logger_name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response = ResponseRecorder(send)
        try:
            await self.app(scope, receive, response)
        finally:
            method = str(scope["method"])
            path = str(scope["path"])
            status = response.status
            self._logger.log(
                logging.ERROR if status >= 500 else logging.INFO,
                "%s %s %d",
                method,
                path,
                status,
                extra={
                    "method": method,
                    "route": route_template(scope),
                    "path": path,
                    "status": status,
                    "duration_ms": round(response.elapsed * 1000, 3),
                    "client": client_host(scope),
                },
            )
