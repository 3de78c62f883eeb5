"""The backup page as a learner uses it: downloading a backup, restoring it into a new account,
the exports (credentials zip, portfolio HTML and JSON, data-protection JSON) and the
``wallet backup`` commands."""

from __future__ import annotations

import base64
import io
import json
import zipfile

import pytest
import sqlalchemy as sa

from tests.wallet import factories as f
from tests.wallet.backup_support import (
    PASSPHRASE,
    PASSWORD,
    import_file,
    issue_samples,
    payload_file,
)
from wallet.backup import archive
from wallet.backup.payload import build_payload
from wallet.db import db
from wallet.identities.models import Identity
from wallet.keys import unlock_holder_key
from wallet.models import Credential, User


@pytest.fixture
def filled(app, user, auth):
    """A logged-in learner with four credentials of different formats."""
    learner = user()
    home = app.config["VERIFIER_HOME"]
    originals = {}
    for name, data in issue_samples(home).items():
        originals[import_file(app, learner.id, data, name)] = data
    auth.login()
    return learner, originals


def download(client, **fields):
    data = {"password": PASSWORD, "passphrase": PASSPHRASE, "passphrase_confirm": PASSPHRASE}
    return client.post("/backup/download", data={**data, **fields})


def upload(client, data: bytes, passphrase: str = PASSPHRASE, password: str = PASSWORD):
    form = {
        "backup_file": (io.BytesIO(data), "wallet.lwbackup"),
        "restore_passphrase": passphrase,
        "restore_password": password,
    }
    return client.post("/backup/restore", data=form, content_type="multipart/form-data")


@pytest.mark.parametrize(
    "path",
    [
        "/backup/",
        "/backup/export/credentials.zip",
        "/backup/export/portfolio.json",
        "/backup/export/portfolio.html",
        "/backup/export/my-data.json",
    ],
)
def test_pages_need_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/auth/login" in response.location


def test_page_offers_backup_and_exports_but_no_restore_into_a_full_wallet(client, filled):
    page = client.get("/backup/").get_data(as_text=True)
    assert "Download an encrypted backup" in page
    assert "users.password_hash" in page  # what is left out is said
    if "adviser_login_links" in db.metadata.tables:
        assert "<code>adviser_login_links.*</code>" in page
    assert "can only be restored into an empty wallet" in page
    assert 'action="/backup/restore"' not in page
    assert "/backup/export/credentials.zip" in page


def test_download_then_restore_into_a_new_account(app, client, auth, filled):
    learner, originals = filled
    response = download(client)
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    data = response.data
    assert data.startswith(archive.MAGIC)

    # The learner leaves this wallet (its holder key may live in one account at a time).
    client.post("/account/delete", data={"current_password": PASSWORD})
    auth.register("ada.new@example.org", "a new password 42")
    page = client.get("/backup/").get_data(as_text=True)
    assert 'action="/backup/restore"' in page
    response = upload(client, data, password="a new password 42")
    assert response.status_code == 302
    page = client.get("/backup/").get_data(as_text=True)
    assert "The backup has been restored: 4 credentials" in page
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "ada.new@example.org"))
        rows = db.session.scalars(
            sa.select(Credential).where(Credential.user_id == user.id).order_by(Credential.id)
        ).all()
        assert [r.original for r in rows] == list(originals.values())
        assert unlock_holder_key(user, "a new password 42").controller == learner.holder_did


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": "not my password"}, "Your account password is not right."),
        ({"passphrase": "short", "passphrase_confirm": "short"}, "at least 10 characters"),
        ({"passphrase_confirm": "something else entirely"}, "The two passphrases are not"),
    ],
)
def test_download_mistakes_are_explained(client, filled, fields, message):
    response = download(client, **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: d, "The passphrase does not open this backup"),
        (lambda d: b"hello", "This file is not a wallet backup"),
        (lambda d: d[:8] + b"\x07" + d[9:], "made by another version of the wallet"),
        (lambda d: d[:20], "This backup file is damaged"),
    ],
)
def test_restore_mistakes_are_explained_and_change_nothing(
    app, client, auth, filled, damage, message
):
    data = download(client).data
    client.post("/account/delete", data={"current_password": PASSWORD})
    auth.register("ada.new@example.org", "a new password 42")
    passphrase = "wrong passphrase!" if "passphrase" in message else PASSPHRASE
    response = upload(client, damage(data), passphrase, "a new password 42")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "ada.new@example.org"))
        count = sa.select(sa.func.count()).select_from(Credential)
        assert db.session.scalar(count.where(Credential.user_id == user.id)) == 0


def test_restore_without_a_file_is_explained(client, auth, user):
    auth.register("ada.new@example.org", "a new password 42")
    response = client.post("/backup/restore", data={"restore_passphrase": PASSPHRASE})
    assert response.status_code == 400
    assert "Choose the backup file" in response.get_data(as_text=True)


