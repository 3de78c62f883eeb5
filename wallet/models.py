"""The wallet's tables: learners and the credentials they hold.

Later areas (pathways, shares, advisers) add their models in their own modules, each with a
migration; when this module grows it becomes the package ``wallet/models/`` re-exporting these
names, so ``from wallet.models import User`` keeps working.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from wallet.db import db, utcnow

#: The verifier's outcomes (``verifier.Outcome``), as stored in ``Credential.outcome``.
OUTCOMES = (
    "verified",
    "not_genuine",
    "expired",
    "revoked",
    "suspended",
    "not_yet_valid",
    "cannot_check",
)
#: How a credential reached the wallet.
CHANNELS = ("file", "paste", "qr", "offer", "demo")
#: The interface languages; ``None`` in ``User.locale`` means "follow the browser".
LOCALES = ("en", "pl")
#: What an account is for: a learner's wallet, a careers adviser's reviews, administration.
ROLES = ("learner", "adviser", "admin")


class User(db.Model):
    """A learner's account, with the holder key that lets them present credentials."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(100))
    locale: Mapped[str | None] = mapped_column(String(8))
    role: Mapped[str] = mapped_column(String(16), default="learner", server_default="learner")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Rotated on every password change: a session cookie minted before it stops working.
    session_token: Mapped[str] = mapped_column(String(64))
    # The holder key is written in the same transaction as the row (its associated data
    # names the row's id), so these are empty only inside that transaction.
    holder_did: Mapped[str | None] = mapped_column(String(255), unique=True)
    holder_key_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    holder_key_nonce: Mapped[bytes | None] = mapped_column(LargeBinary(12))
    holder_key_salt: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    holder_key_kdf: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    credentials: Mapped[list[Credential]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    @validates("email")
    def _normalise_email(self, _key: str, value: str) -> str:
        return normalise_email(value)

    @validates("role")
    def _check_role(self, _key: str, value: str) -> str:
        if value not in ROLES:
            raise ValueError(f"unknown role {value!r}")
        return value

    @validates("locale")
    def _check_locale(self, _key: str, value: str | None) -> str | None:
        if value is not None and value not in LOCALES:
            raise ValueError(f"unknown locale {value!r}")
        return value

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class Credential(db.Model):
    """A credential as received (``original``) with what the verifier made of it.

    Every column but ``original``, ``media_type``, ``filename``, ``channel``, ``imported_at``
    and ``note`` is derived and can be recomputed from the original bytes.
    """

    __tablename__ = "credentials"
    __table_args__ = (
        UniqueConstraint("user_id", "sha256"),
        Index("ix_credentials_user_id_imported_at", "user_id", "imported_at"),
        Index("ix_credentials_user_id_outcome", "user_id", "outcome"),
        Index("ix_credentials_user_id_issuer_name", "user_id", "issuer_name"),
        Index("ix_credentials_user_id_issued_at", "user_id", "issued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    original: Mapped[bytes] = mapped_column(LargeBinary)
    media_type: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str | None] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)
    issuer_name: Mapped[str | None] = mapped_column(String(500))
    issuer_id: Mapped[str | None] = mapped_column(Text)
    issued_at: Mapped[datetime | None]
    valid_until: Mapped[datetime | None]
    ects: Mapped[Decimal | None]
    image: Mapped[str | None] = mapped_column(Text)
    types: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    outcome: Mapped[str] = mapped_column(String(20))
    checked_at: Mapped[datetime]
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    channel: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship(back_populates="credentials")

    @validates("outcome")
    def _check_outcome(self, _key: str, value: str) -> str:
        if value not in OUTCOMES:
            raise ValueError(f"unknown outcome {value!r}")
        return value

    @validates("channel")
    def _check_channel(self, _key: str, value: str) -> str:
        if value not in CHANNELS:
            raise ValueError(f"unknown channel {value!r}")
        return value

    def __repr__(self) -> str:
        return f"<Credential {self.id} {self.title!r}>"


def normalise_email(value: str) -> str:
    """The form in which an email address is stored and looked up: trimmed, lower-case."""
    return value.strip().lower()
