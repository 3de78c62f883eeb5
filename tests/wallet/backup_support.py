"""Helpers for the backup and identities tests: wallets on a chosen backend, a wallet filled
with credentials of several formats and a row in every other table that belongs to a learner,
and a snapshot of a learner's data that ignores the numbers the database assigns."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from tests.ob2_factory import hashed
from tests.wallet import factories as f
from tests.wallet.conftest import FAST_ARGON2, POSTGRES, POSTGRES_URL, SQLITE, schema_url
from wallet import create_app
from wallet.auth import register_user
from wallet.backup import archive
from wallet.backup.tables import (
    USER_COLUMNS,
    OwnedTable,
    collect_rows,
    owned_tables,
    python_type,
)
from wallet.db import db
from wallet.identities.models import Identity
from wallet.importers.service import import_bytes
from wallet.keys import unlock_holder_key
from wallet.models import Credential, User

PASSWORD = "correct horse battery"
PASSPHRASE = "tulip anchor violet seventeen"
EMAIL = "ada@example.org"
#: Tables the filler writes itself (the rest get one generic row each where possible).
FILLED_BY_HAND = {"credentials", "identities"}


@contextmanager
def wallet_app(backend: str, folder: Path, home: Path, **config: Any) -> Iterator[Flask]:
    """A wallet with its tables created on ``backend`` (a fresh SQLite file or PostgreSQL
    schema), sharing the verifier home ``home``; everything is dropped afterwards."""
    schema = None
    if backend == SQLITE:
        url = f"sqlite:///{folder / 'wallet.sqlite3'}"
    else:
        schema = f"wallet_backup_{secrets.token_hex(6)}"
        engine = sa.create_engine(POSTGRES_URL)
        with engine.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        url = schema_url(schema)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test secret key",
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": str(folder / "instance"),
            "VERIFIER_HOME": str(home),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_STORAGE_URI": "memory://",
            **FAST_ARGON2,
            **config,
        }
    )
    with app.app_context():
        db.create_all()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
        if schema is not None:
            engine = sa.create_engine(POSTGRES_URL)
            with engine.begin() as connection:
                connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            engine.dispose()


def payload_file(payload: dict, passphrase: str = PASSPHRASE) -> bytes:
    """A backup file holding ``payload`` as it is (for files a learner edited by hand)."""
    return archive.seal(
        payload, passphrase, time_cost=1, memory_cost=8, parallelism=1, created_at=f.NOW
    )


def register(app: Flask, email: str = EMAIL, password: str = PASSWORD) -> int:
    """A freshly registered learner's id."""
    with app.app_context():
        user = register_user(email, password, "Ada")
        db.session.commit()
        return user.id


def import_file(app: Flask, user_id: int, data: bytes, filename: str) -> int:
    """Import ``data`` for the learner as an upload would, and return the credential's id."""
    with app.test_request_context():
        user = db.session.get(User, user_id)
        outcome = import_bytes(user, data, filename=filename, channel="file", now=f.NOW)
        assert outcome.ok, outcome.message
        assert outcome.credential_id is not None
        return outcome.credential_id


def issue_samples(home: Path) -> dict[str, bytes]:
    """Credentials of several formats, trusted or cached in ``home`` as needed."""
    key = f.new_key()
    f.trust_issuer(home, key)
    ob2 = f.ob2_issuer(home)
    badge = ob2.hosted(2, recipient=hashed(EMAIL))
    return {
        "badge.json": f.ldp_bytes(key),
        "course.jwt": f.jwt_credential(key, name="Welding Safety").encode(),
        "robot.png": f.baked_png(json.dumps(badge), ob3=False),
        "signed-badge.svg": f.baked_svg(ob2.signed(3, recipient=hashed(EMAIL)), ob3=False),
    }


def fill_wallet(app: Flask, user_id: int, home: Path) -> list[str]:
    """Credentials with notes, two added e-mail addresses and a generic row in every other
    table that belongs to the learner; returns the tables given generic rows."""
    for name, data in issue_samples(home).items():
        credential_id = import_file(app, user_id, data, name)
        with app.app_context():
            db.session.get(Credential, credential_id).note = f"My note on {name} ✓"
            db.session.commit()
    with app.app_context():
        db.session.add(Identity(user_id=user_id, value="ada@school.example", confirmed_at=f.NOW))
        db.session.add(Identity(user_id=user_id, value="ada@old-job.example"))
        db.session.commit()
        return generic_rows(user_id)


