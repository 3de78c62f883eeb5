"""The encrypted backup: a wallet filled with credentials, notes, identities and a row in every
other table that belongs to the learner is backed up, restored into an empty account of a
fresh database (every pair of SQLite and PostgreSQL) and compared row by row; and
every way a restore can go wrong leaves the account as it was."""

from __future__ import annotations

import base64
import gzip
import json
import struct
from decimal import Decimal

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.wallet import factories as f
from tests.wallet.backup_support import (
    EMAIL,
    PASSPHRASE,
    PASSWORD,
    POSTGRES,
    SQLITE,
    fill_wallet,
    import_file,
    payload_file,
    register,
    snapshot,
    wallet_app,
)
from wallet.backup import archive
from wallet.backup.archive import BackupError
from wallet.backup.payload import build_payload, make_backup
from wallet.backup.restore import _parents_first, is_empty, restorable, restore_backup
from wallet.backup.tables import OwnedTable, decode, encode, owned_tables
from wallet.db import AwareDateTime, Decimal2, db
from wallet.identities.models import Identity
from wallet.keys import unlock_holder_key
from wallet.models import Credential, User


def backup_of(app, user_id: int, passphrase: str = PASSPHRASE) -> bytes:
    """The learner's backup file, made as the download view makes it."""
    with app.app_context():
        user = db.session.get(User, user_id)
        return make_backup(user, unlock_holder_key(user, PASSWORD), passphrase, now=f.NOW)


def restore_into(app, user_id: int, data: bytes, passphrase: str = PASSPHRASE, **kw):
    """Restore ``data`` into the learner's account (as the restore view does)."""
    with app.test_request_context():
        user = db.session.get(User, user_id)
        password = kw.pop("password", PASSWORD)
        return restore_backup(user, data, passphrase, password, now=f.NOW)


# -- the round trip ------------------------------------------------------------------------------
@pytest.mark.parametrize("target", [SQLITE, POSTGRES])
@pytest.mark.parametrize("source", [SQLITE, POSTGRES])
def test_round_trip_gives_back_every_row(source, target, tmp_path):
    home = tmp_path / "verifier"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with (
        wallet_app(source, tmp_path / "a", home) as old,
        wallet_app(target, tmp_path / "b", home) as new,
    ):
        old_id = register(old)
        generic = fill_wallet(old, old_id, home)
        before = snapshot(old, old_id)
        data = backup_of(old, old_id)

        new_id = register(new, EMAIL, "another password 123")
        result = restore_into(new, new_id, data, password="another password 123")
        after = snapshot(new, new_id, password="another password 123")

        assert result.credentials == 4
        assert len(before["tables"]["credentials"]) == 4
        for table in generic:
            assert before["tables"][table], table
        # Outside logins (an adviser's OpenID Connect link) are never restored; all else is.
        with new.app_context():
            kept_back = {t.name for t in owned_tables(db.metadata) if not restorable(t)}
        assert dict(result.left_out) == {
            name: len(before["tables"][name]) for name in kept_back if before["tables"][name]
        }
        for name in kept_back:
            assert after["tables"].pop(name) == []
            before["tables"].pop(name)
        assert after == before
        with new.app_context():
            originals = db.session.scalars(sa.select(Credential.original).order_by(Credential.id))
            assert list(originals) == [
                base64.b64decode(row["original"]) for row in before["tables"]["credentials"]
            ]
            # Addresses come back, but must be confirmed again (the file could be edited).
            identities = db.session.scalars(sa.select(Identity).order_by(Identity.id)).all()
            assert [(i.value, i.confirmed) for i in identities] == [
                ("ada@school.example", False),
                ("ada@old-job.example", False),
            ]


def test_backup_carries_no_secrets(app, user, tmp_path):
    learner = user()
    with app.app_context():
        account = db.session.get(User, learner.id)
        payload = build_payload(account, None, now=f.NOW)
        text = json.dumps(payload)
        assert account.password_hash not in text
        assert account.session_token not in text
        assert "users.password_hash" in payload["left_out"]
        assert "identities.code_hash" in payload["left_out"]


def test_file_has_a_versioned_header_and_authenticated_contents(app, user):
    learner = user()
    data = backup_of(app, learner.id)
    assert data.startswith(b"LWBACKUP\x01")
    header, prefix, _ = archive.read_header(data)
    assert header["cipher"] == "AES-256-GCM" and header["kdf"]["algorithm"] == "argon2id"
    assert PASSPHRASE.encode() not in data and b"ada@example.org" not in data
    # A header edited to ask for other parameters no longer opens.
    weaker = data.replace(b'"time_cost": 1', b'"time_cost": 2')
    assert weaker != data
    with pytest.raises(BackupError) as caught:
        archive.open_backup(weaker, PASSPHRASE, max_uncompressed=10**7)
    assert caught.value.reason == archive.WRONG_PASSPHRASE


