"""Structured JSON logs: one object per line, each carrying the request id and user id.

Nothing here logs headers, bodies or query strings, which is where passwords and tokens
travel (issue 3: never a password, token or Authorization header in a log). As a second
line of defence, ``extra`` fields whose names look secret are redacted by the formatter.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import TextIO

from starlette.types import ASGIApp, Receive, Scope, Send

from ._asgi import ResponseRecorder, client_host, route_template
from .context import current_request, set_user_id

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


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object: time, level, logger, message, request_id,
    user_id, any ``extra`` fields, and the formatted traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        context = current_request()
        entry: dict[str, object] = {
            "timestamp": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": context.request_id if context else getattr(record, "request_id", None),
            "user_id": context.user_id if context else getattr(record, "user_id", None),
        }
        for key, value in vars(record).items():
            if key in _RECORD_ATTRIBUTES or key in entry or key.startswith("_"):
                continue
            entry[key] = _REDACTED if _SECRET_NAME.search(key) else value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class _JsonHandler(logging.StreamHandler[TextIO]):
    """Marks the handler ``configure_logging`` installed, so a second call replaces it."""


def configure_logging(level: str | int, *, stream: TextIO | None = None) -> None:
    """Send every log record, uvicorn's included, to ``stream`` (stdout) as JSON lines.

    Idempotent (apps are created many times in tests) and leaves foreign handlers, such as
    pytest's capture handler, in place. Uvicorn's own access log is silenced: the
    access-log middleware writes a richer line for each request.
    """
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _JsonHandler)]:
        root.removeHandler(handler)
    handler = _JsonHandler(stream if stream is not None else sys.stdout)
    handler.setFormatter(JsonFormatter())
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
