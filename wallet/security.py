"""Protections every response gets: security headers, CSRF tokens, rate limits, a size cap."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

# One policy for the wallet and the employer's verifier view (which never imports the wallet):
# no inline scripts or styles, no framing, HSTS over TLS, a size cap before any body is read.
from verifier.web.security import (  # noqa: F401  (CONTENT_SECURITY_POLICY is re-exported)
    CONTENT_SECURITY_POLICY,
    refuse_oversized_body,
    set_security_headers,
)

csrf = CSRFProtect()
# Limits are declared on views (``@limiter.limit(...)``); storage comes from
# RATELIMIT_STORAGE_URI: memory:// by default, redis://... when several processes serve.
limiter = Limiter(key_func=get_remote_address)


def init_app(app: Flask) -> None:
    """Bind CSRF protection and the rate limiter, and add the header and size hooks."""
    if app.config["PROXIES"]:
        proxies = int(app.config["PROXIES"])
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    csrf.init_app(app)
    limiter.init_app(app)
    app.before_request(refuse_oversized_body)
    app.after_request(set_security_headers)


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site (``/…``), else ``None``: no open redirects."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return None
    return target
