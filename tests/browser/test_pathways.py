"""Pathways in a real browser: import a pathway file, import a credential that fills part of it,
and see the progress bars move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.wallet.pathways_support import achievement, all_of, badge, pathway_text
from verifier import KeyPair
from wallet.db import db

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"


@pytest.fixture
def files(tmp_path, live_server):
    """A pathway file (two courses, 10 ECTS) and a signed badge for one of the courses."""
    # The live server is migrated; the pathways table joins the migrations at merge time.
    with live_server.app.app_context():
        db.create_all()
    issuer = KeyPair.generate("Ed25519")
    live_server.trust(issuer, "Demo University")
    definition = tmp_path / "certificate.json"
    definition.write_text(
        pathway_text(
            all_of(achievement("databases", "Databases"), achievement("web", "Web Programming")),
            title="Certificate in Web Development",
            total_ects=10,
        ),
        "utf-8",
    )
    credential = tmp_path / "databases.json"
    issued = datetime.now(UTC) - timedelta(days=1)
    credential.write_bytes(badge(issuer, "Databases", ects=6, issued=issued))
    return definition, credential


def test_import_a_pathway_then_a_credential_and_see_progress_move(page, files):
    from playwright.sync_api import expect

    definition, credential = files
    page.goto("/auth/register")
    page.fill("#email", "learner@example.org")
    page.fill("#display_name", "Lea")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.get_by_role("button", name="Create my wallet").click()

    # Import the pathway file: its page shows nothing met yet.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Pathways").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pathways")
    page.set_input_files("#file", str(definition))
    page.get_by_role("button", name="Import file").click()
    expect(page.locator(".flash--success")).to_contain_text("has been imported")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Progress towards “Certificate in Web Development”"
    )
    expect(page.locator("#req-bar")).to_have_attribute("value", "0")
    expect(page.locator("#ects-bar")).to_have_attribute("value", "0")

    # Import the credential: the results say which pathway it counts towards.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Import").click()
    page.set_input_files("#files", str(credential))
    page.get_by_role("button", name="Import files").click()
    expect(page.locator("section.card", has_text="Databases")).to_contain_text(
        "Counts towards your pathways:"
    )
    page.get_by_role("link", name="Certificate in Web Development").click()

    # The bars have moved: one requirement of two, 6 ECTS of 10.
    expect(page.locator("#req-bar")).to_have_attribute("value", "1")
    expect(page.locator("#ects-bar")).to_have_attribute("value", "600")
    expect(page.locator("label[for=ects-bar]")).to_have_text("ECTS: 6 of 10")
    expect(page.locator(".req--met")).to_contain_text("Databases")
    expect(page.locator(".req--missing")).to_contain_text("Web Programming")

    # The overview shows the same progress.
    page.get_by_role("link", name="All pathways").click()
    card = page.locator(".pathway-card", has_text="Certificate in Web Development")
    expect(card).to_contain_text("Requirements: 1 of 2 met")
