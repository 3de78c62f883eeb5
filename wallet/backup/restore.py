"""Restoring a backup into an empty account, in one transaction, on SQLite or PostgreSQL.

Rows get new primary keys; every foreign key is rewritten through the map of old to new keys.
Rows are trusted no further than the learner who made the file (who knows its passphrase and
could have edited it), so:

- a row naming another account (an adviser's grant, a comment by someone else) is left out:
  it is only meaningful in the wallet it came from, and restoring it would let a file give
  someone access;
- a row pointing at something the file does not hold, or outside the learner's data, is left
  out;
- every credential is verified again from its original bytes: nothing the verifier derived
  is taken from the file;
- the account's e-mail address, password and role stay those of the account restored into;
- tables that bind an outside identity to the account (an adviser's OpenID Connect login) are
  never restored: a file naming someone else's login would hand their next login to this
  account. A table opts out with ``info={"restore": False}``; :data:`NEVER_RESTORED` lists
  those that exist already.

Example (in an app context)::

    result = restore_backup(user, data, passphrase, password, now=utcnow())  # commits
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import ed25519
from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from verifier import KeyPair
from wallet.backup import archive
from wallet.backup.archive import BackupError
from wallet.backup.payload import FORMAT
from wallet.backup.tables import OwnedTable, decode, owned_tables
from wallet.db import db
from wallet.keys import WrongPassword, seal_holder_key, unlock_holder_key
from wallet.models import LOCALES, Credential, User
from wallet.verification import reverify

#: Tables backed up and exported but never restored (see the module docstring).
NEVER_RESTORED = frozenset({"adviser_login_links"})
NOT_EMPTY = "not_empty"
UNKNOWN_TABLES = "unknown_tables"
WRONG_PASSWORD = "wrong_password"
CONFLICT = "conflict"


@dataclass
class RestoreResult:
    """How many rows of each table came back, and how many were left out and why."""

    restored: Counter[str] = field(default_factory=Counter)
    left_out: Counter[str] = field(default_factory=Counter)

    @property
    def credentials(self) -> int:
        """The number of credentials restored."""
        return self.restored[Credential.__tablename__]


def max_uncompressed() -> int:
    """The largest payload a backup may expand to (``BACKUP_MAX_UNCOMPRESSED``, default 256 MB)."""
    return int(current_app.config.get("BACKUP_MAX_UNCOMPRESSED", 256 * 1024 * 1024))


def max_bytes() -> int:
    """The largest backup file accepted (``BACKUP_MAX_BYTES``, default ``MAX_CONTENT_LENGTH``)."""
    config = current_app.config
    return int(config.get("BACKUP_MAX_BYTES") or config["MAX_CONTENT_LENGTH"] or 30 * 2**20)


def is_empty(user: User, tables: list[OwnedTable] | None = None) -> bool:
    """Whether no table holds a row of ``user``'s (a freshly registered account)."""
    for owned in tables if tables is not None else owned_tables(db.metadata):
        if not owned.owner_columns:
            continue
        condition = sa.or_(*(c == user.id for c in owned.owner_columns))
        query = sa.select(sa.func.count()).select_from(owned.table).where(condition)
        if db.session.scalar(query):
            return False
    return True


def restore_backup(
    user: User, data: bytes, passphrase: str, password: str, *, now: datetime
) -> RestoreResult:
    """Restore the backup ``data`` into ``user``'s empty wallet and commit; ``BackupError``.

    ``password`` is the account's password: it proves the learner is at the keyboard and
    seals the restored holder key. On any error nothing is changed.
    """
    limit = max_bytes()
    if len(data) > limit:
        raise BackupError(archive.TOO_LARGE, f"the file is larger than {limit} bytes")
    archive.read_header(data)  # not a backup, or another version: say so before any KDF
    try:
        unlock_holder_key(user, password)
    except WrongPassword as exc:
        raise BackupError(WRONG_PASSWORD) from exc
    payload = archive.open_backup(data, passphrase, max_uncompressed=max_uncompressed())
    tables = owned_tables(db.metadata)
    # Two restores at once into one account: the second waits here, then finds it full.
    db.session.execute(sa.select(User.id).where(User.id == user.id).with_for_update())
    if not is_empty(user, tables):
        db.session.rollback()
        raise BackupError(NOT_EMPTY)
    try:
        result = _restore(user, payload, password, tables, now=now)
        db.session.commit()
    except BackupError:
        db.session.rollback()
        raise
    except sa.exc.IntegrityError as exc:
        db.session.rollback()
        raise BackupError(CONFLICT, str(exc.orig)) from exc
    except (SQLAlchemyError, ValueError, KeyError, TypeError, AttributeError) as exc:
        db.session.rollback()
        raise BackupError(archive.DAMAGED, f"{type(exc).__name__}: {exc}") from exc
    return result


