"""Helpers for the sharing tests: credentials issued to a learner's holder DID, imported into
their wallet, from an issuer the wallet trusts; reading a share's link and QR code."""

from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import timedelta
from typing import Any

import zxingcpp
from flask import Flask
from PIL import Image

from tests.conftest import NOW, ob3_credential
from tests.wallet.factories import baked_png, trust_issuer
from verifier import KeyPair
from verifier.issuing import issue_jwt, issue_ldp
from wallet.db import db
from wallet.importers.service import import_bytes
from wallet.models import Credential, User

LINK = re.compile(r'id="share-link" type="text" value="([^"]+)"')


def compact_document(issuer: KeyPair, holder_did: str, name: str) -> dict[str, Any]:
    """A small OB 3.0 credential to ``holder_did``, without the optional ``id``: signed into a
    share's presentation it takes about 1,110 QR characters, a version 22 code."""
    document = ob3_credential(
        issuer.controller,
        name=name,
        credentialSubject={
            "id": holder_did,
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://demo.example/a/1",
                "type": ["Achievement"],
                "name": name,
                "criteria": {"narrative": "Passed."},
            },
        },
    )
    del document["id"]
    return document


def full_document(issuer: KeyPair, holder_did: str, name: str) -> dict[str, Any]:
    """The tests' usual OB 3.0 credential, issued to ``holder_did``."""
    document = ob3_credential(issuer.controller, name=name)
    document["id"] = f"urn:uuid:00000000-0000-4000-8000-{abs(hash(name)) % 10**12:012d}"
    document["credentialSubject"]["id"] = holder_did
    document["credentialSubject"]["achievement"]["name"] = name
    return document


def give_credentials(
    app: Flask,
    learner_id: int,
    issuer: KeyPair,
    names: tuple[str, ...] = ("Data Analysis Basics",),
    *,
    compact: bool = False,
    jwt: bool = False,
    baked: bool = False,
) -> list[int]:
    """Issue credentials named ``names`` to the learner, trust the issuer and import them;
    return their ids."""
    trust_issuer(app.config["VERIFIER_HOME"], issuer)
    ids = []
    with app.test_request_context("/"):
        user = db.session.get(User, learner_id)
        assert user is not None and user.holder_did is not None
        for name in names:
            make = compact_document if compact else full_document
            document = make(issuer, user.holder_did, name)
            if jwt:
                data = issue_jwt(document, issuer).encode()
            else:
                signed = issue_ldp(document, issuer, created=NOW - timedelta(days=3))
                data = json.dumps(signed, indent=2).encode()
            filename = f"{name}.json"
            if baked:  # an Open Badges 3.0 badge image with the credential baked in
                data, filename = baked_png(data.decode()), f"{name}.png"
            outcome = import_bytes(user, data, filename=filename, channel="file", now=NOW)
            assert outcome.credential_id is not None, outcome.message
            ids.append(outcome.credential_id)
        db.session.commit()
    return ids


def read_qr(png: bytes) -> str:
    """The text of the one QR code in a PNG, read with zxing-cpp."""
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    assert len(codes) == 1 and codes[0].valid
    return str(codes[0].text)


def link_on(page: str) -> str:
    """The share link shown on a share's page."""
    found = LINK.search(page)
    assert found, "no share link on the page"
    return found.group(1)


def add_row(app: Flask, learner_id: int, fmt: str, title: str, outcome: str = "verified") -> int:
    """A credential row of format ``fmt`` put straight into the database (not verified)."""
    original = f"{fmt} {title}".encode()
    with app.app_context():
        row = Credential(
            user_id=learner_id,
            original=original,
            media_type="application/json",
            sha256=hashlib.sha256(original).hexdigest(),
            format=fmt,
            title=title,
            report={},
            outcome=outcome,
            checked_at=NOW,
            channel="file",
        )
        db.session.add(row)
        db.session.commit()
        return row.id
