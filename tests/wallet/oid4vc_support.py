"""Live servers for the OID4VCI tests: the wallet and the demo issuer, each served by werkzeug
from a thread on a free port of 127.0.0.1, and a learner's browser made of a requests session.

The wallet runs on the ``app`` fixture's database (SQLite and PostgreSQL), with http to
localhost allowed; the demo issuer is trusted in its trust store and runs on a clock the test
can move forward.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select

from tests.live import serving
from wallet.db import db
from wallet.demo_issuer import DemoIssuerServer, start_demo_issuer
from wallet.models import Credential
from wallet.oid4vc.models import PendingIssuance

TIMEOUT = 30


@dataclass
class Clock:
    """A clock that runs with real time plus an offset the test moves."""

    offset: timedelta = field(default_factory=timedelta)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


@dataclass
class Learner:
    """A learner's browser on the live wallet: a requests session that follows redirects."""

    wallet: str
    http: requests.Session
    id: int
    password: str
    did: str

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self.http.get(self._url(url), timeout=TIMEOUT, **kwargs)

    def post(
        self, url: str, data: dict[str, str] | None = None, **kwargs: Any
    ) -> requests.Response:
        return self.http.post(self._url(url), data=data or {}, timeout=TIMEOUT, **kwargs)

    def _url(self, url: str) -> str:
        return url if url.startswith("http") else self.wallet + url

    def open_offer(self, offer_link: str) -> requests.Response:
        """Paste an offer link into the Offers page."""
        return self.post("/oid4vc/offer", {"offer": offer_link})

    def accept(self, consent: requests.Response, **fields: str) -> requests.Response:
        """Submit the consent form of ``consent`` (the offer it carries, plus ``fields``)."""
        return self.post("/oid4vc/accept", {"offer": hidden(consent.text, "offer"), **fields})


def hidden(page: str, name: str) -> str:
    """The value of the hidden input ``name`` in ``page``."""
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no hidden field {name!r} on the page"
    return html.unescape(found.group(1))


def text_of(page: str) -> str:
    """The page's text with tags removed and whitespace collapsed (for asserting messages)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def serve(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free port of 127.0.0.1 from a thread; yields its address."""
    with serving(app, "oid4vc-live") as url:
        yield url


def stored(app: Flask, user_id: int) -> list[Credential]:
    """The learner's credentials, oldest first, detached from the session."""
    with app.app_context():
        rows = db.session.scalars(
            select(Credential).where(Credential.user_id == user_id).order_by(Credential.id)
        ).all()
        db.session.expunge_all()
        return list(rows)


def pending_count(app: Flask, user_id: int) -> int:
    """How many issuances in progress the learner has."""
    with app.app_context():
        return (
            db.session.scalar(
                select(func.count())
                .select_from(PendingIssuance)
                .where(PendingIssuance.user_id == user_id)
            )
            or 0
        )


@pytest.fixture
def wallet_config(wallet_config: dict) -> dict:
    """The wallet's test configuration with http to localhost allowed (the issuer is local)."""
    return {**wallet_config, "OID4VCI_ALLOW_HTTP_LOCALHOST": True}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def issuer(app: Flask, clock: Clock) -> Iterator[DemoIssuerServer]:
    """The demo issuer, trusted by the wallet, deferring by 60 seconds of ``clock``."""
    server = start_demo_issuer(
        config={"CLOCK": clock, "DEFERRED_DELAY": 60},
        trust_home=Path(app.config["VERIFIER_HOME"]),
    )
    yield server
    server.stop()


@pytest.fixture
def wallet_url(app: Flask) -> Iterator[str]:
    yield from serve(app)


@pytest.fixture
def learner(wallet_url: str, user) -> Iterator[Learner]:
    """A learner registered and logged in to the live wallet."""
    account = user()
    with requests.Session() as http:
        answer = http.post(
            f"{wallet_url}/auth/login",
            data={"email": account.email, "password": account.password},
            timeout=TIMEOUT,
        )
        assert answer.status_code == 200, answer.text
        yield Learner(wallet_url, http, account.id, account.password, account.holder_did)


def make_offer(issuer: DemoIssuerServer, **options: Any) -> dict[str, Any]:
    """Ask the demo issuer for an offer (``configurations``, ``flow``, ``deferred``)."""
    answer = requests.post(f"{issuer.url}/api/offers", json=options, timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text
    return answer.json()
