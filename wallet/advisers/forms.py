"""Reading the advisers' forms: a new grant, a comment, a "discussed on" date.

Each reader returns the clean values and the mistakes by field; a form with mistakes changes
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from wallet.advisers import pathways
from wallet.advisers.models import COMMENT_KINDS
from wallet.db import db
from wallet.models import Credential, User, normalise_email

#: The longest a grant may run, and the length of a new grant unless the learner changes it.
MAX_DAYS = 366
DEFAULT_DAYS = 30
#: How long an invitation link can be used (never past the grant's own end).
INVITATION_DAYS = 14
COMMENT_MAX_LENGTH = 4000


@dataclass
class GrantForm:
    """A new grant as the learner filled it in."""

    how: str = "email"
    email: str = ""
    scope: str = "all"
    credential_ids: list[int] = field(default_factory=list)
    pathway_ids: list[int] = field(default_factory=list)
    expires_on: str = ""
    may_comment: bool = True
    adviser: User | None = None

    def expires_at(self) -> datetime:
        """The end of the chosen day (UTC): the grant ends at midnight after it."""
        day = date.fromisoformat(self.expires_on)
        return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)


def default_expiry(today: date) -> str:
    """The expiry date a new grant's form suggests."""
    return (today + timedelta(days=DEFAULT_DAYS)).isoformat()


def _ids(values: list[str]) -> list[int] | None:
    try:
        return sorted({int(v) for v in values})
    except ValueError:
        return None


def read_grant(form: MultiDict[str, str], learner: User, today: date) -> tuple[GrantForm, dict]:
    """The grant form's values and its mistakes, by field."""
    errors: dict[str, str] = {}
    grant = GrantForm(
        how=form.get("how", "email"),
        email=normalise_email(form.get("email", "")),
        scope=form.get("scope", "all"),
        expires_on=form.get("expires_on", "").strip(),
        may_comment=form.get("may_comment") == "yes",
    )
    if grant.how not in ("email", "link"):
        errors["how"] = _("Choose how to reach the adviser.")
    elif grant.how == "email":
        grant.adviser = db.session.scalar(
            select(User).where(User.email == grant.email, User.role == "adviser")
        )
        if not grant.email:
            errors["email"] = _("Enter the adviser's email address.")
        elif grant.adviser is None:
            errors["email"] = _(
                "There is no adviser account with this email address. Check it, or send the "
                "adviser an invitation link instead."
            )
    try:
        day = date.fromisoformat(grant.expires_on)
    except ValueError:
        errors["expires_on"] = _("Enter the last day of access as a date, e.g. 2026-12-31.")
    else:
        if day < today:
            errors["expires_on"] = _("The last day of access cannot be in the past.")
        elif day > today + timedelta(days=MAX_DAYS):
            errors["expires_on"] = _("Access can be granted for at most a year.")
    if grant.scope not in ("all", "chosen"):
        errors["scope"] = _("Choose what the adviser may see.")
    elif grant.scope == "chosen":
        credential_ids = _ids(form.getlist("credential"))
        pathway_ids = _ids(form.getlist("pathway"))
        own_credentials = set(
            db.session.scalars(select(Credential.id).where(Credential.user_id == learner.id))
        )
        own_pathways = {p.id for p in pathways.progress(learner)}
        if credential_ids is None or pathway_ids is None:
            errors["scope"] = _("Choose credentials and pathways from the lists.")
        elif not set(credential_ids) <= own_credentials or not set(pathway_ids) <= own_pathways:
            errors["scope"] = _("Choose credentials and pathways from the lists.")
        elif not credential_ids and not pathway_ids:
            errors["scope"] = _("Choose at least one credential or pathway to share.")
        else:
            grant.credential_ids, grant.pathway_ids = credential_ids, pathway_ids
    return grant, errors


def read_comment(form: MultiDict[str, str], *, reply: bool = False) -> tuple[str, str, str | None]:
    """A comment's kind and text, and the mistake if there is one."""
    body = form.get("body", "").replace("\r\n", "\n").strip()
    kind = "reply" if reply else form.get("kind", "comment")
    if kind not in COMMENT_KINDS or (kind == "reply") != reply:
        return kind, body, _("Choose a comment or a recommendation.")
    if not body:
        return kind, body, _("Write something before sending.")
    if len(body) > COMMENT_MAX_LENGTH:
        return (
            kind,
            body,
            _("A comment can be at most %(n)d characters long.", n=COMMENT_MAX_LENGTH),
        )
    return kind, body, None


def read_day(value: str, today: date) -> tuple[date | None, str | None]:
    """A "discussed on" date: today or earlier."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return None, _("Enter the date of the discussion, e.g. 2026-03-14.")
    if day > today:
        return None, _("The discussion cannot be in the future.")
    return day, None
