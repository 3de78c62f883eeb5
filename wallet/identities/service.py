"""Confirming identities with one-time codes, and what they are used for: the recipient check
of the learner's Open Badges 2.0 badges.

The account's own e-mail address counts as confirmed (it is the address the learner logs in
with); other addresses count only after the learner types the code sent to them.

Example (in an app context)::

    identity, code = add_email(user, "ada@school.example", now=utcnow())
    send_code(identity, code)
    confirm(identity, "123456", now=utcnow())   # raises CodeError when wrong
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from wallet.db import db
from wallet.identities.mail import mail_configured, send_mail
from wallet.identities.models import Identity
from wallet.models import Credential, User, normalise_email
from wallet.verification import reverify

CODE_DIGITS = 6
MAX_ATTEMPTS = 5
MAX_IDENTITIES = 20
#: Formats whose recipient the identities are compared with (Open Badges 2.0).
OB2_FORMATS = ("ob2_hosted", "ob2_signed")


class CodeError(Exception):
    """A code that does not confirm the identity; ``reason`` is wrong, expired or locked."""

    def __init__(self, reason: str, attempts_left: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.attempts_left = attempts_left


WRONG, EXPIRED, LOCKED, NO_CODE = "wrong", "expired", "locked", "no_code"


def code_lifetime() -> timedelta:
    """How long a code stays valid (``IDENTITY_CODE_MINUTES``, default 15)."""
    return timedelta(minutes=int(current_app.config.get("IDENTITY_CODE_MINUTES", 15)))


def confirmed_identities(user: User | None) -> tuple[str, ...]:
    """The account's e-mail address and every other address the learner has confirmed."""
    if user is None or user.id is None:
        return ()
    query = select(Identity.value).where(
        Identity.user_id == user.id, Identity.confirmed_at.is_not(None)
    )
    return (user.email, *db.session.scalars(query.order_by(Identity.id)))


def identities_of(user: User) -> list[Identity]:
    """The learner's added identities, in the order they were added."""
    query = select(Identity).where(Identity.user_id == user.id).order_by(Identity.id)
    return list(db.session.scalars(query))


def owned(user: User, identity_id: int) -> Identity | None:
    """The learner's identity with this id, or ``None`` (another learner's is not found)."""
    query = select(Identity).where(Identity.id == identity_id, Identity.user_id == user.id)
    return db.session.scalar(query)


def _digest(identity: Identity, code: str) -> str:
    """The HMAC of ``code`` bound to this identity row, under the app's secret key."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    message = f"identity-code|{identity.id}|{identity.value}|{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def new_code(identity: Identity, *, now: datetime) -> str:
    """Give ``identity`` a fresh code (the old one stops working) and return it."""
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    identity.code_hash = _digest(identity, code)
    identity.code_sent_at = now
    identity.code_expires_at = now + code_lifetime()
    identity.attempts = 0
    return code


def add_email(user: User, address: str, *, now: datetime) -> tuple[Identity, str]:
    """Add an unconfirmed address with a fresh code (flushed; the caller commits)."""
    identity = Identity(user_id=user.id, kind="email", value=normalise_email(address))
    db.session.add(identity)
    db.session.flush()  # the code's HMAC names the row's id
    return identity, new_code(identity, now=now)


def confirm(identity: Identity, code: str, *, now: datetime) -> None:
    """Mark ``identity`` confirmed if ``code`` is its current code; ``CodeError`` if not."""
    if identity.code_hash is None or identity.code_expires_at is None:
        raise CodeError(NO_CODE)
    if identity.attempts >= MAX_ATTEMPTS:
        raise CodeError(LOCKED)
    if now >= identity.code_expires_at:
        raise CodeError(EXPIRED)
    typed = "".join(code.split())
    if not hmac.compare_digest(_digest(identity, typed), identity.code_hash):
        identity.attempts += 1
        left = MAX_ATTEMPTS - identity.attempts
        raise CodeError(LOCKED if left <= 0 else WRONG, attempts_left=max(left, 0))
    identity.confirmed_at = now
    identity.code_hash = identity.code_expires_at = None
    identity.attempts = 0


def badges_of(user: User) -> list[Credential]:
    """The learner's Open Badges 2.0 badges, whose recipient the identities are checked against."""
    query = select(Credential).where(
        Credential.user_id == user.id, Credential.format.in_(OB2_FORMATS)
    )
    return list(db.session.scalars(query.order_by(Credential.id)))


def reverify_badges(user: User, *, now: datetime) -> int:
    """Verify the learner's Open Badges 2.0 badges again with their identities; how many."""
    db.session.flush()  # the change of identity is what the recipient check must see
    badges = badges_of(user)
    for credential in badges:
        reverify(credential, now=now)
    return len(badges)


def recipient_of(credential: Credential) -> dict[str, Any] | None:
    """The badge's recipient as the verifier described it (type, hashed, matches)."""
    recipient = (credential.summary or {}).get("recipient")
    return recipient if isinstance(recipient, dict) else None


def send_code(identity: Identity, code: str) -> None:
    """E-mail ``code`` to the identity's address; without a mail server, log it (dev, demo)."""
    if not mail_configured():
        current_app.logger.warning(
            "No mail server is configured (WALLET_MAIL_SERVER): the confirmation code for %s is %s",
            identity.value,
            code,
        )
        return
    minutes = int(code_lifetime().total_seconds() // 60)
    body = _(
        "Your confirmation code for the Learner Wallet is %(code)s. It is valid for "
        "%(minutes)d minutes. If you did not ask for it, you can ignore this message.",
        code=code,
        minutes=minutes,
    )
    send_mail(identity.value, _("Your confirmation code: %(code)s", code=code), body)
