"""``wallet demo``: a wallet filled with demo credentials, served on this machine.

It migrates the instance's SQLite database, (re)creates the demo learner with a new random
password and holder ``did:key``, makes the demo issuers with fresh keys, imports their
credentials through the wallet's own import path, prints the address and the login, and serves
the wallet with a throw-away secret (demo mode only).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select
from werkzeug.serving import run_simple

from wallet import create_app
from wallet.db import db
from wallet.models import LOCALES, Credential, User

if TYPE_CHECKING:
    from wallet.demo.issuers import DemoCredential
    from wallet.importers.service import ImportOutcome

EMAIL = "demo@wallet.example"
DISPLAY_NAME = "Demo Learner"
#: Outcomes as the command prints them.
LABELS = {
    "verified": "verified",
    "not_genuine": "NOT GENUINE",
    "expired": "expired",
    "revoked": "revoked",
    "suspended": "suspended",
    "not_yet_valid": "not yet valid",
    "cannot_check": "could not check",
}


@dataclass(frozen=True)
class DemoLogin:
    """The demo learner's login and what became of each demo credential."""

    email: str
    password: str
    imported: tuple[tuple[DemoCredential, ImportOutcome], ...]
    #: The demo careers adviser's (e-mail, password), with a grant over the learner's wallet.
    adviser: tuple[str, str] | None = None
    #: The path of a share link of the learner's verified credentials (``/s/<token>``).
    share_path: str | None = None


def demo_app() -> Flask:
    """The wallet in demo mode, on the instance folder's SQLite database and verifier home
    whatever the environment names (a demo must not write into a production database)."""
    return create_app({"DEMO": True, "SQLALCHEMY_DATABASE_URI": None, "VERIFIER_HOME": None})


def prepare(
    app: Flask,
    *,
    now: datetime | None = None,
    language: str = "en",
    origin: str = "http://127.0.0.1:5000",
) -> DemoLogin:
    """Migrate the database, recreate the demo learner and import the demo credentials, with
    notes and import messages in ``language``; then the areas' demo data: sample pathways, a
    share link for ``origin`` (the address the wallet is served at) and a careers adviser."""
    # Imported here, not at the top: the signing and import stacks would slow every command.
    from wallet.auth import register_user
    from wallet.demo.issuers import build
    from wallet.importers.service import import_bytes

    moment = now or datetime.now(UTC)
    password = secrets.token_urlsafe(12)
    # A request context: the import path words its messages in the request's language.
    with app.test_request_context("/", headers={"Accept-Language": language}):
        upgrade()
        old = db.session.scalar(select(User).where(User.email == EMAIL))
        if old is not None:  # its holder key is sealed under a password nobody knows now
            db.session.delete(old)
            db.session.commit()
        user = register_user(EMAIL, password, DISPLAY_NAME)
        db.session.commit()
        assert user.holder_did is not None
        credentials = build(
            Path(app.config["VERIFIER_HOME"]),
            holder=user.holder_did,
            learner_name=DISPLAY_NAME,
            now=moment,
        )
        imported = []
        for item in credentials:
            outcome = import_bytes(
                user, item.content, filename=item.filename, channel="demo", now=moment
            )
            if outcome.credential_id is not None:
                row = db.session.get(Credential, outcome.credential_id)
                if row is not None:
                    row.note = str(item.about)  # the learner's note: what this demo shows
            imported.append((item, outcome))
        db.session.commit()
        from wallet.advisers import seed_demo as seed_adviser
        from wallet.pathways.demo import seed_demo as seed_pathways
        from wallet.sharing.demo import seed_demo as seed_share

        seed_pathways(app, user, moment)
        share_path = seed_share(app, user.id, password, moment, origin=origin)
        adviser = seed_adviser(app, user, moment)
    return DemoLogin(EMAIL, password, tuple(imported), adviser=adviser, share_path=share_path)


def describe(login: DemoLogin, *, url: str) -> str:
    """What the command prints: each credential's outcome, the address and the login."""
    lines = [f"Demo wallet ready: {len(login.imported)} credentials for {login.email}"]
    for item, outcome in login.imported:
        label = LABELS.get(outcome.outcome or "", outcome.message)
        lines.append(f"  {label:<16} {outcome.title or item.filename}  ({item.filename})")
    lines += [
        "",
        f"Open {url} and log in with",
        f"  e-mail:   {login.email}",
        f"  password: {login.password}",
    ]
    if login.share_path is not None:
        lines.append(
            f"A share link of the verified credentials: {url.rstrip('/')}{login.share_path}"
        )
    if login.adviser is not None:
        lines.append(f"The careers adviser: e-mail {login.adviser[0]}  password {login.adviser[1]}")
    lines += [
        "",
        "The demo issuers and the password are new at every start. Press Ctrl+C to stop.",
    ]
    return "\n".join(lines)


def serve(app: Flask, *, host: str, port: int) -> None:
    """Serve ``app`` until interrupted (werkzeug's development server, threaded)."""
    run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True)


@click.command("demo")
@click.option("--port", default=5000, show_default=True, help="The port to serve on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to serve on.")
@click.option(
    "--issuer-port", default=5001, show_default=True, help="The demo OpenID issuer's port."
)
@click.option(
    "--language",
    type=click.Choice(LOCALES),
    default=LOCALES[0],
    show_default=True,
    help="The language of the demo credentials' notes.",
)
def demo(port: int, host: str, issuer_port: int, language: str) -> None:
    """Fill the instance's wallet with demo credentials and serve it (throw-away secret), with
    a demo OpenID4VCI issuer beside it."""
    from wallet.demo_issuer import start_for_wallet

    app = demo_app()
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    login = prepare(app, language=language, origin=url.rstrip("/"))
    click.echo(describe(login, url=url))
    issuer = start_for_wallet(app, wallet_url=url.rstrip("/"), host=host, port=issuer_port)
    click.echo(f"Demo OpenID issuer: {issuer.url}/ (make an offer there, open it in the wallet)")
    serve(app, host=host, port=port)
