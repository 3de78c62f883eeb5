"""Adviser accounts: registering as an adviser, ``wallet adviser add|list|remove``, and logging
in through an institution's OpenID Connect provider (a fake one served in the test, reached
over HTTP by authlib's Flask client: metadata, token endpoint, JWKS and ID token checks)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from tests.wallet.advisers_support import PASSWORD, fake_provider, grant, make_adviser
from wallet.advisers.models import Grant, LoginLink
from wallet.db import db
from wallet.models import User

ADVISER_CLAIMS = {
    "sub": "staff-4711",
    "email": "Dana@Uni.example",
    "email_verified": True,
    "name": "Dana Careers",
}


@pytest.fixture
def provider():
    with fake_provider(dict(ADVISER_CLAIMS)) as running:
        yield running


@pytest.fixture
def wallet_config(wallet_config, provider):
    """The wallet with one institution: the fake provider."""
    institution = {
        "name": "uni",
        "label": "University of Testing",
        "server_metadata_url": provider.metadata_url,
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
    }
    unreachable = {
        "name": "down",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
        "client_id": "x",
        "client_secret": "y",
    }
    return {**wallet_config, "ADVISER_OIDC": [institution, unreachable]}


def oidc_login(client, provider, *, tamper_state: bool = False):
    """Go through the institution's login as a browser would; return the wallet's answer."""
    start = client.get("/advisers/login/uni")
    assert start.status_code == 302
    assert start.location.startswith(f"{provider.url}/authorize?")
    query = parse_qs(urlsplit(start.location).query)
    assert query["client_id"] == [provider.client_id] and "openid" in query["scope"][0]
    assert query["nonce"][0]
    answer = requests.get(start.location, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    back = urlsplit(answer.headers["Location"])
    assert back.path == "/advisers/login/uni/callback"
    target = f"{back.path}?{back.query}"
    if tamper_state:
        target = target.replace("state=", "state=x")
    return client.get(target)


def test_the_login_page_lists_the_institutions(client):
    page = client.get("/advisers/login")
    assert "University of Testing" in page.text
    assert 'href="/advisers/login/uni"' in page.text
    assert client.get("/advisers/login/elsewhere").status_code == 404


def test_a_first_institution_login_creates_an_adviser(app, client, provider):
    response = oidc_login(client, provider)
    assert response.status_code == 302 and response.location == "/advisers/learners"
    assert provider.token_requests == 1
    page = client.get("/advisers/learners")
    assert "Welcome, Dana Careers." in page.text
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "dana@uni.example"))
        assert user is not None and user.role == "adviser"
        link = db.session.scalars(select(LoginLink)).one()
        assert (link.user_id, link.institution, link.subject) == (user.id, "uni", "staff-4711")

    # A second login finds the same account through its link, even with a new address.
    client.post("/auth/logout")
    provider.claims["email"] = "dana.careers@uni.example"
    assert oidc_login(client, provider).location == "/advisers/learners"
    with app.app_context():
        assert db.session.scalar(select(db.func.count(User.id))) == 1


def test_an_institution_login_links_an_existing_adviser(app, client, provider, user):
    adviser_id = make_adviser(app, "dana@uni.example", "Dana")
    learner = user("ada@example.org", display_name="Ada")
    grant(app, learner.id, adviser_id)
    response = oidc_login(client, provider)
    assert response.location == "/advisers/learners"
    assert "Ada" in client.get("/advisers/learners").text
    with app.app_context():
        assert db.session.scalars(select(LoginLink)).one().user_id == adviser_id


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"email": "ada@example.org"}, "belongs to a learner"),
        ({"email_verified": False}, "did not give a verified email address"),
        ({"email": ""}, "did not give a verified email address"),
    ],
)
def test_institution_logins_that_are_refused(app, client, provider, user, claims, message):
    user("ada@example.org")
    provider.claims.update(claims)
    response = oidc_login(client, provider)
    assert response.location == "/advisers/login"
    assert message in client.get("/advisers/login").text
    assert client.get("/advisers/learners").status_code == 302  # not logged in
    with app.app_context():
        assert db.session.scalar(select(db.func.count(LoginLink.id))) == 0
        assert db.session.scalar(select(db.func.count(User.id))) == 1


def test_a_forged_answer_is_refused(app, client, provider):
    response = oidc_login(client, provider, tamper_state=True)
    assert response.location == "/advisers/login"
    assert "did not work" in client.get("/advisers/login").text
    assert provider.token_requests == 0
    # A code the provider never issued, with the right state: the token endpoint refuses it.
    start = client.get("/advisers/login/uni")
    state = parse_qs(urlsplit(start.location).query)["state"][0]
    response = client.get(f"/advisers/login/uni/callback?code=made-up&state={state}")
    assert response.location == "/advisers/login"
    assert provider.token_requests == 1
    # The provider says the login failed.
    start = client.get("/advisers/login/uni")
    state = parse_qs(urlsplit(start.location).query)["state"][0]
    response = client.get(f"/advisers/login/uni/callback?error=access_denied&state={state}")
    assert response.location == "/advisers/login"
    with app.app_context():
        assert db.session.scalar(select(db.func.count(User.id))) == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"forge": True},
        {"aud": "another-client"},
        {"iss": "https://elsewhere.example"},
        {"nonce": "replayed"},
        {"exp": 1_000_000_000},
    ],
    ids=["forged signature", "audience", "issuer", "nonce", "expired"],
)
def test_a_bad_id_token_is_refused(app, client, provider, changes):
    provider.id_token_changes = changes
    response = oidc_login(client, provider)
    assert response.location == "/advisers/login"
    assert provider.token_requests == 1
    assert client.get("/advisers/learners").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(db.func.count(User.id))) == 0


def test_an_unreachable_institution_is_a_message(client):
    response = client.get("/advisers/login/down")
    assert response.location == "/advisers/login"
    assert "cannot be reached just now" in client.get("/advisers/login").text


def test_register_as_an_adviser(app, client):
    data = {
        "email": "fay@uni.example",
        "display_name": "Fay",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    response = client.post("/advisers/register", data=data)
    assert response.status_code == 302 and response.location == "/advisers/learners"
    assert "Learners can now give you access" in client.get("/advisers/learners").text
    with app.app_context():
        assert db.session.scalar(select(User.role).where(User.email == "fay@uni.example")) == (
            "adviser"
        )
    again = app.test_client().post("/advisers/register", data=data)
    assert again.status_code == 400 and "already exists" in again.text


def test_adviser_commands(app, runner, user):
    result = runner.invoke(
        args=["adviser", "add", "Gus@Uni.example", "--name", "Gus", "--password", PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert "adviser gus@uni.example (Gus) created" in result.output
    result = runner.invoke(args=["adviser", "add", "hal@uni.example"], input=f"{PASSWORD}\n" * 2)
    assert result.exit_code == 0, result.output
    listed = runner.invoke(args=["adviser", "list"]).output
    assert "gus@uni.example\tGus" in listed and "hal@uni.example" in listed

    for args, message in (
        (["adviser", "add", "gus@uni.example", "--password", PASSWORD], "already exists"),
        (["adviser", "add", "not-an-address", "--password", PASSWORD], "name@example.org"),
        (["adviser", "add", "ivy@uni.example", "--password", "short"], "characters long"),
        (["adviser", "remove", "nobody@uni.example", "--yes"], "no adviser account"),
    ):
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and message in result.output, args

    # Removing an adviser ends its grants; the learner keeps the grant's record.
    learner = user("ada@example.org")
    with app.app_context():
        gus = db.session.scalar(select(User).where(User.email == "gus@uni.example"))
        gus_id = gus.id
    grant_id = grant(app, learner.id, gus_id)
    result = runner.invoke(args=["adviser", "remove", "gus@uni.example", "--yes"])
    assert result.exit_code == 0 and "removed" in result.output
    with app.app_context():
        assert db.session.get(User, gus_id) is None
        assert db.session.get(Grant, grant_id).adviser_id is None
    learner_client = app.test_client()
    learner_client.post("/auth/login", data={"email": "ada@example.org", "password": PASSWORD})
    page = learner_client.get(f"/advisers/grants/{grant_id}").text
    assert "Ended" in page and "An adviser whose account was removed" in page
    assert runner.invoke(args=["adviser", "list"]).output.count("@") == 1
