"""The engine's :class:`~wallet.pathways.holdings.Facts` from the wallet's credential rows.

Most of what the engine needs is in the row (title, issuer, ECTS, issue date, outcome) and its
stored summary (EQF level, ESCO skills, parts). Achievement, specification and credential ids
and ISCED-F codes are not in the summary, so they are read from the original document, parsed
again (never verified again) and remembered per SHA-256 of the bytes.

A credential with parts (a CLR transcript holding badges, an EDC claim with ``hasPart``
sub-claims) gives one fact per part plus one for the whole, which ``hasPart`` them: the
engine counts the whole only for the credits its parts do not already bring.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from verifier.credential import Credential as Parsed
from verifier.credential import load_json, parse
from verifier.edc.jades import JadesSignature
from verifier.errors import VerificationError
from verifier.summary import LangText
from wallet.pathways.holdings import Facts

#: Ids that are only meaningful inside one document (ELM's ``urn:epass:…`` node ids).
LOCAL_ID_PREFIXES = ("urn:epass:", "_:")
PART_KEY = "wallet-part:"
CACHE_SIZE = 20_000


class CredentialRow(Protocol):
    """The columns of :class:`wallet.models.Credential` read here."""

    id: int
    sha256: str
    original: bytes
    title: str
    issuer_id: str | None
    issuer_name: str | None
    ects: Any
    issued_at: Any
    outcome: str
    summary: dict[str, Any]


def facts_of(row: CredentialRow, langs: Sequence[str] = ()) -> list[Facts]:
    """The facts of one wallet credential: its parts first, then the whole."""
    summary = row.summary if isinstance(row.summary, Mapping) else {}
    ids = document_ids(row.sha256, lambda: row.original)
    parts = [p for p in summary.get("parts") or () if isinstance(p, Mapping)]
    out: list[Facts] = []
    part_keys = set(ids.has_part)
    for n, part in enumerate(parts[:200]):
        keys = {f"{PART_KEY}{row.id}.{n}", *(ids.part_keys[n] if n < len(ids.part_keys) else ())}
        part_keys |= keys
        title = LangText.of(part.get("title")).pick(langs) or row.title
        out.append(
            Facts(
                id=f"{row.id}.{n}",
                title=title,
                credential_id=row.id,
                issuer_id=_issuer(part, "id") or row.issuer_id,
                issuer_name=_issuer(part, "name", langs) or row.issuer_name,
                keys=frozenset(keys),
                ects=ects_of(part.get("credits")),
                eqf_level=_int(part.get("eqf_level")),
                skills=skills_of(part),
                issued=row.issued_at,
                outcome=row.outcome,
            )
        )
    whole_ects = round(float(row.ects) * 100) if row.ects is not None else 0
    out.append(
        Facts(
            id=str(row.id),
            title=row.title,
            credential_id=row.id,
            issuer_id=row.issuer_id,
            issuer_name=row.issuer_name,
            keys=frozenset(ids.keys),
            ects=whole_ects,
            eqf_level=_int(summary.get("eqf_level")),
            isced_f=ids.isced_f,
            skills=skills_of(summary),
            issued=row.issued_at,
            outcome=row.outcome,
            part_keys=frozenset(part_keys),
        )
    )
    return out


def ects_of(credits: Any) -> int:
    """Hundredths of an ECTS credit from a summary's ``credits`` (0 when none are ECTS)."""
    for item in credits if isinstance(credits, list) else ():
        if isinstance(item, Mapping) and str(item.get("framework") or "").upper() == "ECTS":
            value = item.get("value")
            if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
                return min(round(value * 100), 999_900)
    return 0


def skills_of(summary: Mapping[str, Any]) -> frozenset[str]:
    """The skill URIs a summary names (ESCO or others)."""
    found = set()
    for concept in summary.get("skills") or ():
        if isinstance(concept, Mapping) and isinstance(concept.get("uri"), str):
            found.add(concept["uri"])
    return frozenset(found)


