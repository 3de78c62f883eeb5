"""Adviser accounts: registering as an adviser, logging in through an institution's OpenID
Connect provider, and landing on the list of learners after login.

Institutions come from the ``ADVISER_OIDC`` setting (``WALLET_ADVISER_OIDC``), a list of
``{"name", "label", "server_metadata_url", "client_id", "client_secret"}``; each becomes an
authlib Flask client. A first login links the provider's subject to the adviser account with
the same (verified) email address, or creates one; a learner's address is refused.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import (
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response as BaseResponse

from wallet.advisers.blueprint import bp
from wallet.advisers.models import LoginLink
from wallet.auth import (
    _register_limit,
    form_fields,
    register_user,
    registration_errors,
    start_session,
)
from wallet.db import db
from wallet.models import User, normalise_email
from wallet.security import limiter

OAUTH_EXTENSION = "wallet_adviser_oauth"
OIDC_SCOPE = "openid email profile"


def institutions(app: Flask | None = None) -> list[dict[str, Any]]:
    """The configured institutions, each with at least a name and a label."""
    config = (app or current_app).config
    found = []
    for item in config.get("ADVISER_OIDC") or ():
        if isinstance(item, dict) and item.get("name") and item.get("server_metadata_url"):
            found.append({**item, "label": item.get("label") or item["name"]})
    return found


def _setup_oidc(state: BlueprintSetupState) -> None:
    """Register one authlib client per configured institution (authlib is imported only then)."""
    configured = institutions(state.app)
    if not configured:
        return
    from authlib.integrations.flask_client import OAuth

    oauth = OAuth(state.app)
    for item in configured:
        oauth.register(
            name=item["name"],
            server_metadata_url=item["server_metadata_url"],
            client_id=item.get("client_id"),
            client_secret=item.get("client_secret"),
            client_kwargs={"scope": OIDC_SCOPE},
        )
    state.app.extensions[OAUTH_EXTENSION] = oauth


bp.record_once(_setup_oidc)


def _client(name: str) -> Any:
    """The authlib client of institution ``name``, else 404."""
    oauth = current_app.extensions.get(OAUTH_EXTENSION)
    client = oauth.create_client(name) if oauth is not None else None
    if client is None:
        abort(404)
    return client


@bp.before_app_request
def _advisers_start_at_their_learners() -> BaseResponse | None:
    """An adviser opening the wallet's home page goes to their list of learners."""
    user = g.get("user")
    if request.endpoint == "index" and user is not None and user.role == "adviser":
        return redirect(url_for("advisers.learners"))
    return None


@bp.route("/register", methods=("GET", "POST"))
@limiter.limit(_register_limit, methods=["POST"])
def register() -> BaseResponse | tuple[str, int] | str:
    """Create an adviser account and log in."""
    if request.method == "GET":
        return render_template(
            "advisers/register.html", form={}, errors={}, institutions=institutions()
        )
    form = form_fields("email", "display_name", "password", "confirm")
    form["email"] = normalise_email(form["email"])
    errors = registration_errors(**form)
    if not errors:
        user = register_user(form["email"], form["password"], form["display_name"])
        user.role = "adviser"
        try:
            db.session.commit()
        except IntegrityError:  # the same email registered a moment ago
            db.session.rollback()
            errors["email"] = _("An account with this email address already exists.")
    if errors:
        for message in errors.values():
            flash(message, "error")
        context = {"form": form, "errors": errors, "institutions": institutions()}
        return render_template("advisers/register.html", **context), 400
    start_session(user)
    flash(_("Welcome! Learners can now give you access to their portfolios."), "success")
    return redirect(url_for("advisers.learners"))


@bp.route("/login")
def login() -> str:
    """The institutions an adviser can log in through, and the other ways in."""
    return render_template("advisers/login.html", institutions=institutions())


@bp.route("/login/<name>")
def oidc_start(name: str) -> BaseResponse:
    """Send the adviser to their institution's login page."""
    from requests import RequestException

    client = _client(name)
    try:
        return client.authorize_redirect(
            url_for("advisers.oidc_callback", name=name, _external=True)
        )
    except (RequestException, ValueError) as error:  # metadata unreachable or not JSON
        current_app.logger.warning("adviser login through %s cannot start: %s", name, error)
        flash(_("Your institution's login cannot be reached just now. Please try later."), "error")
        return redirect(url_for("advisers.login"))


@bp.route("/login/<name>/callback")
def oidc_callback(name: str) -> BaseResponse:
    """Come back from the institution: check its answer, find or create the adviser, log in."""
    from authlib.common.errors import AuthlibBaseError
    from joserfc.errors import JoseError
    from requests import RequestException

    client = _client(name)
    try:
        token = client.authorize_access_token()
    except (AuthlibBaseError, JoseError, RequestException, ValueError) as error:
        current_app.logger.warning("adviser login through %s failed: %s", name, error)
        flash(_("The login through your institution did not work. Please try again."), "error")
        return redirect(url_for("advisers.login"))
    claims = token.get("userinfo") or {}
    user, message = _adviser_for(name, claims)
    if user is None:
        flash(message, "error")
        return redirect(url_for("advisers.login"))
    db.session.commit()
    start_session(user)
    flash(_("Welcome, %(name)s.", name=user.display_name), "success")
    return redirect(url_for("advisers.learners"))


def _adviser_for(institution: str, claims: dict[str, Any]) -> tuple[User | None, str]:
    """The adviser account for these ID token claims, linked or created; else why not."""
    subject = str(claims.get("sub") or "")
    if not subject:
        return None, _("Your institution did not say who you are.")
    link = db.session.scalar(
        select(LoginLink).where(
            LoginLink.institution == institution, LoginLink.subject == subject[:255]
        )
    )
    if link is not None:
        user = db.session.get(User, link.user_id)
        if user is not None and user.role == "adviser":
            return user, ""
        return None, _("This login is not linked to an adviser account.")
    email = normalise_email(str(claims.get("email") or ""))
    if not email or claims.get("email_verified") is False:
        return None, _("Your institution did not give a verified email address.")
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None and user.role != "adviser":
        return None, _(
            "This email address belongs to a learner's wallet, not to an adviser account."
        )
    if user is None:
        name = str(claims.get("name") or "")[:100]
        user = register_user(email, secrets.token_urlsafe(32), name)
        user.role = "adviser"
    db.session.add(LoginLink(user_id=user.id, institution=institution, subject=subject[:255]))
    return user, ""
