"""The current trace id for log lines: set while OpenTelemetry traces the request, else None.

``opentelemetry`` is looked up in ``sys.modules``, never imported here: with tracing off
(OTEL_EXPORTER_OTLP_ENDPOINT unset, ``impl.observability``) a log line pays one dict lookup.
Outside a traced request (startup, a probe, tracing off) there is no valid span: None.
"""

from __future__ import annotations

import sys

__all__ = ["trace_id"]


def trace_id() -> str | None:
    """The W3C form of the current trace id (32 hex digits), as trace back ends show it."""
    trace = sys.modules.get("opentelemetry.trace")
    if trace is None:
        return None
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return f"{context.trace_id:032x}"
