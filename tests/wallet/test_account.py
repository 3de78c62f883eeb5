"""The account page: language, password change (re-sealing the key), deleting everything."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.wallet.conftest import PASSWORD
from wallet.db import db
from wallet.keys import WrongPassword, unlock_holder_key
from wallet.models import Credential, User

NEW_PASSWORD = "a much longer passphrase"


def add_credential(app, user_id: int, title: str = "Data Analysis Basics") -> None:
    original = f'{{"name": "{title}"}}'.encode()
    with app.app_context():
        db.session.add(
            Credential(
                user_id=user_id,
                original=original,
                media_type="application/vc+ld+json",
                sha256=hashlib.sha256(original).hexdigest(),
                format="ldp_vc",
                title=title,
                issuer_name="Demo University",
                issued_at=datetime(2026, 1, 15, 9, tzinfo=UTC),
                ects=Decimal("2.5"),
                report={"outcome": "verified", "checks": []},
                outcome="verified",
                checked_at=datetime.now(UTC),
                channel="file",
            )
        )
        db.session.commit()


def test_account_needs_login(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?next=/account/"


def test_account_page_shows_the_holder_did(client, auth, user):
    learner = user()
    auth.login()
    response = client.get("/account/")
    assert response.status_code == 200
    assert learner.holder_did in response.text
    assert "Your holder identifier" in response.text


def test_credential_keeps_aware_times_and_decimal_ects(app, user):
    learner = user()
    add_credential(app, learner.id)
    with app.app_context():
        credential = db.session.scalar(select(Credential))
        assert credential.issued_at == datetime(2026, 1, 15, 9, tzinfo=UTC)
        assert credential.issued_at.tzinfo is not None
        assert credential.ects == Decimal("2.50")
        assert credential.note == ""


def test_same_credential_twice_is_recognised(app, user):
    learner = user()
    add_credential(app, learner.id)
    with pytest.raises(IntegrityError):
        add_credential(app, learner.id)


# --- password -----------------------------------------------------------------------------


def test_change_password_reseals_the_key(client, auth, user, app):
    learner = user()
    auth.login()
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/"
    assert "Your password has been changed." in client.get("/account/").text
    with app.app_context():
        row = db.session.get(User, learner.id)
        assert row.holder_did == learner.holder_did
        assert unlock_holder_key(row, NEW_PASSWORD).controller == learner.holder_did
        with pytest.raises(WrongPassword):
            unlock_holder_key(row, PASSWORD)
    auth.logout()
    assert auth.login(password=PASSWORD).status_code == 400
    assert auth.login(password=NEW_PASSWORD).status_code == 302


def test_change_password_logs_out_other_sessions(client, auth, user, app):
    user()
    other = app.test_client()
    other.post("/auth/login", data={"email": "ada@example.org", "password": PASSWORD})
    assert other.get("/account/").status_code == 200
    auth.login()
    client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert client.get("/account/").status_code == 200
    assert other.get("/account/").headers["Location"] == "/auth/login?next=/account/"


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("wrong password!", NEW_PASSWORD, NEW_PASSWORD, "Your current password is not right."),
        (PASSWORD, "short", "short", "The password must be at least 10 characters long."),
        (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "The two passwords are not the same."),
    ],
)
def test_change_password_mistakes_change_nothing(
    client, auth, user, app, current, new, confirm, message
):
    learner = user()
    auth.login()
    with app.app_context():
        before = db.session.get(User, learner.id).holder_key_ciphertext
    response = client.post(
        "/account/password", data={"current_password": current, "password": new, "confirm": confirm}
    )
    assert response.status_code == 400
    assert message in response.text
    with app.app_context():
        row = db.session.get(User, learner.id)
        assert row.holder_key_ciphertext == before
        assert unlock_holder_key(row, PASSWORD).controller == learner.holder_did


def test_change_password_in_polish(client, auth, user):
    user()
    auth.login()
    client.set_cookie("lang", "pl")
    response = client.post(
        "/account/password",
        data={"current_password": "wrong password!", "password": "x", "confirm": "x"},
    )
    assert response.status_code == 400
    assert "Obecne hasło jest nieprawidłowe." in response.text
    assert "Hasło jest za krótkie" in response.text


# --- deleting -----------------------------------------------------------------------------


def test_delete_account_erases_everything(client, auth, user, app):
    learner = user()
    keeper = user("bob@example.org")
    add_credential(app, learner.id)
    add_credential(app, learner.id, "Statistics")
    add_credential(app, keeper.id)
    auth.login()
    assert client.get("/account/delete").status_code == 200
    response = client.post("/account/delete", data={"current_password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    assert "Your account and everything in it have been deleted." in client.get("/auth/login").text
    with app.app_context():
        assert db.session.get(User, learner.id) is None
        owners = db.session.scalars(select(Credential.user_id)).all()
        assert owners == [keeper.id]
    assert client.get("/account/").status_code == 302


def test_delete_account_with_wrong_password_deletes_nothing(client, auth, user, app):
    learner = user()
    add_credential(app, learner.id)
    auth.login()
    response = client.post("/account/delete", data={"current_password": "wrong password!"})
    assert response.status_code == 400
    assert "Your password is not right, so nothing was deleted." in response.text
    with app.app_context():
        assert db.session.get(User, learner.id) is not None
        assert db.session.scalar(select(func.count()).select_from(Credential)) == 1


def test_password_guessing_from_a_session_is_limited(client, auth, user):
    user()
    auth.login()
    for _ in range(10):
        response = client.post("/account/delete", data={"current_password": "guess guess"})
        assert response.status_code == 400
    response = client.post("/account/delete", data={"current_password": PASSWORD})
    assert response.status_code == 429


# --- language -----------------------------------------------------------------------------


def test_browser_language_decides_by_default(client):
    response = client.get("/auth/login", headers={"Accept-Language": "pl"})
    assert "Zaloguj się" in response.text
    response = client.get("/auth/login", headers={"Accept-Language": "de, en;q=0.5"})
    assert "Log in" in response.text


def test_language_switch_sets_a_cookie_that_beats_the_browser(client):
    response = client.post("/lang/pl", data={"next": "/auth/register"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/register"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=pl")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/auth/register", headers={"Accept-Language": "en"})
    assert '<html lang="pl">' in page.text
    assert "Załóż konto" in page.text
    client.post("/lang/en")
    assert (
        "Create an account" in client.get("/auth/register", headers={"Accept-Language": "pl"}).text
    )


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", ""])
def test_language_switch_only_goes_back_within_the_site(client, target):
    response = client.post("/lang/pl", data={"next": target})
    assert response.headers["Location"] == "/"


def test_unknown_language_is_ignored(client):
    response = client.post("/lang/xx", data={"next": "/auth/login"})
    assert response.status_code == 302
    assert "Set-Cookie" not in response.headers


def test_language_switch_needs_post(client):
    assert client.get("/lang/pl").status_code == 405


def test_account_language_beats_cookie_and_browser(client, auth, user, app):
    learner = user()
    auth.login()
    client.set_cookie("lang", "en")
    response = client.post("/account/language", data={"locale": "pl"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/"
    page = client.get("/account/", headers={"Accept-Language": "en"})
    assert "Ustawienie języka zostało zapisane." in page.text
    assert "Twoje konto" in page.text
    with app.app_context():
        assert db.session.get(User, learner.id).locale == "pl"
    # "The language of my browser" clears the setting.
    client.post("/account/language", data={"locale": ""})
    with app.app_context():
        assert db.session.get(User, learner.id).locale is None
    assert "Your account" in client.get("/account/", headers={"Accept-Language": "en"}).text


def test_header_switch_saves_the_choice_on_the_account(client, auth, user, app):
    learner = user()
    auth.login()
    client.post("/lang/pl", data={"next": "/account/"})
    with app.app_context():
        assert db.session.get(User, learner.id).locale == "pl"


def test_account_language_rejects_unknown_codes(client, auth, user, app):
    learner = user()
    auth.login()
    response = client.post("/account/language", data={"locale": "xx"}, follow_redirects=True)
    assert "Choose one of the languages in the list." in response.text
    with app.app_context():
        assert db.session.get(User, learner.id).locale is None


# --- CSRF: every form of this page needs its token ------------------------------------------


@pytest.mark.parametrize(
    ("url", "data"),
    [
        (
            "/account/password",
            {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        ),
        ("/account/delete", {"current_password": PASSWORD}),
        ("/account/language", {"locale": "pl"}),
        ("/lang/pl", {}),
    ],
)
def test_account_forms_need_a_csrf_token(client, auth, user, app, url, data):
    learner = user()
    auth.login()
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert "This form has expired" in response.text
    with app.app_context():
        row = db.session.get(User, learner.id)
        assert row is not None and row.locale is None
        assert unlock_holder_key(row, PASSWORD)
