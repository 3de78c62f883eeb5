"""Baked badges: the badge inside a PNG or SVG image (Open Badges Baking Specification 1.0 for
Open Badges 2.0, and Open Badges 3.0 §5.3 "Baked Badge").

- PNG: one ``iTXt`` chunk with keyword ``openbadges`` (2.0: assertion JSON, a signed badge or,
  in the legacy ``tEXt`` form, the assertion's URL) or ``openbadgecredential`` (3.0: the
  credential's JSON-LD or its compact JWS).
- SVG: one ``<openbadges:assertion>`` (2.0) or ``<openbadges:credential>`` (3.0) element
  right inside ``<svg>``: the JSON in a CDATA body, or a JWS (2.0 also a URL) in ``verify``.

Images are hostile input: every PNG chunk's CRC is checked, sizes and inflation are capped,
and SVG is read with expat without loading any DTD, external entity or URL.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from dataclasses import dataclass
from xml.parsers import expat
from xml.sax.saxutils import quoteattr

from verifier.errors import MalformedDocument

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_IMAGE_BYTES = 16 * 1024 * 1024  # a badge image is a few hundred KB; refuse anything huge
MAX_PAYLOAD_BYTES = 2 * 1024 * 1024  # the baked text, after any inflation
MAX_CHUNKS = 10_000
MAX_ENTITY_EXPANSION = 1024 * 1024  # characters internal SVG entities may add, in total
OB2_KEYWORD = "openbadges"
OB3_KEYWORD = "openbadgecredential"
OB2_SVG_NS = "http://openbadges.org"
OB3_SVG_NS = "https://purl.imsglobal.org/ob/v3p0"
_SVG_ELEMENTS = {"assertion": "ob2", "credential": "ob3"}
_NO_BADGE = "This image has no badge baked into it."
_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+")
_SVG_START = re.compile(rb"<svg\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")
# What may come before the root: an XML declaration, comments and a DOCTYPE.  Each token is
# unambiguous (a comment cannot run past "-->"), so a hostile head cannot make this backtrack.
_SVG_HEAD = re.compile(r"\s*(?:<\?xml[^>]*>\s*)?"
                       r"(?:(?:<!--(?:[^-]|-(?!->))*-->|<!DOCTYPE[^>\[]*(?:\[[^\]]*\]\s*)?>)\s*)*"
                       r"<svg[\s>/]")


@dataclass(frozen=True)
class BakedPayload:
    """What an image carries: ``kind`` "ob2"/"ob3", the embedded JSON, JWS or URL, and the
    image type ("png"/"svg")."""

    kind: str
    text: str
    media: str


def is_image(data: bytes) -> bool:
    """Whether ``data`` is a PNG or an SVG image (by its first bytes), baked or not."""
    if not isinstance(data, bytes | bytearray):
        return False
    return data.startswith(PNG_SIGNATURE) or _looks_like_svg(bytes(data))


def unbake(data: bytes) -> BakedPayload:
    """Extract the badge baked into a PNG or SVG image (Baking Specification "Extracting");
    ``MalformedDocument`` when the image is damaged, unsafe or carries no badge."""
    if not isinstance(data, bytes | bytearray):
        raise TypeError(f"unbake takes bytes, not {type(data).__name__}")
    data = bytes(data)
    if len(data) > MAX_IMAGE_BYTES:
        raise MalformedDocument(
            f"This image is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB, more than a "
            "badge image can reasonably be, so it is not read.")
    if data.startswith(PNG_SIGNATURE):
        kind, text = _png_payload(data)
        media = "png"
    elif _looks_like_svg(data):
        kind, text = _svg_payload(data)
        media = "svg"
    else:
        raise MalformedDocument("This file is not a PNG or SVG image, so it cannot carry a "
                                "baked badge.")
    return BakedPayload(kind=kind, text=_checked_text(text.strip()), media=media)


# -- PNG (PNG specification §5.3 chunk layout, §11.3.4 iTXt) -----------------------------------
def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """Every chunk up to IEND as ``(type, data)``, each CRC checked."""
    chunks: list[tuple[bytes, bytes]] = []
    pos = len(PNG_SIGNATURE)
    while True:
        if len(chunks) >= MAX_CHUNKS:
            raise MalformedDocument(f"This PNG image has more than {MAX_CHUNKS} chunks.")
        if pos + 12 > len(data):
            raise MalformedDocument("This PNG image is truncated: it ends before its IEND chunk.")
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        if length > 0x7FFFFFFF or not ctype.isalpha():
            raise MalformedDocument("This PNG image is damaged: a chunk header is invalid.")
        end = pos + 8 + length
        if end + 4 > len(data):
            raise MalformedDocument("This PNG image is truncated in the middle of a chunk.")
        body = data[pos + 8:end]
        (crc,) = struct.unpack(">I", data[end:end + 4])
        if zlib.crc32(ctype + body) != crc:
            raise MalformedDocument(
                f"This PNG image is damaged: the checksum (CRC) of its {ctype.decode()} chunk "
                "is wrong, so its contents cannot be trusted.")
        chunks.append((ctype, body))
        pos = end + 4
        if ctype == b"IEND":
            return chunks


def _png_payload(data: bytes) -> tuple[str, str]:
    found: list[tuple[str, str]] = []
    for ctype, body in _chunks(data):
        keyword = body.split(b"\0", 1)[0].decode("latin-1")
        if keyword not in (OB2_KEYWORD, OB3_KEYWORD) or ctype not in (b"iTXt", b"tEXt"):
            continue
        if ctype == b"tEXt":  # the legacy form: the URL of a hosted 2.0 assertion, Latin-1
            if keyword == OB2_KEYWORD:
                found.append(("ob2", body.partition(b"\0")[2].decode("latin-1")))
            continue
        found.append(("ob3" if keyword == OB3_KEYWORD else "ob2", _itxt_text(body)))
    return _only_one(found)


def _itxt_text(body: bytes) -> str:
    """The text of an iTXt chunk: keyword, flag, method, language, translated keyword, text."""
    _keyword, _, rest = body.partition(b"\0")
    if len(rest) < 2:
        raise MalformedDocument("This PNG image has a malformed iTXt text chunk.")
    flag, method, rest = rest[0], rest[1], rest[2:]
    _language, sep1, rest = rest.partition(b"\0")
    _translated, sep2, text = rest.partition(b"\0")
    if not (sep1 and sep2) or flag not in (0, 1):
        raise MalformedDocument("This PNG image has a malformed iTXt text chunk.")
    if flag == 1:  # the Baking Specification forbids compression; read it anyway, capped
        if method != 0:
            raise MalformedDocument("The badge in this PNG is compressed with an unknown method.")
        text = _inflate(text)
    if len(text) > MAX_PAYLOAD_BYTES:
        raise MalformedDocument("The badge baked into this PNG is too large to be a badge.")
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedDocument("The badge baked into this PNG is not UTF-8 text.") from None


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_PAYLOAD_BYTES + 1)
    except zlib.error:
        raise MalformedDocument("The compressed badge in this PNG is damaged.") from None
    if len(out) > MAX_PAYLOAD_BYTES or inflater.unconsumed_tail:
        raise MalformedDocument(
            f"The compressed badge in this PNG expands to more than "
            f"{MAX_PAYLOAD_BYTES // (1024 * 1024)} MB (a decompression bomb), so it is refused.")
    return out


def _only_one(found: list[tuple[str, str]]) -> tuple[str, str]:
    if not found:
        raise MalformedDocument(_NO_BADGE)
    if len(found) > 1:  # "MUST NOT appear more than once": two badges would be ambiguous
        raise MalformedDocument("This image has more than one badge baked into it, so which "
                                "one it shows cannot be told.")
    return found[0]


# -- SVG ------------------------------------------------------------------------------------
def _looks_like_svg(data: bytes) -> bool:
    """An XML declaration, comments and a DOCTYPE at most, then the ``<svg>`` root."""
    return _SVG_HEAD.match(data[:16384].decode("utf-8", "ignore").lstrip("\ufeff")) is not None


class _SvgReader:
    """Reads one badge element with expat: no DTD is loaded, no external entity, no URL."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.found: list[tuple[str, str | None, list[str]]] = []
        self.entities: dict[str, int] = {}
        self.depth = 0
        self.inside: int | None = None  # depth of the open badge element
        self.size = 0
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.EntityDeclHandler = self.entity
        parser.UnparsedEntityDeclHandler = self.unparsed
        parser.ExternalEntityRefHandler = self.external
        parser.EndDoctypeDeclHandler = self.end_doctype
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.text
        self.parser = parser

    def read(self) -> list[tuple[str, str | None, list[str]]]:
        try:
            self.parser.Parse(self.data, True)
        except (expat.ExpatError, LookupError, UnicodeError) as exc:  # an unknown encoding
            raise MalformedDocument(f"This SVG image is not well-formed XML ({exc}).") from None
        return self.found

    @staticmethod
    def _refuse_external(what: str) -> None:
        raise MalformedDocument(
            f"This SVG image declares an external entity ({what}); an image that points to "
            "other files or web addresses is refused, because reading them could leak files or "
            "reach the network.")

    def entity(self, name: str, is_parameter: int, value: str | None, base: str | None,
               system_id: str | None, public_id: str | None, notation: str | None) -> None:
        if system_id is not None or public_id is not None:
            self._refuse_external(system_id or public_id or name)
        if is_parameter or value is None or "&" in value or "%" in value:
            raise MalformedDocument("This SVG image declares nested or parameter XML entities, "
                                    "which can expand without limit, so it is refused.")
        self.entities[name] = len(value)

    def unparsed(self, name: str, base: str | None, system_id: str, public_id: str | None,
                 notation: str) -> None:
        self._refuse_external(system_id)

    def external(self, context: str, base: str | None, system_id: str | None,
                 public_id: str | None) -> int:
        self._refuse_external(system_id or public_id or context)
        return 0

    def end_doctype(self) -> None:
        # Simple internal entities (Illustrator declares a few) are allowed, but only if all
        # their uses together stay small: a "quadratic blowup" repeats one entity many times.
        if not self.entities:
            return
        if b"\0" in self.data[:4096]:
            raise MalformedDocument("This SVG image declares XML entities in a UTF-16 file.")
        total = sum(size * self.data.count(b"&" + name.encode("utf-8") + b";")
                    for name, size in self.entities.items())
        if total > MAX_ENTITY_EXPANSION:
            raise MalformedDocument("This SVG image's XML entities expand to more than "
                                    f"{MAX_ENTITY_EXPANSION} characters, so it is refused.")

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        ns, _, local = name.rpartition(" ")
        if self.inside is None and ns in (OB2_SVG_NS, OB3_SVG_NS) and local in _SVG_ELEMENTS:
            self.inside = self.depth
            self.found.append((_SVG_ELEMENTS[local], attrs.get("verify"), []))

    def end(self, name: str) -> None:
        if self.inside == self.depth:
            self.inside = None
        self.depth -= 1

    def text(self, data: str) -> None:
        if self.inside is not None:
            self.size += len(data)
            if self.size > MAX_PAYLOAD_BYTES:
                raise MalformedDocument("The badge baked into this SVG is too large.")
            self.found[-1][2].append(data)


