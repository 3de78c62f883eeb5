"""Helpers for the pathway tests: signed badges with ECTS, skills and levels, pathway files,
and importing credentials through the wallet's own import path."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from flask import Flask

from tests.conftest import ob3_credential
from tests.wallet.factories import NOW, new_key, trust_issuer
from verifier import KeyPair
from verifier.issuing import issue_ldp
from wallet.db import db
from wallet.importers.service import import_bytes
from wallet.models import User

UNI = "https://uni.example/achievements/"
ESCO = "http://data.europa.eu/esco/skill/"


def badge(
    key: KeyPair,
    name: str,
    *,
    ects: float | None = 5,
    eqf: int = 5,
    skills: tuple[str, ...] = (),
    issued: datetime = NOW - timedelta(days=30),
    issuer_name: str = "Demo University",
    slug: str | None = None,
) -> bytes:
    """A signed Open Badges 3.0 badge with an achievement id, ECTS, an EQF level and skills."""
    alignment = [
        {"type": ["Alignment"], "targetName": s, "targetUrl": ESCO + s, "targetFramework": "ESCO"}
        for s in skills
    ]
    alignment.append(
        {
            "type": ["Alignment"],
            "targetName": f"EQF level {eqf}",
            "targetUrl": f"http://data.europa.eu/snb/eqf/{eqf}",
            "targetFramework": "European Qualifications Framework",
        }
    )
    achievement: dict[str, Any] = {
        "id": UNI + (slug or name.lower().replace(" ", "-")),
        "type": ["Achievement"],
        "name": name,
        "description": f"{name} (test).",
        "criteria": {"narrative": "Passed."},
        "alignment": alignment,
    }
    if ects is not None:
        achievement["creditsAvailable"] = ects
        alignment.append(
            {
                "type": ["Alignment"],
                "targetName": f"{ects} ECTS credits",
                "targetUrl": "http://data.europa.eu/snb/education-credit/6fcec5c5af",
                "targetFramework": "European Credit Transfer and Accumulation System (ECTS)",
            }
        )
    stamp = issued.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    document = ob3_credential(
        key.controller,
        id=f"urn:uuid:{uuid.uuid4()}",
        name=name,
        validFrom=stamp,
        credentialSubject={
            "id": "did:example:learner",
            "type": ["AchievementSubject"],
            "achievement": achievement,
        },
    )
    document["issuer"]["name"] = issuer_name
    return json.dumps(issue_ldp(document, key, created=issued)).encode()


def trusted_key(app: Flask, name: str = "Demo University") -> KeyPair:
    """A fresh issuer key the wallet trusts."""
    key = new_key()
    trust_issuer(app.config["VERIFIER_HOME"], key, name)
    return key


def import_credential(app: Flask, user_id: int, data: bytes, *, now: datetime = NOW) -> int:
    """Import ``data`` for the learner through the wallet's import path; its credential id."""
    with app.test_request_context("/"):
        user = db.session.get(User, user_id)
        assert user is not None
        outcome = import_bytes(user, data, filename="badge.json", channel="file", now=now)
        db.session.commit()
        assert outcome.credential_id is not None, outcome.message
        return outcome.credential_id


def pathway(requirements: dict[str, Any], **target: Any) -> dict[str, Any]:
    """A pathway document with this requirement tree and target (title defaults)."""
    return {
        "format": "learner-wallet-pathway/1",
        "target": {"title": "Test pathway", **target},
        "requirements": requirements,
    }


def pathway_text(requirements: dict[str, Any], **target: Any) -> str:
    """The same, as the text of a file."""
    return json.dumps(pathway(requirements, **target), indent=2)


def achievement(slug: str, title: str | None = None) -> dict[str, Any]:
    """A requirement for the test university's achievement ``slug``."""
    req = {"kind": "achievement", "achievement_id": UNI + slug}
    if title:
        req["title"] = title
    return req


def all_of(*requirements: dict[str, Any]) -> dict[str, Any]:
    """All of these requirements."""
    return {"kind": "all_of", "requirements": list(requirements)}
