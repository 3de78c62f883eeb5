"""A demo credential issuer that speaks OpenID for Verifiable Credential Issuance 1.0 over HTTP.

Its own Flask app, apart from the wallet (it signs with :mod:`verifier` only): a page that makes
offers for a learner (pre-authorized, with or without a transaction code, or with the
authorization code flow and a sign-in page; optionally deferred), the metadata, token, nonce,
credential and deferred credential endpoints, and Open Badges 3.0 credentials in ``ldp_vc``,
``jwt_vc_json`` and ``dc+sd-jwt``. State lives in memory and is lost on restart.

Run it::

    python -m wallet.demo_issuer --port 5001 --wallet-url http://127.0.0.1:5000

or, from Python (the tests; ``wallet demo`` uses :func:`start_for_wallet`)::

    server = start_demo_issuer(port=0, trust_home=Path(app.config["VERIFIER_HOME"]))
    print(server.url)   # http://127.0.0.1:<port>
    server.stop()
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, request
from flask_babel import Babel
from werkzeug.serving import BaseWSGIServer

from verifier import KeyPair, TrustedIssuer, TrustStore
from wallet.demo_issuer.state import IssuerState
from wallet.devserver import serve_in_thread

PROJECT = Path(__file__).resolve().parent.parent.parent
TRANSLATIONS = PROJECT / "wallet" / "translations"
#: The trust store's registry name for this issuer (an earlier start's entry is replaced).
REGISTRY = "the demo OpenID issuer"
TRUST_FILE = "trust.json"  # as wallet.verification names it under VERIFIER_HOME
LOCALES = ("en", "pl")

DEFAULTS: dict[str, Any] = {
    "ISSUER_NAME": "Demo OpenID University",
    "ISSUER_URL": None,  # None: the address the request came to
    "WALLET_URL": None,  # set to add "open in your wallet" links to offers
    "OFFER_LIFETIME": 600,  # seconds
    "CODE_LIFETIME": 120,
    "TOKEN_LIFETIME": 3600,  # long enough to come back for a deferred credential
    "NONCE_LIFETIME": 300,
    "DEFERRED_DELAY": 10,  # seconds before a deferred credential is ready
}


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The demo issuer app; ``SIGNING_KEY`` (a ``KeyPair``) and ``CLOCK`` default to fresh ones."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT / "templates"),
        static_folder=str(PROJECT / "static"),
    )
    app.config.from_mapping(DEFAULTS)
    app.config.from_mapping(config or {})
    app.config.setdefault("SIGNING_KEY", KeyPair.generate("Ed25519"))
    app.config.setdefault("CLOCK", lambda: datetime.now(UTC))
    app.extensions["demo_issuer"] = IssuerState()
    Babel(
        app,
        locale_selector=lambda: request.accept_languages.best_match(LOCALES) or "en",
        default_translation_directories=str(TRANSLATIONS),
    )

    from wallet.demo_issuer import pages, protocol

    app.register_blueprint(protocol.bp)
    app.register_blueprint(pages.bp)
    return app


def trust_issuer(app: Flask, home: Path, *, now: datetime) -> None:
    """Put this issuer's signing DID in the wallet trust store under ``home`` (its
    ``VERIFIER_HOME``), replacing the entry of an earlier start."""
    home.mkdir(parents=True, exist_ok=True)
    trust = TrustStore.from_file(home / TRUST_FILE)
    for old in trust.issuers():
        if old.registry == REGISTRY:
            trust.remove(old.id)
    key: KeyPair = app.config["SIGNING_KEY"]
    name = str(app.config["ISSUER_NAME"])
    trust.add(TrustedIssuer(id=key.controller, name=name, registry=REGISTRY, added_at=now))
    trust.save()


@dataclass
class DemoIssuerServer:
    """A demo issuer served from a background thread."""

    app: Flask
    server: BaseWSGIServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        """The issuer's address (its ``credential_issuer``)."""
        host = self.server.host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.server.port}"

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self.server.shutdown()
        self.thread.join(timeout=10)


def start_demo_issuer(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    config: dict[str, Any] | None = None,
    trust_home: Path | None = None,
    now: datetime | None = None,
) -> DemoIssuerServer:
    """Serve a demo issuer in a daemon thread (``port=0``: any free port); with ``trust_home``,
    the wallet whose ``VERIFIER_HOME`` that is trusts its credentials."""
    app = create_app(config)
    if trust_home is not None:
        trust_issuer(app, trust_home, now=now or datetime.now(UTC))
    server, thread = serve_in_thread(app, host=host, port=port, name="demo-issuer")
    return DemoIssuerServer(app, server, thread)


def start_for_wallet(
    wallet_app: Flask, *, wallet_url: str, host: str = "127.0.0.1", port: int = 5001
) -> DemoIssuerServer:
    """The demo issuer for ``wallet demo``: trusted by ``wallet_app`` (through its
    ``VERIFIER_HOME``), with "open in your wallet" links to ``wallet_url``."""
    return start_demo_issuer(
        host=host,
        port=port,
        config={"WALLET_URL": wallet_url},
        trust_home=Path(wallet_app.config["VERIFIER_HOME"]),
    )
