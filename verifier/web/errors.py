"""Error pages in the reader's language: the mechanism (:class:`ErrorPages`), and the
standalone verifier's words for it."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, render_template
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


class ErrorPages:
    """Friendly error pages in the reader's language, for any app: ``pages`` maps a status to
    its (title, explanation), lazily translated; ``template`` shows them. The wallet uses the
    same mechanism with its own words, template and a JSON form (``wallet/errors.py``)."""

    def __init__(self, pages: dict[int, tuple[Any, Any]], template: str, csrf_message: Any,
                 kept_headers: tuple[str, ...] = ("Allow", "Retry-After")) -> None:
        self.pages, self.template = pages, template
        self.csrf_message, self.kept_headers = csrf_message, kept_headers

    def text(self, status: int, message: str | None = None) -> tuple[str, str]:
        """The title and explanation for ``status`` (``message`` replaces the explanation)."""
        title, explanation = self.pages.get(status) or self.pages[400 if status < 500 else 500]
        if message is None:
            limit = (current_app.config["MAX_CONTENT_LENGTH"] or 0) // (1024 * 1024)
            message = str(explanation) % {"limit": limit} if status == 413 else str(explanation)
        return str(title), message

    def response(self, status: int, message: str | None = None) -> Response:
        """The error page for ``status``."""
        title, message = self.text(status, message)
        body = render_template(self.template, status=status, title=title, message=message)
        return Response(body, status=status, mimetype="text/html")

    def http(self, error: HTTPException) -> HTTPException | Response:
        """A friendly page for an HTTP error, keeping headers such as Allow and Retry-After."""
        if error.code is None or error.code < 400:
            return error  # routing redirects (308 to the trailing-slash URL) pass through
        response = self.response(error.code)
        for name, value in error.get_headers():
            if name in self.kept_headers:
                response.headers[name] = value
        return response

    def init_app(self, app: Flask) -> None:
        """Register the pages on ``app``: CSRF failures, HTTP errors, and escaped bugs."""
        app.register_error_handler(CSRFError, lambda _e: self.response(400, str(self.csrf_message)))
        app.register_error_handler(HTTPException, self.http)
        app.register_error_handler(500, lambda _e: self.response(500))


ERRORS = ErrorPages(PAGES, "verifier/error.html", CSRF_MESSAGE)
#: The standalone verifier's error page for a status.
page = ERRORS.response
#: Register the error pages on the standalone app.
init_app = ERRORS.init_app