# -- what goes wrong changes nothing -----------------------------------------------------------
def _untouched(app, user_id: int, did: str) -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.holder_did == did
        assert is_empty(user)
        assert unlock_holder_key(user, PASSWORD).controller == did


def _flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 1]) + data[index + 1 :]


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda d: d, archive.WRONG_PASSPHRASE),  # with the wrong passphrase below
        (lambda d: _flip(d, len(d) - 40), archive.WRONG_PASSPHRASE),
        (lambda d: d[: len(d) // 2], archive.WRONG_PASSPHRASE),
        (lambda d: d[:20], archive.DAMAGED),
        (lambda d: d[:8] + b"\x02" + d[9:], archive.WRONG_VERSION),
        (lambda d: b"PK\x03\x04" + d[4:], archive.NOT_A_BACKUP),
        (lambda d: d[:13] + b"{not json" + d[22:], archive.DAMAGED),
    ],
    ids=[
        "wrong_passphrase",
        "changed_byte",
        "cut_short",
        "header_cut",
        "wrong_version",
        "not_a_backup",
        "broken_header",
    ],
)
def test_bad_files_are_refused_and_change_nothing(app, user, damage, reason):
    old = user("old@example.org")
    data = damage(backup_of(app, old.id))
    fresh = user()
    passphrase = "not the passphrase" if reason == archive.WRONG_PASSPHRASE else PASSPHRASE
    with pytest.raises(BackupError) as caught:
        restore_into(app, fresh.id, data, passphrase)
    assert caught.value.reason == reason
    _untouched(app, fresh.id, fresh.holder_did)


def test_wrong_account_password_changes_nothing(app, user):
    data = backup_of(app, user("old@example.org").id)
    fresh = user()
    with pytest.raises(BackupError) as caught:
        restore_into(app, fresh.id, data, password="not my password")
    assert caught.value.reason == "wrong_password"
    _untouched(app, fresh.id, fresh.holder_did)


def test_oversized_file_is_refused(app, user):
    data = backup_of(app, user("old@example.org").id)
    fresh = user()
    app.config["BACKUP_MAX_BYTES"] = len(data) - 1
    with pytest.raises(BackupError) as caught:
        restore_into(app, fresh.id, data)
    assert caught.value.reason == archive.TOO_LARGE
    _untouched(app, fresh.id, fresh.holder_did)


def test_a_payload_that_expands_too_far_is_refused(app, user):
    fresh = user()
    bomb = {"format": "learner-wallet-backup", "padding": "0" * 5_000_000}
    data = payload_file(bomb)
    assert len(data) < 20_000
    app.config["BACKUP_MAX_UNCOMPRESSED"] = 1_000_000
    with pytest.raises(BackupError) as caught:
        restore_into(app, fresh.id, data)
    assert caught.value.reason == archive.TOO_LARGE
    _untouched(app, fresh.id, fresh.holder_did)


def test_gunzip_stops_at_the_cap():
    bomb = gzip.compress(b"\0" * 50_000_000)
    with pytest.raises(BackupError) as caught:
        archive.gunzip_capped(bomb, 1024)
    assert caught.value.reason == archive.TOO_LARGE
    assert archive.gunzip_capped(gzip.compress(b"abc"), 3) == b"abc"
    with pytest.raises(BackupError):
        archive.gunzip_capped(gzip.compress(b"abc")[:-6], 100)


def test_only_an_empty_wallet_takes_a_restore(app, user, tmp_path):
    home = app.config["VERIFIER_HOME"]
    data = backup_of(app, user("old@example.org").id)
    fresh = user()
    key = f.new_key()
    f.trust_issuer(home, key)
    import_file(app, fresh.id, f.ldp_bytes(key), "mine.json")
    with pytest.raises(BackupError) as caught:
        restore_into(app, fresh.id, data)
    assert caught.value.reason == "not_empty"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Credential)) == 1


def test_the_same_holder_key_cannot_be_restored_twice_into_one_database(app, user):
    old = user("old@example.org")
    data = backup_of(app, old.id)
    fresh = user()
    with pytest.raises(BackupError) as caught:
        restore_into(app, fresh.id, data)
    assert caught.value.reason == "conflict"
    _untouched(app, fresh.id, fresh.holder_did)


