"""Fixtures for the wallet: ``app`` (on SQLite and on PostgreSQL), ``client``, ``runner``, ``auth``.

Every test that uses ``app`` runs twice: on a fresh SQLite file and, when PostgreSQL answers
at 127.0.0.1:5432 (or ``WALLET_TEST_POSTGRES_URL``), in a fresh schema of the ``test``
database. ``pytest -m "not postgres"`` runs the SQLite half only.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from wallet import create_app
from wallet.auth import register_user
from wallet.db import db

POSTGRES_URL = os.environ.get(
    "WALLET_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PASSWORD = "correct horse battery"
#: The two backends every database test runs on (the parameter values of ``database_url``).
SQLITE, POSTGRES = "sqlite", "postgres"

# Cheap Argon2 so the suite stays fast; the production parameters are in wallet/config.py.
FAST_ARGON2 = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8, "ARGON2_PARALLELISM": 1}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres: runs against PostgreSQL (127.0.0.1:5432)")


@pytest.hookimpl(tryfirst=True)  # before -m deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the PostgreSQL half of every database-parametrized test ``postgres``.

    Done here rather than with ``pytest.param(marks=...)``: under ``--strict-markers`` a mark
    named at import time must already be registered, and this conftest registers it.
    """
    here = Path(__file__).parent
    for item in items:
        callspec = getattr(item, "callspec", None)
        if not item.path.is_relative_to(here) or callspec is None:
            continue
        if POSTGRES in callspec.params.values():
            item.add_marker("postgres")


def postgres_reachable() -> bool:
    """Whether something answers on the PostgreSQL port."""
    url = sa.make_url(POSTGRES_URL)
    try:
        with socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=1):
            return True
    except OSError:
        return False


def schema_url(schema: str) -> str:
    """The PostgreSQL URL whose connections work inside ``schema``."""
    return f"{POSTGRES_URL}?options={quote(f'-csearch_path={schema}')}"


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[str]:
    """A fresh schema in the ``test`` database for this session, dropped afterwards."""
    if not postgres_reachable():
        pytest.skip(f"PostgreSQL is not reachable at {sa.make_url(POSTGRES_URL).host}")
    schema = f"wallet_test_{secrets.token_hex(6)}"
    engine = sa.create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(params=[SQLITE, POSTGRES])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """An empty database: a SQLite file, or a PostgreSQL schema emptied after each test."""
    if request.param == SQLITE:
        return f"sqlite:///{tmp_path / 'wallet.sqlite3'}"
    return schema_url(request.getfixturevalue("postgres_schema"))


@pytest.fixture
def wallet_config(database_url, tmp_path) -> dict:
    """The test configuration (tests may change it before asking for ``app``)."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test secret key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        **FAST_ARGON2,
    }


@pytest.fixture
def app(wallet_config) -> Iterator[Flask]:
    """The wallet with its tables created; everything is dropped afterwards."""
    app = create_app(wallet_config)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@dataclass
class Learner:
    """A learner made by the ``user`` factory (plain values: usable outside the app context)."""

    id: int
    email: str
    password: str
    holder_did: str


@pytest.fixture
def user(app: Flask):
    """Factory: ``user(email=..., password=...)`` registers a learner directly in the database."""

    def make(email: str = "ada@example.org", password: str = PASSWORD, **fields) -> Learner:
        with app.app_context():
            account = register_user(email, password, fields.pop("display_name", "Ada"))
            for name, value in fields.items():
                setattr(account, name, value)
            db.session.commit()
            return Learner(account.id, account.email, password, account.holder_did or "")

    return make


class AuthActions:
    """Register, log in and log out through the pages, as a person would."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def register(self, email: str = "ada@example.org", password: str = PASSWORD, **fields):
        data = {"email": email, "password": password, "confirm": password, **fields}
        return self._client.post("/auth/register", data=data)

    def login(self, email: str = "ada@example.org", password: str = PASSWORD, **fields):
        return self._client.post(
            "/auth/login", data={"email": email, "password": password, **fields}
        )

    def logout(self):
        return self._client.post("/auth/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)
