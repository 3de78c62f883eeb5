"""The demo adviser: an adviser account with access to the demo learner's whole portfolio."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select

from wallet.advisers.comments import add_comment
from wallet.advisers.models import Grant
from wallet.db import db
from wallet.models import User

EMAIL = "adviser@wallet.example"
DISPLAY_NAME = "Demo Adviser"
GRANT_DAYS = 30


def seed_demo(app: Flask, user: User, now: datetime) -> tuple[str, str]:
    """(Re)create the demo adviser with a new random password, give it a 30-day grant over
    ``user``'s whole portfolio with one recommendation, and return its login.

    It opens its own app context; call it after the demo learner is committed.
    """
    from wallet.auth import register_user

    with app.app_context():
        learner = db.session.get(User, user.id)
        if learner is None:
            raise ValueError("the demo learner is not in the database")
        old = db.session.scalar(select(User).where(User.email == EMAIL))
        if old is not None:
            db.session.delete(old)
            db.session.flush()
        password = secrets.token_urlsafe(12)
        adviser = register_user(EMAIL, password, DISPLAY_NAME)
        adviser.role = "adviser"
        grant = Grant(
            learner_id=learner.id,
            adviser_id=adviser.id,
            scope_all=True,
            may_comment=True,
            created_at=now,
            accepted_at=now,
            expires_at=now + timedelta(days=GRANT_DAYS),
        )
        db.session.add(grant)
        db.session.flush()
        add_comment(
            grant,
            adviser,
            kind="recommendation",
            body="Your credits would stack well towards a recognised qualification: "
            "let us look at the pathways together.",
        )
        db.session.commit()
    return EMAIL, password
