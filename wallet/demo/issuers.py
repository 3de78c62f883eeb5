"""Demo issuers made with fresh keys at each start, and the credentials they issue to a learner.

A university with a ``did:key`` issues an Open Badges 3.0 badge (ESCO skills, ECTS), a CLR 2.0
transcript with nested badges, an expired badge and a revoked one; a coding academy issues a
``vc+jwt`` credential; a polytechnic seals an ELM v3 European Digital Credential (JAdES) with a
certificate from a demo CA. :func:`register` puts the first two in the verifier's trust store
and the university's signed status list in its cache. No EU trusted list names the demo CA, so
the sealed credential is genuine but "could not check" who stands behind it, which is the truth.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from verifier import DocumentCache, KeyPair, TrustedIssuer, TrustStore
from verifier.edc.sealing import Pki, make_demo_pki, seal_edc
from verifier.issuing import issue_jwt, issue_ldp, status_entry, status_list_credential
from wallet.verification import CACHE_FOLDER, TRUST_FILE

#: The trust store's registry name for demo issuers (entries from earlier starts are replaced).
REGISTRY = "the wallet demo registry"
UNIVERSITY_NAME = "Demo University"
ACADEMY_NAME = "Demo Coding Academy"
ACADEMY = "https://demo-academy.example"
POLYTECHNIC_NAME = "Demo Polytechnic"
# An identifier no real organisation has: the NTR scheme with a made-up value (EN 319 412-1).
POLYTECHNIC_ID = "NTRPL-DEMO000001"
UNIVERSITY = "https://demo-university.example"
STATUS_URL = f"{UNIVERSITY}/status/1"
REVOKED_INDEX = 42
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR2 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
ESCO = "http://data.europa.eu/esco/skill/"
ECTS = "European Credit Transfer and Accumulation System (ECTS)"
#: ESCO skills the demo credentials name (labels as ESCO gives them, in English).
SKILLS = {
    "develop digital content": "5fd5c985-eaaa-47aa-8314-62359c54505a",
    "stimulate creativity in the team": "ccdf3597-5c80-410f-896d-e1bdfa223de9",
    "establish collaborative relations": "326809fc-238d-40c2-881e-40042f7f2f0d",
    "communicate with target community": "80f308e6-0e09-404a-80cd-ec5f50f6f304",
}
SNB = "http://data.europa.eu/snb/"
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"


@dataclass(frozen=True)
class DemoIssuers:
    """The demo issuers' keys: two ``did:key`` issuers and a sealing PKI from a demo CA."""

    university: KeyPair
    academy: KeyPair
    polytechnic: Pki

    @classmethod
    def generate(cls, *, now: datetime) -> DemoIssuers:
        """Fresh keys for every issuer; the seal certificate is valid from a year ago."""
        pki = make_demo_pki(
            organisation=POLYTECHNIC_NAME,
            organization_identifier=POLYTECHNIC_ID,
            country="PL",
            valid_from=now - timedelta(days=365),
            valid_to=now + timedelta(days=2 * 365),
        )
        return cls(KeyPair.generate("Ed25519"), KeyPair.generate("P-256"), pki)


@dataclass(frozen=True)
class DemoCredential:
    """One demo credential as a file would bring it, with the outcome it is meant to show."""

    filename: str
    content: bytes
    expected: str  # a verifier Outcome value
    about: LazyString  # what it demonstrates, in a sentence, in the request's language


