"""Protections every response gets: security headers, CSRF tokens, rate limits, a size cap."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

csrf = CSRFProtect()
# Limits are declared on views (``@limiter.limit(...)``); storage comes from
# RATELIMIT_STORAGE_URI: memory:// by default, redis://... when several processes serve.
limiter = Limiter(key_func=get_remote_address)

#: The Content-Security-Policy of every page: no inline scripts or styles, no framing.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


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


def refuse_oversized_body() -> None:
    """Answer 413 before reading a body larger than MAX_CONTENT_LENGTH, whatever the view."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if limit is not None and request.content_length is not None and request.content_length > limit:
        abort(413)


def set_security_headers(response: Response) -> Response:
    """Add the security headers a view has not set itself (share pages set their own)."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(), microphone=()")
    if request.is_secure or current_app.config["HTTPS"]:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site (``/…``), else ``None``: no open redirects."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return None
    return target
