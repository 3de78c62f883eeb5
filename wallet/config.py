"""Configuration: defaults, then ``instance/config.py``, then ``WALLET_*`` variables, then tests.

Every setting can come from the environment as ``WALLET_<NAME>`` (values are read as JSON when
they parse, so ``WALLET_HTTPS=true`` is a boolean). Two have friendlier names:
``WALLET_DATABASE_URL`` sets ``SQLALCHEMY_DATABASE_URI`` and ``WALLET_HTTPS`` marks a
deployment served over https (secure cookies, HSTS).
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

#: Values used when nothing else sets them.
DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": None,
    "DEMO": False,
    "HTTPS": False,
    # Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
    "PROXIES": 0,
    "SQLALCHEMY_DATABASE_URI": None,  # None: SQLite in the instance folder
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "VERIFIER_HOME": None,  # None: <instance>/verifier (trust.json and cache/)
    "MAX_CONTENT_LENGTH": 30 * 1024 * 1024,
    # A pasted credential with a baked image is a large text field: allow it.
    "MAX_FORM_MEMORY_SIZE": 10 * 1024 * 1024,
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",  # redis://host:6379 in production
    "RATELIMIT_HEADERS_ENABLED": True,
    "LOGIN_RATE_LIMIT": "10/minute",  # failed logins, per address and per account
    "REGISTER_RATE_LIMIT": "20/hour",  # registrations per address
    "LINK_RATE_LIMIT": "30/minute",  # share links the verifier view opens, per address
    "PASSWORD_MIN_LENGTH": 10,
    # Argon2id for password hashes and for the key that wraps each holder key (RFC 9106's
    # second recommended option: 64 MiB, 3 passes).
    "ARGON2_TIME_COST": 3,
    "ARGON2_MEMORY_COST": 64 * 1024,
    "ARGON2_PARALLELISM": 4,
    "BABEL_DEFAULT_LOCALE": "en",
    "LANGUAGE_COOKIE_MAX_AGE": 365 * 24 * 3600,
}


class ConfigError(RuntimeError):
    """The configuration cannot run safely; the message says what to set."""


def load(app: Flask, test_config: dict[str, Any] | None = None) -> None:
    """Fill ``app.config`` from every source, in order, then derive the remaining values."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("WALLET")
    if "DATABASE_URL" in app.config:
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config.pop("DATABASE_URL")
    if test_config is not None:
        app.config.from_mapping(test_config)
    _derive(app)


def _derive(app: Flask) -> None:
    """Settings computed from others: database location, cookie flags, the secret check."""
    config = app.config
    instance = Path(app.instance_path)
    if not config["SQLALCHEMY_DATABASE_URI"]:
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'wallet.sqlite3'}"
    config["SQLALCHEMY_DATABASE_URI"] = database_url(str(config["SQLALCHEMY_DATABASE_URI"]))
    config["VERIFIER_HOME"] = str(config["VERIFIER_HOME"] or instance / "verifier")

    https = bool(config["HTTPS"]) or config.get("PREFERRED_URL_SCHEME") == "https"
    config["HTTPS"] = https
    config["SESSION_COOKIE_SECURE"] = https
    if https:
        config["PREFERRED_URL_SCHEME"] = "https"
    # The __Host- prefix makes browsers refuse the cookie unless it is Secure, host-only, /.
    config.setdefault("SESSION_COOKIE_NAME", "session")
    if config["SESSION_COOKIE_NAME"] == "session":
        config["SESSION_COOKIE_NAME"] = "__Host-wallet" if https else "wallet"

    if not config["SECRET_KEY"]:
        if not (app.debug or app.testing or config["DEMO"]):
            raise ConfigError(
                "WALLET_SECRET_KEY is not set. Set it to a long random value, for example "
                "the output of: python -c 'import secrets; print(secrets.token_hex(32))' "
                "(or, for a throw-away key, use `wallet --debug run` or WALLET_DEMO=true)."
            )
        # Development only: a fresh random key each start (sessions end on restart).
        config["SECRET_KEY"] = secrets.token_hex(32)
    config["SECRET_KEY"] = str(config["SECRET_KEY"])


def database_url(url: str) -> str:
    """``url`` with PostgreSQL URLs pointed at the psycopg 3 driver the wallet ships with."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def instance_path(test_config: dict[str, Any] | None) -> str | None:
    """The instance folder chosen by the tests or ``WALLET_INSTANCE_PATH``, if any."""
    chosen = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("WALLET_INSTANCE_PATH")
    return str(Path(chosen).resolve()) if chosen else None
