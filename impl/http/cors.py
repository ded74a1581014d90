"""CORS from ``ALLOWED_ORIGINS`` (issue 3): ``*`` only in development, credentials only
with listed origins, and the headers the contract defines readable by browser clients.

``Cors`` answers preflight requests and adds the CORS headers to every other response, as
Starlette's ``CORSMiddleware`` does (the same headers, values and refusals; the tests compare
the two), but as a part of the one HTTP layer (``stack``) with its headers built once:

* a preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) is answered
  200 "OK" when the origin, the method and every requested header are allowed, else 400
  "Disallowed CORS origin, method, headers" (the failures found), with the preflight headers;
* any other request with an ``Origin`` gets ``Access-Control-Allow-Credentials`` and
  ``-Expose-Headers`` (whatever the origin) and, from an allowed origin, that origin in
  ``Access-Control-Allow-Origin`` (``*`` for the development wildcard); every response gets
  ``Vary: Origin``.

Private-network access (``Access-Control-Request-Private-Network``) is never allowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from starlette.datastructures import Headers

from impl.settings import Settings

from ._asgi import Header, RequestHead, raw_headers

__all__ = ["ALLOWED_HEADERS", "ALLOWED_METHODS", "EXPOSED_HEADERS", "Cors"]

ALLOWED_METHODS = ("GET", "POST", "PUT", "DELETE", "OPTIONS")
ALLOWED_HEADERS = ("Authorization", "Content-Type", "Accept", "X-Request-ID")
EXPOSED_HEADERS = ("X-Request-ID", "X-Total-Count", "Location", "Retry-After")
MAX_AGE = 600
# Headers a browser may always send (the Fetch standard's CORS-safelisted request headers).
_SAFELISTED: Final = frozenset({"Accept", "Accept-Language", "Content-Language", "Content-Type"})
_PREFLIGHT_VARY: Final = (
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, "
    "Access-Control-Request-Private-Network"
)
_PLAIN_TEXT: Final = b"text/plain; charset=utf-8"
_ALLOW_ORIGIN: Final = b"access-control-allow-origin"
_VARY: Final = b"vary"


class Cors:
    """Build it with ``Cors.from_settings``; ``None`` there means no CORS at all (browsers
    then apply the same-origin policy and no preflight succeeds)."""

    def __init__(
        self,
        origins: Sequence[str],
        *,
        allow_credentials: bool,
        methods: Sequence[str] = ALLOWED_METHODS,
        headers: Sequence[str] = ALLOWED_HEADERS,
        expose: Sequence[str] = EXPOSED_HEADERS,
        max_age: int = MAX_AGE,
    ) -> None:
        self._any_origin = "*" in origins
        self._origins = frozenset(origins)
        self._methods = frozenset(methods)
        allowed = sorted(_SAFELISTED | set(headers))
        self._headers = frozenset(header.lower() for header in allowed)
        # Credentialed answers must name the origin; "*" is for the anonymous wildcard only.
        self._echo_origin = not self._any_origin or allow_credentials
        simple: dict[str, str] = {}
        if self._any_origin:
            simple["Access-Control-Allow-Origin"] = "*"
        if allow_credentials:
            simple["Access-Control-Allow-Credentials"] = "true"
        if expose:
            simple["Access-Control-Expose-Headers"] = ", ".join(expose)
        self._simple: tuple[Header, ...] = tuple(
            (name.lower().encode(), value.encode()) for name, value in simple.items()
        )
        preflight = {"Vary": _PREFLIGHT_VARY}
        if not self._echo_origin:
            preflight["Access-Control-Allow-Origin"] = "*"
        preflight["Access-Control-Allow-Methods"] = ", ".join(methods)
        preflight["Access-Control-Max-Age"] = str(max_age)
        preflight["Access-Control-Allow-Headers"] = ", ".join(allowed)
        if allow_credentials:
            preflight["Access-Control-Allow-Credentials"] = "true"
        self._preflight = preflight

    @classmethod
    def from_settings(cls, settings: Settings) -> Cors | None:
        origins = list(settings.allowed_origins)
        if not origins:
            return None
        wildcard = "*" in origins
        if wildcard and settings.environment != "development":
            # Settings refuses this already; a CORS wildcard must never reach production.
            raise ValueError("ALLOWED_ORIGINS may contain '*' only in development")
        # Credentialed requests with a wildcard would let any site act as the user.
        return cls(["*"] if wildcard else origins, allow_credentials=not wildcard)

    def is_allowed_origin(self, origin: str) -> bool:
        return self._any_origin or origin in self._origins

    @staticmethod
    def is_preflight(head: RequestHead) -> bool:
        return (
            head.origin is not None
            and head.method == "OPTIONS"
            and head.preflight_method is not None
        )

    def preflight(self, headers: Headers) -> tuple[int, list[Header], bytes]:
        """The answer to a preflight request (see ``is_preflight``), given its headers:
        status, headers, body."""
        origin = headers["origin"]
        answer = dict(self._preflight)
        failures = []
        if self.is_allowed_origin(origin):
            if self._echo_origin:
                answer["Access-Control-Allow-Origin"] = origin
        else:
            failures.append("origin")
        if headers["access-control-request-method"] not in self._methods:
            failures.append("method")
        requested = headers.get("access-control-request-headers")
        if requested is not None and any(
            header.strip() not in self._headers for header in requested.lower().split(",")
        ):
            failures.append("headers")
        if headers.get("access-control-request-private-network") is not None:
            failures.append("private-network")  # never allowed
        if failures:
            body = ("Disallowed CORS " + ", ".join(failures)).encode()
            return 400, raw_headers(answer, body, _PLAIN_TEXT), body
        return 200, raw_headers(answer, b"OK", _PLAIN_TEXT), b"OK"

    def add_headers(self, headers: list[Header], origin: str | None) -> None:
        """Add the CORS headers to a response's (mutable) header list, for a request that
        came with this ``Origin`` (or none)."""
        if origin is None:
            _add_vary_origin(headers)
            return
        for name, value in self._simple:
            _put(headers, name, value)
        if self._echo_origin and self.is_allowed_origin(origin):
            _put(headers, _ALLOW_ORIGIN, origin.encode("latin-1"))
        _add_vary_origin(headers)


def _put(headers: list[Header], name: bytes, value: bytes) -> None:
    """Set ``name`` to ``value``: the first such header keeps its place, others go."""
    found = [i for i, (key, _) in enumerate(headers) if key.lower() == name]
    if not found:
        headers.append((name, value))
        return
    for i in reversed(found[1:]):
        del headers[i]
    headers[found[0]] = (name, value)


def _add_vary_origin(headers: list[Header]) -> None:
    values = [value.decode("latin-1") for key, value in headers if key.lower() == _VARY]
    _put(headers, _VARY, ", ".join([*values, "Origin"]).encode("latin-1"))
