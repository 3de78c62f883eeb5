"""The identities page: the learner's e-mail addresses, confirming one with a code, and how
their Open Badges 2.0 badges' recipients compare with them."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response as BaseResponse

from wallet.auth import EMAIL_PATTERN, current_user, failed, form_fields, login_required
from wallet.db import db, utcnow
from wallet.identities import bp, service
from wallet.identities.mail import MailError, mail_configured
from wallet.identities.models import Identity
from wallet.models import normalise_email
from wallet.security import limiter


def _user_key() -> str:
    return f"identities:{session.get('user_id')}"


def _send_limit() -> str:
    return str(current_app.config.get("IDENTITY_SEND_RATE_LIMIT", "10/hour"))


def _confirm_limit() -> str:
    return str(current_app.config.get("LOGIN_RATE_LIMIT", "10/minute"))


# Codes go out by mail: a learner cannot make the wallet mail an address a hundred times.
sends_mail = limiter.limit(_send_limit, key_func=_user_key, methods=["POST"])
guesses_code = limiter.limit(_confirm_limit, key_func=_user_key, deduct_when=failed)


def _badge(credential: Any) -> dict[str, Any]:
    recipient = service.recipient_of(credential) or {}
    return {
        "id": credential.id,
        "title": credential.title,
        "issuer": credential.issuer_name,
        "type": recipient.get("type"),
        "hashed": recipient.get("hashed"),
        "matches": recipient.get("matches"),
    }


def _page(errors: dict[str, str] | None = None, status: int = 200, form: Any = None) -> Any:
    """The identities page, with a form's mistakes flashed."""
    for message in (errors or {}).values():
        flash(message, "error")
    user = current_user()
    context = {
        "account_email": user.email,
        "identities": service.identities_of(user),
        "badges": [_badge(c) for c in service.badges_of(user)],
        "errors": errors or {},
        "form": form or {},
        "mail_configured": mail_configured(),
        "now": utcnow(),
    }
    return render_template("identities/index.html", **context), status


@bp.route("/")
@login_required
def index() -> Any:
    """The learner's confirmed and waiting identities and their badges' recipients."""
    return _page()


def _deliver(identity: Identity, code: str) -> bool:
    """Send the code; on a mail failure say so and return ``False`` (the caller rolls back)."""
    try:
        service.send_code(identity, code)
    except MailError as exc:
        current_app.logger.error("confirmation code for %s not sent: %s", identity.value, exc)
        message = _(
            "The code could not be sent: the mail server did not answer. Please try again later."
        )
        flash(message, "error")
        return False
    if not mail_configured():
        if current_app.config.get("DEMO"):
            message = _(
                "Demo mode: no mail server is set up, so here is the code that would have "
                "been sent: %(code)s",
                code=code,
            )
        else:
            message = _(
                "No mail server is set up, so the code was written to the server's log "
                "instead of being sent."
            )
        flash(message, "info")
    return True


@bp.route("/add", methods=("POST",))
@login_required
@sends_mail
def add() -> Any:
    """Add an e-mail address and send it a confirmation code."""
    user = current_user()
    address = normalise_email(form_fields("email")["email"])
    error = None
    if not address or len(address) > 254 or not EMAIL_PATTERN.fullmatch(address):
        error = _("Enter an email address in the form name@example.org.")
    elif address == user.email:
        error = _("This is your account's address: it is already confirmed.")
    elif address in {i.value for i in service.identities_of(user)}:
        error = _("You have already added this address.")
    else:
        count = db.session.scalar(
            select(func.count()).select_from(Identity).where(Identity.user_id == user.id)
        )
        if count >= service.MAX_IDENTITIES:
            error = _("You can add at most %(n)d addresses.", n=service.MAX_IDENTITIES)
    if error:
        return _page({"email": error}, 400, form={"email": address})
    try:
        identity, code = service.add_email(user, address, now=utcnow())
    except IntegrityError:  # the same address added a moment ago
        db.session.rollback()
        return _page({"email": _("You have already added this address.")}, 400)
    if not _deliver(identity, code):
        db.session.rollback()
        return redirect(url_for("identities.index"))
    db.session.commit()
    flash(
        _("We sent a code to %(address)s. Type it below to confirm the address.", address=address),
        "success",
    )
    return redirect(url_for("identities.index", _anchor=f"identity-{identity.id}"))


def _owned(identity_id: int) -> Identity:
    identity = service.owned(current_user(), identity_id)
    if identity is None:
        abort(404)
    return identity


@bp.route("/<int:identity_id>/resend", methods=("POST",))
@login_required
@sends_mail
def resend(identity_id: int) -> BaseResponse:
    """Send a new code (the old one stops working and the attempts start again)."""
    identity = _owned(identity_id)
    if identity.confirmed:
        flash(_("This address is already confirmed."), "info")
        return redirect(url_for("identities.index"))
    code = service.new_code(identity, now=utcnow())
    if not _deliver(identity, code):
        db.session.rollback()
        return redirect(url_for("identities.index"))
    db.session.commit()
    flash(_("We sent a new code to %(address)s.", address=identity.value), "success")
    return redirect(url_for("identities.index", _anchor=f"identity-{identity.id}"))


@bp.route("/<int:identity_id>/confirm", methods=("POST",))
@login_required
@guesses_code
def confirm(identity_id: int) -> Any:
    """Confirm the address with the code sent to it; the badges are checked again."""
    identity = _owned(identity_id)
    if identity.confirmed:
        flash(_("This address is already confirmed."), "info")
        return redirect(url_for("identities.index"))
    now = utcnow()
    try:
        service.confirm(identity, form_fields("code")["code"], now=now)
    except service.CodeError as error:
        db.session.commit()  # the wrong attempt is counted
        return _page({"code": _code_message(error)}, 400)
    count = service.reverify_badges(current_user(), now=now)
    db.session.commit()
    flash(_("%(address)s is confirmed.", address=identity.value), "success")
    if count:
        flash(_checked_again(count), "info")
    return redirect(url_for("identities.index"))


@bp.route("/<int:identity_id>/remove", methods=("POST",))
@login_required
def remove(identity_id: int) -> BaseResponse:
    """Remove an address; badges issued to it no longer count as yours."""
    identity = _owned(identity_id)
    was_confirmed, address = identity.confirmed, identity.value
    db.session.delete(identity)
    count = service.reverify_badges(current_user(), now=utcnow()) if was_confirmed else 0
    db.session.commit()
    flash(_("%(address)s has been removed.", address=address), "success")
    if count:
        flash(_checked_again(count), "info")
    return redirect(url_for("identities.index"))


def _checked_again(count: int) -> str:
    return ngettext(
        "Your %(num)d Open Badges 2.0 badge was checked again against your addresses.",
        "Your %(num)d Open Badges 2.0 badges were checked again against your addresses.",
        count,
    )


def _code_message(error: service.CodeError) -> str:
    if error.reason == service.EXPIRED:
        return _(
            "This code has expired. Send a new code and use it within %(n)d minutes.",
            n=int(service.code_lifetime().total_seconds() // 60),
        )
    if error.reason == service.LOCKED:
        return _("Too many wrong codes were typed. Send a new code to try again.")
    if error.reason == service.NO_CODE:
        return _("There is no code waiting for this address. Send a new code.")
    return ngettext(
        "That code is not right. You can try %(num)d more time.",
        "That code is not right. You can try %(num)d more times.",
        error.attempts_left,
    )
