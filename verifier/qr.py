"""QR codes: reading them from photos and screenshots, and the compressed-presentation text
they may hold. Shared by the wallet's import and the employer's verifier view.

A compressed presentation in a QR code is ``VP1:`` followed by Base45 (RFC 9285) of the
zlib-compressed (RFC 1950) UTF-8 text of a presentation: JSON-LD, or a JWT. Base45 keeps to the
QR alphanumeric alphabet, so the whole text fits the denser alphanumeric mode; ``VP:`` is
accepted as a synonym. The same text may hold a single credential.
"""

from __future__ import annotations

import io
import warnings
import zlib

import zxingcpp
from PIL import Image, UnidentifiedImageError

from verifier.baking import PNG_SIGNATURE, is_image

BASE45_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_BASE45_VALUES = {c: i for i, c in enumerate(BASE45_ALPHABET)}
COMPRESSED_PREFIX = "VP1:"
COMPRESSED_PREFIXES = ("VP1:", "VP:")
#: The most a compressed presentation may inflate to (the verifier reads at most 10 MB).
MAX_INFLATED = 10 * 1024 * 1024
#: The most pixels decoded from one image: 40 million, about 160 MB as RGBA.
MAX_PIXELS = 40_000_000
#: Images are scaled down to this many pixels a side before looking for codes.
MAX_SIDE = 3000
#: The image formats Pillow may parse here; nothing else is handed to a decoder.
PILLOW_FORMATS = ("PNG", "JPEG", "WEBP", "GIF")


class UnreadableImage(ValueError):
    """The image is damaged or of a kind that is not read here."""


class TooLarge(ValueError):
    """A compressed presentation inflates to more than :data:`MAX_INFLATED`."""


class UnsafeImage(UnreadableImage):
    """The image is too large to decode safely (a decompression bomb, or simply huge)."""


# -- Base45 (RFC 9285) -----------------------------------------------------------------------
def b45encode(data: bytes) -> str:
    """Encode bytes as Base45 (RFC 9285 §4): two bytes become three characters."""
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        n, c = divmod(n, 45)
        e, d = divmod(n, 45)
        out.append(BASE45_ALPHABET[c] + BASE45_ALPHABET[d] + BASE45_ALPHABET[e])
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out.append(BASE45_ALPHABET[c] + BASE45_ALPHABET[d])
    return "".join(out)


def b45decode(text: str) -> bytes:
    """Decode Base45 (RFC 9285 §4.2); ``ValueError`` for a character or group it forbids."""
    try:
        values = [_BASE45_VALUES[c] for c in text]
    except KeyError as exc:
        raise ValueError(f"{exc.args[0]!r} is not a Base45 character") from None
    if len(values) % 3 == 1:
        raise ValueError("Base45 text cannot have a length of 3n + 1")
    out = bytearray()
    for i in range(0, len(values), 3):
        group = values[i : i + 3]
        n = sum(v * 45**k for k, v in enumerate(group))
        if len(group) == 3:
            if n > 0xFFFF:
                raise ValueError("a Base45 group is larger than two bytes")
            out += n.to_bytes(2, "big")
        else:
            if n > 0xFF:
                raise ValueError("the last Base45 group is larger than one byte")
            out.append(n)
    return bytes(out)


def encode_presentation(document: bytes) -> str:
    """The QR text of a presentation (or credential): ``VP1:`` + Base45 of its zlib form."""
    return COMPRESSED_PREFIX + b45encode(zlib.compress(document, 9))


def is_compressed(text: str) -> bool:
    """Whether ``text`` is a compressed presentation by its prefix."""
    return text.lstrip()[:4].upper().startswith(COMPRESSED_PREFIXES)


def decode_presentation(text: str) -> bytes:
    """The document inside a compressed presentation; ``ValueError`` when it is damaged."""
    stripped = text.strip()
    prefix = next(p for p in COMPRESSED_PREFIXES if stripped.upper().startswith(p))
    packed = b45decode(stripped[len(prefix) :])
    inflater = zlib.decompressobj()
    try:
        document = inflater.decompress(packed, MAX_INFLATED + 1)
    except zlib.error as exc:
        raise ValueError(f"not zlib data: {exc}") from None
    if len(document) > MAX_INFLATED:
        raise TooLarge("it inflates to more than the verifier reads")
    if not inflater.eof:
        raise ValueError("the compressed data is cut short")
    return document


# -- images ----------------------------------------------------------------------------------
def is_picture(data: bytes) -> bool:
    """Whether ``data`` starts like a PNG, JPEG, WebP or GIF image (an SVG is no photo)."""
    return image_type(data) in ("png", "jpeg", "webp", "gif")


def image_type(data: bytes) -> str | None:
    """``"png"``, ``"jpeg"``, ``"webp"``, ``"gif"`` or ``"svg"`` by the first bytes, else None."""
    if data.startswith(PNG_SIGNATURE):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if is_image(data):
        return "svg"
    return None


def read_qr_codes(data: bytes) -> list[str]:
    """The text of every QR code in a PNG, JPEG, WebP or GIF image (first frame), in order."""
    # Pillow warns (DecompressionBombWarning) when the header claims more pixels than its
    # MAX_IMAGE_PIXELS and refuses at twice that: both are refusals here. What will really be
    # decoded (a JPEG decodes at 1/2, 1/4 or 1/8 scale in draft mode) must also stay under
    # MAX_PIXELS, checked before a single pixel is decoded.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=PILLOW_FORMATS) as image:
                image.draft("L", (MAX_SIDE, MAX_SIDE))
                if image.width * image.height > MAX_PIXELS:
                    raise UnsafeImage(f"{image.width}×{image.height} pixels")
                gray = _on_white(image)
        except UnreadableImage:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise UnsafeImage(str(exc)) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
            raise UnreadableImage(str(exc)) from None
    gray.thumbnail((MAX_SIDE, MAX_SIDE))
    codes = zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode)
    return [code.text for code in codes if code.valid and code.text]


def _on_white(image: Image.Image) -> Image.Image:
    """The image in grayscale, transparent parts white (a QR code on a clear background)."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, "white")
        return Image.alpha_composite(white, rgba).convert("L")
    return image.convert("L")