class DocumentIds:
    """Ids read from a credential's original document."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.has_part: set[str] = set()
        self.part_keys: list[set[str]] = []
        self.isced_f: str | None = None


# What the documents say never changes for a given SHA-256: parse each once per process.
_CACHE: dict[str, DocumentIds] = {}


def _document(original: bytes) -> tuple[Mapping[str, Any], tuple[Any, ...]] | None:
    """The credential document in ``original`` (JSON-LD, JWT, SD-JWT, or the payload of a
    JAdES-sealed EDC) and its nested credentials; ``None`` when there is none to read."""
    try:
        parsed = parse(original)
    except (VerificationError, ValueError, TypeError):
        try:  # a sealed European Digital Credential: the payload is the document
            payload = load_json(JadesSignature.from_json(original).payload)
        except (VerificationError, ValueError, TypeError):
            return None  # an image, XML, or anything else: no extra ids
        return (payload, ()) if isinstance(payload, Mapping) else None
    if not isinstance(parsed, Parsed):
        return None
    return parsed.document, parsed.nested


def _read_ids(original: bytes) -> DocumentIds:
    ids = DocumentIds()
    found = _document(original)
    if found is None:
        return ids
    document, nested = found
    ids.keys = _keys(document)
    subject = _first(document.get("credentialSubject"))
    claim = _first(subject.get("hasClaim"))
    spec = _first(claim.get("specifiedBy"))
    for node in (claim, spec):
        ids.has_part |= {i for i in map(_id, _list(node.get("hasPart"))) if _global(i)}
    code = _id(_first(spec.get("ISCEDFCode"))) or _id(spec.get("ISCEDFCode"))
    if code:
        tail = code.rstrip("/").rsplit("/", 1)[-1]
        ids.isced_f = tail if tail.isdigit() and 2 <= len(tail) <= 4 else None
    for inner in nested:
        ids.part_keys.append(_keys(inner.document) if isinstance(inner, Parsed) else set())
    types = document.get("type")
    if "ClrCredential" in (types if isinstance(types, list) else [types]):
        for achievement in _list(subject.get("achievement")):
            found_id = _id(achievement)
            ids.part_keys.append({found_id} if found_id and _global(found_id) else set())
    return ids


def document_ids(sha256: str, original: Callable[[], bytes]) -> DocumentIds:
    """The ids in a credential's original document (``original()`` gives its bytes, read only
    when they are not remembered yet), remembered per SHA-256."""
    found = _CACHE.get(sha256)
    if found is None:
        if len(_CACHE) >= CACHE_SIZE:
            _CACHE.clear()
        found = _CACHE[sha256] = _read_ids(bytes(original()))
    return found


def _keys(document: Mapping[str, Any]) -> set[str]:
    """A document's credential id and the ids of the achievement or specification it awards."""
    keys = {document.get("id")}
    badge = document.get("badge")  # Open Badges 2.0
    keys.add(_id(badge))
    for subject in _list(document.get("credentialSubject")):
        for achievement in _list(subject.get("achievement")):
            keys.add(_id(achievement))
        for claim in _list(subject.get("hasClaim")):
            keys.add(_id(claim))
            keys.add(_id(_first(claim.get("specifiedBy"))))
    return {k for k in keys if isinstance(k, str) and _global(k)}


def _global(value: str | None) -> bool:
    return bool(value) and ":" in value and not value.startswith(LOCAL_ID_PREFIXES)  # type: ignore[union-attr]


def _id(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("id"), str):
        return value["id"]
    return None


def _list(value: Any) -> list[Mapping[str, Any]]:
    items = value if isinstance(value, list) else [value]
    return [v for v in items[:200] if isinstance(v, Mapping)]


def _first(value: Any) -> Mapping[str, Any]:
    found = _list(value)
    return found[0] if found else {}


def _issuer(part: Mapping[str, Any], key: str, langs: Sequence[str] = ()) -> str | None:
    issuer = part.get("issuer")
    if not isinstance(issuer, Mapping):
        return None
    if key == "name":
        return LangText.of(issuer.get("name")).pick(langs) or None
    value = issuer.get(key)
    return value if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
