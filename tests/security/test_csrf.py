"""CSRF: every state-changing route refuses a request without the form's token, logged in or
not, and changes nothing; views exempt from CSRF are only those allow-listed."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.security.conftest import (
    CSRF_EXEMPT_ALLOWED,
    ROUTES,
    VICTIM_EMAIL,
    World,
    body_of,
    build_world,
)
from tests.wallet.conftest import PASSWORD
from wallet.db import db
from wallet.security import csrf

UNSAFE = [(e, m, r) for e, m, r in ROUTES if m in ("POST", "PUT", "PATCH", "DELETE")]
UNSAFE_IDS = [f"{m} {r.rule}" for _, m, r in UNSAFE]
CSRF_WORDS = "This form has expired or was not sent from the wallet"


@pytest.fixture(scope="module")
def csrf_world(tmp_path_factory) -> Iterator[World]:
    """The filled wallet with CSRF protection on, as in production."""
    built = build_world(tmp_path_factory.mktemp("csrf") / "instance", WTF_CSRF_ENABLED=True)
    yield built
    with built.app.app_context():
        db.session.remove()
        db.engine.dispose()


def token_from(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, "the page has no CSRF token field"
    return match.group(1)


def logged_in(world: World):
    client = world.app.test_client()
    token = token_from(body_of(client.get("/auth/login")))
    response = client.post(
        "/auth/login", data={"email": VICTIM_EMAIL, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("who", ["visitor", "learner"])
@pytest.mark.parametrize(("endpoint", "method", "rule"), UNSAFE, ids=UNSAFE_IDS)
def test_a_request_without_the_token_is_refused(csrf_world, who, endpoint, method, rule):
    if endpoint in CSRF_EXEMPT_ALLOWED:
        pytest.skip(f"{endpoint} is exempt by design")
    before = csrf_world.snapshot()
    client = logged_in(csrf_world) if who == "learner" else csrf_world.app.test_client()
    for url in csrf_world.urls(rule):
        for data in ({}, {"csrf_token": "forged-token"}):
            response = client.open(url, method=method, data=data)
            assert response.status_code == 400, (method, url, response.status_code)
            assert CSRF_WORDS in body_of(response)
    assert csrf_world.snapshot() == before


def test_a_token_from_another_session_is_refused(csrf_world):
    """A token scraped by an attacker from their own session does not work in the victim's."""
    attacker = csrf_world.app.test_client()
    stolen = token_from(body_of(attacker.get("/auth/login")))
    victim = logged_in(csrf_world)
    response = victim.post("/account/language", data={"locale": "pl", "csrf_token": stolen})
    assert response.status_code == 400


def test_the_forms_token_is_accepted(csrf_world):
    """The refusals above are CSRF's, not some other failure: with the token, a POST works."""
    client = logged_in(csrf_world)
    page = body_of(client.get("/account/"))
    response = client.post("/auth/logout", data={"csrf_token": token_from(page)})
    assert response.status_code == 302


def test_only_reviewed_views_are_exempt(csrf_world):
    app = csrf_world.app
    exempt = {
        endpoint
        for endpoint, view in app.view_functions.items()
        if f"{view.__module__}.{view.__name__}" in csrf._exempt_views
        or app.blueprints.get(endpoint.rpartition(".")[0]) in csrf._exempt_blueprints
    }
    assert exempt <= CSRF_EXEMPT_ALLOWED, f"exempt from CSRF without review: {exempt}"
