"""The standalone verifier app (``verifier serve``): the ``/verify`` pages with their own
configuration, languages, CSRF protection, security headers and error pages.

Configuration, in order: defaults, ``VERIFIER_*`` environment variables (JSON values parse,
so ``VERIFIER_HTTPS=true`` is a boolean), then the ``config`` mapping. ``SECRET_KEY`` (it
signs the CSRF token and the downloadable report) is, when not set, read from
``<VERIFIER_HOME>/secret_key``, which is created once with a random value so that every worker
process of one verifier shares it.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, redirect, url_for
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from werkzeug.wrappers import Response as BaseResponse

from verifier.web import errors, forms, i18n, security

PROJECT = Path(__file__).resolve().parent.parent.parent
SECRET_FILE = "secret_key"

DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": None,
    "VERIFIER_HOME": None,  # None: $VERIFIER_HOME or the user data folder (verifier.cli)
    "HTTPS": False,
    "MAX_CONTENT_LENGTH": 30 * 1024 * 1024,
    "MAX_FORM_MEMORY_SIZE": 12 * 1024 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "verifier",
    "WTF_CSRF_TIME_LIMIT": None,
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_TRANSLATION_DIRECTORIES": str(i18n.TRANSLATIONS),
    "LANGUAGE_COOKIE_MAX_AGE": 365 * 24 * 3600,
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",  # redis://host:6379 when several processes serve
    # Share links opened per address: the one view that makes the server go online.
    "LINK_RATE_LIMIT": "30/minute",
}

csrf = CSRFProtect()
babel = Babel()


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the standalone verifier: the ``verify`` blueprint at ``/verify``, ``/`` sent there."""
    from verifier.cli import data_dir
    from verifier.web import bp

    app = Flask(
        __name__,
        template_folder=str(PROJECT / "templates"),
        static_folder=str(PROJECT / "static"),
    )
    app.request_class = forms.VerifierRequest
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("VERIFIER")
    if config:
        app.config.from_mapping(config)
    home = Path(app.config["VERIFIER_HOME"] or os.environ.get("VERIFIER_HOME") or data_dir())
    app.config["VERIFIER_HOME"] = str(home)
    app.config["VERIFIER_STANDALONE"] = True
    if app.config["HTTPS"]:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["SESSION_COOKIE_NAME"] = "__Host-verifier"
        app.config["PREFERRED_URL_SCHEME"] = "https"
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _secret(home)

    i18n.compile_catalogs()
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.install_gettext(app)
    csrf.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    app.register_blueprint(bp)
    limiter = Limiter(get_remote_address, app=app)  # one per app: its own counters
    # Wrapped here, not on the blueprint, because inside the wallet the wallet's limiter rules.
    app.view_functions["verify.link"] = limiter.limit(lambda: str(app.config["LINK_RATE_LIMIT"]))(
        app.view_functions["verify.link"]
    )
    if importlib.util.find_spec("verifier.web.oid4vp") is not None:
        app.register_blueprint(importlib.import_module("verifier.web.oid4vp").bp)
    app.add_url_rule("/", "index", _index)
    app.context_processor(i18n.language_context)
    return app


def _index() -> BaseResponse:
    """The verifier's front page is the form."""
    return redirect(url_for("verify.index"))


def _secret(home: Path) -> str:
    """The secret kept in ``home/secret_key``, written once (owner-only) when missing."""
    path = home / SECRET_FILE
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        draft = home / f".{SECRET_FILE}.{os.getpid()}"
        with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
            out.write(secrets.token_hex(32))
        try:
            os.link(draft, path)  # atomic: when two workers race, the first one's secret wins
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text("ascii").strip()
