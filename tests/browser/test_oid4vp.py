"""The cross-device presentation in real browsers: the employer's verifier shows a QR code, the
learner's wallet (another browser) reads it, the learner consents, and the employer's page,
left alone, updates by itself with the verified result."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.wallet.oid4vp_support import Live, badge, give, serve, trust_everywhere, verifier_app
from verifier import KeyPair
from wallet.auth import register_user
from wallet.db import db

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"


@pytest.fixture
def verifier(tmp_path) -> Iterator[Live]:
    """The employer's standalone verifier, with CSRF protection on as in production."""
    with serve(verifier_app(tmp_path / "employer", WTF_CSRF_ENABLED=True)) as live:
        yield live


@pytest.fixture
def employer_page(browser: Any, verifier: Live) -> Iterator[Any]:
    """The employer's own browser (cookies apart from the learner's)."""
    context = browser.new_context(base_url=verifier.url, locale="en-GB")
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def learner(live_server, verifier) -> str:
    """A learner holding a trusted 6-ECTS data analysis badge; their e-mail address."""
    live_server.app.config["OID4VP_ALLOW_HTTP_LOCALHOST"] = True  # the verifier is on http
    issuer = KeyPair.generate("Ed25519")
    trust_everywhere(
        issuer, live_server.app.config["VERIFIER_HOME"], verifier.app.config["VERIFIER_HOME"]
    )
    with live_server.app.app_context():
        account = register_user("lea@example.org", PASSWORD, "Lea")
        db.session.commit()
        user_id, holder = account.id, account.holder_did
    give(live_server.app, user_id, badge(issuer, holder))
    return "lea@example.org"


def test_cross_device_presentation(page, employer_page, learner, tmp_path):
    from playwright.sync_api import expect

    # The employer asks for at least 5 ECTS in data analysis and gets a QR code.
    employer_page.goto("/verify/requests/")
    employer_page.fill("#verifier_name", "Acme Analytics")
    employer_page.fill("#purpose", "To check your application")
    employer_page.get_by_role("button", name="Create the request").click()
    expect(employer_page.locator("#oid4vp-waiting")).to_contain_text("updates by itself")
    expect(employer_page.get_by_role("button", name="Check again")).to_be_hidden()  # JS polls
    qr = employer_page.locator(".oid4vp-qr img")
    expect(qr).to_be_visible()

    # The learner's phone photographs the QR code (here: a screenshot of it).
    photo = tmp_path / "qr.png"
    qr.screenshot(path=str(photo))

    # In the wallet: log in, give it the picture, see who asks for what, consent.
    page.goto("/auth/login")
    page.fill("#email", learner)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto("/oid4vp/")
    page.set_input_files("#image", str(photo))
    page.get_by_role("button", name="Open the request in the picture").click()
    expect(page.locator(".oid4vp-verifier")).to_have_text(
        "“Acme Analytics” asks to see credentials from your wallet."
    )
    expect(page.get_by_text("To check your application")).to_be_visible()
    choice = page.get_by_role("radio", name="Data Analysis Basics")
    expect(choice).to_be_checked()
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Share").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request answered")

    # The employer's page, untouched, now shows the verified result and the request's checks.
    expect(employer_page.get_by_role("heading", level=1)).to_have_text(
        "Answer to your request", timeout=15_000
    )
    expect(
        employer_page.get_by_text("nonce matches; audience matches; query satisfied")
    ).to_be_visible()
    expect(employer_page.get_by_text("Verified: every check passed.").first).to_be_visible()