def _restore(
    user: User, payload: dict[str, Any], password: str, tables: list[OwnedTable], *, now: datetime
) -> RestoreResult:
    """Write the payload's rows for ``user`` (the caller commits or rolls back)."""
    if payload.get("format") != FORMAT or payload.get("version") != archive.VERSION:
        raise BackupError(archive.WRONG_VERSION, "the payload names another format")
    rows_by_table = payload["tables"]
    if not isinstance(rows_by_table, dict):
        raise ValueError("tables is not an object")
    unknown = set(rows_by_table) - {t.name for t in tables}
    if unknown:
        raise BackupError(UNKNOWN_TABLES, ", ".join(sorted(unknown)))
    account = payload["account"]
    old_owner = account["id"]
    _restore_account(user, account, payload.get("holder_key"), password)

    result = RestoreResult()
    keys: dict[tuple[str, str], dict[Any, Any]] = {}
    connection = db.session.connection()
    for owned in tables:
        rows = rows_by_table.get(owned.name, [])
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ValueError(f"{owned.name} is not a list of rows")
        if not restorable(owned):
            result.left_out[owned.name] += len(rows)
            continue
        for row in _parents_first(owned, rows):
            values = _values(owned, row, old_owner, user.id, keys)
            if values is None:
                result.left_out[owned.name] += 1
                continue
            inserted = connection.execute(owned.table.insert().values(values))
            _remember(owned, row, values, inserted.inserted_primary_key, keys)
            result.restored[owned.name] += 1
    db.session.expire_all()
    _verify_again(user, now=now)
    return result


def restorable(owned: OwnedTable) -> bool:
    """Whether a restore may write rows of this table."""
    return owned.name not in NEVER_RESTORED and owned.table.info.get("restore", True) is not False


def _restore_account(
    user: User, account: dict[str, Any], holder: dict[str, Any] | None, password: str
) -> None:
    """The account's name, language and start date, and the holder key sealed anew."""
    columns = User.__table__.columns
    name = decode(account.get("display_name"), columns["display_name"])
    if isinstance(name, str) and name.strip():
        user.display_name = name.strip()[:100]
    locale = account.get("locale")
    user.locale = locale if locale in LOCALES else None
    if account.get("created_at"):
        user.created_at = decode(account["created_at"], columns["created_at"])
    if holder is None:
        return
    raw = base64.b64decode(holder["ed25519"], validate=True)
    pair = KeyPair.for_key(ed25519.Ed25519PrivateKey.from_private_bytes(raw))
    if pair.controller != holder["did"]:
        raise BackupError(archive.DAMAGED, "the holder key does not match its DID")
    user.holder_did = pair.controller
    assert isinstance(pair.private_key, ed25519.Ed25519PrivateKey)
    seal_holder_key(user, pair.private_key, password)
    db.session.flush()


def _parents_first(owned: OwnedTable, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` ordered so a row pointing at another row of its own table comes after it."""
    self_links = [
        (column.name, fk.column.name)
        for column in owned.table.columns
        for fk in column.foreign_keys
        if fk.column.table is owned.table
    ]
    if not self_links:
        return rows
    ordered: list[dict[str, Any]] = []
    placed: set[tuple[str, Any]] = set()
    waiting = list(rows)
    while waiting:
        ready = [
            r
            for r in waiting
            if all(r.get(c) is None or (p, r.get(c)) in placed for c, p in self_links)
        ]
        if not ready:  # a cycle or a dangling pointer: those rows are left out later
            return ordered + waiting
        for r in ready:
            ordered.append(r)
            placed.update((p, r.get(p)) for _, p in self_links)
        waiting = [r for r in waiting if not any(r is x for x in ready)]
    return ordered


def _values(
    owned: OwnedTable,
    row: dict[str, Any],
    old_owner: Any,
    owner: int,
    keys: dict[tuple[str, str], dict[Any, Any]],
) -> dict[str, Any] | None:
    """The row's values for this database, or ``None`` when it must be left out."""
    surrogate = owned.surrogate
    values: dict[str, Any] = {}
    for column in owned.columns:
        if column.name not in row or column is surrogate:
            continue
        raw = row[column.name]
        targets = [fk.column for fk in column.foreign_keys]
        if not targets or raw is None:
            values[column.name] = decode(raw, column)
        elif column in owned.owner_columns:
            if raw != old_owner:
                return None  # it names another account
            values[column.name] = owner
        else:
            target = targets[0]
            mapped = keys.get((target.table.name, target.name), {})
            if raw not in mapped:
                return None  # it points at something the backup does not hold
            values[column.name] = mapped[raw]
    if Credential.__tablename__ == owned.name and "original" in values:
        values["sha256"] = hashlib.sha256(values["original"]).hexdigest()
    return values


def _remember(
    owned: OwnedTable,
    row: dict[str, Any],
    values: dict[str, Any],
    primary_key: Any,
    keys: dict[tuple[str, str], dict[Any, Any]],
) -> None:
    """Record the new value of every column of this row another row may point at."""
    surrogate = owned.surrogate
    for column in owned.table.columns:
        if not isinstance(row.get(column.name), str | int):
            continue  # only keys and codes are pointed at; JSON and empty values are not
        if column is surrogate:
            new = primary_key[0]
        else:
            new = values.get(column.name)
        keys.setdefault((owned.name, column.name), {})[row[column.name]] = new


def _verify_again(user: User, *, now: datetime) -> None:
    """Verify every restored credential from its original bytes (nothing derived is trusted)."""
    credentials = db.session.scalars(
        sa.select(Credential).where(Credential.user_id == user.id).order_by(Credential.id)
    )
    for credential in credentials:
        reverify(credential, now=now)
    db.session.flush()
