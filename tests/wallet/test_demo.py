"""The demo: issuers made with fresh keys, their credentials imported for the demo learner with
the outcomes they are meant to show, and the ``wallet demo`` command's output."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from verifier import TrustStore
from wallet import create_app, demo_issuer
from wallet.auth import check_password, register_user
from wallet.cli import cli
from wallet.db import db
from wallet.demo import command
from wallet.demo.command import EMAIL, prepare
from wallet.demo.issuers import REGISTRY
from wallet.models import Credential, User

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
FAST_ARGON2 = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8, "ARGON2_PARALLELISM": 1}
# file name: (outcome, checks that show why, as (check_id, status))
EXPECTED = {
    "digital-content-creation.json": (
        "verified",
        {"proof": "passed", "issuer_trust": "passed", "status": "passed"},
    ),
    "science-communication-edc.json": (
        "cannot_check",
        {"proof": "passed", "issuer_binding": "passed", "issuer_trust": "unknown"},
    ),
    "computing-transcript-clr.json": (
        "verified",
        {"proof": "passed", "nested_credentials": "passed"},
    ),
    "spreadsheet-skills-expired.json": ("expired", {"proof": "passed", "validity": "failed"}),
    "project-management-revoked.json": ("revoked", {"proof": "passed", "status": "failed"}),
    "python-data-analysis.jwt": ("verified", {"proof": "passed", "issuer_trust": "passed"}),
}


@pytest.fixture
def demo_app(tmp_path: Path) -> Flask:
    """The wallet in demo mode on an empty instance folder (no tables yet)."""
    instance = tmp_path / "instance"
    return create_app(
        {
            "DEMO": True,
            "INSTANCE_PATH": str(instance),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'wallet.sqlite3'}",
            "RATELIMIT_STORAGE_URI": "memory://",
            "WTF_CSRF_ENABLED": False,
            **FAST_ARGON2,
        }
    )


def rows(app: Flask) -> dict[str, Credential]:
    with app.app_context():
        found = db.session.scalars(select(Credential).join(User).where(User.email == EMAIL))
        return {row.filename or "": row for row in found}


def checks(row: Credential) -> dict[str, str]:
    return {c["id"]: c["status"] for c in row.report["checks"]}


def test_demo_learner_holds_each_credential_with_its_outcome(demo_app):
    login = prepare(demo_app, now=NOW)
    held = rows(demo_app)
    assert {name: row.outcome for name, row in held.items()} == {
        name: outcome for name, (outcome, _) in EXPECTED.items()
    }
    for name, (_, expected) in EXPECTED.items():
        got = checks(held[name])
        assert {k: got[k] for k in expected} == expected, (name, held[name].report)
    assert all(row.channel == "demo" for row in held.values())
    assert [outcome.outcome for _, outcome in login.imported] == [o for o, _ in EXPECTED.values()]
    with demo_app.app_context():
        user = db.session.scalar(select(User).where(User.email == EMAIL))
        assert user is not None and user.holder_did.startswith("did:key:z6Mk")
        assert check_password(user, login.password)


def test_demo_credentials_carry_what_the_portfolio_shows(demo_app):
    prepare(demo_app, now=NOW)
    held = rows(demo_app)
    badge = held["digital-content-creation.json"]
    assert badge.ects == 5 and badge.issuer_name == "Demo University"
    assert any("esco/skill/" in (s.get("uri") or "") for s in badge.summary["skills"])
    edc = held["science-communication-edc.json"]
    assert edc.format == "edc_jades" and edc.ects == 4
    assert "not on an EU trusted list" in edc.note
    trust = next(c for c in edc.report["checks"] if c["id"] == "issuer_trust")
    assert "No EU trusted list" in trust["message"]
    assert held["python-data-analysis.jwt"].format == "jwt_vc"
    assert held["computing-transcript-clr.json"].summary["part_count"] == 3


def test_the_learner_logs_in_and_sees_the_credentials(demo_app):
    login = prepare(demo_app, now=NOW)
    client = demo_app.test_client()
    response = client.post("/auth/login", data={"email": EMAIL, "password": login.password})
    assert response.status_code == 302
    page = client.get("/portfolio/", follow_redirects=True).get_data(as_text=True)
    for title in ("Digital Content Creation", "Science Communication", "Computing Foundations"):
        assert title in page


def test_starting_again_replaces_the_demo_learner_and_issuers_only(demo_app):
    first = prepare(demo_app, now=NOW)
    with demo_app.app_context():
        register_user("ada@example.org", "correct horse battery", "Ada")
        db.session.commit()
    home = Path(demo_app.config["VERIFIER_HOME"])
    store = TrustStore.from_file(home / "trust.json")
    first_issuers = {i.id for i in store.issuers() if i.registry == REGISTRY}
    second = prepare(demo_app, now=NOW)
    assert second.password != first.password
    with demo_app.app_context():
        emails = set(db.session.scalars(select(User.email)))
        assert emails == {EMAIL, "ada@example.org", "adviser@wallet.example"}
        assert db.session.scalar(select(db.func.count(Credential.id))) == len(EXPECTED)
        user = db.session.scalar(select(User).where(User.email == EMAIL))
        assert not check_password(user, first.password)
    demo_issuers = {i.id for i in TrustStore.from_file(home / "trust.json").issuers()}
    assert len(demo_issuers) == 2 and not demo_issuers & first_issuers
    assert {o for _, (o, _) in EXPECTED.items()} == {r.outcome for r in rows(demo_app).values()}


def test_wallet_demo_prints_the_login_then_serves(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    elsewhere = tmp_path / "production.sqlite3"
    monkeypatch.setenv("WALLET_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("WALLET_DATABASE_URL", f"sqlite:///{elsewhere}")
    monkeypatch.delenv("WALLET_SECRET_KEY", raising=False)
    for name, value in FAST_ARGON2.items():
        monkeypatch.setenv(f"WALLET_{name}", json.dumps(value))
    served = []
    monkeypatch.setattr(
        command, "serve", lambda app, *, host, port: served.append((app, host, port))
    )
    issuers = []

    def start_issuer(app, *, wallet_url, host, port):
        issuers.append((wallet_url, port))
        return SimpleNamespace(url=f"http://{host}:{port}")

    monkeypatch.setattr(demo_issuer, "start_for_wallet", start_issuer)
    result = CliRunner().invoke(cli, ["demo", "--port", "5099"])
    assert result.exit_code == 0, result.output
    assert "Open http://127.0.0.1:5099/ and log in with" in result.output
    assert f"e-mail:   {EMAIL}" in result.output
    assert "could not check  Science Communication" in result.output
    assert "A share link of the verified credentials: http://127.0.0.1:5099/s/" in result.output
    assert "The careers adviser: e-mail adviser@wallet.example" in result.output
    assert "Demo OpenID issuer: http://127.0.0.1:5001/" in result.output
    assert issuers == [("http://127.0.0.1:5099", 5001)]
    password = re.search(r"password: (\S+)", result.output).group(1)
    [(app, host, port)] = served
    assert (host, port) == ("127.0.0.1", 5099)
    assert app.config["DEMO"] and len(app.config["SECRET_KEY"]) >= 32
    # The demo's database is the instance folder's, not the one the environment names.
    assert (instance / "wallet.sqlite3").exists() and not elsewhere.exists()
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == EMAIL))
        assert check_password(user, password)
