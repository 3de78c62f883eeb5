"""The adviser journey in a real browser, with two people at once: the learner grants an adviser
access, the adviser logs in, sees the portfolio with its checks and leaves a recommendation, the
learner reads it and replies, then revokes, and the adviser's next page is "not found"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.browser.conftest import FAST_ARGON2
from tests.live import serving
from tests.wallet.advisers_support import (
    PASSWORD,
    import_credential,
    make_adviser,
    skilled_credential,
)
from tests.wallet.factories import new_key, trust_issuer
from wallet import create_app
from wallet.auth import register_user
from wallet.db import db

pytestmark = pytest.mark.browser


@pytest.fixture
def adviser_server(tmp_path: Path) -> Iterator[tuple[str, Flask]]:
    """The wallet served in a thread with Ada (two trusted credentials) and Ben, an adviser.

    The tables are created from the models (the advisers' migration is written at merge time).
    """
    instance = tmp_path / "instance"
    app = create_app(
        {
            "SECRET_KEY": "browser test secret",
            "INSTANCE_PATH": str(instance),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'wallet.sqlite3'}",
            "RATELIMIT_STORAGE_URI": "memory://",
            **FAST_ARGON2,
        }
    )
    with app.app_context():
        db.create_all()
        learner = register_user("ada@example.org", PASSWORD, "Ada Learner")
        db.session.commit()
        learner_id = learner.id
    key = new_key()
    trust_issuer(app.config["VERIFIER_HOME"], key)
    import_credential(app, learner_id, skilled_credential(key, "Data Analysis Basics"), "a.json")
    import_credential(app, learner_id, skilled_credential(key, "Statistics II", ects=3), "b.json")
    make_adviser(app)
    try:
        with serving(app, "adviser-server") as url:
            yield url, app
    finally:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def two_pages(browser: Any, adviser_server: tuple[str, Flask]) -> Iterator[tuple[Any, Any]]:
    """A page for the learner and one for the adviser, each with its own cookies."""
    from tests.browser.conftest import TIMEOUT_MS

    url, _app = adviser_server
    contexts = [browser.new_context(base_url=url, locale="en-GB") for _ in range(2)]
    for context in contexts:
        context.set_default_timeout(TIMEOUT_MS)
    try:
        yield contexts[0].new_page(), contexts[1].new_page()
    finally:
        for context in contexts:
            context.close()


def log_in(page: Any, email: str) -> None:
    page.goto("/auth/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_grant_review_comment_reply_and_revoke(two_pages, tmp_path):
    from playwright.sync_api import expect

    learner, adviser = two_pages
    nav = "navigation"

    # The learner gives Ben access to everything, with comments allowed.
    log_in(learner, "ada@example.org")
    learner.get_by_role(nav, name="Main").get_by_role("link", name="Advisers").click()
    expect(learner.get_by_role("heading", level=1)).to_have_text("Advisers")
    learner.screenshot(path=str(tmp_path / "grants.png"), full_page=True)
    learner.fill("#email", "ben@uni.example")
    expect(
        learner.get_by_label("The adviser may leave comments and recommendations")
    ).to_be_checked()
    learner.get_by_role("button", name="Give access").click()
    expect(learner.locator(".flash--success")).to_have_text(
        "Ben Adviser can now see your portfolio."
    )

    # The adviser logs in and lands on the list of learners.
    log_in(adviser, "ben@uni.example")
    expect(adviser.get_by_role("heading", level=1)).to_have_text("Learners")
    main_nav = adviser.get_by_role(nav, name="Main")
    expect(main_nav.get_by_role("link", name="Portfolio")).to_have_count(0)
    adviser.get_by_role("link", name="Ada Learner").click()

    # The review: both credentials checked again, with their checks, ECTS and skills.
    expect(adviser.locator("#review-heading")).to_have_text("Portfolio of Ada Learner")
    items = adviser.locator(".review-item")
    expect(items).to_have_count(2)
    first = items.filter(has_text="Data Analysis Basics")
    expect(first.locator(".badge--verified").first).to_have_text("✓ Verified")
    first.get_by_text("Its checks").click()
    signature = first.locator("table.checks tbody tr").filter(has_text="Signature or seal")
    expect(signature.locator(".badge--verified")).to_have_text("✓ Passed")
    expect(adviser.get_by_text("8 ECTS in total")).to_be_visible()
    expect(adviser.locator(".skill-list")).to_contain_text("analyse big data")
    adviser.screenshot(path=str(tmp_path / "review.png"), full_page=True)

    # A recommendation on the whole portfolio.
    comments = adviser.locator("#comments")
    comments.get_by_label("Recommendation").check()
    comments.get_by_label("Your comment").fill("Add a statistics project to your portfolio.")
    comments.get_by_role("button", name="Add comment").click()
    expect(adviser.locator(".flash--success")).to_contain_text("Your comment has been added.")
    review_url = adviser.url.split("#")[0]

    # The learner reads it, sees what the adviser opened, and replies.
    learner.get_by_role(nav, name="Main").get_by_role("link", name="Advisers").click()
    learner.get_by_role("link", name="Open").first.click()
    thread = learner.locator(".thread").first
    expect(thread).to_contain_text("Recommendation")
    expect(thread).to_contain_text("Add a statistics project to your portfolio.")
    expect(learner.locator("table.access-log")).to_contain_text("The portfolio review")
    thread.get_by_label("Your reply").fill("Good idea, I will.")
    thread.get_by_role("button", name="Send reply").click()
    expect(learner.locator(".flash--success")).to_have_text("Your reply has been sent.")
    learner.screenshot(path=str(tmp_path / "grant.png"), full_page=True)
    adviser.reload()
    expect(adviser.locator(".reply")).to_contain_text("Good idea, I will.")

    # The learner revokes; the adviser's very next page is "not found".
    learner.get_by_role("button", name="Revoke access now").click()
    expect(learner.locator(".flash--success")).to_contain_text("Access has been revoked.")
    response = adviser.goto(review_url)
    assert response is not None and response.status == 404
    expect(adviser.get_by_text("Add a statistics project")).to_have_count(0)
    adviser.goto("/advisers/learners")
    expect(adviser.locator("#no-learners")).to_be_visible()
