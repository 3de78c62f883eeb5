"""Accessibility in a real browser: axe-core (vendored from the npm registry under
``static/vendor/axe-core``, see ``tools/vendor_axe.sh``) on every wallet page a visitor and a
learner with the demo data can reach, and on the standalone verifier's pages (the form, results
of every kind, a dead share link, the error page), in English and in Polish, with no serious or
critical violation; and a keyboard-only journey from login through import to the portfolio.

The pages come from ``app.url_map`` (arguments filled from the database), so a new page is
checked as soon as its blueprint is registered.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.browser.conftest import TIMEOUT_MS, LiveServer, VerifierServer
from tests.security.conftest import call_seeders, collect_values, route_rules, urls_for
from tests.verifier_web_support import credential, fake_wallet, presentation, trust
from tests.wallet import factories as f
from verifier import DocumentCache, KeyPair
from verifier.issuing import issue_ldp, status_entry, status_list_credential

pytestmark = pytest.mark.browser

AXE = "/static/vendor/axe-core/axe.min.js"
BLOCKING = ("serious", "critical")
LOCALES = {"en": "en-GB", "pl": "pl-PL"}
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
  }));
}"""


@dataclass
class Demo:
    """The live wallet with the demo learner's data, and every page to check."""

    server: LiveServer
    email: str
    password: str
    pages: list[str]
    #: The demo careers adviser's login (it holds a grant over the demo learner's wallet).
    adviser: tuple[str, str] | None = None


@pytest.fixture
def demo(live_server: LiveServer) -> Demo:
    """The demo learner (the demo command's own data, plus every area's ``seed_demo``)."""
    from sqlalchemy import select

    from wallet.db import db
    from wallet.demo.command import prepare
    from wallet.models import User

    app = live_server.app
    with app.app_context():  # tables of areas whose migration is not written yet (else no-op)
        db.create_all()
    login = prepare(app, now=datetime.now(UTC))
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == login.email))
    _, logins = call_seeders(app, user_id, login.password)  # the adviser is made anew here
    ids, strings = collect_values(app)
    pages = ["/no/such/page"]  # the error page
    for rule in route_rules(app):
        if "GET" in (rule.methods or ()):
            pages += urls_for(app, rule, ids, strings)
    adviser = logins[-1] if logins else None
    return Demo(live_server, login.email, login.password, sorted(set(pages)), adviser)


def new_page(browser: Any, server: LiveServer | VerifierServer, language: str) -> Iterator[Any]:
    context = browser.new_context(base_url=server.url, locale=LOCALES[language])
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def log_in(page: Any, email: str, password: str) -> None:
    page.goto("/auth/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/auth/login" not in url)


def violations_of(page: Any) -> list[dict[str, Any]]:
    """axe's serious and critical violations on the current page."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE)  # same origin, so the CSP (script-src 'self') allows it
    return [v for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING]


def check_every_page(page: Any, pages: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Run axe on every HTML page of ``pages`` that answers; the violations by address."""
    found = {}
    checked = 0
    from playwright.sync_api import Error

    for url in pages:
        try:
            response = page.goto(url)
        except Error as exc:  # a file sent as an attachment (download) is no page
            if "Download is starting" in str(exc):
                continue
            raise
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        if response.status >= 400 and url != "/no/such/page":
            continue  # another learner's id, or a page needing a form first
        checked += 1
        problems = violations_of(page)
        if problems:
            found[url] = problems
    assert checked, "no page was checked"
    return found