def test_restore_into_a_full_wallet_is_refused(client, filled):
    data = download(client).data
    response = upload(client, data)
    assert response.status_code == 400
    assert "can only be restored into an empty wallet" in response.get_data(as_text=True)


# -- exports ------------------------------------------------------------------------------------
def test_credentials_zip_holds_the_original_files(client, filled):
    _, originals = filled
    response = client.get("/backup/export/credentials.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as bundle:
        names = bundle.namelist()
        assert [bundle.read(n) for n in names] == list(originals.values())
    assert [n.rsplit(".", 1)[1] for n in names] == ["json", "jwt", "png", "svg"]
    assert all("/" not in n and n.startswith("00") for n in names)


def test_portfolio_json_has_every_credential_with_its_checks(client, filled):
    document = client.get("/backup/export/portfolio.json").get_json()
    assert len(document["credentials"]) == 4
    first = document["credentials"][0]
    assert first["outcome"] == "verified"
    assert [c["id"] for c in first["verification"]["checks"]][:2] == ["format", "proof"]


def test_portfolio_html_is_self_contained(client, filled):
    response = client.get("/backup/export/portfolio.html")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert "Portfolio of Ada" in page and "Robot Builder" in page
    assert "Signature or seal" in page and "Passed" in page
    assert "<script" not in page and 'rel="stylesheet"' not in page and "src=" not in page


def test_personal_data_export_holds_everything_but_secrets(app, client, filled):
    learner, originals = filled
    with app.app_context():
        db.session.add(
            Identity(user_id=learner.id, value="ada@school.example", code_hash="ab" * 32)
        )
        db.session.commit()
        user = db.session.get(User, learner.id)
        secrets = [user.password_hash, user.session_token, "ab" * 32]
        key = base64.b64encode(user.holder_key_ciphertext).decode()
    response = client.get("/backup/export/my-data.json")
    text = response.get_data(as_text=True)
    document = json.loads(text)
    assert document["account"]["email"] == "ada@example.org"
    assert "purpose" in document["about"]
    assert document["account"]["holder_did"] == learner.holder_did
    assert len(document["tables"]["credentials"]) == 4
    assert document["tables"]["identities"][0]["value"] == "ada@school.example"
    assert "password_hash" in document["not_included"]
    for secret in [*secrets, key]:
        assert secret not in text


def test_exports_hold_only_the_learners_own_data(app, client, auth, filled, user):
    other = user("bob@example.org")
    key = f.new_key()
    f.trust_issuer(app.config["VERIFIER_HOME"], key)
    import_file(app, other.id, f.ldp_bytes(key, name="Bob's Secret Badge"), "bob.json")
    for path in ("portfolio.json", "my-data.json", "portfolio.html"):
        assert "Bob's Secret Badge" not in client.get(f"/backup/export/{path}").get_data(
            as_text=True
        )


# -- the command line ---------------------------------------------------------------------------
def test_cli_backup_then_restore(app, runner, user, tmp_path):
    home = app.config["VERIFIER_HOME"]
    old = user("old@example.org")
    key = f.new_key()
    f.trust_issuer(home, key)
    import_file(app, old.id, f.ldp_bytes(key), "mine.json")
    path = tmp_path / "old.lwbackup"
    args = ["--password", PASSWORD, "--passphrase", PASSPHRASE]
    result = runner.invoke(
        args=["backup", "create", str(path), "--email", "old@example.org", *args]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():  # the old account goes, as when moving to another server
        db.session.delete(db.session.get(User, old.id))
        db.session.commit()
    fresh = user()
    result = runner.invoke(
        args=["backup", "restore", str(path), "--email", "ada@example.org", *args]
    )
    assert result.exit_code == 0, result.output
    assert "restored 1 row(s) of credentials" in result.output
    with app.app_context():
        assert db.session.get(User, fresh.id).holder_did == old.holder_did

    again = runner.invoke(
        args=["backup", "restore", str(path), "--email", "ada@example.org", *args]
    )
    assert again.exit_code != 0 and "nothing was restored: not_empty" in again.output


def test_restore_says_what_was_left_out(app, client, auth, user):
    old = user("old@example.org")
    with app.app_context():
        payload = build_payload(db.session.get(User, old.id), None, now=f.NOW)
    payload["tables"]["identities"] = [
        {"id": 1, "user_id": old.id, "kind": "email", "value": "me@example.org"},
        {"id": 2, "user_id": old.id + 50, "kind": "email", "value": "them@example.org"},
    ]
    auth.register("ada.new@example.org", "a new password 42")
    response = upload(client, payload_file(payload), password="a new password 42")
    assert response.status_code == 302
    page = client.get("/backup/").get_data(as_text=True)
    assert "The backup has been restored: 0 credentials" in page
    assert "1 item was not restored" in page
