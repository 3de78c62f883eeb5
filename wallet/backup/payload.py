"""What a backup holds: the learner's account details, their holder key and every row of every
table that belongs to them (credentials with their original bytes among them).

Example (in an app context)::

    pair = unlock_holder_key(user, password)
    data = make_backup(user, pair, passphrase, now=utcnow())   # the file's bytes
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from flask import current_app

from verifier import KeyPair
from wallet.backup import archive
from wallet.backup.tables import USER_COLUMNS, USER_SECRETS, collect_rows, encode, owned_tables
from wallet.db import db
from wallet.models import User

FORMAT = "learner-wallet-backup"
#: What a backup leaves behind on purpose, shown on the backup page and written in the file.
LEFT_OUT = (
    "users.password_hash",
    "users.session_token",
    "users.email",
)


#: What a data-protection export says about the processing (GDPR Art. 15(1)(a)-(h)).
ABOUT = {
    "purpose": "Keeping the learner's credentials, checking them and showing them to people "
    "the learner chooses.",
    "source": "The learner (uploads, notes, choices) and the issuers of their credentials.",
    "recipients": "Only those the learner shares with: share links, presentations, and "
    "advisers the learner granted access to.",
    "storage_period": "Until the learner deletes it or their account.",
    "tables": "Every table below holds rows that belong to the learner, as stored; times are "
    "ISO 8601 in UTC, binary values base64.",
}


def left_out_columns() -> list[str]:
    """Every ``table.column`` a backup leaves out: the account's secrets and marked columns."""
    marked = [
        f"{owned.name}.{column.name}"
        for owned in owned_tables(db.metadata)
        for column in owned.table.columns
        if column.info.get("backup", True) is False
    ]
    tables = [
        f"{table.name}.*"
        for table in db.metadata.sorted_tables
        if table.info.get("backup", True) is False
    ]
    return [*LEFT_OUT, *marked, *tables]


def private_key_bytes(pair: KeyPair) -> bytes:
    """The raw 32 bytes of an Ed25519 holder key."""
    private = pair.private_key
    if not isinstance(private, ed25519.Ed25519PrivateKey):
        raise TypeError("holder keys are Ed25519")
    return private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def build_payload(user: User, pair: KeyPair | None, *, now: datetime) -> dict[str, Any]:
    """The backup's contents for ``user``, as JSON (the holder key only when ``pair`` is given)."""
    tables = owned_tables(db.metadata)
    rows = collect_rows(db.session.connection(), user.id, tables)
    account = {name: encode(getattr(user, name)) for name in USER_COLUMNS}
    return {
        "format": FORMAT,
        "version": archive.VERSION,
        "created_at": now.isoformat(),
        "account": {"id": user.id, "email": user.email, **account},
        "holder_key": None
        if pair is None
        else {"did": pair.controller, "ed25519": encode(private_key_bytes(pair))},
        "tables": rows,
        "left_out": left_out_columns(),
    }


def make_backup(user: User, pair: KeyPair, passphrase: str, *, now: datetime) -> bytes:
    """The encrypted backup file of ``user``'s wallet, sealed with ``passphrase``."""
    config = current_app.config
    return archive.seal(
        build_payload(user, pair, now=now),
        passphrase,
        time_cost=int(config["ARGON2_TIME_COST"]),
        memory_cost=int(config["ARGON2_MEMORY_COST"]),
        parallelism=int(config["ARGON2_PARALLELISM"]),
        created_at=now,
    )


def export_payload(user: User, *, now: datetime) -> dict[str, Any]:
    """Everything stored about ``user`` for a data-protection request (GDPR Art. 15 and 20).

    The same rows as a backup, plus the account's e-mail address and holder identifier; no
    secrets: no password hash, session token, holder key or column marked as secret.
    """
    tables = owned_tables(db.metadata)
    rows = collect_rows(db.session.connection(), user.id, tables)
    account = {
        column.name: encode(getattr(user, column.key))
        for column in User.__table__.columns
        if column.name not in USER_SECRETS and column.info.get("backup", True) is not False
    }
    return {
        "format": "learner-wallet-personal-data",
        "generated_at": now.isoformat(),
        "about": ABOUT,
        "account": account,
        "tables": rows,
        "not_included": [*USER_SECRETS, *left_out_columns()[len(LEFT_OUT) :]],
    }
