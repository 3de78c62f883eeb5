"""Open Badges 2.0, parsed once: the assertion (OB 2.0 §Assertion) as a frozen object, and the
documents it links to (§BadgeClass, §Profile, §RevocationList) read from the local cache.

A badge arrives as assertion JSON, as a compact JWS whose payload is the assertion (a signed
badge), or as the URL of a hosted assertion (the legacy baked form).  Structure errors raise
:class:`~verifier.errors.MalformedDocument`; a document never fetched raises
:class:`~verifier.errors.DocumentNotCached`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from verifier import multiformats as mf
from verifier.cache import DocumentCache
from verifier.credential import as_list
from verifier.dates import human, parse_datetime
from verifier.errors import DocumentNotCached, MalformedDocument, StatusListError

# The JOSE code is imported where a badge is read: the pipeline imports this module to ask
# ``looks_like_ob2`` of documents that are not badges too.
if TYPE_CHECKING:
    from verifier.suites.jose import CompactJws

OB2_CONTEXTS = frozenset({"https://w3id.org/openbadges/v2",
                          "https://openbadgespec.org/v2/context.json"})
OB1_CONTEXTS = frozenset({"https://w3id.org/openbadges/v1",
                          "https://openbadgespec.org/v1/context.json"})
HOSTED = frozenset({"hosted", "HostedBadge"})
SIGNED = frozenset({"signed", "SignedBadge"})
RECIPIENT_TYPES = frozenset({"email", "url", "telephone", "id"})
HASH_LENGTHS = {"sha256": 64, "md5": 32}  # OB 2.0 §IdentityHash: SHA-256 and MD5 only
_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_HEX = re.compile(r"[0-9a-fA-F]+")


def fetched_note(when: datetime | None) -> str:
    """``last fetched on <date>`` or ``last fetched: never``, for a check's message."""
    return f"last fetched on {human(when)}" if when else "last fetched: never"


def is_compact_jws(value: Any) -> bool:
    """Whether ``value`` has the shape of a compact JWS (``header.payload.signature``)."""
    return isinstance(value, str) and _JWS.fullmatch(value.strip()) is not None


def is_web_url(value: Any) -> bool:
    """Whether ``value`` is an http(s) URL (where a hosted document can live)."""
    return isinstance(value, str) and value.startswith(("https://", "http://"))


def host_of(url: str) -> str | None:
    """The host (and port) of a URL, lower-cased; ``None`` when it has none or is invalid."""
    try:
        return urlsplit(url).netloc.lower() or None
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return None


@dataclass(frozen=True)
class Linked:
    """A document the badge links to: embedded (``url`` None) or read from the cache."""

    what: str
    document: Mapping[str, Any] | None
    url: str | None = None
    fetched_at: datetime | None = None

    def require(self) -> Mapping[str, Any]:
        """The document, or ``DocumentNotCached`` saying it was never fetched."""
        if self.document is None and self.url is None:
            raise DocumentNotCached("", message=f"The {self.what} could not be read: the "
                                    "document naming it is not in the local cache.")
        if self.document is None:
            raise DocumentNotCached(
                self.url or "", message=f"The {self.what} {self.url} is not in the local cache "
                f"({fetched_note(None)}), so it could not be checked.")
        return self.document


def linked(ref: Any, cache: DocumentCache, what: str) -> Linked:
    """Resolve an embedded object or a URL (from the cache) that a badge object links to."""
    from verifier.suites.jose import decode_json

    if isinstance(ref, Mapping):
        return Linked(what, ref)
    if not isinstance(ref, str) or not ref:
        raise MalformedDocument(f"The {what} is neither a web address nor an embedded object.")
    cached = cache.get(ref)
    if cached is None:
        return Linked(what, None, ref)
    try:
        document = decode_json(cached.body, what)
    except MalformedDocument:
        raise MalformedDocument(f"The {what} cached for {ref} is not JSON.") from None
    if not isinstance(document, Mapping):
        raise MalformedDocument(f"The {what} cached for {ref} is not a JSON object.")
    return Linked(what, document, ref, cached.fetched_at)


