"""Pathways for other parts of the wallet: progress, the credentials that fill a pathway,
suggestions after an import, and saving a checked definition.

Public API (sharing, advisers and the importers call these)::

    from wallet.pathways.service import pathway_credentials, user_progress

    for progress in user_progress(user):          # every pathway of the learner
        print(progress.pathway_id, progress.pathway.target.title, progress.ects_counted / 100)
    pathway, credentials, progress = pathway_credentials(user, pathway_id)

Everything is looked up by (id, learner): another learner's pathway is :class:`PathwayNotFound`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import defer

from wallet.db import db, utcnow
from wallet.models import Credential, User
from wallet.pathways.definition import DefinitionError, Pathway, parse_text
from wallet.pathways.engine import PathwayProgress, evaluate
from wallet.pathways.facts import facts_of
from wallet.pathways.holdings import Holdings
from wallet.pathways.models import PathwayRecord


class PathwayNotFound(LookupError):
    """No pathway with this id belongs to this learner."""


@lru_cache(maxsize=512)
def definition_of(text: str) -> Pathway:
    """The checked :class:`Pathway` of a saved definition (parsed once per text)."""
    return parse_text(text)


def records(user: User) -> list[PathwayRecord]:
    """The learner's pathway records, by title."""
    return list(
        db.session.scalars(
            select(PathwayRecord)
            .where(PathwayRecord.user_id == user.id)
            .order_by(PathwayRecord.title, PathwayRecord.id)
        )
    )


def owned_record(user: User, pathway_id: int) -> PathwayRecord:
    """The learner's pathway record with this id, else :class:`PathwayNotFound`."""
    record = db.session.scalar(
        select(PathwayRecord).where(
            PathwayRecord.id == pathway_id, PathwayRecord.user_id == user.id
        )
    )
    if record is None:
        raise PathwayNotFound(pathway_id)
    return record


def credentials_of(user: User) -> list[Credential]:
    """The learner's credentials, without their original bytes (read only when needed)."""
    return list(
        db.session.scalars(
            select(Credential)
            .where(Credential.user_id == user.id)
            .options(defer(Credential.original))
            .order_by(Credential.id)
        )
    )


def holdings_of(credentials: Iterable[Credential], langs: Sequence[str] = ()) -> Holdings:
    """The engine's view of these credentials."""
    return Holdings(fact for row in credentials for fact in facts_of(row, langs))


def progress_of(
    record: PathwayRecord, holdings: Holdings, *, now: datetime | None = None
) -> PathwayProgress:
    """One saved pathway evaluated against ``holdings``."""
    progress = evaluate(definition_of(record.definition), holdings, now=now or datetime.now(UTC))
    return dataclasses.replace(progress, pathway_id=record.id)


def user_progress(
    user: User, *, now: datetime | None = None, langs: Sequence[str] = ()
) -> list[PathwayProgress]:
    """Every pathway of the learner with their progress towards it (advisory)."""
    found = records(user)
    if not found:
        return []
    holdings = holdings_of(credentials_of(user), langs)
    out = []
    for record in found:
        try:
            out.append(progress_of(record, holdings, now=now))
        except DefinitionError:  # saved under older rules; its page offers the editor
            continue
    return out


def pathway_credentials(
    user: User, pathway_id: int, *, now: datetime | None = None, langs: Sequence[str] = ()
) -> tuple[Pathway, list[Credential], PathwayProgress]:
    """The pathway, the learner's credentials that count towards it (each once, in wallet
    order) and its progress; raises :class:`PathwayNotFound` for another learner's id."""
    record = owned_record(user, pathway_id)
    rows = credentials_of(user)
    progress = progress_of(record, holdings_of(rows, langs), now=now)
    wanted = set(progress.credential_ids)
    return progress.pathway, [row for row in rows if row.id in wanted], progress


def suggestions(
    user: User, credential_ids: Iterable[int], *, now: datetime | None = None
) -> dict[int, list[tuple[int, str, bool]]]:
    """For each credential, the pathways it counts towards: (pathway id, title, whether it
    fills a requirement rather than only adding to the total)."""
    wanted = set(credential_ids)
    out: dict[int, list[tuple[int, str, bool]]] = {i: [] for i in wanted}
    if not wanted:
        return out
    for progress in user_progress(user, now=now):
        fills: dict[int, bool] = {}
        for fact_id in progress.counted:
            credential_id = progress.facts[fact_id].credential_id
            if credential_id in wanted:
                in_requirement = fact_id in progress.assignments
                fills[credential_id] = fills.get(credential_id, False) or in_requirement
        for credential_id, fills_requirement in fills.items():
            assert progress.pathway_id is not None
            out[credential_id].append(
                (progress.pathway_id, progress.pathway.target.title, fills_requirement)
            )
    return out


def save(
    user: User,
    text: str,
    *,
    source: str,
    source_url: str | None = None,
    record: PathwayRecord | None = None,
) -> PathwayRecord:
    """Check ``text`` and save it as a new pathway or over ``record``; raises
    :class:`~wallet.pathways.definition.DefinitionError` (nothing saved) when it is wrong.
    The caller commits."""
    pathway = parse_text(text)
    if record is None:
        record = PathwayRecord(user_id=user.id, source=source, source_url=source_url)
        db.session.add(record)
    record.title = pathway.target.title[:500]
    record.definition = text
    record.updated_at = utcnow()
    return record


__all__ = [
    "DefinitionError",
    "PathwayNotFound",
    "pathway_credentials",
    "save",
    "suggestions",
    "user_progress",
]
