"""Test data for European Digital Credentials: session-cached keys, the fixed test PKI and
signing time, an ELM v3 payload, and stand-ins for the EU trusted-list store.

The PKI and the sealing themselves are production code, :mod:`verifier.edc.sealing` (the
wallet's demo issuers use them too); this module re-exports them with the tests' defaults.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from verifier.edc import sealing
from verifier.edc.sealing import (  # noqa: F401  # re-exported for the tests
    ORG_ID_OID,
    QC_STATEMENTS,
    QCP_L,
    Pki,
    b64,
    b64url,
    crl,
    der,
    ocsp_response,
    qc_statements,
    timestamp,
)

SIGNED_AT = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
ORG_ID = "VATES-B12345678"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"
LANGUAGE = "http://publications.europa.eu/resource/authority/language/ENG"
#: Algorithms the seal key cannot make: the test seals carry an empty signature value.
NO_SIGNATURE = ("none", "HS256", "RS512")


@functools.cache
def key(name: str) -> Any:
    """A private key per name, made once per test session (RSA for names starting ``rsa``)."""
    if name.startswith("rsa"):
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP384R1() if name.endswith("384") else ec.SECP256R1())


def make_pki(
    *,
    org_id: str | None = ORG_ID,
    org: str = "Universidad Demo de Cádiz",
    seal_key: str = "rsa-seal",
    valid_from: datetime = datetime(2025, 1, 1, tzinfo=UTC),
    valid_to: datetime = datetime(2028, 1, 1, tzinfo=UTC),
    qc: bool = True,
    sscd: bool = False,
) -> Pki:
    """The test PKI (CAs valid 2020-2040, qualified seal certificate) with cached keys."""
    return sealing.make_demo_pki(
        organisation=org,
        organization_identifier=org_id,
        valid_from=valid_from,
        valid_to=valid_to,
        trust_service="Test Trust Services",
        ca_valid_from=datetime(2020, 1, 1, tzinfo=UTC),
        ca_valid_to=datetime(2040, 1, 1, tzinfo=UTC),
        qc=qc,
        sscd=sscd,
        other_organisation=("Other Org", "VATES-Z99999999"),
        keys={
            "root": key("root"),
            "intermediate": key("inter"),
            "tsa": key("tsa"),
            "seal": key(seal_key),
            "other_seal": key("rsa-other"),
        },
    )


def seal_edc(payload: dict[str, Any] | str, pki: Pki, **options: Any) -> str:
    """:func:`verifier.edc.sealing.seal_edc` signed at ``SIGNED_AT`` by default; an algorithm
    the key cannot use (``none``, ``HS256``, ``RS512``) gets an empty signature value."""
    options.setdefault("signed_at", SIGNED_AT)
    if options.get("alg") in NO_SIGNATURE:
        options["sign"] = lambda _data: b""
    return sealing.seal_edc(payload, pki, **options)


def elm_payload(**overrides: Any) -> dict[str, Any]:
    """An ELM v3 European Digital Credential with every field the EDC profile requires."""
    country = {"id": COUNTRY + "ESP", "type": "Concept"}
    language = {"id": LANGUAGE, "type": "Concept"}
    doc: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            "http://data.europa.eu/snb/model/context/edc-ap",
        ],
        "id": "urn:credential:6b3c1b0e-8f0a-4c1e-9d55-1f2e3d4c5b6a",
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "credentialProfiles": {
            "id": "http://data.europa.eu/snb/credential/e34929035b",
            "type": "Concept",
            "prefLabel": {"en": "Generic"},
        },
        "displayParameter": {
            "id": "urn:epass:displayParameter:1",
            "type": "DisplayParameter",
            "title": {"en": "Análisis de datos"},
            "primaryLanguage": language,
            "language": [language],
            "individualDisplay": [
                {
                    "id": "urn:epass:individualDisplay:1",
                    "type": "IndividualDisplay",
                    "language": language,
                    "displayDetail": [
                        {"id": "urn:epass:displayDetail:1", "type": "DisplayDetail", "page": 1}
                    ],
                }
            ],
        },
        "credentialSchema": {
            "id": "http://data.europa.eu/snb/model/ap/edc-generic-full",
            "type": "ShaclValidator2017",
        },
        "credentialSubject": {
            "id": "urn:epass:person:1",
            "type": "Person",
            "fullName": {"en": "Ana Prueba"},
            "hasClaim": {
                "id": "urn:epass:learningAchievement:1",
                "type": "LearningAchievement",
                "title": {"en": "Data analysis"},
                "awardedBy": {
                    "id": "urn:epass:awardingProcess:1",
                    "type": "AwardingProcess",
                    "awardingBody": "urn:epass:org:1",
                },
            },
        },
        "issuer": {
            "id": "urn:epass:org:1",
            "type": "Organisation",
            "legalName": {"en": "Universidad Demo de Cádiz"},
            "eIDASIdentifier": {
                "id": "urn:epass:legalIdentifier:1",
                "type": "LegalIdentifier",
                "notation": ORG_ID,
                "spatial": country,
            },
            "location": {
                "id": "urn:epass:location:1",
                "type": "Location",
                "address": {"id": "urn:epass:address:1", "type": "Address", "countryCode": country},
            },
        },
        "issuanceDate": "2026-01-15T09:00:00Z",
        "issued": "2026-01-15T09:00:00Z",
        "validFrom": "2026-01-15T09:00:00Z",
    }
    for name, value in overrides.items():
        if value is None:
            doc.pop(name, None)
        else:
            doc[name] = copy.deepcopy(value)
    return doc


# -- a stand-in for verifier.trustlists ---------------------------------------------------------


@dataclass(frozen=True)
class FakeAnchor:
    """The part of ``verifier.tsl.qualify.Anchor`` the EDC pipeline reads."""

    certificate: x509.Certificate
    qualification: str = "qualified_no_qscd"
    service_name: str = "Test Qualified CA for e-Seals"
    service_type: str = "CA/QC"
    status_at_time: str | None = "granted"
    territory: str = "ES"
    list_issue_date: datetime = datetime(2025, 12, 1, tzinfo=UTC)
    stale: bool = False

    def seal_qualification(self, leaf: x509.Certificate) -> str:
        return self.qualification


@dataclass
class FakeTrustedLists:
    """Anchors chains whose certificates include ``anchor.certificate``'s subject as issuer."""

    anchor: FakeAnchor | None = None
    asked: list[datetime] = field(default_factory=list)

    def lists(self) -> tuple[str, ...]:
        return ("ES",)

    def anchor_for(self, chain: list[x509.Certificate], *, at: datetime) -> FakeAnchor | None:
        self.asked.append(at)
        if self.anchor and any(c.issuer == self.anchor.certificate.subject for c in chain):
            return self.anchor
        return None