def test_a_failure_halfway_rolls_everything_back(app, user):
    """A second copy of a credential breaks a unique constraint after the account's details,
    the identities and the first credential were written: none of it stays."""
    home = app.config["VERIFIER_HOME"]
    old = user("old@example.org")
    key = f.new_key()
    f.trust_issuer(home, key)
    import_file(app, old.id, f.ldp_bytes(key), "mine.json")

    def edit(payload):
        payload["account"]["display_name"] = "Changed"
        payload["tables"]["identities"] = [
            {
                "id": 5,
                "user_id": old.id,
                "kind": "email",
                "value": "me@example.org",
                "created_at": f.NOW.isoformat(),
            }
        ]
        first = payload["tables"]["credentials"][0]
        payload["tables"]["credentials"].append({**first, "id": first["id"] + 100})

    fresh = user()
    with pytest.raises(BackupError) as caught:
        restore_into(app, fresh.id, _edited(app, old.id, edit))
    assert caught.value.reason == "conflict"
    _untouched(app, fresh.id, fresh.holder_did)
    with app.app_context():
        assert db.session.get(User, fresh.id).display_name == "Ada"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Credential)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Identity)) == 0


# -- a file edited by hand gets no further than its own learner -----------------------------------
def _edited(app, user_id: int, edit) -> bytes:
    with app.app_context():
        user = db.session.get(User, user_id)
        payload = build_payload(user, None, now=f.NOW)
    edit(payload)
    return payload_file(payload)


def test_rows_naming_another_account_are_left_out(app, user):
    home = app.config["VERIFIER_HOME"]
    old = user("old@example.org")
    key = f.new_key()
    f.trust_issuer(home, key)
    import_file(app, old.id, f.ldp_bytes(key), "mine.json")

    def edit(payload):
        row = dict(payload["tables"]["identities"][0]) if payload["tables"]["identities"] else {}
        payload["tables"]["identities"] = [
            {**row, "id": 1, "user_id": old.id, "kind": "email", "value": "me@example.org"},
            {**row, "id": 2, "user_id": old.id + 999, "kind": "email", "value": "x@example.org"},
        ]

    fresh = user()
    result = restore_into(app, fresh.id, _edited(app, old.id, edit))
    assert result.restored["identities"] == 1 and result.left_out["identities"] == 1
    with app.app_context():
        values = db.session.scalars(sa.select(Identity.value).where(Identity.user_id == fresh.id))
        assert list(values) == ["me@example.org"]


def test_verification_results_are_not_taken_from_the_file(app, user):
    home = app.config["VERIFIER_HOME"]
    old = user("old@example.org")
    key = f.new_key()
    f.trust_issuer(home, key)
    import_file(app, old.id, f.ldp_bytes(key), "mine.json")

    def edit(payload):
        row = payload["tables"]["credentials"][0]
        row["original"] = base64.b64encode(f.tampered_bytes(key)).decode()
        row["outcome"] = "verified"

    fresh = user()
    restore_into(app, fresh.id, _edited(app, old.id, edit))
    with app.app_context():
        credential = db.session.scalar(sa.select(Credential).where(Credential.user_id == fresh.id))
        assert credential.original == f.tampered_bytes(key)
        assert credential.outcome == "not_genuine"


def test_unknown_tables_are_refused(app, user):
    old = user("old@example.org")
    data = _edited(app, old.id, lambda p: p["tables"].update({"from_the_future": []}))
    fresh = user()
    with pytest.raises(BackupError) as caught:
        restore_into(app, fresh.id, data)
    assert caught.value.reason == "unknown_tables"
    _untouched(app, fresh.id, fresh.holder_did)


def test_a_holder_key_that_does_not_match_its_did_is_refused(app, user):
    other = user("other@example.org")
    with app.app_context():
        account = db.session.get(User, other.id)
        pair = unlock_holder_key(account, PASSWORD)
        payload = build_payload(account, pair, now=f.NOW)
    payload["holder_key"]["did"] = "did:key:z6MkfakefakefakefakefakefakefakefakefakefakefakeX"
    fresh = user()
    with pytest.raises(BackupError) as caught:
        restore_into(app, fresh.id, payload_file(payload))
    assert caught.value.reason == archive.DAMAGED
    _untouched(app, fresh.id, fresh.holder_did)


def test_header_length_is_bounded():
    data = b"LWBACKUP\x01" + struct.pack(">I", 10**9) + b"{}" + b"\0" * 32
    with pytest.raises(BackupError) as caught:
        archive.read_header(data)
    assert caught.value.reason == archive.DAMAGED


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("memory_cost", 64 * 1024 * 1024),
        ("time_cost", 1000),
        ("parallelism", 64),
        ("version", 7),
        ("version", "x"),
        ("salt", 5),
        ("algorithm", "scrypt"),
    ],
)
def test_a_header_asking_for_other_kdf_parameters_is_refused(app, user, name, value):
    data = backup_of(app, user().id)
    header, prefix, body = archive.read_header(data)
    header["kdf"][name] = value
    text = json.dumps(header).encode()
    forged = b"LWBACKUP\x01" + struct.pack(">I", len(text)) + text + body
    with pytest.raises(BackupError) as caught:
        archive.open_backup(forged, PASSPHRASE, max_uncompressed=10**7)
    assert caught.value.reason == archive.DAMAGED


