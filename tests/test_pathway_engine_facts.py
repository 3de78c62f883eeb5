"""What the engine learns from a wallet credential row: ids from the original document (an
OB 3.0 achievement, an EDC specification with ISCED-F and hasPart), parts of a transcript."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from tests.conftest import ob3_credential
from wallet.pathways.facts import facts_of
from wallet.pathways.holdings import Holdings

ISSUED = datetime(2026, 1, 15, 9, tzinfo=UTC)


def row(document: dict[str, Any] | bytes, summary: dict[str, Any], **fields: Any):
    original = document if isinstance(document, bytes) else json.dumps(document).encode()
    values = {
        "id": 7,
        "sha256": str(hash(original)),
        "original": original,
        "title": "T",
        "issuer_id": "did:example:issuer",
        "issuer_name": "Demo University",
        "ects": Decimal("5.00"),
        "issued_at": ISSUED,
        "outcome": "verified",
        "summary": summary,
        **fields,
    }
    return SimpleNamespace(**values)


def test_an_open_badge_gives_its_achievement_and_credential_ids_skills_and_level():
    document = ob3_credential("did:example:issuer")
    summary = {"eqf_level": 5, "skills": [{"uri": "http://data.europa.eu/esco/skill/x"}]}
    (fact,) = facts_of(row(document, summary))
    assert fact.keys == {
        "urn:uuid:2d9a1a4e-6f0b-4d0e-9a57-6c1f3c2f7b10",
        "https://demo.example/achievements/data-analysis",
    }
    assert (fact.ects, fact.eqf_level, fact.outcome) == (500, 5, "verified")
    assert fact.skills == {"http://data.europa.eu/esco/skill/x"}


def test_an_edc_gives_its_specification_isced_and_parts_but_not_local_ids():
    document = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "id": "urn:credential:1",
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "issuanceDate": "2026-01-15T09:00:00Z",
        "issuer": {"id": "urn:epass:org:1"},
        "credentialSubject": {
            "id": "did:example:learner",
            "hasClaim": {
                "id": "urn:epass:learningAchievement:1",
                "specifiedBy": {
                    "id": "https://uni.example/specs/programme",
                    "ISCEDFCode": {"id": "http://data.europa.eu/snb/isced-f/0613"},
                    "hasPart": [{"id": "https://uni.example/specs/module-1"}],
                },
            },
        },
    }
    (fact,) = facts_of(row(document, {}))
    assert fact.keys == {"urn:credential:1", "https://uni.example/specs/programme"}
    assert fact.isced_f == "0613"
    assert fact.part_keys == {"https://uni.example/specs/module-1"}


def test_a_transcript_gives_each_part_and_a_whole_that_adds_nothing_twice():
    parts = [ob3_credential("did:example:issuer", id=f"urn:uuid:part-{n}") for n in range(2)]
    for n, part in enumerate(parts):
        part["credentialSubject"]["achievement"]["id"] = f"https://uni.example/a/{n}"
    document = ob3_credential(
        "did:example:issuer",
        type=["VerifiableCredential", "ClrCredential"],
        credentialSubject={"id": "did:example:learner", "verifiableCredential": parts},
    )
    credits = [{"value": 6, "framework": "ECTS"}]
    summary = {
        "parts": [
            {"title": {"": "Databases"}, "credits": credits},
            {"title": {"": "Web"}, "credits": [{"value": 4, "framework": "ECTS"}]},
        ]
    }
    facts = facts_of(row(document, summary, ects=Decimal("10.00")))
    assert [(f.id, f.title, f.ects) for f in facts] == [
        ("7.0", "Databases", 600),
        ("7.1", "Web", 400),
        ("7", "T", 1000),
    ]
    assert "https://uni.example/a/0" in facts[0].keys
    holdings = Holdings(facts)
    assert holdings.ects == {"7.0": 600, "7.1": 400, "7": 0}  # the whole adds nothing more


def test_an_unreadable_original_still_gives_the_row_facts():
    (fact,) = facts_of(row(b"\x89PNG not a badge", {"eqf_level": 4}))
    assert fact.keys == frozenset()
    assert (fact.title, fact.ects, fact.eqf_level) == ("T", 500, 4)
