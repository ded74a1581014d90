"""Gunicorn settings for production (``make serve``): Uvicorn workers, values from the env.

WORKERS (default 2)  HOST/PORT (default 127.0.0.1:8000)  TIMEOUT (default 30)
GRACEFUL_TIMEOUT (default 30)  KEEPALIVE (default 5)
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WORKERS", "2"))
# uvicorn.workers is deprecated; the uvicorn-worker package is its maintained successor.
worker_class = "uvicorn_worker.UvicornWorker"
timeout = int(os.environ.get("TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("KEEPALIVE", "5"))
accesslog = None  # the app writes one structured JSON line per request itself
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
