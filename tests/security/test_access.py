"""Every route of the wallet, tried by an anonymous visitor, by another learner and by an
adviser without a grant: no access to the victim's records, no leak of them in any page or
error page, and nothing of theirs changed.

The routes are read from ``app.url_map`` (see ``conftest.py``): a new page is covered the
moment its blueprint is registered, and a new public page must be allow-listed there.
"""

from __future__ import annotations

import pytest

from tests.security.conftest import (
    ROUTES,
    VICTIM_EMAIL,
    VICTIM_MARKERS,
    VICTIM_NOTE,
    VICTIM_TITLE,
    body_of,
    is_public,
    redirects_to_login,
)

ROUTE_IDS = [f"{method} {rule.rule}" for _, method, rule in ROUTES]
OTHERS = {"attacker": "mallory@attacker.example", "adviser": "adam@adviser.example"}


def leaked(body: str) -> list[str]:
    return [marker for marker in VICTIM_MARKERS if marker in body]


@pytest.mark.parametrize(("endpoint", "method", "rule"), ROUTES, ids=ROUTE_IDS)
def test_anonymous_visitor_is_sent_to_login_and_sees_nothing(world, endpoint, method, rule):
    before = world.snapshot()
    client = world.client()
    for url in world.urls(rule):
        response = client.open(url, method=method)
        assert not leaked(body_of(response)), (url, leaked(body_of(response)))
        assert response.status_code < 500, (url, response.status_code)
        if not is_public(endpoint):
            allowed = redirects_to_login(response) or response.status_code in (401, 403, 404)
            assert allowed, f"{method} {url} answered {response.status_code} to a visitor"
    assert world.snapshot() == before


@pytest.mark.parametrize("who", OTHERS)
@pytest.mark.parametrize(("endpoint", "method", "rule"), ROUTES, ids=ROUTE_IDS)
def test_another_account_cannot_reach_the_victims_records(world, who, endpoint, method, rule):
    before = world.snapshot(excluding=(world.attacker_id, world.adviser_id))
    for url in world.urls(rule):
        client = world.client(OTHERS[who])  # afresh: a POST may have logged it out
        response = client.open(url, method=method)
        body = body_of(response)
        assert not leaked(body), (who, method, url, leaked(body))
        assert response.status_code < 500, (url, response.status_code)
        if rule.arguments and not is_public(endpoint):
            refused = (403, 404) if method == "GET" else (400, 403, 404)
            assert response.status_code in refused, (
                f"{who}: {method} {url} answered {response.status_code}"
            )
    after = world.snapshot(excluding=(world.attacker_id, world.adviser_id))
    assert after == before, f"{who} changed the victim's data through {method} {rule.rule}"


def test_the_markers_are_visible_to_their_owner(world):
    """The leak checks above would pass vacuously if the victim's pages never showed them."""
    client = world.client(VICTIM_EMAIL)
    assert VICTIM_TITLE in body_of(client.get("/portfolio/"))
    detail = body_of(client.get(f"/portfolio/{world.credential_ids[1]}"))
    assert VICTIM_NOTE in detail
    assert VICTIM_EMAIL in body_of(client.get("/account/"))


def test_every_route_is_tried():
    """The enumeration found the wallet's own pages (a broken map would test nothing)."""
    endpoints = {endpoint for endpoint, _, _ in ROUTES}
    assert {"portfolio.detail", "portfolio.delete", "importers.files", "account.index"} <= endpoints