@dataclass(frozen=True)
class Assertion:
    """An OB 2.0 Assertion whose structure has been checked (§Assertion, §IdentityObject,
    §VerificationObject); ``jws`` is set for a signed badge, ``hosted_copy`` when the badge
    was read from the cache by its URL."""

    document: Mapping[str, Any]
    id: str
    recipient: Mapping[str, Any]
    badge: str | Mapping[str, Any]
    method: str  # "hosted" or "signed"
    creator: str | None
    issued_on: datetime
    expires: datetime | None
    jws: CompactJws | None = None
    hosted_copy: Linked | None = None

    @property
    def format(self) -> str:
        """``ob2_signed`` or ``ob2_hosted``, as the report names it."""
        return "ob2_signed" if self.method == "signed" else "ob2_hosted"

    @classmethod
    def read(cls, value: str | bytes | Mapping[str, Any], cache: DocumentCache) -> Assertion:
        """Read assertion JSON, a signed badge (compact JWS) or a hosted assertion's URL."""
        from verifier.suites.jose import CompactJws, decode_json

        if isinstance(value, bytes | bytearray):
            try:
                value = bytes(value).decode("utf-8")
            except UnicodeDecodeError:
                raise MalformedDocument("The badge is not UTF-8 text.") from None
        if isinstance(value, Mapping):
            return cls.parse(value)
        if not isinstance(value, str):
            raise TypeError(f"a badge is text or a JSON object, not {type(value).__name__}")
        text = value.strip()
        if text.startswith("{"):
            document = decode_json(text, "badge")
            if not isinstance(document, Mapping):
                raise MalformedDocument("The badge is JSON but not a JSON object.")
            return cls.parse(document)
        if _JWS.fullmatch(text):
            jws = CompactJws.parse(text)
            return cls.parse(decode_json(jws.payload, "signed badge's payload"), jws=jws)
        if is_web_url(text):
            copy = linked(text, cache, "hosted assertion")
            return cls.parse(copy.require(), hosted_copy=copy)
        raise MalformedDocument("This is not an Open Badges 2.0 badge: expected assertion JSON, "
                                "a signed badge or the web address of a hosted badge.")

    @classmethod
    def parse(cls, doc: Mapping[str, Any], *, jws: CompactJws | None = None,
              hosted_copy: Linked | None = None) -> Assertion:
        """Check the assertion's required properties (OB 2.0 §Assertion) and freeze it."""
        _context(doc, "assertion")
        _typed(doc, "Assertion", "assertion")
        recipient = _recipient(doc.get("recipient"))
        badge = doc.get("badge")
        if not (isinstance(badge, Mapping) or (isinstance(badge, str) and badge)):
            raise MalformedDocument("The assertion names no BadgeClass (badge).")
        verification = doc.get("verification", doc.get("verify"))
        if not isinstance(verification, Mapping):
            raise MalformedDocument("The assertion has no verification object.")
        kinds = {k for k in as_list(verification.get("type")) if isinstance(k, str)}
        method = "hosted" if kinds & HOSTED else "signed" if kinds & SIGNED else None
        if method is None:
            raise MalformedDocument("The assertion's verification type is neither hosted nor "
                                    "signed (OB 2.0 §VerificationObject).")
        if jws is not None and method != "signed":
            raise MalformedDocument("The badge is signed, but its verification says it is "
                                    "hosted; the two cannot both be true.")
        creator = verification.get("creator")
        if creator is not None and not isinstance(creator, str):
            raise MalformedDocument("The verification creator is not a key's web address.")
        expires = doc.get("expires")
        return cls(
            document=doc, id=_iri(doc, "assertion"), recipient=recipient, badge=badge,
            method=method, creator=creator,
            issued_on=parse_datetime(doc.get("issuedOn"), field="issuedOn"),
            expires=None if expires is None else parse_datetime(expires, field="expires"),
            jws=jws, hosted_copy=hosted_copy)


def check_badge_class(linked_doc: Linked) -> None:
    """Required BadgeClass properties (OB 2.0 §BadgeClass); ``MalformedDocument`` if missing."""
    doc = linked_doc.require()
    _context(doc, "BadgeClass", embedded=linked_doc.url is None)
    _typed(doc, "BadgeClass", "BadgeClass")
    _same_id(linked_doc)
    for name in ("name", "description"):
        if not isinstance(doc.get(name), str):
            raise MalformedDocument(f"The BadgeClass has no {name}.")
    for name in ("image", "criteria", "issuer"):
        if not doc.get(name):
            raise MalformedDocument(f"The BadgeClass has no {name}.")


def check_issuer(linked_doc: Linked) -> None:
    """Required issuer Profile properties (OB 2.0 §Profile: id, type, name, url, email)."""
    doc = linked_doc.require()
    _context(doc, "issuer profile", embedded=linked_doc.url is None)
    if not any(t in ("Issuer", "Profile") for t in as_list(doc.get("type"))):
        raise MalformedDocument("The issuer is not typed as an Issuer or Profile.")
    _same_id(linked_doc)
    for name in ("name", "url", "email"):
        if not isinstance(doc.get(name), str) or not doc[name]:
            raise MalformedDocument(f"The issuer profile has no {name}.")


