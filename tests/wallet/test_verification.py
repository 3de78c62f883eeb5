"""The wallet's bridge to the verifier: its stores, verifying bytes, filling and refreshing rows."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.wallet import factories as f
from wallet.db import db
from wallet.models import Credential, User
from wallet.verification import (
    CACHE_FOLDER,
    TRUST_FILE,
    TRUSTED_LISTS_FILE,
    apply_report,
    open_stores,
    reverify,
    stores,
    verify_bytes,
)


@pytest.fixture
def home(app) -> Path:
    return Path(app.config["VERIFIER_HOME"])


def new_row(user_id: int, original: bytes) -> Credential:
    """A credential row for ``original``, not yet filled from a report."""
    return Credential(
        user_id=user_id,
        original=original,
        media_type="application/vc+ld+json",
        sha256=hashlib.sha256(original).hexdigest(),
        channel="file",
    )


def test_verifier_home_defaults_to_the_instance_folder(app):
    assert app.config["VERIFIER_HOME"] == str(Path(app.instance_path) / "verifier")


def test_open_stores_creates_what_is_missing(tmp_path):
    home = tmp_path / "verifier"
    held = open_stores(home)
    assert (home / TRUST_FILE).is_file()
    assert (home / TRUSTED_LISTS_FILE).is_file()
    assert (home / CACHE_FOLDER).is_dir()
    assert held.trust.issuers() == ()
    assert len(held.cache) == 0
    assert held.trusted_lists.lists() == ()


def test_open_stores_reads_what_is_there(tmp_path):
    key = f.new_key()
    f.trust_issuer(tmp_path, key)
    assert open_stores(tmp_path).trust.is_trusted(key.controller)


def test_stores_are_read_once_per_app_context(app):
    with app.app_context():
        assert stores() is stores()


def test_verify_bytes_uses_the_wallets_trust_store(app, home):
    key = f.new_key()
    data = f.ldp_bytes(key)
    with app.app_context():
        assert verify_bytes(data, now=f.NOW).outcome.value == "cannot_check"
    f.trust_issuer(home, key)
    with app.app_context():
        report = verify_bytes(data, now=f.NOW)
    assert report.outcome.value == "verified"
    assert report.checked_at == f.NOW


def test_verify_bytes_reads_status_lists_from_the_wallets_cache(app, home):
    key = f.new_key()
    f.trust_issuer(home, key)
    f.publish_status_list(home, key, revoked=(7,))
    with app.app_context():
        assert verify_bytes(f.revocable_bytes(key, 7), now=f.NOW).outcome.value == "revoked"
        assert verify_bytes(f.revocable_bytes(key, 8), now=f.NOW).outcome.value == "verified"


def test_apply_report_fills_every_derived_column(app, user):
    learner = user()
    key = f.new_key()
    achievement = {
        "id": "https://demo.example/achievements/sql",
        "type": ["Achievement"],
        "name": "Data Analysis Basics",
        "criteria": {"narrative": "Passed."},
        "creditsAvailable": 2.5,
        "tag": ["ECTS"],
    }
    data = f.ldp_bytes(
        key,
        validUntil="2027-01-15T09:00:00Z",
        image={"id": "https://demo.example/badge.png", "type": "Image"},
        credentialSubject={
            "id": "did:example:learner",
            "type": ["AchievementSubject"],
            "achievement": achievement,
        },
    )
    with app.app_context():
        row = new_row(learner.id, data)
        apply_report(row, verify_bytes(data, now=f.NOW), now=f.NOW)
        db.session.add(row)
        db.session.commit()
        row = db.session.scalar(select(Credential))
        assert row.format == "ldp_vc"
        assert row.title == "Data Analysis Basics"
        assert row.issuer_name == "Demo University"
        assert row.issuer_id == key.controller
        assert row.issued_at == datetime(2026, 1, 15, 9, tzinfo=UTC)
        assert row.valid_until == datetime(2027, 1, 15, 9, tzinfo=UTC)
        assert row.ects == Decimal("2.50")
        assert row.image == "https://demo.example/badge.png"
        assert row.types == ["VerifiableCredential", "OpenBadgeCredential"]
        assert row.summary["title"] == {"": "Data Analysis Basics"}
        assert row.outcome == "cannot_check"
        assert row.report["outcome"] == "cannot_check"
        assert [c["id"] for c in row.report["checks"]][:2] == ["format", "proof"]
        assert "summary" not in row.report  # kept once, in its own column
        assert row.checked_at == f.NOW
        assert row.original == data


def test_apply_report_picks_the_title_in_the_learners_language(app, user):
    learner = user(locale="pl")
    name = [
        {"@value": "Data Analysis Basics", "@language": "en"},
        {"@value": "Podstawy analizy danych", "@language": "pl"},
    ]
    subject = f.ob3_document(f.new_key())["credentialSubject"]
    subject["achievement"]["name"] = name
    data = f.ldp_bytes(f.new_key(), name=name, credentialSubject=subject)
    with app.app_context():
        row = new_row(learner.id, data)
        row.user = db.session.get(User, learner.id)
        apply_report(row, verify_bytes(data, now=f.NOW), now=f.NOW)
        assert row.title == "Podstawy analizy danych"
        assert row.summary["title"] == {
            "en": "Data Analysis Basics",
            "pl": "Podstawy analizy danych",
        }


def test_apply_report_names_an_untitled_credential_by_its_type(app, user):
    learner = user()
    data = f.sd_jwt_credential(f.new_key()).encode()
    with app.app_context():
        row = new_row(learner.id, data)
        report = verify_bytes(data, now=f.NOW)
        apply_report(row, report, now=f.NOW)
    assert row.format == "sd_jwt_vc"
    assert row.title  # the vct, never empty
    assert row.issuer_name is None


def test_reverify_updates_the_row_after_the_issuer_is_trusted(app, user, home):
    learner = user()
    key = f.new_key()
    data = f.ldp_bytes(key)
    with app.app_context():
        row = new_row(learner.id, data)
        apply_report(row, verify_bytes(data, now=f.NOW), now=f.NOW)
        db.session.add(row)
        db.session.commit()
        assert row.outcome == "cannot_check"
    f.trust_issuer(home, key)
    later = f.when(days=3)
    with app.app_context():
        row = db.session.scalar(select(Credential))
        report = reverify(row, now=later)
        db.session.commit()
        assert report.outcome.value == "verified"
    with app.app_context():
        row = db.session.scalar(select(Credential))
        assert row.outcome == "verified"
        assert row.checked_at == later
        assert row.original == data


def test_reverify_sees_a_revocation(app, user, home):
    learner = user()
    key = f.new_key()
    f.trust_issuer(home, key)
    f.publish_status_list(home, key, revoked=())
    data = f.revocable_bytes(key, 3)
    with app.app_context():
        row = new_row(learner.id, data)
        apply_report(row, verify_bytes(data, now=f.NOW), now=f.NOW)
        assert row.outcome == "verified"
    f.publish_status_list(home, key, revoked=(3,))
    with app.app_context():
        report = reverify(row, now=f.NOW)
    assert report.outcome.value == "revoked"
    assert row.outcome == "revoked"
    assert json.dumps(row.report)  # stays plain JSON
