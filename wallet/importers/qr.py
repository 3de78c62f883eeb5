"""The form that imports what a photo or screenshot of a QR code holds; the reading and the
compressed-presentation format are :mod:`verifier.qr`'s.

A compressed presentation in a QR code is ``VP1:`` followed by Base45 (RFC 9285) of the
zlib-compressed (RFC 1950) UTF-8 text of a presentation: JSON-LD, or a JWT. Base45 keeps to the
QR alphanumeric alphabet, so the whole text fits the denser alphanumeric mode; ``VP:`` is
accepted as a synonym. The same text may hold a single credential.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from verifier.qr import (  # noqa: F401  (re-exported: the wallet's callers import them here)
    COMPRESSED_PREFIX,
    UnreadableImage,
    UnsafeImage,
    b45decode,
    b45encode,
    decode_presentation,
    encode_presentation,
    image_type,
    is_compressed,
    read_qr_codes,
)
from wallet.auth import current_user, login_required
from wallet.db import utcnow

# `service` imports this module's readers, so the view reaches it as a module: the cycle is
# harmless because both are loaded before any request arrives.
from wallet.importers import (
    bp,
    mistake,
    read_upload,
    service,
    show_form,
    show_results,
    upload_name,
)


# -- the form --------------------------------------------------------------------------------
@bp.route("/qr", methods=("POST",))
@login_required
def qr() -> BaseResponse | tuple[str, int] | str:
    """Import what a photo or screenshot of a QR code holds."""
    upload = request.files.get("image")
    if upload is None or not upload.filename:
        return mistake(_("Choose a photo or a screenshot of a QR code."), field="image")
    data = read_upload(upload)
    if image_type(data) is None:
        message = _("This file is not a picture. Choose a photo or a screenshot of the QR code.")
        return mistake(message, field="image")
    outcome = service.import_bytes(
        current_user(), data, filename=upload_name(upload), channel="qr", now=utcnow()
    )
    if outcome.ok or outcome.duplicate or outcome.parts:
        return show_results([outcome])
    if outcome.reason == service.OFFER:  # a credential offer: on to the page that receives it
        target = _offer_page(data)
        if target is not None:
            return redirect(target, code=303)
    if outcome.reason in service.NOTICES:  # a link or an offer: nothing wrong, nothing stored
        flash(outcome.message, "info")
        return show_form(status=200)
    return mistake(outcome.message, field="image")


def _offer_page(image: bytes) -> str | None:
    """The wallet's page for the credential offer in the QR code of ``image``, when the
    Offers page (:mod:`wallet.oid4vc`) is installed."""
    if "oid4vc.offer" not in current_app.view_functions:
        return None
    from wallet.oid4vc import offer_page_url

    codes = read_qr_codes(image)
    return offer_page_url(codes[0]) if codes else None
