"""The Alembic migrations build exactly the models' schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from tests.wallet.conftest import (
    FAST_ARGON2,
    POSTGRES,
    POSTGRES_URL,
    SQLITE,
    postgres_reachable,
    schema_url,
)
from wallet import create_app
from wallet.cli import cli
from wallet.db import MIGRATIONS_DIRECTORY, db


@pytest.fixture(params=[SQLITE, POSTGRES])
def empty_app(request, tmp_path) -> Iterator:
    """An app on a database with no tables at all (its own PostgreSQL schema)."""
    schema = None
    if request.param == SQLITE:
        url = f"sqlite:///{tmp_path / 'wallet.sqlite3'}"
    else:
        if not postgres_reachable():
            pytest.skip("PostgreSQL is not reachable")
        schema = f"wallet_migrate_{secrets.token_hex(6)}"
        admin = sa.create_engine(POSTGRES_URL)
        with admin.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = schema_url(schema)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "s",
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            **FAST_ARGON2,
        }
    )
    yield app
    with app.app_context():
        db.engine.dispose()
    if schema is not None:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def schema_diff(app) -> list:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def table_names(app) -> set[str]:
    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names())


def test_upgrade_gives_exactly_the_models_schema(empty_app):
    with empty_app.app_context():
        upgrade()
    assert schema_diff(empty_app) == []
    assert table_names(empty_app) == {
        "alembic_version",
        "users",
        "credentials",
        "adviser_grants",
        "adviser_grant_credentials",
        "adviser_accesses",
        "adviser_comments",
        "adviser_login_links",
        "oid4vc_pending_issuances",
        "identities",
        "shares",
        "share_accesses",
        "pathways",
    }


def test_downgrade_to_base_removes_everything(empty_app):
    with empty_app.app_context():
        upgrade()
        downgrade(revision="base")
    assert table_names(empty_app) == {"alembic_version"}


def test_wallet_db_upgrade_command(empty_app):
    result = empty_app.test_cli_runner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert {"users", "credentials"} <= table_names(empty_app)
    head = ScriptDirectory(MIGRATIONS_DIRECTORY).get_current_head()
    with empty_app.app_context():
        assert (
            db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == head
        )


def test_timestamps_keep_their_zone(empty_app):
    with empty_app.app_context():
        upgrade()
        columns = {c["name"]: c["type"] for c in sa.inspect(db.engine).get_columns("credentials")}
    assert isinstance(columns["checked_at"], sa.DateTime)
    if empty_app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        assert columns["checked_at"].timezone is True


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'w.sqlite3'}",
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )
    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    with app.app_context():
        db.engine.dispose()
