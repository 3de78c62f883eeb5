"""A learner's journey in a real browser: register, import a badge file, see it verified, open
it from the portfolio with its checks, switch to Polish, delete it and see the empty portfolio."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import ob3_credential
from verifier import KeyPair
from verifier.issuing import issue_ldp

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def badge_file(tmp_path, live_server):
    """An Open Badges 3.0 badge signed in the test by an issuer the wallet trusts."""
    issuer = KeyPair.generate("Ed25519")
    live_server.trust(issuer, "Browser Test University")
    document = ob3_credential(issuer.controller, name="Accessible Web Design")
    document["issuer"]["name"] = "Browser Test University"
    document["credentialSubject"]["achievement"]["name"] = "Accessible Web Design"
    signed = issue_ldp(document, issuer, created=datetime.now(UTC) - timedelta(days=1))
    path = tmp_path / "accessible-web-design.json"
    path.write_text(json.dumps(signed, indent=2), "utf-8")
    return path


def test_register_import_inspect_translate_and_delete(page, badge_file, tmp_path):
    from playwright.sync_api import expect

    # Register: the wallet greets the new learner on an empty portfolio.
    page.goto("/auth/register")
    page.fill("#email", "learner@example.org")
    page.fill("#display_name", "Lea")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.get_by_role("button", name="Create my wallet").click()
    expect(page.locator(".flash--success")).to_contain_text("Welcome! Your wallet is ready.")
    expect(page.locator("#empty-heading")).to_have_text("Your portfolio is empty")

    # Import the badge file through the import page's file input.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import credentials")
    page.set_input_files("#files", str(badge_file))
    page.get_by_role("button", name="Import files").click()
    expect(page.get_by_role("status")).to_have_text("1 credential was added to your wallet.")
    result = page.locator("section.card", has_text="Accessible Web Design")
    expect(result.locator(".badge--verified")).to_have_text("✓ Verified")
    expect(result).to_contain_text(badge_file.name)

    # The portfolio lists it; a screenshot of the page is kept with the test's files.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Portfolio").click()
    card = page.locator(".cred-card", has_text="Accessible Web Design")
    expect(card.locator(".badge--verified")).to_be_visible()
    screenshot = tmp_path / "portfolio.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.read_bytes().startswith(PNG_SIGNATURE)

    # Its page shows the verdict and every check the verifier made.
    card.get_by_role("link", name="Accessible Web Design").click()
    expect(page.locator("#credential-title")).to_have_text("Accessible Web Design")
    expect(page.locator(".cred-verdict .badge--verified")).to_be_visible()
    checks = page.locator("table.checks tbody tr")
    expect(checks).to_have_count(8)
    signature = checks.filter(has_text="Signature or seal")
    expect(signature.locator(".badge--verified")).to_have_text("✓ Passed")
    expect(signature).to_contain_text("The signature (eddsa-rdfc-2022) matches the contents.")
    expect(checks.filter(has_text="Recognised issuer")).to_contain_text(
        "Browser Test University is a recognised issuer in browser test."
    )

    # Polish: the page comes back in Polish, on the same credential.
    page.locator(".language-switch button[lang=pl]").click()
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page.get_by_role("button", name="Wyloguj się")).to_be_visible()
    expect(page.locator(".language-switch button[lang=pl]")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator("#credential-title")).to_have_text("Accessible Web Design")
    assert "Portfel Poświadczeń" in page.title()

    # Delete it (a confirmation page first), and the portfolio is empty again.
    page.locator(".cred-header a.button--danger").click()
    expect(page.locator("form strong, h1 + p strong")).to_have_text("Accessible Web Design")
    page.locator("form button.button--danger").click()
    expect(page.locator(".flash--success")).to_contain_text("Accessible Web Design")
    expect(page.locator("#empty-heading")).to_be_visible()
    expect(page.locator(".cred-card")).to_have_count(0)
