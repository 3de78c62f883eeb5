"""Sessions: a fresh session at login (nothing planted before survives), rate-limited password
guessing, and old cookies refused once the password changes."""

from __future__ import annotations

import pytest
from flask import url_for

from tests.security.conftest import ROUTES, VICTIM_EMAIL, body_of, build_world
from tests.wallet.conftest import PASSWORD


def session_cookie(client) -> str | None:
    cookie = client.get_cookie("wallet")
    return cookie.value if cookie else None


def test_login_starts_a_new_session(world):
    client = world.app.test_client()
    client.get("/auth/login")
    with client.session_transaction() as planted:  # what an attacker fixed in the victim's browser
        planted["planted"] = "by the attacker"
        planted["csrf_token"] = "attacker-known-token"
    before = session_cookie(client)
    response = client.post("/auth/login", data={"email": VICTIM_EMAIL, "password": PASSWORD})
    assert response.status_code == 302
    assert session_cookie(client) != before
    with client.session_transaction() as fresh:
        assert "planted" not in fresh and fresh.get("csrf_token") != "attacker-known-token"
        assert fresh["user_id"] == world.victim_id


def test_the_cookie_from_before_login_is_not_logged_in(world):
    attacker = world.app.test_client()
    attacker.get("/auth/login")
    with attacker.session_transaction() as planted:
        planted["planted"] = "x"
    fixed = session_cookie(attacker)
    victim = world.app.test_client()
    victim.set_cookie("wallet", fixed)
    victim.post("/auth/login", data={"email": VICTIM_EMAIL, "password": PASSWORD})
    attacker.set_cookie("wallet", fixed)  # the attacker still holds the value they planted
    response = attacker.get("/portfolio/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_password_change_ends_other_sessions(tmp_path):
    world = build_world(tmp_path / "instance")
    stolen = world.client(VICTIM_EMAIL)
    owner = world.client(VICTIM_EMAIL)
    response = owner.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "password": "a new long password",
            "confirm": "a new long password",
        },
    )
    assert response.status_code == 302, body_of(response)[:300]
    assert stolen.get("/portfolio/").status_code == 302


def test_a_cookie_copied_before_logout_stops_working(world):
    client = world.client(VICTIM_EMAIL)
    copied = session_cookie(client)
    client.post("/auth/logout")
    thief = world.app.test_client()
    thief.set_cookie("wallet", copied)
    assert thief.get("/portfolio/").status_code == 302


def test_password_guessing_is_rate_limited(tmp_path):
    world = build_world(tmp_path / "instance", RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="5/minute")
    client = world.app.test_client()
    codes = [
        client.post(
            "/auth/login", data={"email": VICTIM_EMAIL, "password": f"guess {i}"}
        ).status_code
        for i in range(7)
    ]
    assert codes[:5] == [400] * 5 and codes[5:] == [429, 429]
    # The right password is refused too while the limit holds: guessing cannot be finished.
    right = client.post("/auth/login", data={"email": VICTIM_EMAIL, "password": PASSWORD})
    assert right.status_code == 429


SHARE_LINKS = [
    (e, r)
    for e, m, r in ROUTES
    if m == "GET" and e.startswith("sharing.") and "token" in r.arguments
]


@pytest.mark.parametrize(("endpoint", "rule"), SHARE_LINKS, ids=[r.rule for _, r in SHARE_LINKS])
def test_share_token_guessing_is_rate_limited(tmp_path, endpoint, rule):
    world = build_world(tmp_path / "instance", RATELIMIT_ENABLED=True)
    client = world.app.test_client()
    codes = []
    for guess in range(300):
        with world.app.test_request_context():
            url = url_for(endpoint, token=f"guess-{guess:04d}-{'x' * 20}")
        codes.append(client.get(url).status_code)
        if codes[-1] == 429:
            break
    assert codes[-1] == 429, f"{len(codes)} guesses at {rule.rule} were all answered"
    assert set(codes[:-1]) <= {404, 410}, set(codes)