def register(issuers: DemoIssuers, home: Path, *, now: datetime) -> None:
    """Trust the ``did:key`` issuers in the wallet's trust store under ``home`` (replacing earlier
    demo entries) and put the university's signed status list in its cache, fetched ``now``."""
    trust = TrustStore.from_file(home / TRUST_FILE)
    for old in trust.issuers():
        if old.registry == REGISTRY:
            trust.remove(old.id)
    for key, name, url in (
        (issuers.university, UNIVERSITY_NAME, UNIVERSITY),
        (issuers.academy, ACADEMY_NAME, ACADEMY),
    ):
        trust.add(
            TrustedIssuer(id=key.controller, name=name, registry=REGISTRY, added_at=now, url=url)
        )
    trust.save()
    status_list = status_list_credential(
        STATUS_URL, issuers.university, set_indices=[REVOKED_INDEX], created=now - timedelta(days=1)
    )
    DocumentCache.open(home / CACHE_FOLDER).put_json(STATUS_URL, status_list, fetched_at=now)


def issue(
    issuers: DemoIssuers, *, holder: str, learner_name: str, now: datetime
) -> list[DemoCredential]:
    """The demo credentials issued to ``holder`` (a DID), dated relative to ``now``."""
    uni = issuers.university
    earlier = now - timedelta(days=120)
    badge = _badge(
        uni,
        holder,
        "Digital Content Creation",
        ects=5,
        issued=earlier,
        skills=("develop digital content", "stimulate creativity in the team"),
    )
    badge["credentialStatus"] = status_entry(STATUS_URL, 3)  # a bit that is not set
    clr_parts = [
        issue_ldp(_badge(uni, holder, name, ects=ects, issued=earlier), uni, created=earlier)
        for name, ects in (("Databases", 6), ("Web Programming", 4))
    ]
    expired = _badge(uni, holder, "Spreadsheet Skills", ects=2, issued=now - timedelta(days=500))
    expired["validUntil"] = _iso(now - timedelta(days=30))
    revoked = _badge(
        uni,
        holder,
        "Project Management Basics",
        ects=3,
        issued=earlier,
        skills=("establish collaborative relations",),
    )
    revoked["credentialStatus"] = status_entry(STATUS_URL, REVOKED_INDEX)
    academy = _badge(
        issuers.academy,
        holder,
        "Python for Data Analysis",
        ects=3,
        issued=earlier,
        issuer_name=ACADEMY_NAME,
        site=ACADEMY,
    )
    edc = seal_edc(
        _edc(holder, learner_name, issued=now - timedelta(days=60)),
        issuers.polytechnic,
        signed_at=now - timedelta(days=60),
    )
    return [
        DemoCredential(
            "digital-content-creation.json",
            _json(issue_ldp(badge, uni, created=earlier)),
            "verified",
            _l(
                "Demo: an Open Badges 3.0 badge signed with a did:key (eddsa-rdfc-2022), with "
                "ESCO skills and 5 ECTS, from an issuer the wallet trusts. Its issuer's status "
                "list says it has not been revoked."
            ),
        ),
        DemoCredential(
            "science-communication-edc.json",
            edc.encode(),
            "cannot_check",
            _l(
                "Demo: a European Digital Credential sealed (JAdES) with an e-seal certificate "
                "from a demo certification authority. The seal is intact, but the authority is "
                "not on an EU trusted list, so who stands behind the seal could not be checked."
            ),
        ),
        DemoCredential(
            "computing-transcript-clr.json",
            _json(
                issue_ldp(
                    _clr(uni, holder, clr_parts, issued=now - timedelta(days=90)),
                    uni,
                    created=now - timedelta(days=90),
                )
            ),
            "verified",
            _l(
                "Demo: a CLR 2.0 learning record holding two signed badges and the programme "
                "they complete; each badge inside is checked on its own too."
            ),
        ),
        DemoCredential(
            "spreadsheet-skills-expired.json",
            _json(issue_ldp(expired, uni, created=now - timedelta(days=500))),
            "expired",
            _l("Demo: a genuine badge whose validity period ended a month ago."),
        ),
        DemoCredential(
            "project-management-revoked.json",
            _json(issue_ldp(revoked, uni, created=earlier)),
            "revoked",
            _l("Demo: a genuine badge that the university has since revoked in its status list."),
        ),
        DemoCredential(
            "python-data-analysis.jwt",
            issue_jwt(academy, issuers.academy).encode(),
            "verified",
            _l("Demo: a credential secured as a JWT (vc+jwt, ES256) by another trusted issuer."),
        ),
    ]


