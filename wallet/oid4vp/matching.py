"""Which of the learner's credentials answer a verifier's DCQL query, which to pre-select, and
checking the learner's choice before anything is signed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from verifier import Credential as ParsedCredential
from verifier import VerificationError
from verifier.dcql import Candidate, CredentialQuery, DcqlQuery
from wallet.db import db
from wallet.models import Credential, User
from wallet.sharing.presentations import can_present


@dataclass(frozen=True)
class QueryChoice:
    """One credential query, the learner's credentials that answer it, and the pre-selection."""

    query: CredentialQuery
    matches: tuple[Credential, ...]
    preselected: tuple[int, ...]
    needed: bool  # part of the option pre-selected for a required set


@dataclass(frozen=True)
class Plan:
    """What the consent page shows: a choice per query, and whether the query can be met."""

    choices: tuple[QueryChoice, ...]
    possible: bool

    def choice(self, query_id: str) -> QueryChoice | None:
        """The choice for one credential query."""
        return next((c for c in self.choices if c.query.id == query_id), None)


def candidates(user: User) -> dict[int, tuple[Credential, Candidate]]:
    """The learner's presentable credentials, by id, as DCQL candidates."""
    rows = db.session.scalars(
        sa.select(Credential).where(Credential.user_id == user.id).order_by(Credential.id)
    )
    found = {}
    for row in rows:
        if not can_present(row):
            continue
        try:
            candidate = Candidate.of(ParsedCredential.from_json(row.original))
        except VerificationError:
            continue
        if candidate is not None:
            found[row.id] = (row, candidate)
    return found


def plan(query: DcqlQuery, held: Mapping[int, tuple[Credential, Candidate]]) -> Plan:
    """Match ``held`` against ``query`` and pre-select the first way of answering it, preferring
    verified credentials."""
    found = query.match({cid: cand for cid, (_row, cand) in held.items()})
    for ids in found.values():
        ids.sort(key=lambda cid: held[cid][0].outcome != "verified")
    possible = query.satisfied_by(found)
    wanted = _first_answerable(query, found)
    choices = []
    for q in query.credentials:
        ids = found[q.id]
        picked = tuple(ids[:1]) if q.id in wanted and ids else ()
        choices.append(QueryChoice(q, tuple(held[cid][0] for cid in ids), picked, q.id in wanted))
    return Plan(tuple(choices), possible)


def _first_answerable(query: DcqlQuery, found: Mapping[str, Sequence[int]]) -> set[str]:
    """The credential queries of the first answerable option of each required set (all of
    them, without sets)."""
    if query.credential_sets is None:
        return {q.id for q in query.credentials}
    wanted: set[str] = set()
    for credential_set in query.credential_sets:
        if not credential_set.required:
            continue  # share no more than asked: optional sets start unchosen
        for option in credential_set.options:
            if all(found.get(qid) for qid in option):
                wanted.update(option)
                break
    return wanted


def chosen(
    query: DcqlQuery, the_plan: Plan, picks: Mapping[str, Sequence[str]]
) -> dict[str, list[Credential]] | None:
    """The credentials the learner picked per query, each checked against its query; ``None``
    if a pick is not one of the offered credentials or the picks do not satisfy the query."""
    selection: dict[str, list[Credential]] = {}
    for choice in the_plan.choices:
        offered = {str(c.id): c for c in choice.matches}
        values = list(dict.fromkeys(v for v in picks.get(choice.query.id, ()) if v))
        if any(v not in offered for v in values):
            return None
        if len(values) > 1 and not choice.query.multiple:
            return None
        if values:
            selection[choice.query.id] = [offered[v] for v in values]
    if not selection or not query.satisfied_by(selection):
        return None
    return selection