def _svg_payload(data: bytes) -> tuple[str, str]:
    found: list[tuple[str, str]] = []
    for kind, verify, body in _SvgReader(data).read():
        text = "".join(body).strip()
        if not text and not (verify and verify.strip()):
            raise MalformedDocument("The badge element in this SVG image is empty.")
        # A body holds the JSON; without one, ``verify`` holds the JWS (or 2.0's hosted URL).
        found.append((kind, text or (verify or "").strip()))
    return _only_one(found)


def _checked_text(text: str) -> str:
    if len(text) > MAX_PAYLOAD_BYTES:
        raise MalformedDocument("The badge baked into this image is too large to be a badge.")
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            raise MalformedDocument("The badge baked into this image is not valid JSON.") from None
        if not isinstance(value, dict):
            raise MalformedDocument("The badge baked into this image is not a JSON object.")
    elif not (_JWS.fullmatch(text) or text.startswith(("https://", "http://"))):
        raise MalformedDocument("The data baked into this image is not a badge: it is neither "
                                "JSON, a signed badge nor a web address.")
    return text


# -- baking (tests and the demo issuers) ------------------------------------------------------
def bake_png(image: bytes, payload: str, *, ob3: bool) -> bytes:
    """Bake ``payload`` into a PNG as an uncompressed iTXt chunk right after IHDR (Baking
    Specification "PNGs: Baking"; OB 3.0 §5.3.1), replacing any badge already there."""
    if not image.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG image")
    keyword = OB3_KEYWORD if ob3 else OB2_KEYWORD
    chunk = keyword.encode("latin-1") + b"\0\0\0\0\0" + payload.encode("utf-8")
    out = [PNG_SIGNATURE]
    for ctype, body in _chunks(image):
        if ctype in (b"iTXt", b"tEXt") and body.split(b"\0", 1)[0] in (b"openbadges",
                                                                        b"openbadgecredential"):
            continue
        out.append(_png_chunk(ctype, body))
        if ctype == b"IHDR":
            out.append(_png_chunk(b"iTXt", chunk))
    return b"".join(out)


