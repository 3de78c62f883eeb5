"""The employer's verifier view: a blueprint mounted at ``/verify`` by the wallet, and
:func:`create_app`, the same pages as their own app (``verifier serve``).

Verification never touches the network: the trust store and cache come from
``VERIFIER_HOME`` (see :mod:`verifier.web.stores`). The one network call is opening a learner's
share link, which fetches the presentation it serves (see :mod:`verifier.web.links`).

Example::

    from verifier.web import create_app
    app = create_app({"VERIFIER_HOME": "/srv/verifier", "SECRET_KEY": "..."})
"""

from __future__ import annotations

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

bp = Blueprint("verify", __name__, url_prefix="/verify")

#: Views that only compute from a report this server signed and change nothing. They are exempt
#: from CSRF so that a share page, served with ``Referrer-Policy: no-referrer``, can post to them
#: over HTTPS, where Flask-WTF's strict check refuses a POST without a referrer.
READ_ONLY_VIEWS = ("verifier.web.views.report", "verifier.web.views.recipient")


@bp.record_once
def _exempt_read_only_views(state: BlueprintSetupState) -> None:
    csrf = state.app.extensions.get("csrf")
    if csrf is not None:
        for name in READ_ONLY_VIEWS:
            csrf.exempt(name)


# The views and template globals register themselves on ``bp``; the app factory lives in its
# own module.
from verifier.web import views  # noqa: E402, F401  # isort: skip
from verifier.web.app import create_app  # noqa: E402  # isort: skip

__all__ = ["bp", "create_app"]
