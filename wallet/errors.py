"""Error pages in the reader's language, and the one helper that builds JSON error responses."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

# (title, explanation) per status; lazy, so each page is in the language of its request.
PAGES = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Please go back and try again."),
    ),
    403: (_l("Not allowed"), _l("You do not have permission to see this page.")),
    404: (
        _l("Page not found"),
        _l("There is no page at this address. Check the address, or start from the home page."),
    ),
    405: (
        _l("Not allowed"),
        _l("This page cannot be used that way. Please go back and use the buttons on the page."),
    ),
    413: (
        _l("Too large"),
        _l("What you sent is larger than the wallet accepts (%(limit)s MB). Please send less."),
    ),
    429: (
        _l("Too many attempts"),
        _l("You have tried too many times. Please wait a minute, then try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("The wallet hit an unexpected problem. Please try again later."),
    ),
}
CSRF_MESSAGE = _l(
    "This form has expired or was not sent from the wallet. Please reload the page and try again."
)
# Headers of an HTTP error that must survive the friendly page.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def json_error(status: int, message: str, **extra: Any) -> Response:
    """A JSON error response ``{"status", "error", "message", **extra}`` with that status."""
    slug = HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    response = jsonify({"status": status, "error": slug, "message": str(message), **extra})
    response.status_code = status
    return response


def wants_json() -> bool:
    """Whether the client asked for JSON rather than a page."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return request.is_json or best == "application/json"


def error_response(status: int, message: str | None = None) -> Response:
    """The error page, or JSON error, for ``status``; ``message`` replaces the usual one."""
    title, explanation = PAGES.get(status) or PAGES[400 if status < 500 else 500]
    if message is None:
        limit = (current_app.config["MAX_CONTENT_LENGTH"] or 0) // (1024 * 1024)
        message = str(explanation) % {"limit": limit} if status == 413 else str(explanation)
    if wants_json():
        return json_error(status, message)
    page = render_template("errors/error.html", status=status, title=str(title), message=message)
    return Response(page, status=status, mimetype="text/html")


def handle_http_exception(error: HTTPException) -> HTTPException | Response:
    """A friendly page for an HTTP error, keeping headers such as Allow and Retry-After."""
    if error.code is None or error.code < 400:
        return error  # routing redirects (308 to the trailing-slash URL) pass through
    response = error_response(error.code)
    for name, value in error.get_headers():
        if name in KEPT_HEADERS:
            response.headers[name] = value
    return response


def handle_csrf_error(_error: CSRFError) -> Response:
    """Explain a missing or expired CSRF token in plain words."""
    return error_response(400, str(CSRF_MESSAGE))


def handle_internal_error(_error: InternalServerError) -> Response:
    """The page shown when a bug escapes a view (the traceback goes to the log)."""
    return error_response(500)


def init_app(app: Flask) -> None:
    """Register the error pages on ``app``."""
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(InternalServerError, handle_internal_error)
    app.register_error_handler(HTTPException, handle_http_exception)
