"""Accounts: register, log in, log out; the logged-in learner on ``g.user``; ``login_required``."""

from __future__ import annotations

import functools
import hmac
import re
import secrets
from collections.abc import Callable
from typing import Any, TypeVar, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response as BaseResponse

from wallet.db import db
from wallet.keys import create_holder_key, needs_rewrap, rewrap_holder_key
from wallet.models import User, normalise_email
from wallet.security import limiter, safe_next

bp = Blueprint("auth", __name__, url_prefix="/auth")

EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
PASSWORD_MAX_LENGTH = 1000
View = TypeVar("View", bound=Callable[..., Any])


def password_hasher() -> PasswordHasher:
    """An Argon2id hasher with the app's parameters."""
    config = current_app.config
    return PasswordHasher(
        time_cost=int(config["ARGON2_TIME_COST"]),
        memory_cost=int(config["ARGON2_MEMORY_COST"]),
        parallelism=int(config["ARGON2_PARALLELISM"]),
    )


def check_password(user: User | None, password: str) -> bool:
    """Whether ``password`` is ``user``'s; refreshes the hash and key when parameters changed."""
    hasher = password_hasher()
    if user is None:
        # Spend the same time as for a real account, so timing does not reveal which exist.
        dummy = current_app.extensions.setdefault("wallet_dummy_hash", hasher.hash("x" * 12))
        _verify(hasher, dummy, password)
        return False
    if not _verify(hasher, user.password_hash, password):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    if needs_rewrap(user):
        rewrap_holder_key(user, password, password)
    return True


def _verify(hasher: PasswordHasher, hashed: str, password: str) -> bool:
    """Whether ``password`` matches ``hashed``."""
    try:
        return hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def password_errors(password: str, confirm: str) -> dict[str, str]:
    """What is wrong with a new password and its confirmation, by field."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return {"password": _("The password must be at least %(n)d characters long.", n=minimum)}
    if len(password) > PASSWORD_MAX_LENGTH:
        return {
            "password": _(
                "The password can be at most %(n)d characters long.", n=PASSWORD_MAX_LENGTH
            )
        }
    if password != confirm:
        return {"confirm": _("The two passwords are not the same. Please type them again.")}
    return {}


def registration_errors(
    email: str, display_name: str, password: str, confirm: str
) -> dict[str, str]:
    """What is wrong with a registration form, by field; empty when it can be saved."""
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = _("Enter your email address.")
    elif len(email) > 254 or not EMAIL_PATTERN.fullmatch(email):
        errors["email"] = _("Enter an email address in the form name@example.org.")
    elif db.session.scalar(select(User.id).where(User.email == email)) is not None:
        errors["email"] = _("An account with this email address already exists. Log in instead.")
    if len(display_name) > 100:
        errors["display_name"] = _("The name can be at most 100 characters long.")
    errors.update(password_errors(password, confirm))
    return errors


def register_user(email: str, password: str, display_name: str = "") -> User:
    """Add a learner with a fresh holder key to the session (the caller commits)."""
    user = User(
        email=email,
        password_hash=password_hasher().hash(password),
        display_name=display_name.strip() or normalise_email(email).split("@")[0],
        session_token=secrets.token_hex(32),
    )
    db.session.add(user)
    db.session.flush()  # the holder key's associated data names the new id
    create_holder_key(user, password)
    return user


def start_session(user: User) -> None:
    """Log ``user`` in with a brand-new session (nothing from before login survives)."""
    session.clear()
    session["user_id"] = user.id
    session["token"] = user.session_token
    session.permanent = True


@bp.before_app_request
def load_logged_in_user() -> None:
    """Put the logged-in learner (or ``None``) on ``g.user``."""
    g.user = None
    user_id = session.get("user_id")
    if user_id is None:
        return
    user = db.session.get(User, user_id)
    token = session.get("token", "")
    if user is not None and hmac.compare_digest(user.session_token, str(token)):
        g.user = user
    else:
        session.clear()  # the account is gone or its password changed since


def login_required(view: View) -> View:
    """Send visitors who are not logged in to the login page, then back here."""

    @functools.wraps(view)
    def wrapped_view(**kwargs: Any) -> Any:
        if g.user is None:
            target = request.full_path if request.query_string else request.path
            return redirect(url_for("auth.login", next=target))
        return view(**kwargs)

    return cast(View, wrapped_view)


def current_user() -> User:
    """The logged-in learner, in a view behind ``login_required``."""
    if g.user is None:
        raise RuntimeError("current_user() called in a view without @login_required")
    return cast(User, g.user)


def form_fields(*names: str) -> dict[str, str]:
    """The named form fields; text fields trimmed, passwords taken exactly as typed."""
    secret = {"password", "confirm", "current_password"}
    return {
        n: request.form.get(n, "") if n in secret else request.form.get(n, "").strip()
        for n in names
    }


def failed(response: Response) -> bool:
    """Whether a password attempt failed (only failures count against the limits)."""
    return response.status_code >= 400


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _register_limit() -> str:
    return str(current_app.config["REGISTER_RATE_LIMIT"])


def _account_key() -> str:
    return "account:" + normalise_email(request.form.get("email", ""))


@bp.route("/register", methods=("GET", "POST"))
@limiter.limit(_register_limit, methods=["POST"])
def register() -> BaseResponse | tuple[str, int] | str:
    """Create an account and log in."""
    if request.method == "GET":
        return render_template("auth/register.html", form={}, errors={})
    form = form_fields("email", "display_name", "password", "confirm")
    form["email"] = normalise_email(form["email"])
    errors = registration_errors(**form)
    if not errors:
        user = register_user(form["email"], form["password"], form["display_name"])
        try:
            db.session.commit()
        except IntegrityError:  # the same email registered a moment ago
            db.session.rollback()
            errors["email"] = _("An account with this email address already exists.")
    if errors:
        for message in errors.values():
            flash(message, "error")
        return render_template("auth/register.html", form=form, errors=errors), 400
    start_session(user)
    flash(_("Welcome! Your wallet is ready."), "success")
    return redirect(url_for("index"))


@bp.route("/login", methods=("GET", "POST"))
@limiter.limit(_login_limit, methods=["POST"], deduct_when=failed)
@limiter.limit(_login_limit, key_func=_account_key, methods=["POST"], deduct_when=failed)
def login() -> BaseResponse | tuple[str, int] | str:
    """Log in with email and password."""
    next_url = safe_next(request.values.get("next")) or ""
    if request.method == "GET":
        return render_template("auth/login.html", form={}, errors={}, next_url=next_url)
    form = form_fields("email", "password")
    email = normalise_email(form["email"])
    user = db.session.scalar(select(User).where(User.email == email)) if email else None
    matches = check_password(user, form["password"])  # also for unknown emails: same timing
    if user is None or not matches:
        message = _("The email address or the password is not right.")
        flash(message, "error")
        context = {"form": {"email": email}, "errors": {"password": message}}
        return render_template("auth/login.html", next_url=next_url, **context), 400
    db.session.commit()  # a refreshed hash or holder key, if parameters changed
    start_session(user)
    return redirect(next_url or url_for("index"))


@bp.route("/logout", methods=("POST",))
def logout() -> BaseResponse:
    """Log out and go to the login page.

    The learner's session token is renewed, so a copy of the session cookie taken before
    (a shared computer, a stolen cookie) stops working too; their other devices log in again.
    """
    if g.user is not None:
        g.user.session_token = secrets.token_hex(32)
        db.session.commit()
    session.clear()
    flash(_("You have logged out."), "success")
    return redirect(url_for("auth.login"))