def build(home: Path, *, holder: str, learner_name: str, now: datetime) -> list[DemoCredential]:
    """Make fresh demo issuers, register them under ``home`` and issue their credentials."""
    issuers = DemoIssuers.generate(now=now)
    register(issuers, home, now=now)
    return issue(issuers, holder=holder, learner_name=learner_name, now=now)


def _badge(
    issuer: KeyPair,
    holder: str,
    name: str,
    *,
    ects: int,
    issued: datetime,
    skills: tuple[str, ...] = (),
    issuer_name: str = UNIVERSITY_NAME,
    site: str = UNIVERSITY,
) -> dict[str, Any]:
    """An Open Badges 3.0 credential (§B.1) aligned to ESCO ``skills`` (names in ``SKILLS``),
    EQF level 5 and ECTS."""
    slug = name.lower().replace(" ", "-")
    alignment = [
        {
            "type": ["Alignment"],
            "targetName": skill,
            "targetUrl": ESCO + SKILLS[skill],
            "targetFramework": "ESCO",
        }
        for skill in skills
    ]
    alignment += [
        {
            "type": ["Alignment"],
            "targetName": "EQF level 5",
            "targetUrl": SNB + "eqf/5",
            "targetFramework": "European Qualifications Framework",
        },
        {
            "type": ["Alignment"],
            "targetName": f"{ects} ECTS credits",
            "targetUrl": SNB + "education-credit/6fcec5c5af",
            "targetFramework": ECTS,
        },
    ]
    return {
        "@context": [VC_V2, OB3],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer.controller, "type": ["Profile"], "name": issuer_name, "url": site},
        "validFrom": _iso(issued),
        "name": name,
        "credentialSubject": {
            "id": holder,
            "type": ["AchievementSubject"],
            "achievement": {
                "id": f"{site}/achievements/{slug}",
                "type": ["Achievement"],
                "achievementType": "MicroCredential",
                "name": name,
                "description": f"{name}: a {ects} ECTS micro-credential (demo).",
                "criteria": {"narrative": "Passed the assessed final project."},
                "creditsAvailable": ects,
                "alignment": alignment,
            },
        },
    }


def _clr(
    issuer: KeyPair, holder: str, parts: list[dict[str, Any]], *, issued: datetime
) -> dict[str, Any]:
    """A CLR 2.0 credential (§8) holding signed achievement credentials and the programme."""
    total = sum(
        Decimal(str(p["credentialSubject"]["achievement"]["creditsAvailable"])) for p in parts
    )
    return {
        "@context": [VC_V2, CLR2, OB3],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": issuer.controller, "type": ["Profile"], "name": UNIVERSITY_NAME},
        "validFrom": _iso(issued),
        "name": "Computing Foundations transcript",
        "credentialSubject": {
            "id": holder,
            "type": ["ClrSubject"],
            "verifiableCredential": parts,
            "achievement": [
                {
                    "id": f"{UNIVERSITY}/achievements/computing-foundations",
                    "type": ["Achievement"],
                    "achievementType": "Certificate",
                    "name": "Computing Foundations",
                    "description": f"A {total} ECTS programme of the demo university.",
                    "criteria": {"narrative": "All courses of the programme passed."},
                    "creditsAvailable": float(total),
                }
            ],
        },
    }