def revoked_entries(doc: Mapping[str, Any]) -> dict[str, str | None]:
    """The revoked assertion ids (or legacy uids) of a RevocationList and their reasons
    (OB 2.0 §RevocationList); ``StatusListError`` when it is not one."""
    if "RevocationList" not in as_list(doc.get("type")):
        raise StatusListError("The issuer's revocation list is not a RevocationList.")
    entries = doc.get("revokedAssertions")
    if not isinstance(entries, list):
        raise StatusListError("The issuer's revocation list has no revokedAssertions list.")
    revoked: dict[str, str | None] = {}
    for entry in entries:
        if isinstance(entry, str):
            revoked[entry] = None
        elif isinstance(entry, Mapping) and entry.get("revoked", True) is not False:
            reason = entry.get("revocationReason")
            for key in ("id", "uid"):
                if isinstance(entry.get(key), str):
                    revoked[entry[key]] = reason if isinstance(reason, str) else None
    return revoked


def looks_like_ob2(value: Any) -> bool:
    """Whether ``value`` is an OB 2.0 (or 1.x) assertion: JSON with the Open Badges context
    or typed ``Assertion`` with ``badge`` and ``recipient``, or a compact JWS of one."""
    if isinstance(value, bytes | bytearray):
        try:
            value = bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return False
    if isinstance(value, str):
        text = value.strip()
        try:
            if text.startswith("{"):
                value = json.loads(text)
            elif _JWS.fullmatch(text):
                value = json.loads(mf.b64url_decode(text.split(".")[1]))
            else:
                return False
        except (ValueError, RecursionError):
            return False
    if not isinstance(value, Mapping):
        return False
    contexts = {c for c in as_list(value.get("@context")) if isinstance(c, str)}
    if contexts & (OB2_CONTEXTS | OB1_CONTEXTS):
        return True
    return "Assertion" in as_list(value.get("type")) and "badge" in value and "recipient" in value


# -- structure --------------------------------------------------------------------------------
def _context(doc: Mapping[str, Any], what: str, *, embedded: bool = False) -> None:
    contexts = {c for c in as_list(doc.get("@context")) if isinstance(c, str)}
    if contexts & OB2_CONTEXTS or (embedded and "@context" not in doc):
        return
    if contexts & OB1_CONTEXTS or ("@context" not in doc and ("uid" in doc or "verify" in doc)):
        raise MalformedDocument(f"The {what} is an Open Badges 1.x document; only Open Badges "
                                "2.0 badges are verified.")
    raise MalformedDocument(f"The {what} does not use the Open Badges 2.0 JSON-LD context "
                            "(https://w3id.org/openbadges/v2).")


def _typed(doc: Mapping[str, Any], expected: str, what: str) -> None:
    if expected not in as_list(doc.get("type")):
        raise MalformedDocument(f"The {what} is not typed {expected} "
                                f"(its type is {doc.get('type')!r}).")


def _iri(doc: Mapping[str, Any], what: str) -> str:
    value = doc.get("id")
    if not isinstance(value, str) or ":" not in value:
        raise MalformedDocument(f"The {what} has no id (an IRI is required).")
    return value


def _same_id(linked_doc: Linked) -> None:
    doc = linked_doc.require()
    own = _iri(doc, linked_doc.what)
    if linked_doc.url is not None and own.split("#")[0] != linked_doc.url.split("#")[0]:
        raise MalformedDocument(f"The {linked_doc.what} fetched from {linked_doc.url} says its "
                                f"id is {own}: it is not the document the badge names.")


def _recipient(value: Any) -> Mapping[str, Any]:
    """OB 2.0 §IdentityObject: ``identity``, ``type``, ``hashed`` (and ``salt``)."""
    if not isinstance(value, Mapping):
        raise MalformedDocument("The assertion has no recipient object.")
    identity, kind, hashed = value.get("identity"), value.get("type"), value.get("hashed")
    if not isinstance(identity, str) or not identity:
        raise MalformedDocument("The recipient has no identity.")
    if not isinstance(kind, str) or kind not in RECIPIENT_TYPES:
        raise MalformedDocument(f"The recipient type {kind!r} is not email, url, telephone or id.")
    if not isinstance(hashed, bool):
        raise MalformedDocument("The recipient's hashed property is not true or false.")
    if "salt" in value and not isinstance(value["salt"], str):
        raise MalformedDocument("The recipient's salt is not text.")
    if hashed:
        alg, _, digest = identity.partition("$")
        if alg.lower() not in HASH_LENGTHS:
            raise MalformedDocument(
                f"The recipient's identity is hashed with {alg or 'an unnamed algorithm'!r}; "
                "Open Badges 2.0 allows only sha256 and md5.")
        if len(digest) != HASH_LENGTHS[alg.lower()] or not _HEX.fullmatch(digest):
            raise MalformedDocument(f"The recipient's {alg} identity hash is malformed.")
    return value