# -- the generic parts on their own ---------------------------------------------------------------
def _comments_table() -> OwnedTable:
    """A stand-alone table of replies to replies (not on the app's metadata)."""
    metadata = sa.MetaData()
    sa.Table("users", metadata, sa.Column("id", sa.Integer, primary_key=True))
    table = sa.Table(
        "notes",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.ForeignKey("users.id")),
        sa.Column("parent_id", sa.ForeignKey("notes.id"), nullable=True),
    )
    (owned,) = owned_tables(metadata)
    assert owned.table is table and owned.surrogate is table.c.id
    return owned


def test_rows_pointing_at_rows_of_their_own_table_come_after_them():
    owned = _comments_table()
    rows = [
        {"id": 3, "parent_id": 7},
        {"id": 5, "parent_id": None},
        {"id": 7, "parent_id": 5},
        {"id": 9, "parent_id": 404},  # its parent is not in the file: it goes last
    ]
    ordered = [r["id"] for r in _parents_first(owned, rows)]
    assert ordered == [5, 7, 3, 9]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        (sa.Column("n", sa.Integer), "3"),
        (sa.Column("n", sa.Integer), True),
        (sa.Column("b", sa.LargeBinary), "not base64!"),
        (sa.Column("t", AwareDateTime()), "2026-06-01T12:00:00"),  # no zone
        (sa.Column("s", sa.String(10)), 5),
        (sa.Column("d", Decimal2()), "many"),
        (sa.Column("f", sa.Boolean), "yes"),
    ],
)
def test_values_of_the_wrong_type_are_refused(column, value):
    with pytest.raises(ValueError):
        decode(value, column)


def test_values_survive_encoding():
    moment = f.NOW
    cases = [
        (sa.Column("t", AwareDateTime()), moment),
        (sa.Column("d", Decimal2()), Decimal("7.50")),
        (sa.Column("b", sa.LargeBinary), b"\x00\xff"),
        (sa.Column("j", sa.JSON), {"a": [1, None, "x"]}),
        (sa.Column("s", sa.Text), "żółw ✓"),
        (sa.Column("n", sa.Integer), 42),
    ]
    for column, value in cases:
        assert decode(json.loads(json.dumps(encode(value))), column) == value


# -- properties of the file format -----------------------------------------------------------------
SMALL = {"format": "learner-wallet-backup", "version": 1, "tables": {"notes": ["ż", 1, None]}}
SEALED = archive.seal(
    SMALL, PASSPHRASE, time_cost=1, memory_cost=8, parallelism=1, created_at=f.NOW
)


@settings(max_examples=60, deadline=None)
@given(position=st.integers(min_value=0, max_value=len(SEALED) - 1), bit=st.integers(0, 7))
def test_changing_any_bit_of_a_backup_is_refused(position, bit):
    changed = SEALED[:position] + bytes([SEALED[position] ^ (1 << bit)]) + SEALED[position + 1 :]
    with pytest.raises(BackupError):
        archive.open_backup(changed, PASSPHRASE, max_uncompressed=10**6)


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=200))
def test_random_bytes_are_refused_cleanly(data):
    with pytest.raises(BackupError):
        archive.open_backup(data, PASSPHRASE, max_uncompressed=10**6)
    with pytest.raises(BackupError):
        archive.open_backup(archive.MAGIC + data, PASSPHRASE, max_uncompressed=10**6)


def test_sealed_then_opened_gives_the_payload_back():
    assert archive.open_backup(SEALED, PASSPHRASE, max_uncompressed=10**6) == SMALL


def test_absurdly_nested_payload_is_damaged_not_a_crash():
    sealed = archive.seal(
        {}, PASSPHRASE, time_cost=1, memory_cost=8, parallelism=1, created_at=f.NOW
    )
    header, prefix, _ = archive.read_header(sealed)
    key = archive._derive(PASSPHRASE, header["kdf"])
    body = gzip.compress(b"[" * 200_000 + b"]" * 200_000)
    forged = prefix + AESGCM(key).encrypt(base64.b64decode(header["nonce"]), body, prefix)
    with pytest.raises(BackupError) as caught:
        archive.open_backup(forged, PASSPHRASE, max_uncompressed=10**6)
    assert caught.value.reason == archive.DAMAGED
