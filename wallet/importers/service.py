"""Importing what a learner brings: recognise it by its content, verify it, keep each credential
it holds once, and say in one sentence what happened.

What the bytes are decides, never a file name:

1. More than ``IMPORT_MAX_BYTES`` (30 MB) or nothing at all: refused.
2. An image (PNG, JPEG, WebP, GIF, SVG): a baked badge when one unbakes from it (the image is
   kept as received); else the first QR code in it, whose text goes on to step 3 (the text is
   what is kept, with channel ``qr`` whichever form brought it); else "no badge and no QR
   code".
3. Text that is a credential offer (``openid-credential-offer://``) or a web link: nothing is
   kept, the learner is told where to go. A compressed presentation (``VP1:``, see
   :mod:`wallet.importers.qr`) is inflated and goes on to step 4.
4. Verified offline. Not a credential at all (the format check could not read it): refused with
   the verifier's reason. A presentation: each credential in it is kept as its own record, as
   the text it has there (:func:`wallet.verification.embedded_credentials`). A credential:
   kept with its bytes exactly as received, whatever its outcome (not genuine, expired,
   revoked, could not check): the learner sees its status.

A credential this learner already holds (same SHA-256 of the kept bytes) is not stored twice.
Everything from one file is saved in one transaction: a database error loses that file only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from verifier import Report, VerificationError
from verifier.report import FORMAT
from wallet.db import db
from wallet.importers import MB, max_bytes
from wallet.importers.qr import (
    UnreadableImage,
    UnsafeImage,
    decode_presentation,
    image_type,
    is_compressed,
    read_qr_codes,
)
from wallet.models import Credential, User
from wallet.verification import apply_report, embedded_credentials, media_type, verify_bytes

# Why an import ended as it did (``ImportOutcome.reason``).
STORED = "stored"
DUPLICATE = "duplicate"
PRESENTATION = "presentation"
NOT_CREDENTIAL = "not_credential"
TOO_LARGE = "too_large"
EMPTY = "empty"
IMAGE_UNSAFE = "image_unsafe"
IMAGE_UNREADABLE = "image_unreadable"
NO_CODE = "no_code"
LINK = "link"
OFFER = "offer"
NOT_SAVED = "not_saved"
#: Reasons that are news rather than mistakes: nothing was wrong, and nothing was kept.
NOTICES = frozenset({LINK, OFFER})
OFFER_SCHEMES = ("openid-credential-offer://", "haip://")
LINK_SCHEMES = ("https://", "http://")
IMAGE_MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


@dataclass(frozen=True)
class ImportOutcome:
    """What became of one file, pasted text or QR code.

    ``ok`` means something new was kept; ``duplicate`` that it was held already
    (``credential_id`` names the row either way); ``reason`` is one of the constants above;
    a presentation's credentials are its ``parts``, each an outcome of its own.
    """

    filename: str | None
    ok: bool
    message: str
    credential_id: int | None = None
    duplicate: bool = False
    outcome: str | None = None  # the verifier's outcome of the credential kept or found
    title: str | None = None
    reason: str = STORED
    parts: tuple[ImportOutcome, ...] = ()


@dataclass(frozen=True)
class _Found:
    """A credential about to be kept: its bytes, their media type, and its report."""

    original: bytes
    media_type: str
    report: Report


def import_bytes(
    user: User, data: bytes, *, filename: str | None, channel: str, now: datetime
) -> ImportOutcome:
    """Import one file, pasted text or QR image for ``user`` and say what became of it."""
    # 1. Size
    limit = max_bytes()
    if len(data) > limit:
        message = _("This is larger than %(mb)d MB, so it was not imported.", mb=limit // MB)
        return _refused(filename, TOO_LARGE, message)
    if not data.strip():
        return _refused(filename, EMPTY, _("This is empty: there is nothing in it to import."))
    # 2. Images: a baked badge, else a QR code
    kind = image_type(data)
    if kind is not None:
        return _import_image(user, data, kind, filename=filename, channel=channel, now=now)
    return _import_data(user, data, filename=filename, channel=channel, now=now, from_qr=False)


def _import_image(
    user: User, data: bytes, kind: str, *, filename: str | None, channel: str, now: datetime
) -> ImportOutcome:
    """A baked badge (the image is kept), else the QR code the picture shows."""
    if kind in IMAGE_MEDIA_TYPES:
        report = verify_bytes(data, now=now)  # the verifier unbakes PNG and SVG itself
        if report.format != "unknown":
            found = _Found(data, IMAGE_MEDIA_TYPES[kind], report)
            return _save(user, [found], filename=filename, channel=channel, now=now)[0]
    if kind == "svg":
        return _refused(filename, NO_CODE, _no_code())
    try:
        codes = read_qr_codes(data)
    except UnsafeImage:
        message = _(
            "This picture is too large to read safely, so it was not imported. A photo or "
            "screenshot of the QR code alone is enough."
        )
        return _refused(filename, IMAGE_UNSAFE, message)
    except UnreadableImage:
        message = _("This picture cannot be read: it is damaged or cut short.")
        return _refused(filename, IMAGE_UNREADABLE, message)
    if not codes:
        return _refused(filename, NO_CODE, _no_code())
    text = codes[0].strip().encode("utf-8")
    return _import_data(user, text, filename=filename, channel="qr", now=now, from_qr=True)


def _import_data(
    user: User, data: bytes, *, filename: str | None, channel: str, now: datetime, from_qr: bool
) -> ImportOutcome:
    """Text or a document: an offer, a link, a compressed presentation, or a credential."""
    # 3. Offers, links and compressed presentations
    text = _text(data)
    if text is not None:
        head = text.strip()[:64].lower()
        offer_link = head.startswith(LINK_SCHEMES) and _is_offer_link(text.strip())
        if head.startswith(OFFER_SCHEMES) or offer_link:
            message = _(
                "This is a credential offer. Credential offers are received on the Offers "
                "page; nothing was stored here."
            )
            return _refused(filename, OFFER, message)
        if head.startswith(LINK_SCHEMES) and not any(c.isspace() for c in text.strip()):
            return _refused(filename, LINK, _link_message(text.strip(), from_qr=from_qr))
        if is_compressed(text):
            try:
                data = decode_presentation(text)
            except ValueError:
                message = _(
                    "This holds a shared presentation, but it is damaged or incomplete, so "
                    "nothing could be read from it."
                )
                return _refused(filename, NOT_CREDENTIAL, message)
    # 4. Verify
    report = verify_bytes(data, now=now)
    if report.format == "unknown":
        return _refused(filename, NOT_CREDENTIAL, _not_credential(report))
    if report.kind == "presentation":
        return _import_presentation(user, data, filename=filename, channel=channel, now=now)
    found = _Found(data, media_type(report.format, data), report)
    return _save(user, [found], filename=filename, channel=channel, now=now)[0]


def _import_presentation(
    user: User, data: bytes, *, filename: str | None, channel: str, now: datetime
) -> ImportOutcome:
    """Keep each credential of a presentation as its own record, all in one transaction."""
    found: list[_Found] = []
    unreadable: list[ImportOutcome] = []
    for item in embedded_credentials(data):
        if isinstance(item, VerificationError):
            message = _(
                "One item in this presentation is not a credential the wallet can read: %(reason)s",
                reason=item.message,
            )
            unreadable.append(_refused(filename, NOT_CREDENTIAL, message))
            continue
        report = verify_bytes(item, now=now)
        if report.format == "unknown":
            unreadable.append(_refused(filename, NOT_CREDENTIAL, _not_credential(report)))
            continue
        found.append(_Found(item, media_type(report.format, item), report))
    if not found and not unreadable:
        return _refused(filename, NOT_CREDENTIAL, _("This presentation holds no credential."))
    parts = (*_save(user, found, filename=filename, channel=channel, now=now), *unreadable)
    kept = [p for p in parts if p.credential_id is not None]
    message = ngettext(
        "This presentation holds %(num)d credential.",
        "This presentation holds %(num)d credentials.",
        len(parts),
    )
    return ImportOutcome(
        filename=filename,
        ok=any(p.ok for p in parts),
        message=message,
        credential_id=kept[0].credential_id if kept else None,
        duplicate=bool(kept) and all(p.duplicate for p in parts),
        reason=PRESENTATION,
        parts=parts,
    )


def _save(
    user: User, found: Sequence[_Found], *, filename: str | None, channel: str, now: datetime
) -> list[ImportOutcome]:
    """Add the credentials not held yet in one transaction; say what became of each."""
    unique = {hashlib.sha256(f.original).hexdigest(): f for f in found}  # the same one twice
    found, digests = list(unique.values()), list(unique)
    held = _held(user, digests)
    outcomes: list[ImportOutcome | None] = []
    added: list[tuple[int, Credential]] = []
    for index, (item, digest) in enumerate(zip(found, digests, strict=True)):
        if digest in held:
            outcomes.append(_duplicate(filename, held[digest]))
            continue
        credential = Credential(
            user=user,
            original=item.original,
            media_type=item.media_type,
            filename=filename,
            sha256=digest,
            channel=channel,
            imported_at=now,
        )
        apply_report(credential, item.report, now=now)
        db.session.add(credential)
        added.append((index, credential))
        outcomes.append(None)
    if added:
        try:
            db.session.commit()
        except SQLAlchemyError:
            db.session.rollback()
            return _after_failure(user, found, digests, filename)
    for index, credential in added:
        outcomes[index] = ImportOutcome(
            filename=filename,
            ok=True,
            message=_("Added to your wallet."),
            credential_id=credential.id,
            outcome=credential.outcome,
            title=credential.title,
        )
    return [o for o in outcomes if o is not None]


def _after_failure(
    user: User, found: Sequence[_Found], digests: list[str], filename: str | None
) -> list[ImportOutcome]:
    """After a failed save: what another request stored meanwhile is held, the rest is not."""
    held = _held(user, digests)
    message = _("This could not be saved, so nothing from it was stored. Please try again.")
    return [
        _duplicate(filename, held[d]) if d in held else _refused(filename, NOT_SAVED, message)
        for d in digests
    ]


def _held(user: User, digests: Sequence[str]) -> dict[str, Credential]:
    """The learner's credentials with these SHA-256 digests, by digest."""
    if not digests:
        return {}
    rows = db.session.scalars(
        select(Credential).where(Credential.user_id == user.id, Credential.sha256.in_(digests))
    )
    return {row.sha256: row for row in rows}


