"""Gunicorn settings for serving the wallet in production.

Run it from the project folder::

    WALLET_SECRET_KEY=... WALLET_DATABASE_URL=postgresql://wallet@db/wallet \\
    WALLET_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0 WALLET_HTTPS=true WALLET_PROXIES=1 \\
    gunicorn -c wallet/gunicorn_conf.py

Several workers need a shared database (PostgreSQL: SQLite allows one writer at a time) and a
shared rate-limit store (Redis: with ``memory://`` each worker counts on its own, so an
attacker gets ``workers`` times the login attempts). Sessions are signed cookies, so they need
no shared store; every worker must have the same ``WALLET_SECRET_KEY``.

Each setting can be changed without editing this file, through ``GUNICORN_*`` variables below
(gunicorn's own command-line options override them too).
"""

from __future__ import annotations

import os

#: The app: the factory reads its configuration from WALLET_* variables (wallet/config.py).
wsgi_app = "wallet:create_app()"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Two to four workers per core. Argon2id hashing at login takes 64 MiB per hash and ~0.1 s of
# CPU (wallet/config.py): count memory as workers x threads x 64 MiB at worst.
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
# Threads let a worker wait on PostgreSQL or a slow client without blocking its others.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Verification is offline and bounded (30 MB per file), so a request taking longer is stuck.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so slow leaks in libraries cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
# Each worker opens its own database pool after forking: do not share connections.
preload_app = False
# Only the reverse proxy on this machine may say a request came over https (X-Forwarded-*);
# the app trusts WALLET_PROXIES hops itself (wallet/security.py, werkzeug's ProxyFix).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Request line and header limits: far above what a browser sends, far below abuse.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The path without its query string (%(U)s), no cookies, no referrer. A share link's token is
# part of its path: keep the access log as private as the database.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
