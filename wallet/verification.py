"""The wallet's bridge to :mod:`verifier`: its trust data, verifying bytes, and copying a report
onto a credential row.

The verifier's data lives in ``VERIFIER_HOME`` (default ``<instance>/verifier``), laid out as
the ``verifier`` command lays it out, so ``verifier --home DIR trust add ...`` and
``verifier --home DIR refresh ...`` manage the wallet's trust too:

- ``trust.json``: the trusted issuers (:class:`verifier.TrustStore`);
- ``cache/``: fetched documents with their fetch dates (:class:`verifier.DocumentCache`);
- ``trusted_lists.json``: EU trusted lists for e-sealed credentials
  (:class:`verifier.trustlists.TrustedListStore`).

Example (in a view or an app context)::

    report = reverify(credential)   # verifies credential.original again, updates the row
    db.session.commit()             # the caller commits
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from flask import current_app, has_request_context
from flask_babel import get_locale

from verifier import Credential as ParsedCredential
from verifier import DocumentCache, Presentation, Report, TrustStore, VerificationError, verify
from verifier.credential import SealedCredential
from verifier.dates import parse_datetime
from verifier.errors import MalformedDocument
from verifier.ob2.recipient import matches_any
from verifier.stores import CACHE_FOLDER, TRUST_FILE, held
from verifier.summary import LangText
from verifier.trustlists import TrustedListStore
from wallet.db import db
from wallet.models import Credential, User

TRUSTED_LISTS_FILE = "trusted_lists.json"
# Column sizes of wallet.models.Credential, so a long value is clipped rather than refused.
FORMAT_LENGTH = 32
ISSUER_NAME_LENGTH = 500
ECTS_LIMIT = Decimal("10000")  # Numeric(6, 2) holds up to 9999.99
#: The media type of each format the verifier reports (``Report.format``).
MEDIA_TYPES = {
    "ldp_vc": "application/vc+ld+json",
    "jwt_vc": "application/vc+jwt",
    "sd_jwt_vc": "application/dc+sd-jwt",
    "edc_jades": "application/json",
    "edc_xml": "application/xml",
    "ob2_hosted": "application/ld+json",
    "ob2_signed": "application/jose",
}


@dataclass(frozen=True)
class Stores:
    """The verifier's trust data: trusted issuers, cached documents, EU trusted lists."""

    trust: TrustStore
    cache: DocumentCache
    trusted_lists: TrustedListStore


def open_stores(home: str | Path) -> Stores:
    """Open the stores kept in ``home``, creating the folder and empty files when missing."""
    folder = Path(home)
    (folder / CACHE_FOLDER).mkdir(parents=True, exist_ok=True)
    trust = TrustStore.from_file(folder / TRUST_FILE)
    if not (folder / TRUST_FILE).exists():
        trust.save()
    trusted_lists = TrustedListStore.from_file(folder / TRUSTED_LISTS_FILE)
    if not (folder / TRUSTED_LISTS_FILE).exists():
        trusted_lists.save()
    return Stores(trust, DocumentCache.open(folder / CACHE_FOLDER), trusted_lists)


def stores() -> Stores:
    """The stores of this app's ``VERIFIER_HOME``, read once per process and again when one
    of their files changes (:func:`verifier.stores.held`)."""
    return held(Path(current_app.config["VERIFIER_HOME"]), open_stores)


def verify_bytes(
    data: bytes, *, now: datetime | None = None, recipient_identities: Sequence[str] = ()
) -> Report:
    """Verify a document of any format the verifier reads, offline, with the wallet's trust."""
    held = stores()
    return verify(
        data,
        now=now or datetime.now(UTC),
        trust=held.trust,
        cache=held.cache,
        trusted_lists=held.trusted_lists,
        recipient_identities=tuple(recipient_identities),
    )


def apply_report(credential: Credential, report: Report, *, now: datetime) -> None:
    """Set every derived column of ``credential`` from ``report`` and its summary."""
    stored = report.to_json()  # plain JSON, as the columns keep it
    summary = _with_recipient_match(stored.pop("summary", {}), credential)
    languages = _languages(credential)
    issuer = summary.get("issuer")
    if isinstance(issuer, Mapping):
        issuer_name = LangText.of(issuer.get("name")).pick(languages)
        issuer_id = issuer.get("id") if isinstance(issuer.get("id"), str) else None
    else:  # the legacy XML summary names the issuer in plain text
        issuer_name = issuer if isinstance(issuer, str) else ""
        issuer_id = None
    types = [t for t in summary.get("types") or () if isinstance(t, str)]
    image = summary.get("image")

    credential.format = report.format[:FORMAT_LENGTH]
    credential.title = LangText.of(summary.get("title")).pick(languages) or _fallback_title(
        types, report.format
    )
    credential.issuer_name = issuer_name[:ISSUER_NAME_LENGTH] or None
    credential.issuer_id = issuer_id
    credential.issued_at = _moment(summary.get("issued"))
    credential.valid_until = _moment(summary.get("valid_until"))
    credential.ects = _ects(summary.get("credits"))
    credential.image = image if isinstance(image, str) else None
    credential.types = types
    credential.summary = summary
    credential.report = stored
    credential.outcome = report.outcome.value
    credential.checked_at = now