def generic_rows(user_id: int) -> list[str]:
    """One made-up row in each owned table the tests do not fill by hand, where one can be
    made from the column types alone (each in a savepoint: a refused row changes nothing)."""
    filled = []
    made: dict[str, int] = {}
    for owned in owned_tables(db.metadata):
        if owned.name in FILLED_BY_HAND:
            made[owned.name] = _first_id(owned, user_id)
            continue
        values = _generic_values(owned, user_id, made)
        if values is None:
            continue
        try:
            with db.session.begin_nested():
                result = db.session.execute(owned.table.insert().values(values))
        except sa.exc.DBAPIError:
            continue
        key = result.inserted_primary_key
        made[owned.name] = key[0] if key and owned.surrogate is not None else 0
        filled.append(owned.name)
    db.session.commit()
    return filled


def _first_id(owned: OwnedTable, user_id: int) -> int:
    column = owned.surrogate
    assert column is not None
    owner = owned.owner_columns[0]
    return db.session.scalar(sa.select(sa.func.min(column)).where(owner == user_id))


def _generic_values(owned: OwnedTable, user_id: int, made: dict[str, int]) -> dict | None:
    """Values for every column of a new row, or ``None`` when a parent row is missing."""
    values: dict[str, Any] = {}
    for column in owned.table.columns:
        if column is owned.surrogate:
            continue
        targets = [fk.column for fk in column.foreign_keys]
        if targets:
            target = targets[0].table.name
            if target == "users":
                values[column.name] = user_id
            elif target in made and made[target]:
                values[column.name] = made[target]
            elif column.nullable:
                values[column.name] = None
            else:
                return None
            continue
        values[column.name] = _sample(column)
    return values


def _sample(column: sa.Column) -> Any:
    """A value of the column's type (JSON gets a small nested object)."""
    python = python_type(column)
    if python is None:
        return {"made": "by test", "items": [1, "two", None]}
    length = getattr(column.type, "length", None) or 40
    samples = {
        str: f"{column.table.name}-{column.name}"[: min(length, 40)] or "x",
        int: 3,
        bool: True,
        float: 1.5,
        datetime: f.NOW,
        date: f.NOW.date(),
        time: time(9, 30),
        Decimal: Decimal("1.50"),
        bytes: b"\x00\x01generic",
    }
    return samples.get(python, f"{column.name}")


# -- comparing -----------------------------------------------------------------------------------
def snapshot(app: Flask, user_id: int, password: str = PASSWORD) -> dict[str, Any]:
    """The learner's account details, holder DID (unlocked with ``password``) and every owned
    row, with database-assigned keys replaced by each row's position in its table."""
    with app.app_context():
        user = db.session.get(User, user_id)
        pair = unlock_holder_key(user, password)
        tables = owned_tables(db.metadata)
        rows = collect_rows(db.session.connection(), user_id, tables)
        account = {name: getattr(user, name) for name in USER_COLUMNS}
        account["did"] = pair.controller
    positions: dict[str, dict[Any, int]] = {}
    for owned in tables:
        if owned.surrogate is not None:
            column = owned.surrogate.name
            positions[owned.name] = {r[column]: n for n, r in enumerate(rows[owned.name])}
    shown: dict[str, list[dict[str, Any]]] = {}
    for owned in tables:
        out = []
        for row in rows[owned.name]:
            row = dict(row)
            if owned.surrogate is not None:
                row[owned.surrogate.name] = "#"
            for column in owned.table.columns:
                for fk in column.foreign_keys:
                    value = row.get(column.name)
                    if value is None:
                        continue
                    if fk.column.table.name == "users":
                        row[column.name] = "owner" if value == user_id else f"user {value}"
                    elif fk.column.table.name in positions:
                        row[column.name] = ("row", positions[fk.column.table.name].get(value))
            out.append(row)
        shown[owned.name] = out
    return {"account": account, "tables": shown}


__all__ = ["POSTGRES", "SQLITE"]
