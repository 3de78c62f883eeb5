"""``verifier demo``: issue a handful of credentials with throw-away keys, then verify them
offline, so a new user sees every kind of result in a few seconds."""

from __future__ import annotations

import copy
import json
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from verifier.cache import DocumentCache
from verifier.issuing import issue_jwt, issue_ldp, status_entry, status_list_credential
from verifier.keypairs import KeyPair
from verifier.pipeline import verify
from verifier.trust import TrustedIssuer, TrustStore

UNIVERSITY = "https://demo-university.example"
STATUS_URL = f"{UNIVERSITY}/status/1"


def demo_badge(issuer: KeyPair, *, name: str, ects: float = 5, **extra: Any) -> dict[str, Any]:
    """An Open Badges 3.0 credential from the demo university."""
    doc: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer.controller, "type": ["Profile"], "name": "Demo University"},
        "validFrom": "2026-01-15T09:00:00Z",
        "name": name,
        "credentialSubject": {
            "id": "did:example:demo-learner",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": f"{UNIVERSITY}/achievements/{name.lower().replace(' ', '-')}",
                "type": ["Achievement"],
                "name": name,
                "description": f"{name}: a {ects:g} ECTS micro-credential.",
                "criteria": {"narrative": "Passed the assessed final project."},
                "creditsAvailable": ects,
            },
        },
    }
    doc.update(extra)
    return doc


def build(folder: Path, *, now: datetime) -> tuple[dict[str, Any], TrustStore, DocumentCache]:
    """Write the demo credentials, a trust store and a cache to ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    university = KeyPair.generate("Ed25519")
    stranger = KeyPair.generate("Ed25519")
    created = now - timedelta(days=30)
    trust = TrustStore.from_file(folder / "trust.json")
    trust.add(
        TrustedIssuer(
            id=university.controller,
            name="Demo University",
            registry="demo registry",
            keys=(),
            added_at=now,
        )
    )
    trust.save()
    cache = DocumentCache.open(folder / "cache")
    cache.put_json(
        STATUS_URL,
        status_list_credential(STATUS_URL, university, set_indices=[7], created=created),
        fetched_at=now,
    )
    good = issue_ldp(
        demo_badge(university, name="Data Analysis Basics"), university, created=created
    )
    tampered = copy.deepcopy(good)
    tampered["credentialSubject"]["achievement"]["creditsAvailable"] = 30
    files: dict[str, Any] = {
        "verified-badge.json": good,
        "p256-badge.json": _p256_badge(trust, now, created),
        "jwt-badge.jwt": issue_jwt(demo_badge(university, name="Visualising Data"), university),
        "expired-badge.json": issue_ldp(
            demo_badge(university, name="Spreadsheet Skills", validUntil="2026-02-01T00:00:00Z"),
            university,
            created=created,
        ),
        "revoked-badge.json": issue_ldp(
            demo_badge(
                university, name="Database Design", credentialStatus=status_entry(STATUS_URL, 7)
            ),
            university,
            created=created,
        ),
        "tampered-badge.json": tampered,
        "unknown-issuer-badge.json": issue_ldp(
            demo_badge(stranger, name="Machine Learning"), stranger, created=created
        ),
    }
    for name, content in files.items():
        text = content if isinstance(content, str) else json.dumps(content, indent=2)
        (folder / name).write_text(text, "utf-8")
    return files, trust, cache


def _p256_badge(trust: TrustStore, now: datetime, created: datetime) -> dict[str, Any]:
    key = KeyPair.generate("P-256")
    trust.add(
        TrustedIssuer(
            id=key.controller,
            name="Demo Business School",
            registry="demo registry",
            keys=(),
            added_at=now,
        )
    )
    trust.save()
    return issue_ldp(
        demo_badge(key, name="Statistics with Python"),
        key,
        created=created,
        cryptosuite="ecdsa-rdfc-2019",
    )


def run_demo(out: Path | None) -> int:
    """Issue the demo credentials into ``out`` (a temporary folder by default) and verify them."""
    from verifier.cli import print_report

    now = datetime.now(UTC)
    folder = out or Path(tempfile.mkdtemp(prefix="verifier-demo-"))
    files, trust, cache = build(folder, now=now)
    print(f"Demo credentials, trust store and cache written to {folder}\n")
    for name in files:
        report = verify((folder / name).read_bytes(), now=now, trust=trust, cache=cache)
        print_report(report, name=name)
        print()
    print(f"Verify them again with:\n  verifier --home {folder} verify {folder}/*.json")
    return 0
