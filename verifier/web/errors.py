"""Error pages of the standalone verifier, in the reader's language (the wallet has its own)."""

from __future__ import annotations

from flask import Flask, Response, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

PAGES = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Please go back and try again."),
    ),
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
        _l("What you sent is larger than the verifier accepts (%(limit)s MB). Please send less."),
    ),
    429: (
        _l("Too many attempts"),
        _l("You have tried too many times. Please wait a minute, then try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("The verifier hit an unexpected problem. Please try again later."),
    ),
}
CSRF_MESSAGE = _l(
    "This form has expired or was not sent from this verifier. Please reload the page and try "
    "again."
)
KEPT_HEADERS = ("Allow", "Retry-After")


def page(status: int, message: str | None = None) -> Response:
    """The error page for ``status``; ``message`` replaces the usual explanation."""
    from flask import current_app

    title, explanation = PAGES.get(status) or PAGES[400 if status < 500 else 500]
    if message is None:
        limit = (current_app.config["MAX_CONTENT_LENGTH"] or 0) // (1024 * 1024)
        message = str(explanation) % {"limit": limit} if status == 413 else str(explanation)
    body = render_template("verifier/error.html", status=status, title=str(title), message=message)
    return Response(body, status=status, mimetype="text/html")


def _http(error: HTTPException) -> HTTPException | Response:
    if error.code is None or error.code < 400:
        return error
    response = page(error.code)
    for name, value in error.get_headers():
        if name in KEPT_HEADERS:
            response.headers[name] = value
    return response


def init_app(app: Flask) -> None:
    """Register the error pages on the standalone app."""
    app.register_error_handler(CSRFError, lambda _e: page(400, str(CSRF_MESSAGE)))
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(500, lambda _e: page(500))
