"""The ``pathways`` table: each learner's pathway definitions, kept as the JSON text saved."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, validates

from wallet.db import db, utcnow

#: How a pathway reached the wallet.
SOURCES = ("file", "url", "editor", "copy", "demo")


class PathwayRecord(db.Model):
    """A learner's pathway: the definition text (checked before it is saved) and its origin."""

    __tablename__ = "pathways"
    __table_args__ = (Index("ix_pathways_user_id_title", "user_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(10))
    source_url: Mapped[str | None] = mapped_column(Text)
    definition: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @validates("source")
    def _check_source(self, _key: str, value: str) -> str:
        if value not in SOURCES:
            raise ValueError(f"unknown pathway source {value!r}")
        return value

    def __repr__(self) -> str:
        return f"<PathwayRecord {self.id} {self.title!r}>"
