"""Sample pathways for the demo wallet, which the demo credentials (``wallet.demo.issuers``)
fill in part: an institution's certificate (the example file) and a learner's own goal."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from flask import Flask

from wallet.db import db
from wallet.models import User
from wallet.pathways import service

EXAMPLE = Path(__file__).with_name("examples") / "demo-university-computing.json"
#: A learner's own pathway, written in the editor: data skills from any provider.
OWN = {
    "format": "learner-wallet-pathway/1",
    "target": {"title": "My data and web skills", "total_ects": 15, "valid_years": 3},
    "requirements": {
        "kind": "all_of",
        "requirements": [
            {
                "kind": "achievement",
                "title": "Python for Data Analysis",
                "issuer": "Demo Coding Academy",
            },
            {
                "kind": "skills",
                "title": "Digital content",
                "skills": ["http://data.europa.eu/esco/skill/5fd5c985-eaaa-47aa-8314-62359c54505a"],
            },
            {
                "kind": "ects_from",
                "title": "Computing modules",
                "ects": 10,
                "from": {"issuers": ["Demo University"]},
            },
        ],
    },
}


def seed_demo(app: Flask, user: User, now: datetime) -> None:
    """Give the demo learner the two sample pathways (replacing earlier ones) and commit."""
    with app.app_context():
        for record in service.records(user):
            db.session.delete(record)
        example = service.save(user, EXAMPLE.read_text("utf-8"), source="demo")
        own = service.save(user, json.dumps(OWN, indent=2), source="demo")
        for record in (example, own):
            record.created_at = record.updated_at = now
        db.session.commit()
