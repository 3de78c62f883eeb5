"""Helpers for the advisers' tests: adviser accounts, credentials with ESCO skills and ECTS,
grants made directly in the database, and a tiny OpenID Connect provider served in a thread."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import Flask, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.live import serving
from tests.wallet.factories import ldp_bytes, new_key, trust_issuer
from verifier import KeyPair
from wallet.advisers.models import Grant
from wallet.auth import register_user
from wallet.db import db
from wallet.importers.service import import_bytes
from wallet.models import User

PASSWORD = "correct horse battery"
ESCO_SKILL = "http://data.europa.eu/esco/skill/9b3ad8a6-a7e4-4e2a-8b36-6b1ac6f0ad21"


def make_adviser(app: Flask, email: str = "ben@uni.example", name: str = "Ben Adviser") -> int:
    """An adviser account with the tests' password; returns its id."""
    with app.app_context():
        user = register_user(email, PASSWORD, name)
        user.role = "adviser"
        db.session.commit()
        return user.id


def skilled_credential(key: KeyPair, title: str, *, ects: float = 5) -> bytes:
    """A signed OB 3.0 credential with ``ects`` ECTS and one ESCO skill."""
    achievement = {
        "id": f"https://demo.example/achievements/{secrets.token_hex(4)}",
        "type": ["Achievement"],
        "name": title,
        "description": f"{title}, assessed.",
        "criteria": {"narrative": "Passed the final project."},
        "creditsAvailable": ects,
        "alignment": [
            {
                "type": ["Alignment"],
                "targetName": "analyse big data",
                "targetUrl": ESCO_SKILL,
                "targetFramework": "ESCO",
            },
            {
                "type": ["Alignment"],
                "targetName": "ECTS",
                "targetUrl": "https://ec.europa.eu/ects",
                "targetFramework": "ECTS",
            },
        ],
    }
    return ldp_bytes(
        key,
        id=f"urn:uuid:{secrets.token_hex(16)}",
        name=title,
        credentialSubject={
            "id": "did:example:learner",
            "type": ["AchievementSubject"],
            "achievement": achievement,
        },
    )


def import_credential(app: Flask, learner_id: int, data: bytes, name: str = "c.json") -> int:
    """Import ``data`` for the learner through the wallet's import path; returns its id."""
    with app.test_request_context("/"):
        user = db.session.get(User, learner_id)
        outcome = import_bytes(user, data, filename=name, channel="file", now=datetime.now(UTC))
        db.session.commit()
        assert outcome.credential_id is not None, outcome.message
        return outcome.credential_id


@dataclass
class Portfolio:
    """A learner with two trusted credentials and an adviser."""

    learner_id: int
    adviser_id: int
    credential_ids: list[int] = field(default_factory=list)


def portfolio(app: Flask, user: Any) -> Portfolio:
    """A learner ("ada") holding two credentials of a trusted issuer, and an adviser ("ben")."""
    learner = user("ada@example.org", display_name="Ada Learner")
    key = new_key()
    trust_issuer(app.config["VERIFIER_HOME"], key)
    ids = [
        import_credential(
            app, learner.id, skilled_credential(key, "Data Analysis Basics"), "a.json"
        ),
        import_credential(
            app, learner.id, skilled_credential(key, "Statistics II", ects=3), "b.json"
        ),
    ]
    return Portfolio(learner.id, make_adviser(app), ids)


def grant(app: Flask, learner_id: int, adviser_id: int | None, **fields: Any) -> int:
    """A grant made directly in the database (30 days, everything, comments allowed)."""
    credential_ids = fields.pop("credential_ids", None)
    with app.app_context():
        from wallet.models import Credential

        values = {
            "scope_all": credential_ids is None,
            "may_comment": True,
            "accepted_at": datetime.now(UTC),
            "expires_at": datetime.now(UTC) + timedelta(days=30),
            **fields,
        }
        row = Grant(learner_id=learner_id, adviser_id=adviser_id, **values)
        if credential_ids is not None:
            row.credentials = [db.session.get(Credential, c) for c in credential_ids]
        db.session.add(row)
        db.session.commit()
        return row.id


# -- a tiny OpenID Connect provider ------------------------------------------------------------
@dataclass
class FakeProvider:
    """An OpenID Connect provider at ``url`` that logs in whoever ``claims`` names."""

    url: str
    client_id: str
    client_secret: str
    claims: dict[str, Any]
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    token_requests: int = 0
    #: Changes to the ID token: claims to override, or "forge" to sign it with another key.
    id_token_changes: dict[str, Any] = field(default_factory=dict)

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"


def provider_app(provider: FakeProvider, key: RSAKey) -> Flask:
    """The provider's endpoints: metadata, authorize (logs in at once), token, JWKS."""
    app = Flask("fake_oidc")

    @app.get("/.well-known/openid-configuration")
    def metadata() -> Any:
        return jsonify(
            issuer=provider.url,
            authorization_endpoint=f"{provider.url}/authorize",
            token_endpoint=f"{provider.url}/token",
            jwks_uri=f"{provider.url}/jwks",
            response_types_supported=["code"],
            subject_types_supported=["public"],
            id_token_signing_alg_values_supported=["RS256"],
        )

    @app.get("/authorize")
    def authorize() -> Any:
        code = secrets.token_urlsafe(16)
        provider.codes[code] = {
            "nonce": request.args.get("nonce"),
            "client_id": request.args["client_id"],
            "redirect_uri": request.args["redirect_uri"],
        }
        query = urlencode({"code": code, "state": request.args["state"]})
        return redirect(f"{request.args['redirect_uri']}?{query}")

    @app.post("/token")
    def token() -> Any:
        provider.token_requests += 1
        grant = provider.codes.pop(request.form.get("code", ""), None)
        client_ok = request.authorization is not None and (
            request.authorization.username == provider.client_id
            and request.authorization.password == provider.client_secret
        )
        if grant is None or not client_ok:
            return jsonify(error="invalid_grant"), 400
        now = int(time.time())
        claims = {
            "iss": provider.url,
            "aud": provider.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
            **provider.claims,
        }
        changes = dict(provider.id_token_changes)
        signer = RSAKey.generate_key(2048) if changes.pop("forge", False) else key
        claims.update(changes)
        id_token = jwt.encode({"alg": "RS256", "kid": key.kid}, claims, signer)
        return jsonify(
            access_token=secrets.token_urlsafe(16),
            token_type="Bearer",
            expires_in=300,
            id_token=id_token,
        )

    @app.get("/jwks")
    def jwks() -> Any:
        return app.response_class(
            json.dumps({"keys": [key.as_dict(private=False)]}), mimetype="application/json"
        )

    return app


@contextmanager
def fake_provider(claims: dict[str, Any]) -> Iterator[FakeProvider]:
    """Serve a fake OpenID Connect provider on a free port of 127.0.0.1 while the block runs."""
    key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
    provider = FakeProvider("", "wallet-client", secrets.token_urlsafe(16), claims)
    with serving(provider_app(provider, key), "fake-oidc") as url:
        provider.url = url  # the endpoints read it per request
        yield provider
