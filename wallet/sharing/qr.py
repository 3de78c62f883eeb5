"""QR codes of a share: the whole signed presentation when it fits, else the link.

A self-contained code holds ``VP1:`` + Base45 of the zlib-compressed presentation
(:func:`wallet.importers.qr.encode_presentation`) in the QR alphanumeric mode. It is chosen when
it fits a code of version ``SHARE_QR_MAX_VERSION`` (22 by default, 105×105 modules, which a
phone camera still reads off paper) at error correction level M (ISO/IEC 18004 §7.5.1: about 15%
of the code may be damaged). Otherwise the code holds the share's link.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import qrcode
import qrcode.constants
import qrcode.exceptions
from qrcode.image.svg import SvgPathImage
from qrcode.util import MODE_8BIT_BYTE, MODE_ALPHA_NUM, QRData

from wallet.importers.qr import encode_presentation

DEFAULT_MAX_VERSION = 22
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
BOX_SIZE, BORDER = 8, 4
SELF_CONTAINED, LINK = "self_contained", "link"


@dataclass(frozen=True)
class ShareCode:
    """What a share's QR code holds: its ``kind``, ``text``, QR ``version`` and, for a link,
    the version the whole presentation would have needed (``None`` when beyond 40)."""

    kind: str
    text: str | None
    version: int | None
    presentation_version: int | None
    presentation_chars: int


def fitting_version(text: str, *, alphanumeric: bool, limit: int = 40) -> int | None:
    """The smallest QR version (1–``limit``) holding ``text`` at level M, else ``None``."""
    data = QRData(text.encode("ascii"), mode=MODE_ALPHA_NUM if alphanumeric else MODE_8BIT_BYTE)
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION)
    code.add_data(data)
    try:
        version = code.best_fit()
    except (qrcode.exceptions.DataOverflowError, ValueError):  # beyond version 40
        return None
    return version if version <= limit else None


def choose(presentation: bytes, link: str | None, *, max_version: int) -> ShareCode:
    """The code for a share: self-contained when the presentation fits ``max_version``, else
    the ``link`` (whose ``text`` is ``None`` when the link is not known any more)."""
    packed = encode_presentation(presentation)
    version = fitting_version(packed, alphanumeric=True)
    if version is not None and version <= max_version:
        return ShareCode(SELF_CONTAINED, packed, version, version, len(packed))
    link_version = fitting_version(link, alphanumeric=False) if link else None
    return ShareCode(LINK, link, link_version, version, len(packed))


def _make(code: ShareCode) -> qrcode.QRCode:
    if code.text is None:
        raise ValueError("this code's link is not known")
    mode = MODE_ALPHA_NUM if code.kind == SELF_CONTAINED else MODE_8BIT_BYTE
    made = qrcode.QRCode(
        version=code.version, error_correction=ERROR_CORRECTION, box_size=BOX_SIZE, border=BORDER
    )
    made.add_data(QRData(code.text.encode("ascii"), mode=mode))
    made.make(fit=code.version is None)
    return made


def png(code: ShareCode) -> bytes:
    """The code as a black-on-white PNG."""
    out = io.BytesIO()
    _make(code).make_image().save(out, format="PNG")
    return out.getvalue()


def svg(code: ShareCode) -> bytes:
    """The code as an SVG of one path (scales to any print size)."""
    out = io.BytesIO()
    _make(code).make_image(image_factory=SvgPathImage).save(out)
    return out.getvalue()
