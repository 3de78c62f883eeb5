"""Credential fields holding HTML or script are shown as text on every page that shows them,
in both languages; files served back are never rendered as pages of the wallet's origin."""

from __future__ import annotations

import io

import pytest
from markupsafe import escape

from tests.security.conftest import (
    ROUTES,
    VICTIM_EMAIL,
    XSS_DESCRIPTION,
    XSS_ISSUER,
    XSS_NAME,
    XSS_NOTE,
    XSS_PAYLOADS,
    body_of,
)

GET_ROUTES = [r for e, m, r in ROUTES if m == "GET" and e != "static"]
ACTIVE_TYPES = ("text/html", "image/svg+xml", "application/xhtml+xml", "text/xml")


@pytest.mark.parametrize("language", ["en", "pl"])
@pytest.mark.parametrize("rule", GET_ROUTES, ids=[r.rule for r in GET_ROUTES])
def test_no_page_renders_a_payload_raw(world, language, rule):
    client = world.client(VICTIM_EMAIL)
    for url in world.urls(rule):
        response = client.get(url, headers={"Accept-Language": language})
        body = body_of(response)
        if response.mimetype == "text/html":
            raw = [p for p in XSS_PAYLOADS if p in body]
            assert not raw, (url, raw)
        elif response.status_code == 200:
            # A file handed back (download, image) must not run in the wallet's origin.
            disposition = response.headers.get("Content-Disposition", "")
            sandboxed = "sandbox" in response.headers.get("Content-Security-Policy", "")
            if response.mimetype in ACTIVE_TYPES:
                assert disposition.startswith("attachment") or sandboxed, url
            assert response.headers.get("X-Content-Type-Options") == "nosniff", url


@pytest.mark.parametrize("language", ["en", "pl"])
def test_the_payloads_are_shown_as_text(world, language):
    """The test above would pass vacuously if the fields were never shown: they are, escaped."""
    client = world.client(VICTIM_EMAIL)
    headers = {"Accept-Language": language}
    portfolio = body_of(client.get("/portfolio/", headers=headers))
    detail = body_of(client.get(f"/portfolio/{world.xss_credential_id}", headers=headers))
    assert str(escape(XSS_NAME)) in portfolio
    for payload in (XSS_NAME, XSS_ISSUER, XSS_NOTE, XSS_DESCRIPTION):
        assert str(escape(payload)) in detail, payload


def test_a_note_with_script_is_stored_as_typed_and_shown_escaped(world):
    client = world.client(VICTIM_EMAIL)
    target = world.credential_ids[2]
    response = client.post(f"/portfolio/{target}/note", data={"note": XSS_NOTE + " again"})
    assert response.status_code in (302, 303)
    detail = body_of(client.get(f"/portfolio/{target}"))
    assert XSS_NOTE not in detail and str(escape(XSS_NOTE + " again")) in detail


def test_public_links_show_the_payloads_escaped(world):
    """Pages anyone with the link can open (a share) show the same fields, escaped."""
    if not world.seeded_paths:
        pytest.skip("no area's seed_demo made a public link in this build")
    client = world.client()
    for url in world.seeded_paths:
        response = client.get(url)
        assert response.status_code == 200, url
        body = body_of(response)
        assert not [p for p in XSS_PAYLOADS if p in body], url
        assert str(escape(XSS_NAME)) in body, url


def test_the_verifier_view_shows_the_payloads_escaped(world):
    """The employer-facing verifier renders what a stranger pastes or uploads: escaped too."""
    endpoints = world.app.view_functions
    if "verify.paste" not in endpoints:
        pytest.skip("the verifier view is not registered in this build")
    client = world.client()
    pasted = client.post("/verify/paste", data={"text": world.hostile.decode()})
    uploaded = client.post(
        "/verify/upload",
        data={"document": (io.BytesIO(world.hostile), "badge.json")},
        content_type="multipart/form-data",
    )
    for response in (pasted, uploaded):
        body = body_of(response)
        assert response.status_code == 200, body[:500]
        assert not [p for p in XSS_PAYLOADS if p in body]
        assert str(escape(XSS_NAME)) in body


@pytest.mark.parametrize("rule", GET_ROUTES, ids=[r.rule for r in GET_ROUTES])
def test_people_granted_access_see_the_payloads_escaped(world, rule):
    """Advisers (and anyone else an area's seed_demo lets in) see the same fields: escaped."""
    if not world.seeded_logins:
        pytest.skip("no area's seed_demo made a login in this build")
    for email, password in world.seeded_logins:
        client = world.client(email, password)
        for url in world.urls(rule):
            response = client.get(url)
            if response.mimetype == "text/html":
                raw = [p for p in XSS_PAYLOADS if p in body_of(response)]
                assert not raw, (email, url, raw)


def test_people_granted_access_do_see_the_fields(world):
    """The test above is not vacuous: a granted login sees the credential's name somewhere."""
    if not world.seeded_logins:
        pytest.skip("no area's seed_demo made a login in this build")
    email, password = world.seeded_logins[0]
    client = world.client(email, password)
    pages = (body_of(client.get(u)) for rule in GET_ROUTES for u in world.urls(rule))
    assert any(str(escape(XSS_NAME)) in page for page in pages)