def _duplicate(filename: str | None, credential: Credential) -> ImportOutcome:
    return ImportOutcome(
        filename=filename,
        ok=False,
        message=_("This credential is already in your wallet."),
        credential_id=credential.id,
        duplicate=True,
        outcome=credential.outcome,
        title=credential.title,
        reason=DUPLICATE,
    )


def _refused(filename: str | None, reason: str, message: str) -> ImportOutcome:
    return ImportOutcome(filename=filename, ok=False, message=message, reason=reason)


def _not_credential(report: Report) -> str:
    return _(
        "This is not a credential the wallet can read: %(reason)s",
        reason=report.check(FORMAT).message,
    )


def _no_code() -> str:
    return _("No badge and no QR code found in this image.")


def _is_offer_link(text: str) -> bool:
    """Whether ``text`` is a web link carrying a credential offer (OID4VCI 1.0 §4.1), such as
    an issuer's "open in your wallet" link."""
    if any(c.isspace() for c in text):
        return False
    query = parse_qs(urlsplit(text).query)
    return "credential_offer" in query or "credential_offer_uri" in query


def _link_message(url: str, *, from_qr: bool) -> str:
    host = urlsplit(url).hostname or url[:100]
    if from_qr:
        return _(
            "This QR code holds a link to %(host)s; open it in your browser. Nothing was stored.",
            host=host,
        )
    return _("This is a link to %(host)s; open it in your browser. Nothing was stored.", host=host)


def _text(data: bytes) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
