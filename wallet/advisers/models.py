"""The advisers' tables: a learner's grants of access, what an adviser opened, their comments
and the learner's replies, and advisers' links to their institution's login.

Comments live here, apart from the credentials: nothing an adviser writes touches the signed
data or the verifier's report.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Date, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from wallet.db import db, utcnow
from wallet.models import Credential, User

#: What a comment is attached to.
TARGETS = ("portfolio", "credential", "pathway")
#: What a comment is: an adviser's comment or recommendation, or the learner's reply.
COMMENT_KINDS = ("comment", "recommendation", "reply")
#: What an access-log entry records the adviser opening.
PAGES = ("portfolio", "credential")

grant_credentials = Table(
    "adviser_grant_credentials",
    db.metadata,
    Column("grant_id", ForeignKey("adviser_grants.id", ondelete="CASCADE"), primary_key=True),
    Column("credential_id", ForeignKey("credentials.id", ondelete="CASCADE"), primary_key=True),
)


class Grant(db.Model):
    """A learner's consent for one adviser to review their portfolio, or part of it, until a date.

    A grant made by invitation link has no adviser until the link is used; only the SHA-256
    of the link's token is kept, and it is erased when the link is used, so it works once.
    """

    __tablename__ = "adviser_grants"
    __table_args__ = (
        Index("ix_adviser_grants_learner_id", "learner_id"),
        Index("ix_adviser_grants_adviser_id", "adviser_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # An adviser account deleted ends its grants; the learner keeps their comments.
    adviser_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    invitation_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    invitation_expires_at: Mapped[datetime | None]
    scope_all: Mapped[bool] = mapped_column(default=True)
    pathway_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    may_comment: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    discussed_on: Mapped[date | None] = mapped_column(Date)

    learner: Mapped[User] = relationship(foreign_keys=[learner_id])
    adviser: Mapped[User | None] = relationship(foreign_keys=[adviser_id])
    credentials: Mapped[list[Credential]] = relationship(secondary=grant_credentials)
    accesses: Mapped[list[Access]] = relationship(
        back_populates="grant", cascade="all, delete-orphan", passive_deletes=True
    )

    def active(self, now: datetime) -> bool:
        """Whether the adviser may look now: accepted, not revoked, not expired."""
        return self.adviser_id is not None and self.revoked_at is None and now < self.expires_at

    def state(self, now: datetime) -> str:
        """``active``, ``pending`` (an unused link), ``revoked`` or ``expired``."""
        if self.revoked_at is not None:
            return "revoked"
        if now >= self.expires_at:
            return "expired"
        if self.adviser_id is None:
            link_expired = self.invitation_expires_at and now >= self.invitation_expires_at
            return "expired" if link_expired or not self.invitation_hash else "pending"
        return "active"

    def __repr__(self) -> str:
        return f"<Grant {self.id} {self.learner_id}->{self.adviser_id}>"


class Access(db.Model):
    """One page an adviser opened under a grant, for the learner's access log."""

    __tablename__ = "adviser_accesses"
    __table_args__ = (Index("ix_adviser_accesses_grant_id_at", "grant_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("adviser_grants.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    page: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int | None]
    label: Mapped[str] = mapped_column(Text, default="")

    grant: Mapped[Grant] = relationship(back_populates="accesses")

    @validates("page")
    def _check_page(self, _key: str, value: str) -> str:
        if value not in PAGES:
            raise ValueError(f"unknown page {value!r}")
        return value


class Comment(db.Model):
    """An adviser's comment or recommendation on the portfolio, a credential or a pathway, or
    the learner's reply to one (``parent_id``)."""

    __tablename__ = "adviser_comments"
    __table_args__ = (Index("ix_adviser_comments_grant_id_created_at", "grant_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("adviser_grants.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("adviser_comments.id", ondelete="CASCADE")
    )
    target: Mapped[str] = mapped_column(String(16), default="portfolio")
    target_id: Mapped[int | None]
    target_label: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16), default="comment")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    replies: Mapped[list[Comment]] = relationship(
        order_by="Comment.created_at", cascade="all, delete-orphan", passive_deletes=True
    )

    @validates("target")
    def _check_target(self, _key: str, value: str) -> str:
        if value not in TARGETS:
            raise ValueError(f"unknown target {value!r}")
        return value

    @validates("kind")
    def _check_kind(self, _key: str, value: str) -> str:
        if value not in COMMENT_KINDS:
            raise ValueError(f"unknown comment kind {value!r}")
        return value


class LoginLink(db.Model):
    """An adviser account's identity at an institution's OpenID Connect provider."""

    __tablename__ = "adviser_login_links"
    __table_args__ = (UniqueConstraint("institution", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    institution: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def as_ids(value: Any) -> list[int]:
    """The integers in a JSON list (a stored list of pathway ids), ignoring anything else."""
    return [v for v in value if isinstance(v, int) and not isinstance(v, bool)] if value else []
