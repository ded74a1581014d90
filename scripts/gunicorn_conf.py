"""Gunicorn settings for production (``make serve``): Uvicorn workers, values from the env.

WORKERS (default 2)  HOST/PORT (default 127.0.0.1:8000)  TIMEOUT (default 30)
GRACEFUL_TIMEOUT (default REQUEST_TIMEOUT + 5). TIMEOUT is Gunicorn's heartbeat: a worker
whose event loop stalls that long is replaced; a slow request is the app's REQUEST_TIMEOUT
(503, the worker carries on). GRACEFUL_TIMEOUT is the drain after SIGTERM: by default a few
seconds above REQUEST_TIMEOUT, so a request admitted just before SIGTERM may run to its limit
(README "Production → Serving"). Every other value comes from the app's ``Settings``
(``impl/settings.py``), read and checked here, in the master, before any worker starts:

* ENVIRONMENT defaults to ``production`` here (issue 8: ``make serve`` ran in development
  mode), so SECRET_KEY is required; an invalid setting stops Gunicorn at once with the
  variable and the rule, never the value.
* Every worker signs tokens with the same key: in development without SECRET_KEY, one random
  key is made here and handed to all of them (each inventing its own made a third to a half
  of the requests with a valid token answer 401).
* The workers are ``GuardedUvicornWorker``s: header/body read deadlines, a head-size and a
  connection cap (``impl/http/server.py``), KEEPALIVE_TIMEOUT for idle connections, proxy
  headers only from FORWARDED_ALLOW_IPS (empty by default).
"""

import math
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the project root: impl

from pydantic import ValidationError

from impl.settings import Settings

os.environ.setdefault("ENVIRONMENT", "production")
try:
    _settings = Settings()
except ValidationError as exc:
    sys.exit(f"make serve: invalid settings (values are not shown):\n{exc}")
if _settings.secret_generated:
    os.environ["SECRET_KEY"] = _settings.secret  # one key for every worker

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WORKERS", "2"))
worker_class = "impl.http.server.GuardedUvicornWorker"
timeout = int(os.environ.get("TIMEOUT", "30"))
graceful_timeout = int(
    os.environ.get("GRACEFUL_TIMEOUT", str(math.ceil(_settings.request_timeout) + 5))
)
keepalive = _settings.keepalive_timeout
accesslog = None  # the app writes one structured JSON line per request itself
errorlog = "-"
# The workers read FORWARDED_ALLOW_IPS through Settings; this is Gunicorn's own copy.
forwarded_allow_ips = _settings.forwarded_allow_ips
