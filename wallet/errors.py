"""Error pages in the reader's language, and the one helper that builds JSON error responses."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Response, jsonify, request
from flask_babel import lazy_gettext as _l

from verifier.web.errors import ErrorPages

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


class _WalletErrors(ErrorPages):
    """The verifier view's error-page mechanism, with the wallet's words and a JSON form for
    clients that ask for JSON."""

    def response(self, status: int, message: str | None = None) -> Response:
        if wants_json():
            return json_error(status, self.text(status, message)[1])
        return super().response(status, message)


ERRORS = _WalletErrors(PAGES, "errors/error.html", CSRF_MESSAGE, KEPT_HEADERS)
#: The error page, or JSON error, for a status; a message replaces the usual one.
error_response = ERRORS.response
#: Register the error pages on ``app``.
init_app = ERRORS.init_app
