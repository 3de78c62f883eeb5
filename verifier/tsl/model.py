"""Frozen objects for what an ETSI TS 119 612 trusted list says, and their JSON form.

A :class:`TrustedList` is a national list (TSLType EUgeneric) or the EU list of trusted lists
(EUlistofthelists): its scheme information (§5.3), its pointers to other lists (§5.3.13) and
its trust services (§5.5) with their status history (§5.6).
"""

from __future__ import annotations

from base64 import b64decode, b64encode
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from verifier.tsl.der import CertFields, QcInfo

LOTL_TYPE = "EUlistofthelists"


@dataclass(frozen=True)
class LeafFacts:
    """What qualification criteria look at in an end-entity certificate."""

    policies: frozenset[str]
    key_usage: frozenset[str] | None
    qc: QcInfo

    @classmethod
    def of(cls, cert: x509.Certificate) -> LeafFacts:
        """Read the policies, key usage and QC statements of ``cert``."""
        fields = CertFields.of(cert)
        return cls(policies=fields.policies, key_usage=fields.key_usage, qc=fields.qc)


@dataclass(frozen=True)
class Criteria:
    """A CriteriaList (TS 119 612 §5.5.9.2.1): key usage, policy sets, nested lists."""

    assert_: str  # "all", "atLeastOne" or "none"
    key_usage: tuple[tuple[tuple[str, bool], ...], ...] = ()
    policy_sets: tuple[tuple[str, ...], ...] = ()
    nested: tuple[Criteria, ...] = ()
    #: criteria this verifier does not evaluate (otherCriteriaList, ExtendedKeyUsage, ...)
    unsupported: tuple[str, ...] = ()

    def matches(self, leaf: LeafFacts) -> bool | None:
        """Whether ``leaf`` meets the criteria; ``None`` when it depends on an unsupported one."""
        results: list[bool | None] = [
            leaf.key_usage is not None and all((b in leaf.key_usage) == v for b, v in bits)
            for bits in self.key_usage
        ]
        results += [set(ps) <= leaf.policies for ps in self.policy_sets]
        results += [c.matches(leaf) for c in self.nested]
        results += [None for _ in self.unsupported]
        if self.assert_ == "all":
            return False if False in results else (None if None in results else True)
        if self.assert_ == "none":
            return False if True in results else (None if None in results else True)
        return True if True in results else (None if None in results else False)

    def to_json(self) -> dict[str, Any]:
        """The criteria as stored."""
        return {"assert": self.assert_, "key_usage": [[list(b) for b in k] for k in self.key_usage],
                "policy_sets": [list(p) for p in self.policy_sets],
                "nested": [c.to_json() for c in self.nested], "unsupported": list(self.unsupported)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Criteria:
        """Criteria from the store file."""
        return cls(assert_=data["assert"],
                   key_usage=tuple(tuple((b, bool(v)) for b, v in k) for k in data["key_usage"]),
                   policy_sets=tuple(tuple(p) for p in data["policy_sets"]),
                   nested=tuple(cls.from_json(c) for c in data["nested"]),
                   unsupported=tuple(data["unsupported"]))


@dataclass(frozen=True)
class Qualification:
    """A QualificationElement (TS 119 612 §5.5.9.2): qualifiers for the certificates that match."""

    qualifiers: tuple[str, ...]  # short names: QCNoQSCD, QCForESeal, NotQualified, ...
    criteria: Criteria


@dataclass(frozen=True)
class ServicePhase:
    """The service as its current information (§5.5) or one history instance (§5.6) says."""

    service_type: str  # short form: "CA/QC", "TSA/QTST", ...
    name: str
    status: str  # short form: "granted", "withdrawn", ...
    start: datetime
    additional: tuple[str, ...] = ()  # AdditionalServiceInformation: ForeSeals, ...
    qualifications: tuple[Qualification, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The phase as stored."""
        return {"type": self.service_type, "name": self.name, "status": self.status,
                "start": self.start.isoformat(), "additional": list(self.additional),
                "qualifications": [{"qualifiers": list(q.qualifiers),
                                    "criteria": q.criteria.to_json()}
                                   for q in self.qualifications]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ServicePhase:
        """A phase from the store file."""
        return cls(service_type=data["type"], name=data["name"], status=data["status"],
                   start=datetime.fromisoformat(data["start"]),
                   additional=tuple(data["additional"]),
                   qualifications=tuple(Qualification(tuple(q["qualifiers"]),
                                                      Criteria.from_json(q["criteria"]))
                                        for q in data["qualifications"]))


@dataclass(frozen=True)
class TrustService:
    """One TSPService: its certificates and its phases, newest first."""

    tsp_name: str
    certificates: tuple[x509.Certificate, ...]
    phases: tuple[ServicePhase, ...]

    @property
    def current(self) -> ServicePhase:
        """The service's current information."""
        return self.phases[0]

    def phase_at(self, at: datetime) -> ServicePhase | None:
        """The phase in force at ``at`` (§5.6: a status holds from its starting time)."""
        return next((p for p in self.phases if p.start <= at), None)

    def to_json(self) -> dict[str, Any]:
        """The service as stored."""
        return {"tsp": self.tsp_name, "certificates": [cert_b64(c) for c in self.certificates],
                "phases": [p.to_json() for p in self.phases]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TrustService:
        """A service from the store file."""
        return cls(tsp_name=data["tsp"],
                   certificates=tuple(cert_from_b64(c) for c in data["certificates"]),
                   phases=tuple(ServicePhase.from_json(p) for p in data["phases"]))


@dataclass(frozen=True)
class Pointer:
    """An OtherTSLPointer (§5.3.13): where a list lives and which certificates may sign it."""

    territory: str
    location: str
    tsl_type: str | None
    mime_type: str | None
    certificates: tuple[x509.Certificate, ...]

    def to_json(self) -> dict[str, Any]:
        """The pointer as stored."""
        return {"territory": self.territory, "location": self.location,
                "tsl_type": self.tsl_type, "mime_type": self.mime_type,
                "certificates": [cert_b64(c) for c in self.certificates]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Pointer:
        """A pointer from the store file."""
        return cls(territory=data["territory"], location=data["location"],
                   tsl_type=data["tsl_type"], mime_type=data["mime_type"],
                   certificates=tuple(cert_from_b64(c) for c in data["certificates"]))


@dataclass(frozen=True)
class TrustedList:
    """A trusted list as imported: scheme information, pointers, services, and who signed it."""

    territory: str
    tsl_type: str  # short form: "EUgeneric", "EUlistofthelists"
    sequence: int
    issued: datetime
    next_update: datetime | None
    operator: str
    pointers: tuple[Pointer, ...] = ()
    services: tuple[TrustService, ...] = ()
    # Filled in when the list is imported:
    signer: x509.Certificate | None = None
    signer_trust: str | None = None  # "pinned", "caller" or "lotl_pointer"
    signing_time: datetime | None = None
    imported_at: datetime | None = None

    @property
    def is_lotl(self) -> bool:
        """Whether this is a list of trusted lists."""
        return self.tsl_type.endswith(("listofthelists", "ListOfTheLists"))

    def pointed_territories(self) -> tuple[str, ...]:
        """The other territories this list points to (an XML list for each), sorted."""
        return tuple(sorted({p.territory for p in self.pointers if p.territory != self.territory
                             and p.mime_type != "application/pdf"}))

    def signers_for(self, territory: str) -> tuple[x509.Certificate, ...]:
        """The certificates this list's pointers allow to sign ``territory``'s list."""
        return tuple(c for p in self.pointers if p.territory == territory for c in p.certificates)

    def to_json(self) -> dict[str, Any]:
        """The list as stored."""
        out: dict[str, Any] = {
            "territory": self.territory, "tsl_type": self.tsl_type, "sequence": self.sequence,
            "issued": self.issued.isoformat(), "operator": self.operator,
            "next_update": self.next_update.isoformat() if self.next_update else None,
            "pointers": [p.to_json() for p in self.pointers],
            "services": [s.to_json() for s in self.services],
            "signer": cert_b64(self.signer) if self.signer else None,
            "signer_trust": self.signer_trust}
        for name in ("signing_time", "imported_at"):
            value = getattr(self, name)
            out[name] = value.isoformat() if value else None
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TrustedList:
        """A list from the store file."""
        def when(key: str) -> datetime | None:
            return datetime.fromisoformat(data[key]) if data.get(key) else None

        return cls(territory=data["territory"], tsl_type=data["tsl_type"],
                   sequence=int(data["sequence"]), issued=datetime.fromisoformat(data["issued"]),
                   next_update=when("next_update"), operator=data["operator"],
                   pointers=tuple(Pointer.from_json(p) for p in data["pointers"]),
                   services=tuple(TrustService.from_json(s) for s in data["services"]),
                   signer=cert_from_b64(data["signer"]) if data.get("signer") else None,
                   signer_trust=data.get("signer_trust"), signing_time=when("signing_time"),
                   imported_at=when("imported_at"))


def cert_b64(cert: x509.Certificate) -> str:
    """A certificate as base64 DER."""
    return b64encode(cert.public_bytes(Encoding.DER)).decode("ascii")


def cert_from_b64(text: str) -> x509.Certificate:
    """A certificate from base64 DER."""
    return x509.load_der_x509_certificate(b64decode(text))
