"""Fixtures: a clock, issuer keys, and a factory that signs fresh credentials in each test."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest

from verifier import DocumentCache, KeyPair, TrustStore
from verifier.issuing import issue_ldp
from verifier.trust import TrustedIssuer

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def ob3_credential(issuer: str, **overrides) -> dict:
    """An Open Badges 3.0 credential (VCDM 2.0) from ``issuer``, unsigned."""
    doc = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:2d9a1a4e-6f0b-4d0e-9a57-6c1f3c2f7b10",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Demo University"},
        "validFrom": "2026-01-15T09:00:00Z",
        "name": "Data Analysis Basics",
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://demo.example/achievements/data-analysis",
                "type": ["Achievement"],
                "name": "Data Analysis Basics",
                "description": "Cleans, explores and visualises tabular data.",
                "criteria": {"narrative": "Passed the final project."},
            },
        },
    }
    doc.update(copy.deepcopy(overrides))
    return doc


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def issuer_key() -> KeyPair:
    return KeyPair.generate("Ed25519")


@pytest.fixture
def trust(issuer_key) -> TrustStore:
    store = TrustStore.empty()
    store.add(
        TrustedIssuer(
            id=issuer_key.controller,
            name="Demo University",
            registry="test",
            keys=(),
            added_at=NOW - timedelta(days=1),
        )
    )
    return store


@pytest.fixture
def cache() -> DocumentCache:
    return DocumentCache.in_memory()


@pytest.fixture
def issue_credential(issuer_key):
    """Sign a fresh OB 3.0 credential; keyword overrides replace top-level properties."""

    def make(key: KeyPair | None = None, cryptosuite: str = "eddsa-rdfc-2022", **overrides):
        signer = key or issuer_key
        return issue_ldp(
            ob3_credential(signer.controller, **overrides),
            signer,
            cryptosuite=cryptosuite,
            created=NOW - timedelta(days=30),
        )

    return make
