"""Receiving a credential in a real browser: the learner makes an offer on the demo issuer's
page, opens it in the wallet, signs in at the issuer (authorization code + PKCE), comes back,
enters the password and sees the verified badge; the wallet's CSP lets every step through."""

from __future__ import annotations

from pathlib import Path

import pytest

from wallet.db import db
from wallet.demo_issuer import start_demo_issuer
from wallet.oid4vc.models import PendingIssuance

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"


@pytest.fixture
def issuer(live_server):
    """The demo issuer, trusted by the live wallet, with "open in your wallet" links to it."""
    app = live_server.app
    app.config["OID4VCI_ALLOW_HTTP_LOCALHOST"] = True
    with app.app_context():  # until the merge brings its migration
        PendingIssuance.__table__.create(db.engine, checkfirst=True)
    server = start_demo_issuer(
        config={"WALLET_URL": live_server.url}, trust_home=Path(app.config["VERIFIER_HOME"])
    )
    yield server
    server.stop()


def test_offer_sign_in_at_the_issuer_and_receive(page, issuer):
    from playwright.sync_api import expect

    page.goto("/auth/register")
    page.fill("#email", "learner@example.org")
    page.fill("#display_name", "Lea")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.get_by_role("button", name="Create my wallet").click()

    # On the issuer's page: an offer of the JWT badge that needs signing in.
    page.goto(issuer.url + "/")
    page.get_by_label("JSON-LD").uncheck()
    page.get_by_label("JWT", exact=True).check()
    page.get_by_label("Sign in at the issuer first (authorization code)").check()
    page.get_by_role("button", name="Make the offer").click()
    expect(page.get_by_role("img", name="QR code of the credential offer")).to_be_visible()
    page.get_by_role("link", name="Open in your wallet").click()

    # The wallet says who offers what.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Demo OpenID University offers you a credential"
    )
    expect(page.locator(".oid4vc-offered")).to_contain_text("Data Analysis Basics (JWT)")
    page.get_by_role("button", name="Continue to sign in").click()
    page.get_by_role("link", name="Continue to Demo OpenID University").click()

    # At the issuer: sign in and approve; the browser comes back to the wallet.
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to collect your credential")
    page.get_by_role("button", name="Sign in and approve").click()
    expect(page.get_by_text("The issuer has authorized the wallet to collect this credential."))
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Receive the credential").click()

    result = page.locator(".oid4vc-result", has_text="Data Analysis Basics")
    expect(result).to_contain_text("Added to your wallet.")
    expect(result.locator(".badge--verified")).to_have_text("✓ Verified")
