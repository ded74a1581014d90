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

Cost (issue 9: the access line was a fifth of a cheap request's CPU time). A text is searched
with a pattern only when it holds the literal that pattern needs ("eyJ", "bearer ", "://",
"[parameters: "), which a plain text rarely does; the access line is made without a stack
walk (``AccessLog``); the JSON encoder is built once. Lines are formatted where they are
logged (the request's context is there) and written by a thread of their own
(``_JsonHandler``): the event loop never waits for stdout, and lines that arrive together
are written together. ``flush_logs()`` (the app's shutdown, and ``logging.shutdown`` at exit)
waits until every line is written.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import os
import queue
import re
import sys
import threading
import traceback
import weakref
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Final, TextIO

from .context import current_request, set_user_id
from .trace_context import trace_id

__all__ = [
    "ACCESS_LOGGER",
    "AccessLog",
    "JsonFormatter",
    "configure_logging",
    "flush_logs",
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

# Each pattern with a test for the literal every match contains: the pattern runs only on a
# text that passes it (``in`` is a fast substring search; a pattern scan tries every offset).
_SECRET_TEXT: Final[tuple[tuple[Callable[[str], bool], re.Pattern[str]], ...]] = (
    (  # a JWT
        lambda text: "eyJ" in text,
        re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"),
    ),
    (
        lambda text: "bearer " in text.lower(),
        re.compile(r"(?i)(?<=bearer )[^\s'\",]+"),
    ),
    (  # user:password@ in a URL
        lambda text: "://" in text,
        re.compile(r"(?<=://)[^/@\s:]*:[^/@\s]*(?=@)"),
    ),
    (  # SQLAlchemy's statement parameters
        lambda text: "[parameters: " in text,
        re.compile(r"(?<=\[parameters: )[\s\S]*?(?=\]\n|\]$)"),
    ),
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
        self._encoder = json.JSONEncoder(ensure_ascii=False, default=str)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, _REDACTED)
        for contains_literal, pattern in _SECRET_TEXT:
            if contains_literal(text):
                text = pattern.sub(_REDACTED, text)
        return text

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's name
        _, exc, _ = ei
        if not isinstance(exc, BaseException):
            return self.redact(super().formatException(ei))
        return self.redact("".join(_format_chain(exc, set())).rstrip("\n"))

    def format(self, record: logging.LogRecord) -> str:
        return self._encoder.encode(self.fields(record))

    def fields(self, record: logging.LogRecord) -> dict[str, object]:
        """The line's fields, in order: every field of a line is assembled here."""
        context = current_request()
        entry: dict[str, object] = {
            "timestamp": _timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": self.redact(record.getMessage()),
            "request_id": context.request_id if context else getattr(record, "request_id", None),
            "user_id": context.user_id if context else getattr(record, "user_id", None),
            "trace_id": trace_id(),
        }
        attributes = record.__dict__
        extra = attributes.keys() - _RECORD_ATTRIBUTES
        if extra:
            for key in [key for key in attributes if key in extra]:  # in the order given
                if key in entry or key.startswith("_"):
                    continue
                value = attributes[key]
                if _is_secret_name(key):
                    value = _REDACTED
                elif isinstance(value, str):
                    value = self.redact(value)
                entry[key] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.redact(self.formatStack(record.stack_info))
        return entry


_second: tuple[int, str] = (-1, "")  # the last second formatted, and its text


def _timestamp(created: float) -> str:
    """``datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")``, with the
    part up to the second formatted once per second (microseconds rounded as datetime does)."""
    global _second  # a one-entry cache; a race only formats twice
    fraction, whole = math.modf(created)
    second = int(whole)
    micro = round(fraction * 1e6)
    if micro >= 1_000_000:
        second, micro = second + 1, micro - 1_000_000
    cached_second, text = _second
    if second != cached_second:
        text = datetime.fromtimestamp(second, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
        _second = (second, text)
    return f"{text}.{micro // 1000:03d}+00:00"


@functools.lru_cache(maxsize=256)  # the names of ``extra`` fields: a few, from the code
def _is_secret_name(name: str) -> bool:
    return _SECRET_NAME.search(name) is not None


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


class _JsonHandler(logging.Handler):
    """Formats each record where it is logged and queues the line for a writer thread,
    which writes whatever has gathered in one go, then lets more gather for up to
    ``_LINGER`` seconds: a busy server makes one write per interval, not one per line, and
    the event loop never blocks on a slow or full stdout (unless ``_MAX_QUEUED`` lines are
    waiting: then the logging thread waits for the writer, so that no line is ever dropped).

    ``flush()`` returns once every line queued before it is written and the stream flushed;
    ``close()`` (``logging.shutdown`` at exit, or ``configure_logging`` replacing the handler)
    flushes and stops the thread. The thread starts with the first line (and again in a
    forked child, which has no copy of it).
    """

    _LINGER: Final = 0.05
    _MAX_QUEUED: Final = 10_000

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream = stream
        self._queue: queue.SimpleQueue[str | threading.Event | None] = queue.SimpleQueue()
        self._hurry = threading.Event()  # cuts the writer's lingering short (flush, close)
        self._writer: threading.Thread | None = None
        self._closed = False
        _handlers.add(self)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:
            self.handleError(record)
            return
        if self._closed:  # after shutdown: write it here and now
            self._write([line])
            return
        if self._writer is None:
            self._start()
        self._queue.put(line)
        if self._queue.qsize() > self._MAX_QUEUED:
            self.flush()

    def flush(self) -> None:
        writer = self._writer
        if writer is None or not writer.is_alive():
            return
        done = threading.Event()
        self._queue.put(done)
        self._hurry.set()
        done.wait()

    def close(self) -> None:
        self.acquire()  # emit() runs under this lock too: no line slips in behind the stop
        try:
            writer, self._writer = self._writer, None
            self._closed = True
            if writer is not None and writer.is_alive():
                self._queue.put(None)
                self._hurry.set()
                writer.join()
        finally:
            self.release()
        super().close()

    def _start(self) -> None:
        self._writer = threading.Thread(target=self._run, name="json-log-writer", daemon=True)
        self._writer.start()

    def _forget_writer(self) -> None:
        """In a forked child: the writer thread stayed in the parent."""
        self._writer = None
        self._queue = queue.SimpleQueue()
        self._hurry = threading.Event()

    def _run(self) -> None:
        lines = self._queue
        while True:
            batch: list[str] = []
            waiting: list[threading.Event] = []
            item = lines.get()  # idle: blocks here, no wake-ups
            while True:
                if item is None:
                    self._write(batch)
                    for done in waiting:
                        done.set()
                    return
                if isinstance(item, str):
                    batch.append(item)
                else:
                    waiting.append(item)
                try:
                    item = lines.get_nowait()
                except queue.Empty:
                    break
            self._write(batch)
            for done in waiting:
                done.set()
            self._hurry.wait(self._LINGER)
            self._hurry.clear()

    def _write(self, batch: list[str]) -> None:
        try:
            if batch:
                self.stream.write("\n".join(batch) + "\n")
            self.stream.flush()
        except Exception:  # a broken stream: say so where it can be seen
            if logging.raiseExceptions and not getattr(self.stream, "closed", False):
                traceback.print_exc(file=sys.stderr)


_handlers: weakref.WeakSet[_JsonHandler] = weakref.WeakSet()


def _forget_writers() -> None:
    for handler in list(_handlers):
        handler._forget_writer()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_writers)


def flush_logs() -> None:
    """Wait until every log line so far is written (the app's shutdown calls it)."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, _JsonHandler):
            handler.flush()


def configure_logging(
    level: str | int, *, stream: TextIO | None = None, secrets: Iterable[str] = ()
) -> None:
    """Send every log record, uvicorn's included, to ``stream`` (stdout) as JSON lines, with
    ``secrets`` (and whatever looks like one) redacted.

    Idempotent (apps are created many times in tests) and leaves foreign handlers, such as
    pytest's capture handler, in place. Uvicorn's own access log is silenced: the HTTP
    layer's ``AccessLog`` writes a richer line for each request.
    """
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _JsonHandler)]:
        root.removeHandler(handler)
        handler.close()
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


class AccessLog:
    """One line per HTTP request: method, route template, path, status, duration_ms,
    client, plus request_id and user_id from the formatter. The query string is left out
    on purpose: it is the one part of a URL that may carry credentials. A 5xx is logged at
    ERROR, anything else at INFO.

    The record is made directly (``Logger.makeRecord`` and ``handle``): ``Logger.log`` would
    walk the stack to find its caller, for fields no line carries.
    """

    def __init__(self, logger_name: str = ACCESS_LOGGER) -> None:
        self._logger = logging.getLogger(logger_name)

    def record(
        self,
        *,
        method: str,
        path: str,
        route: str | None,
        status: int,
        seconds: float,
        client: str,
    ) -> None:
        level = logging.ERROR if status >= 500 else logging.INFO
        logger = self._logger
        if not logger.isEnabledFor(level):
            return
        extra = {
            "method": method,
            "route": route,
            "path": path,
            "status": status,
            "duration_ms": round(seconds * 1000, 3),
            "client": client,
        }
        record = logger.makeRecord(
            logger.name, level, __file__, 0, "%s %s %d", (method, path, status), None,
            "record", extra,
        )  # fmt: skip
        logger.handle(record)