@pytest.mark.parametrize("language", LOCALES)
def test_no_serious_violation_for_a_visitor(browser, demo, language):
    for page in new_page(browser, demo.server, language):
        found = check_every_page(page, demo.pages)
        assert not found, json.dumps(found, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("language", LOCALES)
def test_no_serious_violation_for_a_learner(browser, demo, language):
    for page in new_page(browser, demo.server, language):
        log_in(page, demo.email, demo.password)
        assert page.locator("html").get_attribute("lang") == language
        found = check_every_page(page, demo.pages)
        assert not found, json.dumps(found, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("language", LOCALES)
def test_no_serious_violation_for_an_adviser(browser, demo, language):
    """The adviser's pages (learners, the review, a credential) with a grant in force."""
    assert demo.adviser is not None
    adviser_pages = [url for url in demo.pages if url.startswith("/advisers/")]
    assert any(url.startswith("/advisers/learners/") for url in adviser_pages)
    for page in new_page(browser, demo.server, language):
        log_in(page, *demo.adviser)
        found = check_every_page(page, adviser_pages + ["/verify/", "/account/"])
        assert not found, json.dumps(found, indent=1, ensure_ascii=False)


def test_axe_reports_a_planted_violation(browser, demo):
    """The checks above are not vacuous: axe runs in these pages and reports what it finds."""
    for page in new_page(browser, demo.server, "en"):
        page.goto("/auth/login")
        page.evaluate(
            """() => { const img = document.createElement('img');
                       img.src = '/static/nothing.png';
                       document.querySelector('main').append(img); }"""
        )
        assert "image-alt" in {v["id"] for v in violations_of(page)}


# -- the standalone verifier (``verifier serve``) -----------------------------------------------
STATUS_URL = "https://uni.example/status/1"


def verifier_documents(server: VerifierServer) -> dict[str, str]:
    """Pasted texts whose results pages cover every verdict the page colours differently."""
    issuer, stranger, holder = (KeyPair.generate("Ed25519") for _ in range(3))
    trust(server.home, issuer)
    now = datetime.now(UTC)
    DocumentCache.open(server.home / "cache").put_json(
        STATUS_URL,
        status_list_credential(STATUS_URL, issuer, set_indices=(7,), created=now),
        fetched_at=now,
    )
    tampered = credential(issuer, title="Data Analysis")
    tampered["credentialSubject"]["achievement"]["name"] = "Brain Surgery"
    documents = {
        "verified": credential(issuer, title="Data Analysis"),
        "not_genuine": tampered,
        "revoked": credential(
            issuer, title="Revoked Course", credentialStatus=status_entry(STATUS_URL, 7)
        ),
        "cannot_check": credential(stranger, title="Unknown Academy Course"),
        "presentation": presentation(issuer, holder, 2),
    }
    return {name: json.dumps(document) for name, document in documents.items()}


def paste_and_check(page: Any, text: str) -> str:
    """Paste ``text`` into the form as an employer would and submit it; the verdict shown."""
    page.goto("/verify/")
    page.fill("#text", text)
    with page.expect_navigation():
        page.locator("form[data-paste-form] button[type=submit]").click()
    return page.locator("[data-verdict]").get_attribute("data-verdict")


@pytest.mark.parametrize("language", LOCALES)
def test_no_serious_violation_in_the_standalone_verifier(browser, verifier_server, language):
    """The form, each kind of result, a dead share link and the error page of the app that
    ``verifier serve`` runs (its own layout, language switch and error pages)."""
    documents = verifier_documents(verifier_server)
    found: dict[str, list[dict[str, Any]]] = {}
    for page in new_page(browser, verifier_server, language):
        page.goto("/")
        assert page.url.endswith("/verify/")
        assert page.locator("html").get_attribute("lang") == language
        found["form"] = violations_of(page)
        for expected, text in documents.items():
            shown = paste_and_check(page, text)
            assert shown == ("verified" if expected == "presentation" else expected)
            found[f"results: {expected}"] = violations_of(page)
        with fake_wallet() as wallet:
            page.goto("/verify/")
            page.fill("#url", wallet.link("withdrawn-share-0123456789"))
            with page.expect_navigation():
                page.locator("form[action$='/verify/link'] button[type=submit]").click()
        assert page.locator("#url-error").is_visible()
        assert page.locator("#url").get_attribute("aria-invalid") == "true"
        found["dead share link"] = violations_of(page)
        response = page.goto("/no/such/page")
        assert response is not None and response.status == 404
        found["error page"] = violations_of(page)
        if page.goto("/verify/requests/").status == 200:  # the OpenID4VP request form
            found["presentation request form"] = violations_of(page)
    found = {where: problems for where, problems in found.items() if problems}
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)


def test_axe_reports_a_planted_violation_in_the_standalone_verifier(browser, verifier_server):
    """axe loads under the standalone app's own CSP and reports what it finds."""
    for page in new_page(browser, verifier_server, "en"):
        page.goto("/verify/")
        page.evaluate(
            """() => { const img = document.createElement('img');
                       img.src = '/static/nothing.png';
                       document.querySelector('main').append(img); }"""
        )
        assert "image-alt" in {v["id"] for v in violations_of(page)}


# -- keyboard only --------------------------------------------------------------------------------
def tab_to(page: Any, selector: str, text: str = "", limit: int = 80) -> None:
    """Press Tab until the focused element matches ``selector`` (and holds ``text``); it must
    show that it has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "([s, t]) => document.activeElement.matches(s)"
            " && document.activeElement.textContent.includes(t)",
            [selector, text],
        ):
            visible = page.evaluate(
                """() => { const s = getComputedStyle(document.activeElement);
                   return (s.outlineStyle !== 'none' && s.outlineWidth !== '0px')
                          || s.boxShadow !== 'none'; }"""
            )
            assert visible, f"{selector} has no visible focus indicator"
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_keyboard_only_login_import_portfolio(browser, demo):
    issuer = f.new_key()
    demo.server.trust(issuer, "Keyboard University")
    document = f.ob3_document(issuer, name="Keyboard Navigation Basics")
    document["credentialSubject"]["achievement"]["name"] = "Keyboard Navigation Basics"
    text = json.dumps(issue_ldp(document, issuer, created=f.NOW))
    for page in new_page(browser, demo.server, "en"):
        page.goto("/auth/login")
        # The first Tab reaches the skip link, which moves focus to the main content.
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.classList.contains('skip-link')")
        page.keyboard.press("Enter")
        tab_to(page, "#email")
        page.keyboard.type(demo.email)
        tab_to(page, "#password")
        page.keyboard.type(demo.password)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "/auth/login" not in url)

        tab_to(page, "nav a[href='/import/']")
        page.keyboard.press("Enter")
        page.wait_for_url("**/import/")
        tab_to(page, "textarea")
        page.keyboard.insert_text(text)
        tab_to(page, "form[action='/import/paste'] button[type=submit]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "Added to your wallet." in page.content()

        tab_to(page, "nav a[href='/portfolio/']")
        page.keyboard.press("Enter")
        page.wait_for_url("**/portfolio/")
        tab_to(page, ".cred-card a", "Keyboard Navigation Basics")
        page.keyboard.press("Enter")
        page.wait_for_url("**/portfolio/*")
        assert page.locator("#credential-title").inner_text() == "Keyboard Navigation Basics"
