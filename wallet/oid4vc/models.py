"""Issuances in progress: an authorization the learner is away at the issuer to give, an access
token waiting for the learner's password, or a deferred credential to ask for again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wallet.db import db, utcnow
from wallet.sealed import SealedText

#: The learner is signing in at the issuer (state and PKCE verifier kept for the return).
AUTHORIZING = "authorizing"
#: The issuer granted an access token; the wallet waits for the password to sign the proof.
AUTHORIZED = "authorized"
#: The issuer will issue later; ``transaction_id`` asks for it at the deferred endpoint.
DEFERRED = "deferred"
STATUSES = (AUTHORIZING, AUTHORIZED, DEFERRED)


class PendingIssuance(db.Model):
    """A credential offer in progress for one learner.

    ``offer`` is the offer's JSON as received; ``metadata_`` the endpoints and credential names
    the wallet read from the issuer when the learner consented. Access tokens are kept only
    until the credential arrives; the row is deleted then.
    """

    __tablename__ = "oid4vc_pending_issuances"
    # Issuances in progress hold access tokens and PKCE verifiers for one issuer session:
    # they stay out of backups (a restored wallet asks the issuer for a new offer).
    __table_args__ = (
        Index("ix_oid4vc_pending_issuances_user_id", "user_id"),
        {"info": {"backup": False}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))
    issuer: Mapped[str] = mapped_column(Text)
    issuer_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(Text)
    offer: Mapped[dict[str, Any]] = mapped_column(JSON)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSON)
    state: Mapped[str | None] = mapped_column(String(128), unique=True)
    code_verifier: Mapped[str | None] = mapped_column(String(128))
    # Sealed at rest (wallet.sealed): a database dump without the secret key holds no token.
    access_token: Mapped[str | None] = mapped_column(
        SealedText("oid4vc_pending_issuances.access_token"))
    configuration_id: Mapped[str | None] = mapped_column(Text)
    transaction_id: Mapped[str | None] = mapped_column(Text)
    interval: Mapped[int] = mapped_column(default=5)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    checked_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<PendingIssuance {self.id} {self.status} {self.issuer!r}>"
