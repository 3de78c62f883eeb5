"""What the advisers' tables hold about a person, for a data-protection export.

``personal_data(user)`` returns plain JSON: the grants the person made (as a learner) or holds
(as an adviser), with their comments, replies and access log. The invitation token's hash is
left out: it is a credential, not information about the person.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select

from wallet.advisers.models import Access, Comment, Grant, as_ids
from wallet.db import db
from wallet.models import User


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _grant(grant: Grant) -> dict[str, Any]:
    comments = db.session.scalars(
        select(Comment).where(Comment.grant_id == grant.id).order_by(Comment.created_at, Comment.id)
    )
    accesses = db.session.scalars(
        select(Access).where(Access.grant_id == grant.id).order_by(Access.at, Access.id)
    )
    return {
        "id": grant.id,
        "learner": grant.learner.email,
        "adviser": grant.adviser.email if grant.adviser else None,
        "scope": "everything" if grant.scope_all else "chosen",
        "credential_ids": sorted(c.id for c in grant.credentials),
        "pathway_ids": as_ids(grant.pathway_ids),
        "may_comment": grant.may_comment,
        "created_at": _iso(grant.created_at),
        "accepted_at": _iso(grant.accepted_at),
        "expires_at": _iso(grant.expires_at),
        "revoked_at": _iso(grant.revoked_at),
        "invitation_expires_at": _iso(grant.invitation_expires_at),
        "discussed_on": _iso(grant.discussed_on),
        "comments": [
            {
                "id": c.id,
                "reply_to": c.parent_id,
                "author": c.author_name,
                "kind": c.kind,
                "about": c.target,
                "about_id": c.target_id,
                "about_title": c.target_label,
                "text": c.body,
                "created_at": _iso(c.created_at),
            }
            for c in comments
        ],
        "access_log": [
            {"at": _iso(a.at), "page": a.page, "item_id": a.item_id, "title": a.label}
            for a in accesses
        ],
    }


def personal_data(user: User) -> dict[str, Any]:
    """The grants ``user`` made or holds, with comments and access logs, as plain JSON."""
    grants = db.session.scalars(
        select(Grant)
        .where(or_(Grant.learner_id == user.id, Grant.adviser_id == user.id))
        .order_by(Grant.created_at, Grant.id)
    )
    return {"role": user.role, "adviser_grants": [_grant(g) for g in grants]}
