"""What comes in, made ready to verify: the text of a compressed QR presentation inflated,
a QR image read, and documents refused before verification when they are too large or carry
more credentials than one page can check.
"""

from __future__ import annotations

import base64
import json

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_babel.speaklater import LazyString

from verifier import qr

#: The most bytes of one document or image.
MAX_DOCUMENT = 10 * 1024 * 1024
MAX_IMAGE = 15 * 1024 * 1024
#: The most credentials one presentation may carry here (the engine's own limit is 1000).
MAX_CREDENTIALS = 100


class Refused(ValueError):
    """The input cannot be verified; ``message`` says why in the reader's language."""

    def __init__(self, message: LazyString | str) -> None:
        super().__init__(str(message))
        self.message = message


def from_text(text: str) -> bytes:
    """A pasted (or scanned) text as the bytes to verify: a ``VP1:`` payload is inflated."""
    stripped = text.strip()
    if not stripped:
        raise Refused(_l("Paste a credential, a presentation or the text of a QR code."))
    if qr.is_compressed(stripped):
        try:
            document = qr.decode_presentation(stripped)
        except qr.TooLarge:
            raise Refused(
                _l(
                    "Unpacked, this QR code text is larger than 10 MB, more than the verifier "
                    "reads."
                )
            ) from None
        except ValueError:
            raise Refused(
                _l(
                    "This QR code text starts like a compressed presentation but is damaged: "
                    "scan it again or ask the learner for a new one."
                )
            ) from None
        return checked(document)
    return checked(stripped.encode("utf-8"))


def from_image(data: bytes) -> str:
    """The text of the one QR code in an image; :class:`Refused` for none, several, or a file
    that is not a picture."""
    if len(data) > MAX_IMAGE:
        raise Refused(_l("The picture is larger than 15 MB. Send a smaller photo or screenshot."))
    if not qr.is_picture(data):
        raise Refused(
            _l("This file is not a picture. Choose a photo or a screenshot of the QR code.")
        )
    try:
        codes = qr.read_qr_codes(data)
    except qr.UnreadableImage:
        raise Refused(_l("This picture is damaged or too large to read.")) from None
    if not codes:
        raise Refused(_l("No QR code was found in this picture. Try a sharper, closer photo."))
    if len(codes) > 1:
        raise Refused(_l("This picture shows more than one QR code. Crop it to one and try again."))
    return codes[0]


def checked(data: bytes) -> bytes:
    """``data`` when it is small enough and carries few enough credentials; else Refused."""
    if len(data) > MAX_DOCUMENT:
        raise Refused(_l("The document is larger than 10 MB, more than the verifier reads."))
    count = credential_count(data)
    if count > MAX_CREDENTIALS:
        raise Refused(
            ngettext(
                "The presentation carries %(num)d credential; this page checks at most "
                "%(max)d at a time.",
                "The presentation carries %(num)d credentials; this page checks at most "
                "%(max)d at a time. Ask the learner to share fewer at once.",
                count,
                max=MAX_CREDENTIALS,
            )
        )
    return data


def credential_count(data: bytes) -> int:
    """How many credentials a JSON or JWT presentation lists (0 when it is not one): counted
    before verifying so a presentation of thousands is refused at once."""
    text = data.lstrip()
    if text[:1] == b"{":
        try:
            document = json.loads(data)
        except (ValueError, RecursionError):
            return 0
    elif text.count(b".") == 2 and len(text) < MAX_DOCUMENT:
        try:
            payload = text.split(b".")[1].strip()
            document = json.loads(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)))
        except (ValueError, RecursionError):
            return 0
        document = document.get("vp", document) if isinstance(document, dict) else None
    else:
        return 0
    if not isinstance(document, dict):
        return 0
    items = document.get("verifiableCredential")
    if isinstance(items, list):
        return len(items)
    return 1 if items else 0
