"""Issuers' access tokens are sealed at rest: the database holds no token, a changed secret key
or a tampered value reads as "ask again" (None), and a value from another column does not open."""

from __future__ import annotations

import base64

from flask import Flask
from sqlalchemy import text

from wallet.db import db
from wallet.oid4vc.models import AUTHORIZED, PendingIssuance
from wallet.sealed import PREFIX, seal, unseal

TOKEN = "eyJhbGciOiJFUzI1NiJ9.secret-access-token.sig"


def pending(app: Flask, user) -> int:
    learner = user()
    with app.app_context():
        row = PendingIssuance(user_id=learner.id, status=AUTHORIZED, issuer="https://i.example",
                              issuer_name="Issuer", title="Badge", offer={}, metadata_={},
                              access_token=TOKEN)
        db.session.add(row)
        db.session.commit()
        return row.id


def raw_token(app: Flask, row_id: int) -> str:
    with app.app_context():
        return db.session.execute(
            text("SELECT access_token FROM oid4vc_pending_issuances WHERE id = :id"),
            {"id": row_id}).scalar_one()


def test_the_database_holds_no_access_token(app: Flask, user) -> None:
    row_id = pending(app, user)
    stored = raw_token(app, row_id)
    assert stored.startswith(PREFIX) and "secret-access-token" not in stored
    with app.app_context():
        assert db.session.get(PendingIssuance, row_id).access_token == TOKEN


def test_another_secret_key_or_a_changed_byte_reads_as_none(app: Flask, user) -> None:
    row_id = pending(app, user)
    stored = raw_token(app, row_id)
    label = "oid4vc_pending_issuances.access_token"
    with app.app_context():
        assert unseal(stored, label) == TOKEN
        raw = bytearray(base64.urlsafe_b64decode(stored[len(PREFIX):]))
        for index in (0, 12, len(raw) - 1):  # nonce, ciphertext, tag
            changed = bytearray(raw)
            changed[index] ^= 1
            assert unseal(PREFIX + base64.urlsafe_b64encode(changed).decode(), label) is None
        assert unseal(PREFIX + "not base64!", label) is None
        assert unseal(seal(TOKEN, "another.column"), label) is None
        app.config["SECRET_KEY"] = "another secret key"
        assert unseal(stored, label) is None


def test_a_token_stored_before_sealing_is_still_read(app: Flask, user) -> None:
    row_id = pending(app, user)
    with app.app_context():
        db.session.execute(text("UPDATE oid4vc_pending_issuances SET access_token = 'plain' "
                                "WHERE id = :id"), {"id": row_id})
        db.session.commit()
        db.session.expire_all()
        assert db.session.get(PendingIssuance, row_id).access_token == "plain"
