"""Reading the forms the verifier's own app receives: URL-encoded bodies are decoded in C.

A pasted presentation arrives URL-encoded with an escape for every quote, colon and brace,
about seven hundred in three credentials; the standard library undoes them one at a time in
Python, which costs a request more than checking its CSRF token. :class:`FormParser` hands
well-formed bodies to :func:`binascii.a2b_qp` instead (``%XX`` is quoted-printable's ``=XX``)
and leaves anything else (raw line breaks, bytes above ASCII, a ``%`` not followed by two hex
digits) to Werkzeug, so every body reads exactly as Werkzeug reads it.
"""

from __future__ import annotations

import binascii
import io
import typing as t

from flask import Request
from werkzeug.formparser import FormDataParser


def parse_urlencoded(body: bytes) -> list[tuple[str, str]] | None:
    """The fields of a URL-encoded body, as ``urllib.parse.parse_qsl`` with blank values kept
    reads them; ``None`` when only Werkzeug reads it exactly: it has line breaks (soft line
    breaks in quoted-printable), bytes above ASCII, or a ``%`` that does not start an escape."""
    if not body.isascii() or b"\n" in body or b"\r" in body:
        return None
    fields = []
    for pair in body.split(b"&"):
        if not pair:
            continue
        name, _, value = pair.partition(b"=")
        name_text, value_text = _unquote(name), _unquote(value)
        if name_text is None or value_text is None:
            return None
        fields.append((name_text, value_text))
    return fields


def _unquote(part: bytes) -> str | None:
    part = part.replace(b"+", b" ")
    if b"%" in part:
        escaped = part.replace(b"=", b"=3D").replace(b"%", b"=")
        part = binascii.a2b_qp(escaped)
        # Each "=XX" became one byte; anything else ("%" then not two hex digits) would have
        # shortened the text by less, so a length that does not add up means a stray "%".
        if len(part) != len(escaped) - 2 * escaped.count(b"="):
            return None
    return part.decode("utf-8", "werkzeug.url_quote")


class FormParser(FormDataParser):
    """Werkzeug's form parser with URL-encoded bodies read by :func:`parse_urlencoded`."""

    def _parse_urlencoded(
        self,
        stream: t.IO[bytes],
        mimetype: str,
        content_length: int | None,
        options: dict[str, str],
    ) -> tuple[t.IO[bytes], t.Any, t.Any]:
        body = stream.read()
        fields = parse_urlencoded(body)
        if fields is None:
            _, form, files = super()._parse_urlencoded(
                io.BytesIO(body), mimetype, content_length, options
            )
            return stream, form, files
        return stream, self.cls(fields), self.cls()


class VerifierRequest(Request):
    """The standalone verifier's request: forms read by :class:`FormParser`."""

    form_data_parser_class = FormParser
