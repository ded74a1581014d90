"""The HTTP server's own defences, for ``make run`` (``python -m impl.serve``) and ``make
serve`` (Gunicorn with ``GuardedUvicornWorker``), both configured by ``server_options``.

Issue 8: idle, trickling-header and partial-body connections stayed open for 75 s and more,
with no cap on their number; ``X-Forwarded-For`` was believed from 127.0.0.1. Uvicorn closes
idle keep-alive connections (``KEEPALIVE_TIMEOUT``) but has no deadline for reading a
request, so its HTTP protocols are extended here:

* ``HEADER_TIMEOUT``: a connection that has not sent a complete request head this many
  seconds after it opened (or after the previous response) is closed;
* ``BODY_TIMEOUT``: likewise for the body, counted from the end of the head;
* ``MAX_HEADER_BYTES``: a longer request head closes the connection (h11's own limit, and
  counted here for httptools);
* ``MAX_CONNECTIONS``: a connection beyond this many open ones (per worker process) is
  closed at once, before it costs anything; the clients already served keep their slots.

Nothing here answers with a status: a connection that breaks these rules is closed, as a
proxy would. Proxy headers are believed only from ``FORWARDED_ALLOW_IPS`` (empty: from
nobody). uvicorn's ``limit_concurrency`` is not used: its 503 is plain text, which is not
the contract's error shape.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar, Literal

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn_worker import UvicornWorker  # type: ignore[import-untyped]  # no py.typed

from impl.settings import Settings

__all__ = ["GuardedUvicornWorker", "ReadLimits", "guarded_protocol", "server_options"]

_Phase = Literal["head", "body"] | None


class ReadLimits:
    """The numbers a guarded protocol enforces (from ``Settings``)."""

    def __init__(
        self,
        *,
        header_timeout: float,
        body_timeout: float,
        max_header_bytes: int,
        max_connections: int,
    ) -> None:
        self.header_timeout = header_timeout
        self.body_timeout = body_timeout
        self.max_header_bytes = max_header_bytes
        self.max_connections = max_connections

    @classmethod
    def from_settings(cls, settings: Settings) -> ReadLimits:
        return cls(
            header_timeout=settings.header_timeout,
            body_timeout=settings.body_timeout,
            max_header_bytes=settings.max_header_bytes,
            max_connections=settings.max_connections,
        )


class _ReadDeadline(asyncio.Protocol):
    """The part both protocols share: the connection cap, and one timer, re-armed whenever the
    phase of reading a request changes ("head", "body", or None while the app works or
    answers). Listed before uvicorn's protocol, so ``super()`` here is that protocol."""

    limits: ClassVar[ReadLimits]
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    connections: set[Any]

    _phase: _Phase = None
    _timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if not self._over_capacity():
            self._enter("head")

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timer()
        super().connection_lost(exc)

    def _over_capacity(self) -> bool:
        # The protocol has just added itself to ``connections``.
        if len(self.connections) <= self.limits.max_connections:
            return False
        self.transport.close()
        return True

    def _enter(self, phase: _Phase) -> None:
        if phase == self._phase:
            return
        self._phase = phase
        self._cancel_timer()
        if phase is not None:
            seconds = self.limits.header_timeout if phase == "head" else self.limits.body_timeout
            self._timer = self.loop.call_later(seconds, self._too_slow)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _too_slow(self) -> None:
        self._timer = None
        if not self.transport.is_closing():
            self.transport.close()


class GuardedH11Protocol(_ReadDeadline, H11Protocol):
    """h11: the phase is read from h11's view of the client (IDLE: awaiting a request head,
    SEND_BODY: sending a body); the head's size is h11's ``max_incomplete_event_size``."""

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._follow_client()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow_client()

    def _follow_client(self) -> None:
        state = self.conn.their_state
        self._enter("head" if state is h11.IDLE else "body" if state is h11.SEND_BODY else None)


def _httptools_protocol() -> type[asyncio.Protocol] | None:
    """The same for httptools (uvicorn's faster parser), when it is installed."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:
        return None

    class GuardedHttpToolsProtocol(_ReadDeadline, HttpToolsProtocol):
        _head_bytes = 0

        def data_received(self, data: bytes) -> None:
            if self._phase == "head":
                self._head_bytes += len(data)
            super().data_received(data)
            if self._phase == "head" and self._head_bytes > self.limits.max_header_bytes:
                self.transport.close()

        def on_headers_complete(self) -> None:
            super().on_headers_complete()
            self._enter("body")

        def on_message_complete(self) -> None:
            super().on_message_complete()
            if self.cycle is None or self.cycle.response_complete:  # answered already (a 413)
                self._next_request()
            else:
                self._enter(None)  # the app is at work: no deadline of ours

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing() and self._phase != "body":
                self._next_request()

        def _next_request(self) -> None:
            self._head_bytes = 0
            self._enter("head")

    return GuardedHttpToolsProtocol


def guarded_protocol(limits: ReadLimits, *, http: str = "auto") -> type[asyncio.Protocol]:
    """The uvicorn HTTP protocol class enforcing ``limits``: httptools' when installed
    (``http="auto"``, as uvicorn chooses), else h11's."""
    base: type[asyncio.Protocol] | None = _httptools_protocol() if http != "h11" else None
    if base is None:
        base = GuardedH11Protocol
    return type(base.__name__, (base,), {"limits": limits})


def server_options(settings: Settings, *, http: str = "auto") -> dict[str, Any]:
    """uvicorn ``Config`` keyword arguments for the settings' server limits."""
    proxies = settings.forwarded_allow_ips.strip()
    return {
        "http": guarded_protocol(ReadLimits.from_settings(settings), http=http),
        "timeout_keep_alive": settings.keepalive_timeout,
        "h11_max_incomplete_event_size": settings.max_header_bytes,
        # X-Forwarded-For/-Proto only from the configured proxies; none by default.
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": proxies or None,
    }


class GuardedUvicornWorker(UvicornWorker):  # type: ignore[misc]  # untyped base
    """Gunicorn's uvicorn worker with ``server_options`` (``scripts/gunicorn_conf.py``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.CONFIG_KWARGS = {"loop": "auto", **server_options(Settings())}
        super().__init__(*args, **kwargs)
