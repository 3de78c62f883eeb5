"""Registering, logging in and out: what a person sees and what the database holds afterwards."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.wallet.conftest import PASSWORD
from wallet.db import db
from wallet.models import User


def count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_register_page(client):
    response = client.get("/auth/register")
    assert response.status_code == 200
    assert "Create an account" in response.text


def test_register_creates_learner_with_holder_key_and_logs_in(client, auth, app):
    response = auth.register("  Ada@Example.ORG ", display_name="Ada Lovelace")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.email == "ada@example.org"
        assert user.display_name == "Ada Lovelace"
        assert user.password_hash.startswith("$argon2id$")
        assert user.holder_did.startswith("did:key:z6Mk")
        assert len(user.holder_key_ciphertext) == 32 + 16
        assert user.holder_key_kdf["algorithm"] == "argon2id"
    page = client.get("/account/")
    assert page.status_code == 200
    assert "Welcome! Your wallet is ready." in page.text
    assert "ada@example.org" in page.text


@pytest.mark.parametrize(
    ("email", "password", "confirm", "message"),
    [
        ("", PASSWORD, PASSWORD, "Enter your email address."),
        (
            "not-an-email",
            PASSWORD,
            PASSWORD,
            "Enter an email address in the form name@example.org.",
        ),
        ("ada@example.org", "short", "short", "The password must be at least 10 characters long."),
        ("ada@example.org", PASSWORD, PASSWORD + "!", "The two passwords are not the same."),
    ],
)
def test_register_input_mistakes(client, app, email, password, confirm, message):
    data = {"email": email, "password": password, "confirm": confirm}
    response = client.post("/auth/register", data=data)
    assert response.status_code == 400
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert count_users(app) == 0


def test_register_keeps_what_was_typed_but_never_the_password(client):
    data = {"email": "ada@example.org", "display_name": "Ada", "password": "short", "confirm": "x"}
    response = client.post("/auth/register", data=data)
    assert 'value="ada@example.org"' in response.text
    assert 'value="Ada"' in response.text
    assert "short" not in response.text.replace("short.", "")


def test_register_duplicate_email(client, auth, user, app):
    user("ada@example.org")
    response = auth.register("ADA@example.org")
    assert response.status_code == 400
    assert "An account with this email address already exists." in response.text
    assert count_users(app) == 1


def test_login_page_in_polish(client):
    response = client.get("/auth/login", headers={"Accept-Language": "pl-PL,pl;q=0.9,en;q=0.5"})
    assert response.status_code == 200
    assert '<html lang="pl">' in response.text
    assert "Zaloguj się" in response.text


def test_login_and_logout(client, auth, user):
    learner = user()
    response = auth.login()
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    with client.session_transaction() as session:
        assert session["user_id"] == learner.id
    assert client.get("/account/").status_code == 200

    response = auth.logout()
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    with client.session_transaction() as session:
        assert "user_id" not in session
    response = client.get("/account/")
    assert response.headers["Location"] == "/auth/login?next=/account/"


def test_login_returns_to_the_page_asked_for(client, auth, user):
    user()
    assert auth.login(next="/account/password").headers["Location"] == "/account/password"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example"])
def test_login_never_redirects_off_site(client, auth, user, target):
    user()
    assert auth.login(next=target).headers["Location"] == "/"


@pytest.mark.parametrize(
    ("email", "password"),
    [("ada@example.org", "wrong password!"), ("nobody@example.org", PASSWORD)],
    ids=["wrong_password", "unknown_email"],
)
def test_login_refused(client, auth, user, email, password):
    user()
    response = auth.login(email, password)
    assert response.status_code == 400
    assert "The email address or the password is not right." in response.text
    with client.session_transaction() as session:
        assert "user_id" not in session


def test_login_starts_a_new_session(client, auth, user):
    user()
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    auth.login()
    with client.session_transaction() as session:
        assert "planted" not in session
        assert set(session) >= {"user_id", "token"}


def test_login_rate_limited_per_address(client, auth, user):
    user()
    for attempt in range(10):
        assert auth.login(f"guess{attempt}@example.org", "wrong password!").status_code == 400
    response = auth.login()  # even the right password waits now
    assert response.status_code == 429
    assert "Too many attempts" in response.text
    assert "Retry-After" in response.headers


def test_login_rate_limited_per_account(client, auth, user):
    user()
    for attempt in range(10):
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{attempt}"
        assert auth.login(password="wrong password!").status_code == 400
    client.environ_base["REMOTE_ADDR"] = "10.0.1.1"
    assert auth.login().status_code == 429
    assert auth.login("other@example.org", "wrong password!").status_code == 400


def test_successful_logins_do_not_count(client, auth, user):
    user()
    for _ in range(12):
        assert auth.login().status_code == 302


def test_rate_limit_page_in_polish(client, auth, user):
    user()
    client.set_cookie("lang", "pl")
    for _ in range(10):
        auth.login(password="wrong password!")
    response = auth.login()
    assert response.status_code == 429
    assert "Zbyt wiele prób" in response.text


def test_logout_needs_post(client, auth, user):
    user()
    auth.login()
    response = client.get("/auth/logout")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"OPTIONS", "POST"}
    assert "Not allowed" in response.text
    with client.session_transaction() as session:
        assert "user_id" in session


def test_stale_session_after_account_is_gone(client, auth, user, app):
    learner = user()
    auth.login()
    with app.app_context():
        db.session.delete(db.session.get(User, learner.id))
        db.session.commit()
    assert client.get("/account/").headers["Location"] == "/auth/login?next=/account/"


def test_index_redirects(client, auth, user, app):
    assert client.get("/").headers["Location"] == "/auth/login"
    user()
    auth.login()
    expected = "/portfolio/" if "portfolio.index" in app.view_functions else "/account/"
    assert client.get("/").headers["Location"] == expected


# --- CSRF: every form needs its token; with it, the forms work ------------------------------


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def test_register_needs_csrf_token(csrf_app, client):
    data = {"email": "ada@example.org", "password": PASSWORD, "confirm": PASSWORD}
    response = client.post("/auth/register", data=data)
    assert response.status_code == 400
    assert "This form has expired or was not sent from the wallet." in response.text
    assert count_users(csrf_app) == 0
    token = csrf_token(client.get("/auth/register").text)
    assert client.post("/auth/register", data={**data, "csrf_token": token}).status_code == 302
    assert count_users(csrf_app) == 1


def test_login_needs_csrf_token(csrf_app, client, user):
    user()
    data = {"email": "ada@example.org", "password": PASSWORD}
    assert client.post("/auth/login", data=data).status_code == 400
    token = csrf_token(client.get("/auth/login").text)
    assert client.post("/auth/login", data={**data, "csrf_token": token}).status_code == 302


def test_logout_needs_csrf_token(csrf_app, client, user):
    user()
    token = csrf_token(client.get("/auth/login").text)
    client.post(
        "/auth/login", data={"email": "ada@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert client.post("/auth/logout").status_code == 400
    with client.session_transaction() as session:
        assert "user_id" in session
    token = csrf_token(client.get("/account/").text)
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302
    with client.session_transaction() as session:
        assert "user_id" not in session


def test_csrf_page_in_polish(csrf_app, client):
    client.set_cookie("lang", "pl")
    response = client.post("/auth/login", data={"email": "a@b.pl", "password": "x"})
    assert response.status_code == 400
    assert "Ten formularz wygasł" in response.text


# --- the session cookie -------------------------------------------------------------------


def test_session_cookie_flags(client, auth, user):
    user()
    response = auth.login()
    cookie = next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("wallet="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http in tests; see test_config for https
    assert "Expires=" in cookie  # a permanent session with a lifetime, not forever


def test_header_marks_the_current_page(client, auth, user):
    page = client.get("/auth/register").text
    assert '<a href="/auth/register" aria-current="page">Register</a>' in page
    assert '<a href="/auth/login">Log in</a>' in page
    user()
    auth.login()
    page = client.get("/account/password").text
    assert '<a href="/account/" aria-current="page">Account</a>' in page
    assert "Log out" in page and '<a href="/auth/login">' not in page