def reverify(credential: Credential, *, now: datetime | None = None) -> Report:
    """Verify ``credential.original`` again and update its row (the caller commits)."""
    moment = now or datetime.now(UTC)
    identities = learner_identities(credential.user)
    report = verify_bytes(credential.original, now=moment, recipient_identities=identities)
    apply_report(credential, report, now=moment)
    return report


def learner_identities(user: User | None) -> tuple[str, ...]:
    """The identities ``user`` has confirmed in the wallet (OB 2.0 recipient checks)."""
    from wallet.identities.service import confirmed_identities  # it imports this module

    with db.session.no_autoflush:  # a credential being imported is not complete yet
        return confirmed_identities(user)


def _with_recipient_match(summary: dict[str, Any], credential: Credential) -> dict[str, Any]:
    """``summary`` with an Open Badges 2.0 recipient compared with the owner's identities.

    An import verifies before the row has its owner's identities at hand; the summary keeps
    the recipient (type, hash, salt), so the comparison is made here for every report.
    """
    recipient = summary.get("recipient")
    if not isinstance(recipient, Mapping) or credential.user is None:
        return summary
    identities = learner_identities(credential.user)
    return {**summary, "recipient": {**recipient, "matches": matches_any(recipient, identities)}}


def embedded_credentials(data: bytes) -> list[bytes | VerificationError]:
    """The credentials a presentation carries, each as the text it has there.

    A JWT or SD-JWT is its token (an SD-JWT without the key-binding JWT, which was made for
    one verifier); a JSON-LD credential is ``json.dumps(credential, ensure_ascii=False,
    indent=2)``, which stays verifiable because its proof covers the canonical RDF, not the
    JSON text. An item that is not a readable credential is the error that says why.
    """
    try:
        presentation = Presentation.from_json(data)
    except VerificationError:  # an SD-JWT with key binding: the credential is the SD-JWT
        return [_sd_jwt_text(ParsedCredential.from_json(data))]
    items: list[bytes | VerificationError] = []
    for credential in presentation.credentials:
        if isinstance(credential, VerificationError):
            items.append(credential)
        elif isinstance(credential, SealedCredential):  # an e-sealed EDC, byte for byte
            items.append(credential.raw)
        elif credential.sd_jwt is not None:
            items.append(_sd_jwt_text(credential))
        elif credential.raw is not None:
            items.append(credential.raw.encode("utf-8"))
        else:
            text = json.dumps(credential.document, ensure_ascii=False, indent=2)
            items.append(text.encode("utf-8"))
    return items


def media_type(fmt: str, data: bytes) -> str:
    """The media type to keep with a credential of format ``fmt`` (``Report.format``)."""
    if fmt in MEDIA_TYPES:
        return MEDIA_TYPES[fmt]
    return "application/json" if data.lstrip()[:1] == b"{" else "text/plain"


def _sd_jwt_text(credential: ParsedCredential) -> bytes:
    presented: str = credential.sd_jwt.presented
    return presented.encode("utf-8")


def _languages(credential: Credential) -> list[str]:
    """The languages to pick a title in: the learner's saved one, then the page's."""
    chosen = []
    user = credential.user
    if user is not None and user.locale:
        chosen.append(user.locale)
    if has_request_context():
        chosen.append(str(get_locale() or "en"))
    return chosen


def _fallback_title(types: Sequence[str], fmt: str) -> str:
    """A title for a credential that states none: its most specific type, else its format."""
    specific = [t for t in types if t != "VerifiableCredential"]
    return specific[-1] if specific else fmt


def _moment(value: Any) -> datetime | None:
    """An aware datetime from an ISO 8601 date and time or a plain date; ``None`` if neither."""
    if not isinstance(value, str):
        return None
    try:
        return parse_datetime(value, field="summary")
    except MalformedDocument:
        pass
    try:
        return datetime.fromisoformat(value.strip()[:10]).replace(tzinfo=UTC)
    except ValueError:
        return None


def _ects(credits: Any) -> Decimal | None:
    """The ECTS credits the summary states, when it states them as ECTS and in range."""
    for item in credits if isinstance(credits, list) else ():
        if not isinstance(item, Mapping) or str(item.get("framework") or "").upper() != "ECTS":
            continue
        value = item.get("value")
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        try:
            amount = Decimal(str(value)).quantize(Decimal("0.01"))
        except InvalidOperation:  # too many digits to hold two decimal places
            continue
        if 0 <= amount < ECTS_LIMIT:
            return amount
    return None
