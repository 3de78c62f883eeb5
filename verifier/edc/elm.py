"""The sealed payload as a European Learning Model v3 credential: its structure against the
required fields of the EDC application profile (ELM v3 ``edc-generic-no-cv`` SHACL shapes:
EuropeanDigitalCredentialShape, IssuerNodeShape, OrganisationShape, LegalIdentifierShape,
DisplayParameterShape), and its issuer's legal identifiers for binding to the seal.

The seal covers the payload bytes, so no JSON-LD processing happens and no context is fetched.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from verifier.checks import failed, passed, unknown
from verifier.dates import parse_datetime
from verifier.edc.certs import LegalIdentifier, SealCertificate, describe
from verifier.errors import MalformedDocument
from verifier.report import ISSUER_BINDING, CheckResult

VC_CONTEXTS = ("https://www.w3.org/2018/credentials/v1", "https://www.w3.org/ns/credentials/v2")
EDC_TYPE = "EuropeanDigitalCredential"
# ELM evidence type "mandate" (http://data.europa.eu/snb/evidence-type/25831c2).
MANDATE_EVIDENCE = "http://data.europa.eu/snb/evidence-type/c_18016257"
# The issuer properties holding a LegalIdentifier (Organisation shape), first the one the
# IssuerNodeShape requires; the Greek-iota spelling is the one the ELM 3.0 context defined.
IDENTIFIER_PROPERTIES = (
    "eIDASIdentifier",
    "eIDAS\u0399dentifier",
    "registration",
    "vatIdentifier",
    "taxIdentifier",
)
MAX_ITEMS = 64
# EU Country authority table codes (ISO 3166-1 alpha-3) to the alpha-2 codes certificates use.
COUNTRIES = dict(
    pair.split(":")
    for pair in (
        "AUT:AT BEL:BE BGR:BG HRV:HR CYP:CY CZE:CZ DNK:DK EST:EE FIN:FI FRA:FR DEU:DE GRC:EL "
        "HUN:HU IRL:IE ITA:IT LVA:LV LTU:LT LUX:LU MLT:MT NLD:NL POL:PL PRT:PT ROU:RO SVK:SK "
        "SVN:SI ESP:ES SWE:SE ISL:IS LIE:LI NOR:NO CHE:CH GBR:GB ALB:AL BIH:BA MNE:ME MKD:MK "
        "SRB:RS TUR:TR UKR:UA MDA:MD GEO:GE"
    ).split()
)


@dataclass(frozen=True)
class Party:
    """An issuer or awarding body: its id, a name, and its legal identifiers with their source."""

    id: str | None
    name: str | None
    identifiers: tuple[tuple[str, LegalIdentifier], ...] = ()

    @classmethod
    def of(cls, value: Any) -> Party:
        """Read an Organisation (or its id) as ELM v3 writes it."""
        if not isinstance(value, Mapping):
            return cls(value if isinstance(value, str) else None, None)
        found = []
        for prop in IDENTIFIER_PROPERTIES:
            for item in _objects(value.get(prop)):
                ident = _legal_identifier(item)
                if ident is not None:
                    found.append((prop.replace("\u0399", "I"), ident))
        name = _text(value.get("legalName")) or _text(value.get("prefLabel"))
        return cls(_str(value.get("id")), name, tuple(found))

    def same_as(self, other: Party) -> bool:
        """The same organisation: the same id or name, or matching eIDAS identifiers (issuers
        often repeat an awarding body's other identifiers, so only those decide)."""
        eidas = [i for p, i in self.identifiers if p == "eIDASIdentifier"]
        theirs = [i for p, i in other.identifiers if p == "eIDASIdentifier"]
        return (
            (self.id is not None and self.id == other.id)
            or (self.name is not None and (other.name or "").casefold() == self.name.casefold())
            or any(a.matches(b) for a in eidas for b in theirs)
        )

    def label(self) -> str:
        """The party's name, or its id."""
        return self.name or self.id or "an unnamed organisation"


@dataclass(frozen=True)
class EdcCredential:
    """The ELM v3 payload of a sealed European Digital Credential, read once."""

    document: Mapping[str, Any]
    id: str | None
    issuer: Party
    issued: datetime | None
    valid_from: datetime | None
    valid_until: datetime | None  # the earlier of expirationDate and validUntil
    status_entries: tuple[Mapping[str, Any], ...]
    status_property: str | None  # "credentialStatus", or the non-profile "status"
    awarding_bodies: tuple[Party, ...]
    mandate: tuple[str, ...]  # statements of mandate evidence (ELM Evidence, c_18016257)
    problems: tuple[str, ...]  # where it departs from the EDC application profile

    @classmethod
    def from_payload(cls, payload: Any) -> EdcCredential:
        """Validate the payload's structure (EDC-AP ``EuropeanDigitalCredentialShape``) and read
        the fields the checks use; data that is no EDC at all raises MalformedDocument."""
        if not isinstance(payload, Mapping):
            raise MalformedDocument("The sealed payload is not a JSON object.")
        types = [t for t in _list(payload.get("type")) if isinstance(t, str)]
        if "VerifiableCredential" not in types or EDC_TYPE not in types:
            raise MalformedDocument(
                "The sealed payload is not a European Digital Credential (its type must include "
                "VerifiableCredential and EuropeanDigitalCredential)."
            )
        dates = {
            name: parse_datetime(payload[name], field=name)
            for name in ("issued", "issuanceDate", "validFrom", "expirationDate", "validUntil")
            if name in payload
        }
        ends = [d for n, d in dates.items() if n in ("expirationDate", "validUntil")]
        prop = "credentialStatus" if "credentialStatus" in payload else None
        if prop is None and any(
            isinstance(s, Mapping) and "statusListCredential" in s
            for s in _list(payload.get("status"))
        ):
            prop = "status"  # StatusList2021 entries some issuers put outside the profile
        body_values = [
            award.get("awardingBody")
            for claim in _objects(_first(payload.get("credentialSubject")).get("hasClaim"))
            for award in _objects(claim.get("awardedBy"))
        ]
        index = _index(payload) if any(isinstance(b, str) for b in body_values) else {}
        bodies = [b for values in body_values for b in _expand(values, index)]
        return cls(
            document=payload,
            id=_str(payload.get("id")),
            issuer=Party.of(payload.get("issuer")),
            issued=dates.get("issued") or dates.get("issuanceDate"),
            valid_from=dates.get("validFrom"),
            valid_until=min(ends) if ends else None,
            status_entries=tuple(s for s in _list(payload.get(prop)) if isinstance(s, Mapping)),
            status_property=prop,
            awarding_bodies=tuple(dict.fromkeys(bodies)),
            mandate=tuple(
                s
                for e in _objects(payload.get("evidence"))
                if any(_str(t.get("id")) == MANDATE_EVIDENCE for t in _objects(e.get("dcType")))
                and (s := _text(e.get("evidenceStatement")))
            ),
            problems=tuple(_problems(payload)),
        )

    def on_behalf_of(self) -> tuple[Party, ...]:
        """The awarding bodies that are not the issuer (ELM ``awardedBy/awardingBody``)."""
        return tuple(b for b in self.awarding_bodies if not b.same_as(self.issuer))


def check_binding(cred: EdcCredential, seal: SealCertificate) -> CheckResult:
    """The seal belongs to the issuer the credential names: the issuer's legal identifiers
    (ELM ``eIDASIdentifier``, ``registration``, ``vatIdentifier``, ``taxIdentifier``) against the
    certificate's organizationIdentifier (ETSI EN 319 412-1 §5.1.4)."""
    holder = f"{seal.organisation or describe(seal.certificate)}"
    cert_id = seal.organization_identifier
    if cert_id is None:
        return unknown(
            ISSUER_BINDING,
            f"The seal certificate of {holder} names no organisation identifier, so it cannot "
            "be tied to the issuer the credential names.",
        )
    holder = f"{holder} ({cert_id})"
    if not cred.issuer.identifiers:
        return unknown(
            ISSUER_BINDING,
            f"The credential gives no legal identifier for its issuer, so the seal of {holder} "
            "cannot be tied to it.",
        )
    matched = [(prop, ident) for prop, ident in cred.issuer.identifiers if ident.matches(cert_id)]
    listed = "; ".join(f"{prop} {ident}" for prop, ident in cred.issuer.identifiers)
    if not matched:
        return failed(
            ISSUER_BINDING,
            f"The credential names its issuer as {cred.issuer.label()}, but the seal belongs "
            f"to {holder}: none of the issuer's identifiers is the seal's.",
            detail=listed,
        )
    prop, ident = matched[0]
    message = f"The seal belongs to {holder}, the issuer the credential names (its {prop} {ident})."
    others = cred.on_behalf_of()
    if others:
        names = ", ".join(b.label() for b in others)
        message += f" It issued the credential on behalf of the awarding body {names}; " + (
            f"its mandate evidence says: \u201c{_clip(cred.mandate[0])}\u201d"
            if cred.mandate
            else "it carries no mandate evidence."
        )
    return passed(ISSUER_BINDING, message, detail=listed)


def _problems(doc: Mapping[str, Any]) -> Iterator[str]:
    """EDC-AP ``sh:minCount``/``sh:maxCount`` rules the payload breaks, as short phrases."""
    contexts = _list(doc.get("@context"))
    if not contexts or contexts[0] not in VC_CONTEXTS:
        yield "@context does not start with the W3C Verifiable Credentials context"
    elif not any(isinstance(c, str) and "edc-ap" in c for c in contexts):
        yield "@context names no EDC application profile context"
    if not _str(doc.get("id")):
        yield "id is missing"
    yield from _count(doc, "credentialProfiles", 1, None)
    yield from _count(doc, "credentialSchema", 1, None)
    yield from _count(doc, "credentialSubject", 1, 1)
    yield from _count(doc, "issued", 1, 1)
    yield from _count(doc, "validFrom", 1, 1)
    for name in ("issuanceDate", "expirationDate", "validUntil", "credentialStatus"):
        yield from _count(doc, name, 0, 1)
    yield from _count(doc, "displayParameter", 1, 1)
    display = _first(doc.get("displayParameter"))
    for name, low, high in (
        ("title", 1, None),
        ("primaryLanguage", 1, 1),
        ("language", 1, None),
        ("individualDisplay", 1, None),
    ):
        yield from _count(display, name, low, high, where="displayParameter.")
    yield from _count(doc, "issuer", 1, 1)
    issuer = _first(doc.get("issuer"))
    if isinstance(doc.get("issuer"), Mapping):
        yield from _count(issuer, "legalName", 1, None, where="issuer.")
        yield from _count(issuer, "location", 1, None, where="issuer.")
        eidas = [v for p in IDENTIFIER_PROPERTIES[:2] for v in _objects(issuer.get(p))]
        if len(eidas) != 1:
            yield "issuer.eIDASIdentifier must appear exactly once (IssuerNodeShape)"
        for item in eidas[:1]:
            yield from _count(item, "notation", 1, 1, where="issuer.eIDASIdentifier.")
            yield from _count(item, "spatial", 1, 1, where="issuer.eIDASIdentifier.")


def _count(
    obj: Mapping[str, Any], name: str, low: int, high: int | None, *, where: str = ""
) -> Iterator[str]:
    value = obj.get(name)
    n = 0 if value is None or value in ("", {}, []) else len(_list(value))
    if n < low:
        yield f"{where}{name} is missing"
    elif high is not None and n > high:
        yield f"{where}{name} appears {n} times (at most {high})"


def _legal_identifier(item: Mapping[str, Any]) -> LegalIdentifier | None:
    """A LegalIdentifier's value (``notation``, else a non-URI ``id``) and its country."""
    value = _str(item.get("notation"))
    if value is None:
        ident = _str(item.get("id"))
        value = ident if ident and ":" not in ident else None
    if value is None:
        return None
    spatial = _first(item.get("spatial"))
    code = (_str(spatial.get("id")) or "").rstrip("/").rsplit("/", 1)[-1].upper()
    country = COUNTRIES.get(code, code if len(code) == 2 else None)
    return LegalIdentifier.parse(value, country=country)


def _index(doc: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Objects by id, so a reference (an id string) can be read as the object it names."""
    found: dict[str, Mapping[str, Any]] = {}
    stack: list[Any] = [doc]
    while stack and len(found) < 10_000:
        node = stack.pop()
        if isinstance(node, Mapping):
            if isinstance(node.get("id"), str) and len(node) > 2:
                found.setdefault(node["id"], node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _expand(value: Any, index: Mapping[str, Mapping[str, Any]]) -> list[Party]:
    return [Party.of(index.get(v, v) if isinstance(v, str) else v) for v in _list(value)]


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value[:MAX_ITEMS] if isinstance(value, list) else [value]


def _objects(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in _list(value) if isinstance(v, Mapping)]


def _first(value: Any) -> Mapping[str, Any]:
    found = _objects(value)
    return found[0] if found else {}


def _str(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _clip(text: str, limit: int = 240) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _text(value: Any) -> str | None:
    """A plain string, or the English (else first) text of a language map."""
    if isinstance(value, Mapping):
        value = value.get("en") or next((v for v in value.values() if isinstance(v, str)), None)
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    return _str(value)
