"""Credentials as plain objects for the portfolio's templates, in the reader's language.

Everything here comes from a credential, so it is untrusted: text is handed over as text (the
templates escape it), links only when they are http(s), images only when they are ``https:``
or an embedded ``data:image/`` of a known type (served by the image view).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from flask import url_for
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from verifier.summary import LangText
from wallet.portfolio.query import IMAGE_PREFIX, kind_of

#: Embedded image types the wallet serves (anything else shows the placeholder).
IMAGE_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/svg+xml"}
)
KIND_LABELS = {
    "open_badge": _l("Open Badge"),
    "edc": _l("European Digital Credential"),
    "clr": _l("Learning record (CLR)"),
    "other": _l("Other credential"),
}
STATUS_LABELS = {
    "verified": _l("Verified"),
    "expired": _l("Expired"),
    "not_yet_valid": _l("Not yet valid"),
    "revoked": _l("Revoked"),
    "suspended": _l("Suspended"),
    "not_genuine": _l("Not genuine"),
    "cannot_check": _l("Could not check"),
}
HEADLINES = {
    "verified": _l("Verified: every check passed."),
    "not_genuine": _l("Not genuine: this document was altered or was not issued as it claims."),
    "revoked": _l("Genuine, but the issuer has revoked it."),
    "suspended": _l("Genuine, but the issuer has suspended it."),
    "expired": _l("Genuine, but it has expired."),
    "not_yet_valid": _l("Genuine, but it is not valid yet."),
    "cannot_check": _l(
        "Could not be fully checked: nothing failed, but some checks could not be made offline."
    ),
}


@dataclass(frozen=True)
class Text:
    """A piece of text to show; ``lang`` when it is not in the page's language, ``url`` when it
    links (always http or https), ``children`` shown beneath it."""

    text: str
    lang: str | None = None
    url: str | None = None
    children: tuple[Text, ...] = ()


@dataclass(frozen=True)
class Card:
    """One credential in the list."""

    id: int
    url: str
    title: Text
    issuer: Text | None
    issued: str | None
    ects: str | None
    outcome: str
    kind: str
    image_url: str | None


def reader_langs() -> list[str]:
    """The reader's languages, most wanted first."""
    return [str(get_locale() or "en")]


def text_of(value: Any, langs: list[str], *, url: str | None = None) -> Text | None:
    """A language map (or plain text) in the reader's language, else by LangText's fallbacks."""
    texts = LangText.of(value)
    picked = texts.pick(langs)
    if not picked:
        return None
    tag = next((lang for lang, text in texts.items() if text == picked), "")
    same = tag.split("-")[0] == langs[0].split("-")[0]
    return Text(picked, None if not tag or same else tag, safe_url(url))


def safe_url(url: Any) -> str | None:
    """``url`` when it is an http(s) link with a host, else ``None`` (no ``javascript:``)."""
    if not isinstance(url, str) or any(ord(c) < 33 or c in "\"'<>\\" for c in url):
        return None
    parts = urlsplit(url)
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def embedded_image(uri: str) -> tuple[str, bytes] | None:
    """The media type and bytes of a ``data:image/...`` URI of a served type, else ``None``."""
    if not uri.startswith("data:") or "," not in uri:
        return None
    header, _, payload = uri[5:].partition(",")
    mime, *params = header.split(";")
    if mime.strip().lower() not in IMAGE_TYPES:
        return None
    try:
        if "base64" in params:
            return mime.strip().lower(), base64.b64decode("".join(payload.split()), validate=True)
        return mime.strip().lower(), unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        return None


def image_url(credential_id: int, image: str | None, *, whole: bool = False) -> str | None:
    """Where a credential's picture comes from: the image view, an https URL, or nowhere.

    A list reads only the start of an embedded image and trusts its type; with ``whole`` the
    image is decoded to be sure (one that fails to decode would show as a broken picture).
    """
    if not image:
        return None
    head = image[:64].lower()
    if head.startswith("data:"):
        mime = head[5:].split(";")[0].split(",")[0]
        if mime not in IMAGE_TYPES or (whole and embedded_image(image) is None):
            return None
        return url_for("portfolio.image", credential_id=credential_id)
    if head.startswith("https://") and len(image) < IMAGE_PREFIX:
        return safe_url(image)
    return None


