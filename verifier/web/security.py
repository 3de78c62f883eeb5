"""Response headers and the size cap of the employer's verifier view; the wallet applies the
same ones (``wallet/security.py`` imports them), so both apps answer with one policy."""

from __future__ import annotations

from flask import Flask, Response, abort, current_app, request

#: No inline scripts or styles, no framing (the wallet's policy; the camera's video is a
#: MediaStream, which no source list governs).
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
    """Add the size check before each request and the security headers after it."""
    app.before_request(refuse_oversized_body)
    app.after_request(set_security_headers)


def refuse_oversized_body() -> None:
    """Answer 413 before reading a body larger than MAX_CONTENT_LENGTH."""
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
