"""Helpers for the OpenID4VP tests: live servers on 127.0.0.1 (werkzeug ``make_server`` in a
thread), the employer's and the learner's steps over HTTP, and credentials bound to a learner's
holder key, signed inside the test."""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from flask import Flask

from tests.conftest import ob3_credential
from tests.live import serving
from tests.wallet.factories import trust_issuer
from verifier import KeyPair
from verifier.issuing import issue_ldp
from verifier.web import create_app as create_verifier
from wallet.db import db
from wallet.importers.service import import_bytes
from wallet.models import User

TOPIC_BADGE = "Data Analysis Basics"
#: The Redis the Redis-store tests use (skipped when nothing answers there).
REDIS_URL = os.environ.get("OID4VP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@contextmanager
def redis_store_url() -> Iterator[str]:
    """``REDIS_URL`` when a Redis answers there (else the test is skipped); the requests the
    test stored are deleted afterwards."""
    import pytest
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"no Redis answers at {REDIS_URL}")
    before = set(client.scan_iter("oid4vp:*"))
    try:
        yield REDIS_URL
    finally:
        created = set(client.scan_iter("oid4vp:*")) - before
        if created:
            client.delete(*created)
        client.close()


@dataclass
class Live:
    """An app serving at ``url``."""

    url: str
    app: Flask


@contextmanager
def serve(app: Flask) -> Iterator[Live]:
    """Serve ``app`` on a free port of 127.0.0.1 in a background thread."""
    with serving(app, "oid4vp-live") as url:
        yield Live(url, app)


def verifier_app(home: Path, **config: Any) -> Flask:
    """The standalone verifier with its home in ``home`` (CSRF off: the tests post forms)."""
    return create_verifier(
        {
            "VERIFIER_HOME": str(home),
            "SECRET_KEY": "verifier test secret",
            "WTF_CSRF_ENABLED": False,
            "TESTING": True,
            **config,
        }
    )


def badge(issuer: KeyPair, holder_did: str, *, name: str = TOPIC_BADGE, ects: int = 6) -> bytes:
    """An Open Badge for ``holder_did`` stating ``ects`` ECTS credits, signed by ``issuer``."""
    document = ob3_credential(issuer.controller, name=name)
    document["credentialSubject"]["id"] = holder_did
    achievement = document["credentialSubject"]["achievement"]
    achievement.update(name=name, creditsAvailable=ects, tag=["ECTS"])
    signed = issue_ldp(document, issuer, created=datetime.now(UTC) - timedelta(days=2))
    return json.dumps(signed).encode()


def give(app: Flask, user_id: int, data: bytes) -> int:
    """Import ``data`` into the learner's wallet as a file would be; the credential's id."""
    with app.test_request_context():
        user = db.session.get(User, user_id)
        outcome = import_bytes(
            user, data, filename="badge.json", channel="file", now=datetime.now(UTC)
        )
        db.session.commit()
        return outcome.credential_id


def trust_everywhere(issuer: KeyPair, *homes: str | Path) -> None:
    """Make ``issuer`` a trusted issuer in each verifier home (the wallet's and the employer's)."""
    for home in homes:
        trust_issuer(home, issuer)


# -- the employer ---------------------------------------------------------------------------------
@dataclass
class EmployerRequest:
    """A request the employer made: its page and the link the learner's wallet opens."""

    page_url: str
    link: str

    @property
    def params(self) -> dict[str, str]:
        """``client_id`` and ``request_uri`` from the link."""
        return {k: v[0] for k, v in parse_qs(urlsplit(self.link).query).items()}

    @property
    def status_url(self) -> str:
        return self.page_url + "/status"


def make_request(verifier: Live, **fields: str) -> EmployerRequest:
    """Fill in the employer's form over HTTP; the page it leads to and the wallet link on it."""
    form = {"verifier_name": "Acme Analytics", "purpose": "To check your application"}
    form.update({"preset": "ects", "min_ects": "5", "topic": "data analysis"})
    form.update(fields)
    response = requests.post(verifier.url + "/verify/requests/", data=form, timeout=10)
    response.raise_for_status()
    found = re.search(r'<code id="oid4vp-link"[^>]*>([^<]+)</code>', response.text)
    assert found, response.text
    return EmployerRequest(response.url, html.unescape(found.group(1)))


def status(request: EmployerRequest) -> str:
    """What the employer's page polls."""
    return requests.get(request.status_url, timeout=10).json()["status"]


# -- the learner ----------------------------------------------------------------------------------
def learner_session(wallet: Live, email: str, password: str) -> requests.Session:
    """A logged-in browser-like session on the live wallet."""
    session = requests.Session()
    response = session.post(
        wallet.url + "/auth/login", data={"email": email, "password": password}, timeout=10
    )
    assert response.ok and "/auth/login" not in response.url, response.text
    return session


def hidden_fields(page: str) -> dict[str, str]:
    """The consent form's hidden fields (request_uri, client_id, digest)."""
    fields = {}
    for name in ("request_uri", "client_id", "digest"):
        found = re.search(rf'name="{name}" value="([^"]*)"', page)
        assert found, name
        fields[name] = html.unescape(found.group(1))
    return fields


def checked_picks(page: str) -> dict[str, list[str]]:
    """The credentials the consent page pre-selected, per ``pick-<query id>`` field."""
    picks: dict[str, list[str]] = {}
    for tag in re.findall(r"<input[^>]*name=\"pick-[^\"]+\"[^>]*>", page):
        if " checked" in tag:
            name = re.search(r'name="([^"]+)"', tag).group(1)
            value = re.search(r'value="([^"]*)"', tag).group(1)
            picks.setdefault(name, []).append(value)
    return picks
