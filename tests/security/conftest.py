"""The security harness: a wallet with a victim learner full of data, attackers, and every route.

The routes come from ``app.url_map``, so a page added by any blueprint is tried automatically;
a route meant for anonymous visitors must be named in :data:`PUBLIC_ENDPOINTS` (or its
blueprint in :data:`PUBLIC_BLUEPRINTS`), and a view exempt from CSRF in
:data:`CSRF_EXEMPT_ALLOWED`, so every new exception is a decision someone reviewed.

The victim's data come from the wallet's own import path plus every area's ``seed_demo``
hook (called with the arguments it names among ``app``, ``user``, ``password``, ``now``), so
pathways, shares and grants are in the database as soon as their areas provide a seeder.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import AnyConverter, IntegerConverter, Rule

from tests.wallet import factories as f
from tests.wallet.conftest import FAST_ARGON2, PASSWORD
from verifier.issuing import issue_ldp
from wallet import BLUEPRINTS, create_app
from wallet.auth import register_user
from wallet.db import db
from wallet.importers.service import import_bytes
from wallet.models import User

#: Endpoints an anonymous visitor may use (they must still never show a learner's data).
PUBLIC_ENDPOINTS = frozenset(
    {
        "static",
        "index",
        "auth.login",
        "auth.register",
        "i18n.switch",
        # A share link's page and its presentation: the token in the URL is the key.
        "sharing.public",
        "sharing.public_presentation",
        # Advisers sign up and log in (also with OpenID Connect) before they have an account.
        "advisers.register",
        "advisers.login",
        "advisers.oidc_start",
        "advisers.oidc_callback",
    }
)
#: Blueprints that are public by design: the employer-facing verifier view and its
#: OpenID4VP presentation requests.
PUBLIC_BLUEPRINTS = frozenset({"verify", "verify_requests"})
#: Views CSRF protection may skip (requests from other wallets or verifiers, not browsers).
CSRF_EXEMPT_ALLOWED: frozenset[str] = frozenset(
    {
        # OpenID4VP direct_post: the learner's wallet posts the presentation, not a browser
        # form; the request id and its nonce bind it instead of a CSRF token.
        "verify_requests.response",
        # Read-only: they recompute from a report this server signed and change nothing
        # (verifier/web/__init__.py READ_ONLY_VIEWS; share pages post to them without Referer).
        "verify.report",
        "verify.recipient",
    }
)

#: Credential fields carrying script; each must appear escaped, never raw, on every page.
XSS_NAME = '<script>alert("xss-name")</script>'
XSS_DESCRIPTION = '"><img src=x onerror=alert("xss-description")>'
XSS_ISSUER = "<svg/onload=alert('xss-issuer')>"
XSS_NOTE = "</textarea><script>alert('xss-note')</script>"
XSS_PAYLOADS = (XSS_NAME, XSS_DESCRIPTION, XSS_ISSUER, XSS_NOTE)

VICTIM_EMAIL = "vera.q7@victim.example"
VICTIM_NAME = "Vera Quintessa-Seven"
VICTIM_TITLE = "Vera Q7 Confidential Diploma"
VICTIM_NOTE = "vera-q7-private-note"
#: Text that only the victim's own pages may show.
VICTIM_MARKERS = (VICTIM_EMAIL, VICTIM_NAME, VICTIM_TITLE, VICTIM_NOTE, "Quintessa")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark this folder's PostgreSQL-parametrized tests ``postgres`` (as tests/wallet does)."""
    here = Path(__file__).parent
    for item in items:
        callspec = getattr(item, "callspec", None)
        if item.path.is_relative_to(here) and callspec and "postgres" in callspec.params.values():
            item.add_marker("postgres")


def security_config(instance: Path, **changes: Any) -> dict[str, Any]:
    """The test configuration on a SQLite file in ``instance``."""
    return {
        "TESTING": True,
        "SECRET_KEY": "security test secret",
        "INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'wallet.sqlite3'}",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        **FAST_ARGON2,
        **changes,
    }


def route_rules(app: Flask) -> list[Rule]:
    """Every rule of ``app`` but the static files, in a stable order."""
    return sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint != "static"),
        key=lambda r: (r.rule, r.endpoint),
    )


def is_public(endpoint: str) -> bool:
    """Whether ``endpoint`` is meant for anonymous visitors."""
    return endpoint in PUBLIC_ENDPOINTS or endpoint.partition(".")[0] in PUBLIC_BLUEPRINTS


def methods(rule: Rule) -> list[str]:
    """The methods a rule answers, without the automatic HEAD and OPTIONS."""
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


