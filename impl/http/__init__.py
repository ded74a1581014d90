"""The HTTP cross-cutting layer: pure ASGI middlewares and Starlette hooks, no handlers.

``install_http_layer`` wires them in the right order (see ``stack``); the modules can also
be used one by one. Nothing here knows about the database or the generated package.
"""

from __future__ import annotations

from .body_limit import BodySizeLimitMiddleware
from .context import get_request_id, set_user_id
from .cors import add_cors
from .docs import serve_contract, serve_docs
from .errors import INTERNAL_ERROR_BODY, UnhandledErrorMiddleware, install_error_handlers
from .json_text import LoneSurrogateMiddleware
from .logging import AccessLogMiddleware, JsonFormatter, configure_logging
from .metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from .metrics import Metrics, MetricsMiddleware, render
from .ratelimit import RateLimiter, RateLimitMiddleware
from .request_id import REQUEST_ID_HEADER, RequestIdMiddleware
from .security_headers import SecurityHeadersMiddleware
from .stack import install_http_layer

__all__ = [
    "INTERNAL_ERROR_BODY",
    "METRICS_CONTENT_TYPE",
    "REQUEST_ID_HEADER",
    "AccessLogMiddleware",
    "BodySizeLimitMiddleware",
    "JsonFormatter",
    "LoneSurrogateMiddleware",
    "Metrics",
    "MetricsMiddleware",
    "RateLimitMiddleware",
    "RateLimiter",
    "RequestIdMiddleware",
    "SecurityHeadersMiddleware",
    "UnhandledErrorMiddleware",
    "add_cors",
    "configure_logging",
    "get_request_id",
    "install_error_handlers",
    "install_http_layer",
    "render",
    "serve_contract",
    "serve_docs",
    "set_user_id",
]