def _png_chunk(ctype: bytes, body: bytes) -> bytes:
    """One PNG chunk: length, type, data and CRC (PNG specification §5.3)."""
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", zlib.crc32(ctype + body))


# Characters XML 1.0 allows (§2.2 Char), so an attribute value stays well-formed.
_XML_TEXT = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")


def bake_svg(image: bytes, payload: str, *, ob3: bool) -> bytes:
    """Bake ``payload`` into an SVG right after its ``<svg>`` tag (Baking Specification "SVGs:
    Baking"; OB 3.0 §5.3.2): JSON in a CDATA body, a JWS or URL in ``verify``."""
    if not _looks_like_svg(image):
        raise ValueError("not an SVG image")
    try:
        _svg_payload(image)
    except MalformedDocument as exc:
        if exc.message != _NO_BADGE:
            raise ValueError(f"cannot bake into this SVG: {exc.message}") from exc
    else:
        raise ValueError("this SVG already has a badge baked into it")
    match = _SVG_START.search(image)
    if match is None or match.group().endswith(b"/>"):
        raise ValueError("the SVG has no <svg> start tag to bake into")
    ns, element = (OB3_SVG_NS, "credential") if ob3 else (OB2_SVG_NS, "assertion")
    tag = match.group()
    if b"xmlns:openbadges" not in tag:
        tag = tag[:-1] + f" xmlns:openbadges={quoteattr(ns)}>".encode()
    if payload.lstrip().startswith("{"):
        verify = "" if ob3 else json.loads(payload).get("id", "")
        if not isinstance(verify, str) or not _XML_TEXT.fullmatch(verify):
            verify = ""  # an id XML cannot hold; the optional hint is left out
        attr = f" verify={quoteattr(verify)}" if verify else ""
        body = "<![CDATA[" + payload.replace("]]>", "]]]]><![CDATA[>") + "]]>"
        badge = f"<openbadges:{element}{attr}>{body}</openbadges:{element}>"
    else:
        badge = f"<openbadges:{element} verify={quoteattr(payload)}/>"
    return image[:match.start()] + tag + badge.encode("utf-8") + image[match.end():]
