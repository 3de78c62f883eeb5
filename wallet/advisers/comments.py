"""Comments and replies as pages show them: threads grouped by what they are about."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from wallet.advisers.models import Comment, Grant
from wallet.db import db
from wallet.models import User
from wallet.portfolio.present import when

KIND_LABELS = {
    "comment": _l("Comment"),
    "recommendation": _l("Recommendation"),
    "reply": _l("Reply"),
}
TARGET_LABELS = {
    "portfolio": _l("The whole portfolio"),
    "credential": _l("Credential"),
    "pathway": _l("Pathway"),
}


@dataclass(frozen=True)
class Message:
    """One comment or reply."""

    id: int
    kind: str
    kind_label: str
    author: str
    at: str | None
    body: str


@dataclass(frozen=True)
class Thread:
    """An adviser's comment with the learner's replies, and what it is about."""

    comment: Message
    about: str
    target: str
    target_id: int | None
    replies: list[Message]


def _message(comment: Comment) -> Message:
    return Message(
        id=comment.id,
        kind=comment.kind,
        kind_label=str(KIND_LABELS[comment.kind]),
        author=comment.author_name,
        at=when(comment.created_at, time=True),
        body=comment.body,
    )


def threads(
    grant: Grant, *, target: str | None = None, target_id: int | None = None
) -> list[Thread]:
    """The grant's comments with their replies, oldest first; only those about one target
    when ``target`` is given."""
    query = select(Comment).where(Comment.grant_id == grant.id, Comment.parent_id.is_(None))
    if target is not None:
        query = query.where(Comment.target == target, Comment.target_id == target_id)
    found = []
    for comment in db.session.scalars(query.order_by(Comment.created_at, Comment.id)):
        about = str(TARGET_LABELS[comment.target])
        if comment.target_label:
            about = f"{about}: {comment.target_label}"
        found.append(
            Thread(
                comment=_message(comment),
                about=about,
                target=comment.target,
                target_id=comment.target_id,
                replies=[_message(r) for r in comment.replies],
            )
        )
    return found


def add_comment(
    grant: Grant,
    author: User,
    *,
    kind: str,
    body: str,
    target: str = "portfolio",
    target_id: int | None = None,
    target_label: str = "",
    parent: Comment | None = None,
) -> Comment:
    """Add a comment (or, with ``parent``, a reply) to the session; the caller commits."""
    comment = Comment(
        grant_id=grant.id,
        author_id=author.id,
        author_name=author.display_name,
        parent_id=parent.id if parent else None,
        target=parent.target if parent else target,
        target_id=parent.target_id if parent else target_id,
        target_label=parent.target_label if parent else target_label[:500],
        kind=kind,
        body=body,
    )
    db.session.add(comment)
    return comment
