"""The pages an employer opens from a share link, without an account: ``/s/<token>`` (the
results of verifying the presentation) and ``/s/<token>/presentation`` (the presentation itself,
for a verifier app).

An unknown, expired or withdrawn link gets the same plain page and status, so the page tells
nothing about which shares exist. Guessing is rate-limited per address (every opening, and
more tightly the openings of links that do not work) and wrong PINs per share and per address.
The PIN comes in a form field (page) or an ``X-Share-PIN`` header (presentation), never in the
address. Share pages send no referrer and are not cached or indexed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from flask import Response, current_app, render_template, request
from flask_babel import gettext as _

from verifier import Report, verify_presentation
from wallet import verification
from wallet.db import db, utcnow
from wallet.security import limiter
from wallet.sharing import bp, links, results
from wallet.sharing.models import Share
from wallet.sharing.presentations import PRESENTATION_MEDIA_TYPE

View = TypeVar("View", bound=Callable[..., Any])
PIN_HEADER = "X-Share-PIN"
DEFAULT_LIMITS = {
    "SHARE_RATE_LIMIT": "60/minute",  # every opening of a share URL, per address
    "SHARE_MISS_RATE_LIMIT": "20/minute",  # links that do not work, per address
    "SHARE_PIN_RATE_LIMIT": "5/15 minutes",  # wrong PINs, per share
    "SHARE_PIN_IP_RATE_LIMIT": "20/hour",  # wrong PINs, per address
}
#: Status codes: a link that does not work, and a PIN that is missing or wrong.
GONE, PIN_NEEDED = 404, 403


def _limit(name: str) -> str:
    return str(current_app.config.get(name, DEFAULT_LIMITS[name]))


def _share_key() -> str:
    """The rate-limit key of the share the URL names (its token's hash, not the token)."""
    token = (request.view_args or {}).get("token", "")
    return "share:" + links.hash_token(str(token))


def _missed(response: Response) -> bool:
    return response.status_code == GONE


def _wrong_pin(response: Response) -> bool:
    return response.status_code == PIN_NEEDED and getattr(response, "wrong_pin", False)


def _rate_limits(view: View) -> View:
    """The four limits of the public share views, each shared by both views (a guess at the
    page and one at the presentation count alike)."""
    shared = limiter.shared_limit
    view = shared(
        lambda: _limit("SHARE_PIN_IP_RATE_LIMIT"), scope="share-pin-ip", deduct_when=_wrong_pin
    )(view)
    view = shared(
        lambda: _limit("SHARE_PIN_RATE_LIMIT"),
        scope="share-pin",
        key_func=_share_key,
        deduct_when=_wrong_pin,
    )(view)
    view = shared(lambda: _limit("SHARE_MISS_RATE_LIMIT"), scope="share-miss", deduct_when=_missed)(
        view
    )
    return shared(lambda: _limit("SHARE_RATE_LIMIT"), scope="share-open")(view)


def private(response: Response) -> Response:
    """Headers of every share page: no referrer, no caching, no indexing."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def unavailable() -> Response:
    """The one page for a link that is unknown, expired or withdrawn."""
    page = render_template("sharing/unavailable.html")
    return private(Response(page, status=GONE, mimetype="text/html"))


def open_share(token: str, what: str, now: datetime) -> Share | Response:
    """The active share behind ``token``, or the unavailable page (logging a refused opening
    of an existing share)."""
    share = links.find_share(token)
    if share is None:
        return unavailable()
    state = share.state(now)
    if state != "active":
        result = "share_revoked" if state == "revoked" else "share_expired"
        links.log_access(share, what=what, result=result, address=request.remote_addr, now=now)
        db.session.commit()
        return unavailable()
    return share


def verify_share(share: Share, token: str, now: datetime) -> Report:
    """Verify the share's presentation as a verifier opening this link does: with the challenge
    derived from the link's token and the wallet's origin as the domain. (The origin the share
    was made at, not this request's: behind a proxy the two may be spelt differently, and the
    employer must not read "not genuine" for that.)"""
    held = verification.stores()
    return verify_presentation(
        share.presentation,
        challenge=links.share_challenge(token),
        domain=share.domain,
        now=now,
        trust=held.trust,
        cache=held.cache,
        trusted_lists=held.trusted_lists,
    )


@bp.route("/s/<token>", methods=("GET", "POST"))
@_rate_limits
def public(token: str) -> Response:
    """The results of verifying a share's presentation, after its PIN when it has one."""
    now = utcnow()
    opened = open_share(token, "page", now)
    if isinstance(opened, Response):
        return opened
    share = opened
    address = request.remote_addr
    if share.pin_hash is not None:
        pin = request.form.get("pin", "").strip() if request.method == "POST" else ""
        if not pin or not links.pin_matches(share, pin):
            wrong = bool(pin)
            result = "wrong_pin" if wrong else "pin_required"
            links.log_access(share, what="page", result=result, address=address, now=now)
            db.session.commit()
            error = _("That PIN is not right. Ask the learner for it.") if wrong else None
            page = render_template("sharing/pin.html", token=token, error=error)
            response = private(Response(page, status=PIN_NEEDED, mimetype="text/html"))
            response.wrong_pin = wrong  # type: ignore[attr-defined]  # read by _wrong_pin
            return response
    report = verify_share(share, token, now)
    links.log_access(share, what="page", result=report.outcome.value, address=address, now=now)
    db.session.commit()
    page = results.render(report, share=share, now=now)
    return private(Response(page, mimetype="text/html"))


@bp.route("/s/<token>/presentation")
@_rate_limits
def public_presentation(token: str) -> Response:
    """The share's signed presentation as JSON, for a verifier app (PIN in ``X-Share-PIN``)."""
    now = utcnow()
    opened = open_share(token, "presentation", now)
    if isinstance(opened, Response):
        return opened
    share = opened
    address = request.remote_addr
    pin = request.headers.get(PIN_HEADER, "").strip()
    if share.pin_hash is not None and (not pin or not links.pin_matches(share, pin)):
        wrong = bool(pin)
        result = "wrong_pin" if wrong else "pin_required"
        links.log_access(share, what="presentation", result=result, address=address, now=now)
        db.session.commit()
        message = _("This share has a PIN: send it in the X-Share-PIN header.")
        response = private(Response(message, status=PIN_NEEDED, mimetype="text/plain"))
        response.wrong_pin = wrong  # type: ignore[attr-defined]  # read by _wrong_pin
        return response
    links.log_access(share, what="presentation", result="downloaded", address=address, now=now)
    db.session.commit()
    best = request.accept_mimetypes.best_match([PRESENTATION_MEDIA_TYPE, "application/json"])
    response = Response(share.presentation, mimetype=best or PRESENTATION_MEDIA_TYPE)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return private(response)
