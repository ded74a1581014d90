"""The middleware stack in the one order that works; ``create_app`` calls this once.

Outermost first (Starlette's ServerErrorMiddleware and ExceptionMiddleware are its own):

    ServerErrorMiddleware        backstop only
    RequestIdMiddleware          binds the id first, so every layer below logs it
    SecurityHeadersMiddleware    on everything below, 500 and 429 included
    AccessLogMiddleware          sees the final status of every answer
    MetricsMiddleware            likewise
    CORSMiddleware               so that browsers can read 500s and 429s too
    ConcurrencyLimitMiddleware   past MAX_CONCURRENT_REQUESTS in progress: 503 at once
    DeadlineMiddleware           past REQUEST_TIMEOUT seconds: cancelled, 503
    UnhandledErrorMiddleware     exception -> 500 inside all of the above
    RateLimitMiddleware          generous default limit per client
    BodySizeLimitMiddleware      413 above MAX_BODY_BYTES, before the body is read whole
    LoneSurrogateMiddleware      a JSON body that is not Unicode text -> 422, as FastAPI reads it
    ExceptionMiddleware          ServiceError, validation and HTTP errors -> {"detail"}
    router
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.applications import Starlette

from impl.settings import Settings

from .body_limit import BodySizeLimitMiddleware
from .concurrency import ConcurrencyLimitMiddleware
from .cors import add_cors
from .deadline import DeadlineMiddleware
from .errors import UnhandledErrorMiddleware, install_error_handlers
from .json_text import LoneSurrogateMiddleware
from .logging import AccessLogMiddleware
from .metrics import Metrics, MetricsMiddleware
from .ratelimit import RateLimiter, RateLimitMiddleware
from .request_id import RequestIdMiddleware
from .security_headers import SecurityHeadersMiddleware

__all__ = ["install_http_layer"]


def install_http_layer(
    app: Starlette,
    settings: Settings,
    *,
    metrics: Metrics,
    limiter: Callable[[], RateLimiter | None],
) -> None:
    install_error_handlers(app)
    # add_middleware puts each new middleware outside the previous ones: innermost first.
    app.add_middleware(LoneSurrogateMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RateLimitMiddleware, limiter=limiter, limit=settings.rate_limit_default)
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(DeadlineMiddleware, seconds=settings.request_timeout)
    app.add_middleware(ConcurrencyLimitMiddleware, limit=settings.max_concurrent_requests)
    add_cors(app, settings)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(AccessLogMiddleware)
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.environment == "production")
    app.add_middleware(RequestIdMiddleware)
