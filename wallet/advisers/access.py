"""Who may see what: the adviser's active grants, the credentials and pathways a grant covers,
and the access log.

Every adviser page goes through :func:`adviser_grant` and :func:`scoped_credential`: a grant
that is not the adviser's, not accepted, revoked or expired, and a credential outside the
grant, are all the same 404, so an adviser never learns whether something exists.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar, cast

from flask import abort, g
from sqlalchemy import select

from wallet.advisers import pathways
from wallet.advisers.models import Access, Grant, as_ids, grant_credentials
from wallet.auth import current_user, login_required
from wallet.db import db, utcnow
from wallet.models import Credential, User

View = TypeVar("View", bound=Callable[..., Any])


def adviser_required(view: View) -> View:
    """Log in first; then only adviser accounts see the page (anyone else gets 404)."""

    @functools.wraps(view)
    def wrapped(**kwargs: Any) -> Any:
        if g.user.role != "adviser":
            abort(404)
        return view(**kwargs)

    return cast(View, login_required(wrapped))


def learner_required(view: View) -> View:
    """Log in first; then only learner accounts see the page (advisers get 404)."""

    @functools.wraps(view)
    def wrapped(**kwargs: Any) -> Any:
        if g.user.role != "learner":
            abort(404)
        return view(**kwargs)

    return cast(View, login_required(wrapped))


def token_hash(token: str) -> str:
    """The SHA-256 of an invitation token, as stored (the token itself never is)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def active_grants(adviser: User, now: datetime) -> list[Grant]:
    """The adviser's grants that are in force now, the soonest to end first."""
    return list(
        db.session.scalars(
            select(Grant)
            .where(
                Grant.adviser_id == adviser.id,
                Grant.revoked_at.is_(None),
                Grant.expires_at > now,
            )
            .order_by(Grant.expires_at, Grant.id)
        )
    )


def adviser_grant(grant_id: int) -> Grant:
    """The logged-in adviser's grant with this id if it is in force now, else 404."""
    grant = db.session.scalar(
        select(Grant).where(Grant.id == grant_id, Grant.adviser_id == current_user().id)
    )
    if grant is None or not grant.active(utcnow()):
        abort(404)
    return grant


def learner_grant(grant_id: int) -> Grant:
    """The logged-in learner's grant with this id (in any state), else 404."""
    grant = db.session.scalar(
        select(Grant).where(Grant.id == grant_id, Grant.learner_id == current_user().id)
    )
    if grant is None:
        abort(404)
    return grant


def credential_ids(grant: Grant) -> set[int] | None:
    """The ids of the credentials ``grant`` covers; ``None`` when it covers all of them."""
    if grant.scope_all:
        return None
    chosen = set(
        db.session.scalars(
            select(grant_credentials.c.credential_id).where(
                grant_credentials.c.grant_id == grant.id
            )
        )
    )
    for pathway_id in pathway_ids(grant):
        chosen.update(pathways.credential_ids(grant.learner, pathway_id))
    return chosen


def pathway_ids(grant: Grant) -> list[int]:
    """The chosen pathways of a grant that still belong to the learner."""
    own = {p.id for p in pathways.progress(grant.learner)}
    return [p for p in as_ids(grant.pathway_ids) if p in own]


def scoped_credentials(grant: Grant, *options: Any) -> list[Credential]:
    """The learner's credentials that ``grant`` covers, newest first (with their original
    bytes: the review verifies each one)."""
    query = (
        select(Credential)
        .where(Credential.user_id == grant.learner_id)
        .order_by(Credential.issued_at.desc(), Credential.id.desc())
        .options(*options)
    )
    ids = credential_ids(grant)
    if ids is not None:
        query = query.where(Credential.id.in_(sorted(ids) or [-1]))
    return list(db.session.scalars(query))


def scoped_credential(grant: Grant, credential_id: int) -> Credential:
    """The learner's credential with this id if ``grant`` covers it, else 404."""
    ids = credential_ids(grant)
    if ids is not None and credential_id not in ids:
        abort(404)
    credential = db.session.scalar(
        select(Credential).where(
            Credential.id == credential_id, Credential.user_id == grant.learner_id
        )
    )
    if credential is None:
        abort(404)
    return credential


def scoped_pathways(grant: Grant) -> list[pathways.Progress]:
    """The learner's pathways that ``grant`` covers, with their progress."""
    every = pathways.progress(grant.learner)
    if grant.scope_all:
        return every
    chosen = set(as_ids(grant.pathway_ids))
    return [p for p in every if p.id in chosen]


def log_access(grant: Grant, page: str, *, item_id: int | None = None, label: str = "") -> None:
    """Record that the adviser opened a page under ``grant`` (the caller commits)."""
    db.session.add(Access(grant_id=grant.id, page=page, item_id=item_id, label=label[:500]))
