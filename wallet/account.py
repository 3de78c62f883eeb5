"""The learner's account page: language, password (re-sealing the holder key), deletion."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_date, refresh
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.wrappers import Response as BaseResponse

from wallet.auth import (
    check_password,
    current_user,
    failed,
    form_fields,
    login_required,
    password_errors,
    password_hasher,
    start_session,
)
from wallet.db import db
from wallet.i18n import COOKIE, LANGUAGE_NAMES
from wallet.keys import rewrap_holder_key
from wallet.models import LOCALES, Credential
from wallet.security import limiter

bp = Blueprint("account", __name__, url_prefix="/account")


def _password_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _user_key() -> str:
    return f"user:{session.get('user_id')}"


# Guessing the password from a stolen session is throttled like guessing it at login.
password_checked = limiter.limit(
    _password_limit, key_func=_user_key, methods=["POST"], deduct_when=failed
)


def _failure(template: str, errors: Mapping[str, str]) -> tuple[str, int]:
    """Flash every mistake and show the form again with status 400."""
    for message in errors.values():
        flash(message, "error")
    return render_template(template, errors=errors), 400


@bp.route("/")
@login_required
def index() -> str:
    """The learner's details, holder identifier and language."""
    user = current_user()
    profile = {
        "email": user.email,
        "display_name": user.display_name,
        "holder_did": user.holder_did,
        "locale": user.locale or "",
        "created_at": format_date(user.created_at, "long"),
        "credential_count": db.session.scalar(
            select(func.count()).select_from(Credential).where(Credential.user_id == user.id)
        ),
    }
    return render_template("account/index.html", profile=profile, languages=LANGUAGE_NAMES)


@bp.route("/language", methods=("POST",))
@login_required
def language() -> BaseResponse:
    """Save the interface language, or follow the browser when none is chosen."""
    user = current_user()
    code = request.form.get("locale", "")
    if code and code not in LOCALES:
        flash(_("Choose one of the languages in the list."), "error")
        return redirect(url_for("account.index"))
    user.locale = code or None
    db.session.commit()
    refresh()
    response = redirect(url_for("account.index"))
    response.delete_cookie(COOKIE)  # the account's choice (or the browser's) now decides
    flash(_("Your language setting has been saved."), "success")
    return response


@bp.route("/password", methods=("GET", "POST"))
@login_required
@password_checked
def password() -> BaseResponse | tuple[str, int] | str:
    """Change the password; the holder key is sealed again under the new one."""
    if request.method == "GET":
        return render_template("account/password.html", errors={})
    user = current_user()
    form = form_fields("current_password", "password", "confirm")
    errors = password_errors(form["password"], form["confirm"])
    if not check_password(user, form["current_password"]):
        errors = {"current_password": _("Your current password is not right."), **errors}
    if errors:
        return _failure("account/password.html", errors)
    rewrap_holder_key(user, form["current_password"], form["password"])
    user.password_hash = password_hasher().hash(form["password"])
    user.session_token = secrets.token_hex(32)  # other devices are logged out
    db.session.commit()
    start_session(user)
    flash(_("Your password has been changed."), "success")
    return redirect(url_for("account.index"))


@bp.route("/delete", methods=("GET", "POST"))
@login_required
@password_checked
def delete() -> BaseResponse | tuple[str, int] | str:
    """Delete the account and everything in it, after the password is given."""
    if request.method == "GET":
        return render_template("account/delete.html", errors={})
    user = current_user()
    form = form_fields("current_password")
    if not check_password(user, form["current_password"]):
        return _failure(
            "account/delete.html",
            {"current_password": _("Your password is not right, so nothing was deleted.")},
        )
    db.session.delete(user)  # credentials and everything else go with it (ON DELETE CASCADE)
    db.session.commit()
    session.clear()
    flash(_("Your account and everything in it have been deleted."), "success")
    return redirect(url_for("auth.login"))
