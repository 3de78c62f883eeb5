"""Shares as plain objects for the templates, in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from flask_babel import format_datetime, ngettext
from flask_babel import lazy_gettext as _l

from wallet.sharing import links
from wallet.sharing.models import Share, ShareAccess

STATE_LABELS = {
    "active": _l("Active"),
    "expired": _l("Expired"),
    "revoked": _l("Withdrawn"),
}
RESULT_LABELS = {
    "verified": _l("Shown: verified"),
    "not_genuine": _l("Shown: not genuine"),
    "expired": _l("Shown: a credential has expired"),
    "revoked": _l("Shown: a credential was revoked"),
    "suspended": _l("Shown: a credential is suspended"),
    "not_yet_valid": _l("Shown: a credential is not valid yet"),
    "cannot_check": _l("Shown: could not be fully checked"),
    "pin_required": _l("Asked for the PIN"),
    "wrong_pin": _l("Wrong PIN"),
    "downloaded": _l("Presentation file fetched"),
    "share_expired": _l("Refused: the link had expired"),
    "share_revoked": _l("Refused: the link was withdrawn"),
}
#: How many of the newest access-log lines a share's page shows.
LOG_LINES = 200
WHAT_LABELS = {"page": _l("Results page"), "presentation": _l("Presentation file")}


@dataclass(frozen=True)
class Access:
    """One line of the access log."""

    at: str
    network: str
    what: str
    result: str


@dataclass(frozen=True)
class ShareView:
    """A share for a page."""

    id: int
    url: str
    title: str
    state: str
    state_label: str
    created: str
    expires: str
    revoked: str | None
    credentials: tuple[str, ...]
    has_pin: bool
    opened: str
    accesses: tuple[Access, ...]


def access_view(access: ShareAccess) -> Access:
    """One access-log line in words."""
    return Access(
        at=format_datetime(access.at, "medium"),
        network=access.network,
        what=str(WHAT_LABELS.get(access.what, access.what)),
        result=str(RESULT_LABELS.get(access.result, access.result)),
    )


def share_view(share: Share, now: datetime) -> ShareView:
    """``share`` at ``now``, ready for a template."""
    state = share.state(now)
    count = len(share.accesses)
    return ShareView(
        id=share.id,
        url=url_for("sharing.detail", share_id=share.id),
        title=share.title,
        state=state,
        state_label=str(STATE_LABELS[state]),
        created=format_datetime(share.created_at, "medium"),
        expires=format_datetime(share.expires_at, "medium"),
        revoked=format_datetime(share.revoked_at, "medium") if share.revoked_at else None,
        credentials=tuple(share.credential_titles),
        has_pin=share.pin_hash is not None,
        opened=ngettext("Opened %(num)d time", "Opened %(num)d times", count),
        accesses=tuple(access_view(a) for a in share.accesses[:LOG_LINES]),
    )


def expiry_choices() -> list[tuple[int, str]]:
    """The lifetimes a learner can give a link, as (hours, label)."""
    labels = []
    for hours in links.EXPIRY_CHOICES_HOURS:
        if hours < 24:
            label = ngettext("%(num)d hour", "%(num)d hours", hours)
        else:
            days = hours // 24
            label = ngettext("%(num)d day", "%(num)d days", days)
        labels.append((hours, label))
    return labels
