"""Pasting text: a credential (JSON, JWT, SD-JWT), a compressed presentation, or an offer."""

from __future__ import annotations

from flask import flash, request
from flask_babel import gettext as _

from wallet.auth import current_user, login_required
from wallet.db import utcnow
from wallet.importers import bp, mistake, show_form, show_results
from wallet.importers.service import NOTICES, import_bytes


@bp.route("/paste", methods=("POST",))
@login_required
def paste() -> tuple[str, int] | str:
    """Import pasted text; a mistake shows the form again with the text kept."""
    # A copy often brings a line break or spaces along; they are no part of the credential.
    text = request.form.get("text", "").strip()
    if not text:
        return mistake(
            _("Paste a credential or a credential offer into the box first."), field="text"
        )
    outcome = import_bytes(
        current_user(), text.encode("utf-8"), filename=None, channel="paste", now=utcnow()
    )
    if outcome.ok or outcome.duplicate or outcome.parts:
        return show_results([outcome])
    if outcome.reason in NOTICES:  # a link or an offer: nothing wrong, nothing stored
        flash(outcome.message, "info")
        return show_form(status=200, text=text)
    return mistake(outcome.message, text=text, field="text")