def when(value: Any, *, time: bool = False) -> str | None:
    """A date (or date and time) in the reader's format; text that is not a date as it is."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            try:
                value = date.fromisoformat(value.strip()[:10])
            except ValueError:
                return value or None
    if isinstance(value, datetime):
        return format_datetime(value, "medium") if time else format_date(value, "medium")
    if isinstance(value, date):
        return format_date(value, "medium")
    return None


def number(value: Any) -> str:
    """A number in the reader's format (``2.5`` / ``2,5``)."""
    return format_decimal(Decimal(str(value)), format="#,##0.##")


def ects_text(value: Any) -> str | None:
    """ECTS credits as text, e.g. "5 ECTS"."""
    return None if value is None else _("%(ects)s ECTS", ects=number(value))


def card(row: Any, langs: list[str]) -> Card:
    """A card from a row of :func:`wallet.portfolio.query.list_query`."""
    title = text_of(row.title_map, langs) or Text(row.title)
    issuer = text_of(row.issuer_map, langs)
    if issuer is None and row.issuer_name:
        issuer = Text(row.issuer_name)
    return Card(
        id=row.id,
        url=url_for("portfolio.detail", credential_id=row.id),
        title=title,
        issuer=issuer,
        issued=when(row.issued_at),
        ects=ects_text(row.ects),
        outcome=row.outcome,
        kind=str(KIND_LABELS[kind_of(row.format, row.types)]),
        image_url=image_url(row.id, row.image),
    )


def listing_options(issuers: Iterable[str], years: tuple[Any, Any]) -> dict[str, list[Any]]:
    """The choices of the filter form, as (value, label) pairs."""
    first, last = years
    year_range = range(last.year, first.year - 1, -1) if first and last else range(0)
    return {
        "issuers": [(name, name) for name in issuers],
        "kinds": [(k, str(label)) for k, label in KIND_LABELS.items()],
        "statuses": [(k, str(label)) for k, label in STATUS_LABELS.items()],
        "years": [(str(y), str(y)) for y in year_range],
        "sorts": [
            ("imported", _("Newest added first")),
            ("issued", _("Newest issued first")),
            ("title", _("Title (A to Z)")),
            ("issuer", _("Issuer (A to Z)")),
            ("ects", _("Most ECTS credits first")),
        ],
    }


@dataclass(frozen=True)
class PageLink:
    """A numbered page link (``number`` is ``None`` for a gap in the numbers)."""

    number: int | None
    url: str | None
    current: bool = False


@dataclass(frozen=True)
class Pagination:
    """The links under the list: previous, the numbers around the current page, next."""

    previous: str | None
    links: list[PageLink]
    next: str | None


def pagination(number: int, pages: int, url: Callable[[int], str]) -> Pagination:
    """The page links around page ``number`` of ``pages``; ``url(n)`` builds each link."""
    wanted = sorted({1, pages, *range(max(number - 2, 1), min(number + 2, pages) + 1)})
    links: list[PageLink] = []
    for n in wanted:
        if links and links[-1].number is not None and n - (links[-1].number or 0) > 1:
            links.append(PageLink(None, None))
        links.append(PageLink(n, url(n), n == number))
    return Pagination(
        url(number - 1) if number > 1 else None,
        links,
        url(number + 1) if number < pages else None,
    )


def headline(outcome: str) -> str:
    """The outcome in one sentence, in the reader's language."""
    return str(HEADLINES.get(outcome, HEADLINES["cannot_check"]))


def as_mapping(value: Any) -> Mapping[str, Any]:
    """``value`` when it is a JSON object, else an empty one (stored JSON is not trusted)."""
    return value if isinstance(value, Mapping) else {}


def as_list(value: Any) -> list[Any]:
    """``value`` when it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []
