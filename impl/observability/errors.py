"""Error tracking with Sentry, when SENTRY_DSN is set (imported only then).

What is sent: an event for each error logged with its exception (an unhandled exception is
logged by ``impl.http.errors.UnhandledErrorMiddleware`` with the request id), tagged with
``request_id`` so that the event, the log lines and the client's ``X-Request-ID`` meet.

What is never sent (issue 3's rule for logs, applied here): request bodies, headers (so no
``Authorization`` or cookie), query strings, local variables of the stack frames, or any
PII. Only the logging integration and the defaults that read no request are enabled; the
auto-enabled web, SQL and Redis integrations, which record requests and statements, are
off. Each event also goes through ``_scrub``: the log formatter's redaction of tokens,
passwords in URLs and the configured secrets, on the messages and exception values.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

import sentry_sdk
from sentry_sdk.integrations.logging import LoggingIntegration, ignore_logger

from impl.http import JsonFormatter, get_request_id
from impl.http.logging import ACCESS_LOGGER
from impl.settings import Settings

from . import Shutdown

__all__ = ["setup_error_tracking"]


def setup_error_tracking(settings: Settings, *, secrets: Iterable[str]) -> Shutdown:
    """``secrets``: the values the log formatter redacts (``impl.app``), redacted here too."""
    if settings.sentry_dsn is None:  # pragma: no cover - the caller checks
        raise ValueError("SENTRY_DSN is not set")
    redactor = JsonFormatter(secrets=secrets)

    def before_send(event: dict[str, Any], _hint: dict[str, Any]) -> dict[str, Any]:
        request_id = get_request_id()
        if request_id is not None:
            event.setdefault("tags", {})["request_id"] = request_id
        return _scrub(event, redactor)

    # The access log's line for a 5xx is an ERROR too: one event per failed request (each 503
    # of an outage) would bury the real ones. The unhandled exception has its own line.
    ignore_logger(ACCESS_LOGGER)
    sentry_sdk.init(
        dsn=settings.sentry_dsn.get_secret_value(),
        environment=settings.environment,
        # Nothing from requests, queries or stack frames (the DSN alone would send headers
        # minus a denylist, and local variables: a password in a frame is a local variable).
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "off"}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "database_query_data": False,
            "queues": False,
            "stack_frame_variables": False,
        },
        include_local_variables=False,
        max_request_body_size="never",
        auto_enabling_integrations=False,
        integrations=[LoggingIntegration(level=logging.INFO, event_level=logging.ERROR)],
        traces_sample_rate=None,  # tracing is OpenTelemetry's job here
        before_send=before_send,  # type: ignore[arg-type]  # sentry's Event TypedDict
    )

    async def shutdown() -> None:
        client = sentry_sdk.get_client()
        await asyncio.to_thread(client.close, 2.0)  # sends what is queued, then stops
        sentry_sdk.get_global_scope().set_client(None)

    return shutdown


def _scrub(event: dict[str, Any], redactor: JsonFormatter) -> dict[str, Any]:
    event.pop("request", None)
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        for key in ("message", "formatted"):
            if isinstance(logentry.get(key), str):
                logentry[key] = redactor.redact(logentry[key])
        logentry.pop("params", None)
    for exception in (event.get("exception") or {}).get("values") or []:
        if isinstance(exception.get("value"), str):
            exception["value"] = redactor.redact(exception["value"])
    for crumb in (event.get("breadcrumbs") or {}).get("values") or []:
        if isinstance(crumb.get("message"), str):
            crumb["message"] = redactor.redact(crumb["message"])
        crumb.pop("data", None)
    event.pop("extra", None)  # log records' ``extra`` fields: the log line has them
    return event
