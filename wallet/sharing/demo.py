"""The demo wallet's share: the demo credentials that verify, shared for 30 days, no PIN."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select

from wallet.db import db
from wallet.models import Credential, User
from wallet.sharing import links
from wallet.sharing.presentations import can_share

DEMO_TITLE = "Application: junior data analyst"
DEMO_DAYS = 30


def seed_demo(
    app: Flask,
    user: User | int,
    password: str,
    now: datetime,
    *,
    origin: str = "http://127.0.0.1:5000",
) -> str | None:
    """Share ``user``'s demo credentials that verify and can be presented, signed with
    ``password`` for ``origin`` (the address the demo is served at); return the link's path
    (``/s/<token>``), or ``None`` when there is nothing to share."""
    with app.app_context():
        learner = db.session.get(User, user if isinstance(user, int) else user.id)
        if learner is None:
            raise ValueError(f"no user {user!r}")
        query = (
            select(Credential)
            .where(Credential.user_id == learner.id, Credential.outcome == "verified")
            .order_by(Credential.id)
        )
        credentials = [c for c in db.session.scalars(query) if can_share(c)]
        if not credentials:
            return None
        _share, token = links.create_share(
            learner,
            credentials,
            password,
            title=DEMO_TITLE,
            expires_at=now + timedelta(days=DEMO_DAYS),
            pin=None,
            origin=origin.rstrip("/"),
            now=now,
        )
        db.session.commit()
        return f"/s/{token}"