@dataclass
class World:
    """The wallet with a victim learner and their data, an attacker and an adviser."""

    app: Flask
    victim_id: int
    attacker_id: int
    adviser_id: int | None
    credential_ids: list[int]
    xss_credential_id: int
    ids: list[int] = field(default_factory=list)  # every primary key value in the database
    strings: dict[str, list[str]] = field(default_factory=dict)  # column name -> values
    seeded_paths: list[str] = field(default_factory=list)  # public links the seeders made
    hostile: bytes = b""  # the signed credential whose fields carry the payloads
    seeded_logins: list[tuple[str, str]] = field(default_factory=list)  # e.g. a granted adviser

    def client(self, email: str | None = None, password: str = PASSWORD) -> FlaskClient:
        """A test client, logged in as ``email`` when given."""
        client = self.app.test_client()
        if email is not None:
            response = client.post("/auth/login", data={"email": email, "password": password})
            assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    def urls(self, rule: Rule) -> list[str]:
        """Addresses for ``rule`` aimed at each of the victim's rows (see :func:`urls_for`)."""
        return urls_for(self.app, rule, self.ids, self.strings)

    def snapshot(self, *, excluding: tuple[int, ...] = ()) -> dict[str, set[tuple]]:
        """Every row of every table, except rows owned by the accounts ``excluding``."""
        rows: dict[str, set[tuple]] = {}
        with self.app.app_context():
            for table in db.metadata.sorted_tables:
                owner = next(
                    (c for c in ("user_id", "learner_id", "owner_id") if c in table.c), None
                )
                found = set()
                for row in db.session.execute(sa.select(table)):
                    mapping = row._mapping
                    if table.name == "users" and mapping["id"] in excluding:
                        continue
                    if owner and mapping[owner] in excluding:
                        continue
                    found.add(tuple(repr(v) for v in row))
                rows[table.name] = found
        return rows


def urls_for(app: Flask, rule: Rule, ids: list[int], strings: dict[str, list[str]]) -> list[str]:
    """Addresses for ``rule``, its arguments filled with every value of their kind found in
    the database (integer keys; string columns of the argument's name), else a dummy."""
    from flask import url_for

    choices: list[dict[str, Any]] = [{}]
    for name in sorted(rule.arguments):
        converter = rule._converters.get(name)
        if isinstance(converter, IntegerConverter):
            values: list[Any] = ids or [1]
        elif isinstance(converter, AnyConverter):
            values = sorted(converter.items)
        else:
            values = strings.get(name) or ["en" if name == "code" else "x"]
        choices = [{**c, name: v} for c in choices for v in values[:8]]
    with app.test_request_context():
        return sorted({url_for(rule.endpoint, **c) for c in choices})


def _seeders() -> list[Any]:
    """Every registered area's ``seed_demo`` (in its package or its ``demo`` module)."""
    found: list[Any] = []
    for package in BLUEPRINTS:
        for name in (package, f"{package}.demo"):
            try:
                present = importlib.util.find_spec(name) is not None
            except ModuleNotFoundError:
                present = False
            seeder = getattr(importlib.import_module(name), "seed_demo", None) if present else None
            if callable(seeder) and seeder not in found:
                found.append(seeder)
    return found


def call_seeders(
    app: Flask, user_id: int, password: str = PASSWORD
) -> tuple[list[str], list[tuple[str, str]]]:
    """Give learner ``user_id`` every area's demo data (see :func:`_call_seeder`); the paths
    the seeders returned (a share link's ``/s/<token>``) and the logins they made (an
    adviser's ``(email, password)``)."""
    paths: list[str] = []
    logins: list[tuple[str, str]] = []
    for seeder in _seeders():
        with app.test_request_context("/"):
            made = _call_seeder(seeder, app, db.session.get(User, user_id), password)
        if isinstance(made, str) and made.startswith("/"):
            paths.append(made)
        elif isinstance(made, tuple) and len(made) == 2 and all(isinstance(m, str) for m in made):
            logins.append(made)
    return paths, logins


def _call_seeder(seeder: Any, app: Flask, user: User, password: str = PASSWORD) -> Any:
    """Call ``seeder`` with the arguments it names (app, user, password, now)."""
    # The real clock: a share made "30 days from" the tests' fixed date has expired by now.
    available = {"app": app, "user": user, "password": password, "now": datetime.now(UTC)}
    params = inspect.signature(seeder).parameters
    needed = [p for p in params.values() if p.default is inspect.Parameter.empty]
    if any(p.name not in available for p in needed):
        return None
    return seeder(**{n: v for n, v in available.items() if n in params})


