"""Confirmed identities: adding an e-mail address, the code sent to it (by a stand-in SMTP
server, or the log and, in demo mode, the page), confirming it, and the recipient check of an
Open Badges 2.0 badge issued to that hashed address before and after."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.ob2_factory import LEARNER, hashed
from tests.wallet import factories as f
from tests.wallet.backup_support import import_file
from wallet.db import db
from wallet.identities import mail, service
from wallet.identities.models import Identity
from wallet.models import Credential


class FakeSMTP:
    """A mail server that keeps what it is sent (``FakeSMTP.sent``) or refuses to answer."""

    sent: list = []
    fail = False

    def __init__(self, host: str, port: int, timeout: float) -> None:
        if self.fail:
            raise OSError("connection refused")
        self.host, self.port = host, port

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def starttls(self, context=None) -> None:
        return None

    def login(self, user: str, password: str) -> None:
        return None

    def send_message(self, message) -> None:
        FakeSMTP.sent.append(message)


@pytest.fixture
def smtp(app, monkeypatch):
    """Codes go to a stand-in SMTP server; ``smtp.sent`` holds the messages."""
    app.config.update(MAIL_SERVER="smtp.example.org", MAIL_SENDER="wallet@example.org")
    FakeSMTP.sent, FakeSMTP.fail = [], False
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    return FakeSMTP


def last_code(smtp) -> str:
    body = smtp.sent[-1].get_content()
    return re.search(r"\b(\d{6})\b", body).group(1)


@pytest.fixture
def learner(app, user, auth):
    """A logged-in learner (ada@example.org) holding a hosted OB 2.0 badge awarded to the
    hashed address learner@example.org."""
    account = user()
    issuer = f.ob2_issuer(app.config["VERIFIER_HOME"])
    badge = issuer.hosted(1, recipient=hashed(LEARNER))
    credential_id = import_file(app, account.id, f.baked_png(json.dumps(badge), ob3=False), "b.png")
    auth.login()
    return account, credential_id


def matches(app, credential_id: int):
    with app.app_context():
        return db.session.get(Credential, credential_id).summary["recipient"]["matches"]


def identity(app, value: str = LEARNER) -> Identity:
    with app.app_context():
        found = db.session.scalar(sa.select(Identity).where(Identity.value == value))
        db.session.expunge_all()
        return found


def test_badge_recipient_passes_only_after_the_address_is_confirmed(app, client, learner, smtp):
    _, credential_id = learner
    assert matches(app, credential_id) is False
    page = client.get("/identities/").get_data(as_text=True)
    assert "Recipient does not match" in page and "hashed address" in page

    response = client.post("/identities/add", data={"email": " Learner@Example.org "})
    assert response.status_code == 302
    assert smtp.sent[-1]["To"] == LEARNER
    page = client.get("/identities/").get_data(as_text=True)
    assert "Not confirmed: not used for badges" in page
    assert matches(app, credential_id) is False  # added but not confirmed: not used

    found = identity(app)
    response = client.post(f"/identities/{found.id}/confirm", data={"code": last_code(smtp)})
    assert response.status_code == 302
    assert matches(app, credential_id) is True
    page = client.get("/identities/").get_data(as_text=True)
    assert "learner@example.org is confirmed" in page
    assert "Issued to you" in page

    client.post(f"/identities/{found.id}/remove")
    assert matches(app, credential_id) is False
    assert identity(app) is None


def test_a_badge_imported_after_confirming_matches_at_once(app, client, user, auth, smtp):
    account = user()
    auth.login()
    client.post("/identities/add", data={"email": LEARNER})
    client.post(f"/identities/{identity(app).id}/confirm", data={"code": last_code(smtp)})
    issuer = f.ob2_issuer(app.config["VERIFIER_HOME"])
    badge = issuer.signed(4, recipient=hashed(LEARNER))
    credential_id = import_file(app, account.id, f.baked_svg(badge, ob3=False), "b.svg")
    assert matches(app, credential_id) is True


def test_wrong_code_is_counted_and_explained(app, client, learner, smtp):
    client.post("/identities/add", data={"email": LEARNER})
    code = last_code(smtp)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    found = identity(app)
    response = client.post(f"/identities/{found.id}/confirm", data={"code": wrong})
    assert response.status_code == 400
    assert "That code is not right. You can try 4 more times." in response.get_data(as_text=True)
    assert identity(app).attempts == 1 and not identity(app).confirmed
    assert matches(app, learner[1]) is False


def test_too_many_attempts_lock_the_code(app, client, learner, smtp):
    client.post("/identities/add", data={"email": LEARNER})
    code = last_code(smtp)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    found = identity(app)
    for _ in range(service.MAX_ATTEMPTS):
        client.post(f"/identities/{found.id}/confirm", data={"code": wrong})
    response = client.post(f"/identities/{found.id}/confirm", data={"code": code})
    assert response.status_code == 400
    assert "Too many wrong codes" in response.get_data(as_text=True)
    assert not identity(app).confirmed
    # A new code starts again.
    client.post(f"/identities/{found.id}/resend")
    assert len(smtp.sent) == 2
    response = client.post(f"/identities/{found.id}/confirm", data={"code": last_code(smtp)})
    assert response.status_code == 302 and identity(app).confirmed


def test_expired_code_is_refused(app, client, learner, smtp):
    client.post("/identities/add", data={"email": LEARNER})
    found = identity(app)
    with app.app_context():
        row = db.session.get(Identity, found.id)
        row.code_expires_at = row.code_sent_at - timedelta(seconds=1)
        db.session.commit()
    response = client.post(f"/identities/{found.id}/confirm", data={"code": last_code(smtp)})
    assert response.status_code == 400
    assert "This code has expired" in response.get_data(as_text=True)
    assert not identity(app).confirmed


def test_an_old_code_stops_working_when_a_new_one_is_sent(app, client, learner, smtp):
    client.post("/identities/add", data={"email": LEARNER})
    first = last_code(smtp)
    found = identity(app)
    client.post(f"/identities/{found.id}/resend")
    second = last_code(smtp)
    if first != second:
        response = client.post(f"/identities/{found.id}/confirm", data={"code": first})
        assert response.status_code == 400
    response = client.post(f"/identities/{found.id}/confirm", data={"code": second})
    assert response.status_code == 302 and identity(app).confirmed


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("not an address", "Enter an email address"),
        ("ada@example.org", "it is already confirmed"),
        ("", "Enter an email address"),
    ],
)
def test_bad_addresses_are_explained(app, client, learner, smtp, address, message):
    response = client.post("/identities/add", data={"email": address})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert identity(app, address) is None and not smtp.sent


def test_the_same_address_twice_is_explained(client, learner, smtp):
    client.post("/identities/add", data={"email": LEARNER})
    response = client.post("/identities/add", data={"email": LEARNER})
    assert response.status_code == 400
    assert "You have already added this address." in response.get_data(as_text=True)


def test_mail_server_failure_keeps_nothing(app, client, learner, smtp):
    smtp.fail = True
    response = client.post("/identities/add", data={"email": LEARNER}, follow_redirects=True)
    assert "The code could not be sent" in response.get_data(as_text=True)
    assert identity(app) is None


def test_without_a_mail_server_the_code_goes_to_the_log(app, client, learner, caplog):
    app.config.pop("MAIL_SERVER", None)
    with caplog.at_level(logging.WARNING):
        response = client.post("/identities/add", data={"email": LEARNER}, follow_redirects=True)
    page = response.get_data(as_text=True)
    code = re.search(r"learner@example.org is (\d{6})", caplog.text).group(1)
    assert code not in page
    assert "the code was written to the server" in page
    response = client.post(f"/identities/{identity(app).id}/confirm", data={"code": code})
    assert response.status_code == 302 and identity(app).confirmed


def test_in_demo_mode_the_code_is_shown_on_the_page(app, client, learner):
    app.config.pop("MAIL_SERVER", None)
    app.config["DEMO"] = True
    response = client.post("/identities/add", data={"email": LEARNER}, follow_redirects=True)
    code = re.search(
        r"here is the code that would have been sent: (\d{6})", response.get_data(as_text=True)
    ).group(1)
    response = client.post(f"/identities/{identity(app).id}/confirm", data={"code": code})
    assert response.status_code == 302 and identity(app).confirmed


def test_another_learners_identity_is_not_found(app, client, learner, user, smtp):
    other = user("bob@example.org")
    with app.app_context():
        row = Identity(user_id=other.id, value="bob@school.example")
        db.session.add(row)
        db.session.commit()
        other_id = row.id
    for action in ("confirm", "resend", "remove"):
        assert (
            client.post(f"/identities/{other_id}/{action}", data={"code": "1"}).status_code == 404
        )
    assert identity(app, "bob@school.example") is not None
    assert "bob@school.example" not in client.get("/identities/").get_data(as_text=True)


def test_pages_need_login(client):
    response = client.get("/identities/")
    assert response.status_code == 302 and "/auth/login" in response.location


def test_codes_are_stored_only_as_hmacs(app, client, learner, smtp):
    client.post("/identities/add", data={"email": LEARNER})
    code = last_code(smtp)
    row = identity(app)
    assert row.code_hash and code not in row.code_hash and len(row.code_hash) == 64


def test_a_badge_issued_to_a_url_is_not_claimed(app, client, user, auth):
    account = user()
    auth.login()
    issuer = f.ob2_issuer(app.config["VERIFIER_HOME"])
    recipient = {"type": "url", "hashed": False, "identity": "https://ada.example.org/"}
    badge = issuer.hosted(6, recipient=recipient)
    credential_id = import_file(app, account.id, f.baked_png(json.dumps(badge), ob3=False), "u.png")
    assert matches(app, credential_id) is False
    page = client.get("/identities/").get_data(as_text=True)
    assert "the wallet only confirms email addresses" in page
    assert "Issued to you" not in page
