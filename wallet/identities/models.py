"""The identities a learner has added to the wallet: e-mail addresses besides the account's,
each confirmed with a one-time code sent to it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wallet.db import db, utcnow

#: The kinds of identity the wallet can confirm honestly (a code sent by e-mail).
KINDS = ("email",)
# The confirmation state stays behind in backups and exports ({"backup": False}): a backup is
# in the learner's hands and could be edited, so restored addresses must be confirmed again.
SECRET = {"backup": False}


class Identity(db.Model):
    """An e-mail address a learner says is theirs; used for badges only once confirmed."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("user_id", "kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="email")
    value: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(info=SECRET)
    # HMAC of the current one-time code (never the code itself), when it expires, and how
    # many wrong codes were typed against it.
    code_hash: Mapped[str | None] = mapped_column(String(64), info=SECRET)
    code_sent_at: Mapped[datetime | None] = mapped_column(info=SECRET)
    code_expires_at: Mapped[datetime | None] = mapped_column(info=SECRET)
    attempts: Mapped[int] = mapped_column(default=0, info=SECRET)

    @property
    def confirmed(self) -> bool:
        """Whether the learner proved they read mail at this address."""
        return self.confirmed_at is not None

    def __repr__(self) -> str:
        return f"<Identity {self.id} {self.kind}:{self.value}>"
