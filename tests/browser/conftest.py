"""Fixtures for the browser tests: ``live_server`` (the wallet served by werkzeug on a free
port of 127.0.0.1, on SQLite in a temporary instance folder) and ``page`` (a Playwright page
in Debian's headless Chromium).

Playwright's own browser download is not used: the tests drive ``/usr/bin/chromium`` (or
``chromium`` on ``PATH``) and are skipped, saying so, where neither exists.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade

from tests.live import serving
from verifier import KeyPair, TrustedIssuer, TrustStore
from verifier.web import create_app as create_verifier_app
from wallet import create_app
from wallet.db import db

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: How long a step may wait for the page before the test fails (milliseconds).
TIMEOUT_MS = 10_000
# Cheap Argon2 so registering in the browser is quick; production values are in wallet/config.py.
FAST_ARGON2 = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8, "ARGON2_PARALLELISM": 1}


def chromium_path() -> str | None:
    """Debian's Chromium, else a ``chromium`` on ``PATH``, else ``None``."""
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


@dataclass
class LiveServer:
    """The wallet serving at ``url``, and the app behind it (for its trust store)."""

    url: str
    app: Flask

    def trust(self, issuer: KeyPair, name: str) -> None:
        """Add ``issuer`` to the wallet's trust store (``VERIFIER_HOME/trust.json``)."""
        store = TrustStore.from_file(Path(self.app.config["VERIFIER_HOME"]) / "trust.json")
        store.add(
            TrustedIssuer(
                id=issuer.controller, name=name, registry="browser test", added_at=datetime.now(UTC)
            )
        )
        store.save()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The wallet, migrated, served in a background thread until the test ends."""
    instance = tmp_path / "instance"
    config: dict[str, Any] = {
        "SECRET_KEY": "browser test secret",
        "INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'wallet.sqlite3'}",
        "RATELIMIT_STORAGE_URI": "memory://",
        **FAST_ARGON2,
    }
    app = create_app(config)
    with app.app_context():
        upgrade()
    try:
        with serving(app, "live-server") as url:
            yield LiveServer(url, app)
    finally:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium for the whole session; the tests skip where there is none."""
    path = chromium_path()
    if path is None:
        pytest.skip(
            f"browser tests need Chromium: neither {CHROMIUM} nor `chromium` on PATH exists"
        )
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A fresh page (own cookies) whose relative addresses go to the live server, in English."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@dataclass
class VerifierServer:
    """The standalone verifier (the app ``verifier serve`` runs) at ``url``, over ``home``."""

    url: str
    app: Flask
    home: Path


@pytest.fixture
def verifier_server(tmp_path: Path) -> Iterator[VerifierServer]:
    """``verifier.web.create_app`` configured as ``verifier serve`` configures it (only
    ``VERIFIER_HOME``: CSRF on, its own secret), served in a background thread."""
    home = tmp_path / "verifier"
    app = create_verifier_app({"VERIFIER_HOME": str(home)})
    with serving(app, "verifier-server") as url:
        yield VerifierServer(url, app, home)
