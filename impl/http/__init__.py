"""The HTTP cross-cutting layer: one pure-ASGI middleware and Starlette hooks, no handlers.

``install_http_layer`` wires every concern in the right order (see ``stack``); each concern
is a small object of its own module. Nothing here knows about the database or the generated
package.
"""

from __future__ import annotations

from .context import get_request_id, set_user_id
from .docs import serve_contract, serve_docs
from .errors import INTERNAL_ERROR_BODY, install_error_handlers
from .logging import JsonFormatter, configure_logging, flush_logs
from .metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from .metrics import Metrics, render
from .ratelimit import RateLimiter
from .request_id import REQUEST_ID_HEADER
from .stack import HttpConcerns, HttpLayer, install_http_layer

__all__ = [
    "INTERNAL_ERROR_BODY",
    "METRICS_CONTENT_TYPE",
    "REQUEST_ID_HEADER",
    "HttpConcerns",
    "HttpLayer",
    "JsonFormatter",
    "Metrics",
    "RateLimiter",
    "configure_logging",
    "flush_logs",
    "get_request_id",
    "install_error_handlers",
    "install_http_layer",
    "render",
    "serve_contract",
    "serve_docs",
    "set_user_id",
]
