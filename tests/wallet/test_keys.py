"""Holder keys: a did:key per learner, sealed under the password, re-sealed when it changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from verifier import verify_presentation
from verifier.issuing import sign_presentation
from wallet.db import db
from wallet.keys import WrongPassword, needs_rewrap, rewrap_holder_key, unlock_holder_key
from wallet.models import User


def load(app, learner) -> User:
    return db.session.get(User, learner.id)


def test_unlock_gives_the_key_named_by_the_did(app, user):
    learner = user()
    with app.app_context():
        pair = unlock_holder_key(load(app, learner), learner.password)
    assert pair.controller == learner.holder_did
    assert pair.verification_method.startswith(learner.holder_did + "#z6Mk")


def test_unlocked_key_signs_a_presentation_the_verifier_accepts(app, user):
    learner = user()
    with app.app_context():
        pair = unlock_holder_key(load(app, learner), learner.password)
    now = datetime.now(UTC)
    presentation = sign_presentation([], pair, created=now, challenge="8c1f")
    report = verify_presentation(presentation, challenge="8c1f", now=now)
    checks = {check.id: check.status for check in report.checks}
    assert checks["holder_proof"] == "passed"
    assert presentation["holder"] == learner.holder_did


def test_wrong_password_is_a_clear_error(app, user):
    learner = user()
    with app.app_context(), pytest.raises(WrongPassword):
        unlock_holder_key(load(app, learner), "not the password")


def test_the_database_holds_no_usable_private_key(app, user):
    learner = user()
    with app.app_context():
        row = load(app, learner)
        pair = unlock_holder_key(row, learner.password)
        raw = pair.private_key.private_bytes_raw()
        stored = b"".join(
            value if isinstance(value, bytes) else str(value).encode()
            for value in (
                row.holder_key_ciphertext,
                row.holder_key_nonce,
                row.holder_key_salt,
                row.holder_key_kdf,
                row.password_hash,
                row.holder_did,
            )
        )
    assert raw not in stored


def test_ciphertext_is_bound_to_its_row(app, user):
    ada, bob = user("ada@example.org"), user("bob@example.org", password="bobs password!")
    with app.app_context():
        row_a, row_b = load(app, ada), load(app, bob)
        # Copy Ada's sealed key onto Bob's row: even Ada's password does not open it there.
        row_b.holder_key_ciphertext = row_a.holder_key_ciphertext
        row_b.holder_key_nonce = row_a.holder_key_nonce
        row_b.holder_key_salt = row_a.holder_key_salt
        with pytest.raises(WrongPassword):
            unlock_holder_key(row_b, ada.password)
        db.session.rollback()


def test_rewrap_changes_the_password_but_not_the_did(app, user):
    learner = user()
    with app.app_context():
        row = load(app, learner)
        before = row.holder_key_ciphertext
        rewrap_holder_key(row, learner.password, "a brand new password")
        db.session.commit()
    with app.app_context():
        row = load(app, learner)
        assert row.holder_key_ciphertext != before
        assert row.holder_did == learner.holder_did
        assert unlock_holder_key(row, "a brand new password").controller == learner.holder_did
        with pytest.raises(WrongPassword):
            unlock_holder_key(row, learner.password)


def test_rewrap_with_wrong_old_password_changes_nothing(app, user):
    learner = user()
    with app.app_context():
        row = load(app, learner)
        before = row.holder_key_ciphertext
        with pytest.raises(WrongPassword):
            rewrap_holder_key(row, "not the password", "a brand new password")
        assert row.holder_key_ciphertext == before


def test_new_argon2_parameters_reseal_the_key_at_login(app, user, auth):
    learner = user()
    app.config["ARGON2_TIME_COST"] = 2
    with app.app_context():
        assert needs_rewrap(load(app, learner))
    assert auth.login().status_code == 302
    with app.app_context():
        row = load(app, learner)
        assert row.holder_key_kdf["time_cost"] == 2
        assert "t=2" in row.password_hash
        assert not needs_rewrap(row)
        assert unlock_holder_key(row, learner.password).controller == learner.holder_did