def _edc(holder: str, learner_name: str, *, issued: datetime) -> dict[str, Any]:
    """An ELM v3 European Digital Credential (EDC application profile) for a micro-credential,
    stating the EU standard elements (Council Recommendation 2022/C 243/02, Annex I) it can."""
    english = {"id": EU_AUTHORITY + "language/ENG", "type": "Concept"}
    poland = {"id": EU_AUTHORITY + "country/POL", "type": "Concept"}
    date = _iso(issued)
    polytechnic = {
        "id": "urn:epass:org:1",
        "type": "Organisation",
        "legalName": {"en": POLYTECHNIC_NAME},
        "eIDASIdentifier": {
            "id": "urn:epass:legalIdentifier:1",
            "type": "LegalIdentifier",
            "notation": POLYTECHNIC_ID,
            "spatial": poland,
        },
        "location": {
            "id": "urn:epass:location:1",
            "type": "Location",
            "address": {"id": "urn:epass:address:1", "type": "Address", "countryCode": poland},
        },
    }
    awarded = {
        "id": "urn:epass:awardingProcess:1",
        "type": "AwardingProcess",
        "awardingBody": polytechnic,
    }
    return {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            "http://data.europa.eu/snb/model/context/edc-ap",
        ],
        "id": f"urn:credential:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "credentialProfiles": {
            "id": SNB + "credential/e34929035b",
            "type": "Concept",
            "prefLabel": {"en": "Generic"},
        },
        "displayParameter": {
            "id": "urn:epass:displayParameter:1",
            "type": "DisplayParameter",
            "title": {"en": "Science Communication micro-credential"},
            "primaryLanguage": english,
            "language": [english],
            "individualDisplay": [
                {
                    "id": "urn:epass:individualDisplay:1",
                    "type": "IndividualDisplay",
                    "language": english,
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
            "id": holder,
            "type": "Person",
            "fullName": {"en": learner_name},
            "hasClaim": {
                "id": "urn:epass:learningAchievement:1",
                "type": "LearningAchievement",
                "title": {"en": "Science Communication"},
                "awardedBy": awarded,
                "provenBy": {
                    "id": "urn:epass:learningAssessment:1",
                    "type": "LearningAssessment",
                    "title": {"en": "Public talk and written summary"},
                    "awardedBy": awarded,
                    "grade": {
                        "id": "urn:epass:note:1",
                        "type": "Note",
                        "noteLiteral": {"en": "Pass with distinction"},
                    },
                    "idVerification": _concept(
                        "supervision-verification/c598449d64",
                        "Unsupervised without ID Verification",
                    ),
                },
                "specifiedBy": {
                    "id": "urn:epass:learningAchievementSpec:1",
                    "type": "LearningAchievementSpecification",
                    "title": {"en": "Science Communication"},
                    "description": {
                        "en": "A demo micro-credential. Its seal comes from a demo certification "
                        "authority that is not on an EU trusted list."
                    },
                    "creditPoint": {
                        "id": "urn:epass:creditPoint:1",
                        "type": "CreditPoint",
                        "framework": _concept("education-credit/6fcec5c5af", ECTS),
                        "point": "4",
                    },
                    "volumeOfLearning": "PT100H",
                    "eqfLevel": {"id": SNB + "eqf/6", "type": "Concept"},
                    "mode": _concept("learning-assessment/920fbb3cbe", "Online"),
                    "learningSetting": _concept(
                        "learning-setting/e207a81fc7", "non-formal learning"
                    ),
                    "learningOutcome": {
                        "id": "urn:epass:learningOutcome:1",
                        "type": "LearningOutcome",
                        "title": {"en": "Explains research findings to a general audience."},
                        "relatedESCOSkill": {
                            "id": ESCO + SKILLS["communicate with target community"],
                            "type": "Concept",
                            "prefLabel": {"en": "communicate with target community"},
                        },
                    },
                },
            },
        },
        "issuer": polytechnic,
        "issuanceDate": date,
        "issued": date,
        "validFrom": date,
    }


def _concept(path: str, label: str) -> dict[str, Any]:
    """An EU vocabulary concept (``http://data.europa.eu/snb/<path>``) with its English label."""
    return {"id": SNB + path, "type": "Concept", "prefLabel": {"en": label}}


def _iso(when: datetime) -> str:
    return when.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")
