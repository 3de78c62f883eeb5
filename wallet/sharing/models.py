"""The tables of sharing: shares (a signed presentation behind a link) and their access log.

A share keeps only the SHA-256 of its link's token: a copy of the database opens no share. The
PIN, when there is one, is kept as an Argon2id hash. The presentation is stored exactly as it
was signed, so every later view of the share verifies the very same bytes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wallet.db import db, utcnow
from wallet.models import User

#: What happened when someone opened a share (``ShareAccess.result``); the verifier's
#: outcomes, then the refusals.
ACCESS_RESULTS = (
    "verified",
    "not_genuine",
    "expired",
    "revoked",
    "suspended",
    "not_yet_valid",
    "cannot_check",
    "pin_required",
    "wrong_pin",
    "too_many_guesses",
    "downloaded",
    "share_expired",
    "share_revoked",
)


class Share(db.Model):
    """A learner's share: a presentation they signed, reachable by a link until it expires or
    they revoke it."""

    __tablename__ = "shares"
    __table_args__ = (Index("ix_shares_user_id_created_at", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    #: SHA-256 (hex) of the link's token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Argon2id hash of the PIN, or ``None`` for a share without one.
    pin_hash: Mapped[str | None] = mapped_column(String(255))
    #: The challenge and domain the holder signed (see ``wallet.sharing.links``).
    challenge: Mapped[str] = mapped_column(String(64))
    domain: Mapped[str] = mapped_column(Text)
    presentation: Mapped[bytes] = mapped_column(LargeBinary)
    #: The titles of the credentials shared, for the learner's list (the presentation rules).
    credential_titles: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
    accesses: Mapped[list[ShareAccess]] = relationship(
        back_populates="share",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ShareAccess.at.desc()",
    )

    def state(self, now: datetime) -> str:
        """``"active"``, ``"expired"`` or ``"revoked"`` at ``now``."""
        if self.revoked_at is not None:
            return "revoked"
        if now >= self.expires_at:
            return "expired"
        return "active"

    def __repr__(self) -> str:
        return f"<Share {self.id} {self.title!r}>"


class ShareAccess(db.Model):
    """One opening of a share: when, from which network (a truncated address), what it showed."""

    __tablename__ = "share_accesses"
    __table_args__ = (Index("ix_share_accesses_share_id_at", "share_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    share_id: Mapped[int] = mapped_column(ForeignKey("shares.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The visitor's network, never their full address: ``203.0.113.0/24`` or ``2001:db8:1::/48``.
    network: Mapped[str] = mapped_column(String(64))
    #: ``"page"`` (the results page) or ``"presentation"`` (the raw file).
    what: Mapped[str] = mapped_column(String(20))
    result: Mapped[str] = mapped_column(String(20))

    share: Mapped[Share] = relationship(back_populates="accesses")

    def __repr__(self) -> str:
        return f"<ShareAccess {self.share_id} {self.at:%Y-%m-%d %H:%M} {self.result}>"
