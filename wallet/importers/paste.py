"""Pasting text: a credential (JSON, JWT, SD-JWT), a compressed presentation, or an offer."""

from __future__ import annotations

from flask import current_app, flash, redirect, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from wallet.auth import current_user, login_required
from wallet.db import utcnow
from wallet.importers import bp, mistake, show_form, show_results
from wallet.importers.service import NOTICES, OFFER, import_bytes

#: How a verifier's presentation request (OpenID4VP) begins when shown as a link or QR code.
REQUEST_SCHEMES = ("openid4vp://",)


@bp.route("/paste", methods=("POST",))
@login_required
def paste() -> BaseResponse | tuple[str, int] | str:
    """Import pasted text; a mistake shows the form again with the text kept.

    A credential offer goes to the offer page and a verifier's request to the page that
    answers it: neither is a credential, and nothing is stored without the learner's consent.
    """
    # A copy often brings a line break or spaces along; they are no part of the credential.
    text = request.form.get("text", "").strip()
    if not text:
        return mistake(
            _("Paste a credential or a credential offer into the box first."), field="text"
        )
    if text.startswith(REQUEST_SCHEMES) and "oid4vp.index" in current_app.view_functions:
        from wallet.oid4vp.views import index_redirect

        return index_redirect(text)
    outcome = import_bytes(
        current_user(), text.encode("utf-8"), filename=None, channel="paste", now=utcnow()
    )
    if outcome.ok or outcome.duplicate or outcome.parts:
        return show_results([outcome])
    if outcome.reason == OFFER and "oid4vc.offer" in current_app.view_functions:
        from wallet.oid4vc import offer_page_url

        target = offer_page_url(text)
        if target is not None:
            return redirect(target, code=303)
    if outcome.reason in NOTICES:  # a link or an offer: nothing wrong, nothing stored
        flash(outcome.message, "info")
        return show_form(status=200, text=text)
    return mistake(outcome.message, text=text, field="text")
