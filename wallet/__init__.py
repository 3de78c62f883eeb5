"""The learner's wallet: a Flask app built by :func:`create_app`.

Example::

    from wallet import create_app
    app = create_app({"SECRET_KEY": "...", "SQLALCHEMY_DATABASE_URI": "sqlite:///w.db"})
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse

from wallet import config, db, errors, i18n, security

PROJECT = Path(__file__).resolve().parent.parent

#: Modules whose ``bp`` blueprint is registered, in this order. Add yours here; a module
#: that does not exist yet is skipped (an import error inside one that exists is not).
BLUEPRINTS = (
    "wallet.auth",
    "wallet.account",
    "wallet.i18n",
    "wallet.portfolio",
    "wallet.importers",
    "wallet.pathways",
    "wallet.sharing",
    "wallet.advisers",
    "wallet.backup",
    "wallet.identities",
    "wallet.oid4vc",
    "wallet.oid4vp",
    "verifier.web",
    "verifier.web.oid4vp",
)

#: The header's links as (endpoint, label); links to endpoints not registered are left out.
NAVIGATION_LOGGED_IN = (
    ("portfolio.index", _l("Portfolio")),
    ("importers.index", _l("Import")),
    ("oid4vc.index", _l("Offers")),
    ("pathways.index", _l("Pathways")),
    ("sharing.index", _l("Shares")),
    ("oid4vp.index", _l("Answer a request")),
    ("advisers.learners", _l("Learners")),
    ("advisers.grants", _l("Advisers")),
    ("verify.index", _l("Check a credential")),
    ("account.index", _l("Account")),
)
NAVIGATION_LOGGED_OUT = (
    ("auth.login", _l("Log in")),
    ("auth.register", _l("Register")),
)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the wallet app: configuration, extensions, blueprints, error pages."""
    app = Flask(
        __name__,
        instance_path=config.instance_path(test_config),
        instance_relative_config=True,
        template_folder=str(PROJECT / "templates"),
        static_folder=str(PROJECT / "static"),
    )
    config.load(app, test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    for name in BLUEPRINTS:
        if importlib.util.find_spec(name) is not None:
            app.register_blueprint(importlib.import_module(name).bp)
    if "verify.link" in app.view_functions:  # the verifier view fetches share links: limited
        app.view_functions["verify.link"] = _limited(app.view_functions["verify.link"])
    app.add_url_rule("/", "index", index)
    app.context_processor(navigation)
    return app


@functools.cache
def _limited(view: Callable[..., Any]) -> Callable[..., Any]:
    """``view`` under the app's ``LINK_RATE_LIMIT`` per address. Wrapped once per view, not per
    app: the limiter is shared, and a limit added at every ``create_app`` would pile up."""
    return security.limiter.limit(lambda: str(current_app.config["LINK_RATE_LIMIT"]))(view)


def index() -> BaseResponse:
    """Send learners to their portfolio and visitors to the login page."""
    if g.user is None:
        return redirect(url_for("auth.login"))
    if "portfolio.index" in current_app.view_functions:
        return redirect(url_for("portfolio.index"))
    return redirect(url_for("account.index"))  # until the portfolio lands


def navigation() -> dict[str, Any]:
    """The header's links for this visitor, and the current path for forms that come back.

    Advisers see their learners, the verifier and their account; learners everything else.
    """
    user = g.get("user")
    items = NAVIGATION_LOGGED_IN if user is not None else NAVIGATION_LOGGED_OUT
    adviser = getattr(user, "role", None) == "adviser"
    for_advisers = {"advisers.learners", "verify.index", "account.index"}
    nav = [
        {"url": url_for(endpoint), "label": str(label), "current": _is_current(endpoint)}
        for endpoint, label in items
        if endpoint in current_app.view_functions
        and (endpoint in for_advisers if adviser else endpoint != "advisers.learners")
    ]
    here = request.full_path if request.query_string else request.path
    return {"nav": nav, "here": here}


def _is_current(endpoint: str) -> bool:
    """Whether the link to ``endpoint`` leads to this page or, for an area's index, its area."""
    if request.endpoint == endpoint:
        return True
    area, _, view = endpoint.partition(".")
    return view == "index" and request.blueprint == area