def collect_values(app: Flask) -> tuple[list[int], dict[str, list[str]]]:
    """Every integer primary key, and every string column's values by column name."""
    ids: set[int] = set()
    strings: dict[str, set[str]] = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(sa.select(table)):
                for column, value in row._mapping.items():
                    if isinstance(value, int) and not isinstance(value, bool):
                        if table.c[column].primary_key:
                            ids.add(value)
                    elif isinstance(value, str) and len(value) < 100:
                        strings.setdefault(column, set()).add(value)
    return sorted(ids), {k: sorted(v) for k, v in strings.items()}


def build_world(instance: Path, **config: Any) -> World:
    """Create the wallet and fill it: the victim's credentials (one carrying script), every
    area's demo data for the victim, then an attacker learner and an adviser with no grant."""
    app = create_app(security_config(instance, **config))
    home = Path(app.config["VERIFIER_HOME"])
    issuer = f.new_key()
    f.trust_issuer(home, issuer, name="Demo University")
    with app.test_request_context("/"):
        db.create_all()
        victim = register_user(VICTIM_EMAIL, PASSWORD, VICTIM_NAME)
        db.session.commit()
        holder = victim.holder_did
        subject = {
            "id": holder,
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://demo.example/achievements/xss",
                "type": ["Achievement"],
                "name": XSS_NAME,
                "description": XSS_DESCRIPTION,
                "criteria": {"narrative": XSS_DESCRIPTION},
            },
        }
        document = f.ob3_document(
            issuer,
            id="urn:uuid:0f0e0d0c-1111-4222-8333-944455556666",
            name=XSS_NAME,
            description=XSS_DESCRIPTION,
            credentialSubject=subject,
        )
        document["issuer"]["name"] = XSS_ISSUER
        signed = issue_ldp(document, issuer, created=f.NOW - timedelta(days=30))
        hostile = json.dumps(signed, indent=2).encode()
        plain = f.ldp_bytes(
            issuer,
            id="urn:uuid:0f0e0d0c-2222-4222-8333-944455556666",
            name=VICTIM_TITLE,
            credentialSubject={
                **subject,
                "achievement": {
                    **subject["achievement"],
                    "name": VICTIM_TITLE,
                    "description": "Plain.",
                },
            },
        )
        contents = [
            ("xss.json", hostile),
            ("diploma.json", plain),
            ("badge.png", f.baked_png(json.dumps(json.loads(plain)))),
            ("micro.jwt", f.jwt_credential(issuer, name=VICTIM_TITLE + " JWT").encode()),
        ]
        ids = []
        for name, content in contents:
            outcome = import_bytes(victim, content, filename=name, channel="file", now=f.NOW)
            assert outcome.credential_id is not None, outcome
            ids.append(outcome.credential_id)
        from wallet.models import Credential

        db.session.get(Credential, ids[0]).note = XSS_NOTE
        db.session.get(Credential, ids[1]).note = VICTIM_NOTE
        db.session.commit()
        victim_id = victim.id
    seeded_paths, seeded_logins = call_seeders(app, victim_id)
    values = collect_values(app)  # the victim's world only: what attackers aim at
    with app.test_request_context("/"):
        attacker = register_user("mallory@attacker.example", PASSWORD, "Mallory")
        adviser = register_user("adam@adviser.example", PASSWORD, "Adam")
        if hasattr(User, "role"):
            adviser.role = "adviser"
        db.session.commit()
        attacker_id, adviser_id = attacker.id, adviser.id
    world = World(app, victim_id, attacker_id, adviser_id, ids, ids[0])
    world.ids, world.strings = values
    world.seeded_paths, world.seeded_logins = seeded_paths, seeded_logins
    world.hostile = hostile
    return world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A filled wallet for the whole module (the tests do not change the victim's data)."""
    built = build_world(tmp_path_factory.mktemp("security") / "instance")
    yield built
    with built.app.app_context():
        db.session.remove()
        db.engine.dispose()


def body_of(response: Any) -> str:
    """A response's body as text (binary bodies are decoded leniently)."""
    return response.get_data().decode("utf-8", "replace")


def redirects_to_login(response: Any) -> bool:
    """Whether ``response`` sends the visitor to the login page."""
    return (
        response.status_code in (302, 303)
        and re.search(r"/auth/login(\?|$)", response.headers.get("Location", "")) is not None
    )


def all_routes() -> list[tuple[str, str, Rule]]:
    """(endpoint, method, rule) of every route, from a wallet made only to read its map."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(security_config(Path(folder)))
        return [(r.endpoint, m, r) for r in route_rules(app) for m in methods(r)]


ROUTES = all_routes()


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a socket or resolve a name fails the test."""
    import socket

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("tried to open a network connection")

    for name in ("socket", "create_connection", "getaddrinfo", "gethostbyname"):
        monkeypatch.setattr(socket, name, refuse)
