"""Sharing in a real browser: the learner picks a credential and makes a share link with a
PIN; an employer, in a browser of their own with no account, opens the link, enters the PIN and
sees every check passed; the learner reads the access log and withdraws the share."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.wallet.factories import new_key
from tests.wallet.sharing_support import give_credentials
from wallet.db import db
from wallet.models import User

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"


def test_learner_shares_and_employer_sees_the_checks(page, browser, live_server):
    from playwright.sync_api import expect

    with live_server.app.app_context():
        # The tables from the models, not the migrations: the sharing tables (and other areas'
        # new columns) have no migration until the lead generates them at merge time.
        db.drop_all()
        db.create_all()

    page.goto("/auth/register")
    page.fill("#email", "learner@example.org")
    page.fill("#display_name", "Lea")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.get_by_role("button", name="Create my wallet").click()
    expect(page.locator(".flash--success")).to_contain_text("Welcome!")
    with live_server.app.app_context():
        learner_id = db.session.scalar(select(User.id).where(User.email == "learner@example.org"))
    give_credentials(live_server.app, learner_id, new_key(), ("Accessible Web Design",))

    # The learner makes a share: one credential, a week, a PIN, signed with the password.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Shares").click()
    page.get_by_role("link", name="Share credentials").click()
    page.get_by_label("Accessible Web Design").check()
    page.fill("#title", "Application: web developer")
    page.select_option("#hours", label="7 days")
    page.fill("#pin", "2468")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Create share link").click()
    expect(page.locator(".flash--success")).to_contain_text("Your share is ready.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Application: web developer")
    link = page.locator("#share-link").input_value()
    assert link.startswith(f"{live_server.url}/s/")
    expect(page.locator(".qr-kind")).to_contain_text("QR code.")
    expect(page.locator("img.qr-preview")).to_be_visible()
    page.wait_for_function("document.querySelector('img.qr-preview').naturalWidth > 0")

    # The employer: another browser, no account, no cookies.
    employer_context = browser.new_context(locale="en-GB")
    try:
        employer = employer_context.new_page()
        employer.goto(link)
        expect(employer.get_by_role("heading", level=1)).to_have_text("Enter the PIN")
        employer.fill("#pin", "2468")
        employer.get_by_role("button", name="Show the credentials").click()
        expect(employer.locator("[data-verdict=verified], .share-verdict").first).to_contain_text(
            "Verified: every check passed."
        )
        checks = employer.locator("table.checks tbody tr")
        for name in ("Holder's signature", "Challenge", "Domain", "Format"):
            row = checks.filter(has=employer.get_by_role("rowheader", name=name, exact=True)).first
            expect(row.locator(".badge--verified")).to_have_text("✓ Passed")
        expect(employer.get_by_role("heading", name="Accessible Web Design")).to_be_visible()
    finally:
        employer_context.close()

    # The learner sees the opening in the log, then withdraws the share.
    page.reload()
    log = page.locator("table.access-log tbody")
    expect(log).to_contain_text("Shown: verified")
    expect(log).to_contain_text("127.0.0.0/24")
    page.get_by_role("button", name="Withdraw this share now").click()
    expect(page.locator(".flash--success")).to_contain_text("The share is withdrawn")
    gone = browser.new_context(locale="en-GB")
    try:
        again = gone.new_page()
        response = again.goto(link)
        assert response is not None and response.status == 404
        expect(again.get_by_role("heading", level=1)).to_have_text("This link is not available")
    finally:
        gone.close()
