"""Gunicorn settings for serving the standalone verifier (the employer's view).

Run it from the project folder::

    VERIFIER_HOME=/srv/verifier gunicorn -c verifier/web/gunicorn_conf.py

Verifying is CPU work with no database wait, so plain synchronous workers, one per core, serve
it best (threads add switching, not throughput). Several workers share the trust data in
``VERIFIER_HOME`` and need the same ``SECRET_KEY`` (written there once) and a shared store
for open OpenID4VP requests (``OID4VP_STORE_URL``; see the README).

Each setting can be changed through the ``GUNICORN_*`` variables below, and gunicorn's own
command-line options override them.
"""

from __future__ import annotations

import gc
import os
from typing import Any

wsgi_app = "verifier.web:create_app()"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:5001")
workers = int(os.environ.get("GUNICORN_WORKERS", str(os.cpu_count() or 2)))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
# A verification is offline and bounded (size caps, nesting and canonicalization limits).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 15
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # "" turns it off
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The path without its query string: a share link's token is part of what is verified.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'


def post_worker_init(worker: Any) -> None:
    """Once the app is loaded, move everything it holds (modules, templates, pinned JSON-LD
    contexts) out of the garbage collector's reach: they live as long as the worker, and a
    full collection that walked them took tens of milliseconds every few hundred requests."""
    gc.freeze()
