"""Filters over the JSON columns: a skill, words in the description, a credential type.

Skills, descriptions and credential types live in JSON columns. Queries over them must run on
SQLite and PostgreSQL alike and no table may be added for them, so they match the JSON *text*
with ``LIKE`` (case-insensitive), written as the app stores it: ``json.dumps`` with its default
``", "`` / ``": "`` separators, non-ASCII as ``\\uXXXX``, and the summary's keys in the order of
:class:`verifier.summary.Summary`'s fields. The limits of that approach:

- the skill filter matches text from the first ``"skills"`` list (a learning outcome's, or the
  credential's own) to the ``"credits"`` key after the credential's list, so the text of a
  learning outcome that follows one with skills matches too; the search matches the
  description between ``"description"`` and ``"achievement_type"``. In a CLR whose parts carry
  the same keys, a match may span from the top-level key to a part's, so a word elsewhere in
  the record can match;
- a skill given as a URI (``http...``) must equal a URI in the summary (in practice a skill's:
  ESCO URIs appear nowhere else); a label is a substring and also matches a skill's framework
  or code (``ESCO``);
- case is folded for ASCII only on SQLite and in JSON text (``Ł`` does not match ``ł`` there);
  PostgreSQL folds titles and issuers fully;
- a type is an exact string of the ``types`` list (``"ClrCredential"``), or a format prefix;
- every such filter reads the summary of each of the learner's credentials (no index helps),
  so its cost grows with the size of the summaries, embedded images included. On PostgreSQL
  that read is the larger cost (each summary is a compressed TOAST value); an index there (a
  trigram index on the summary's text, or a derived search column) needs a migration.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import ColumnElement, Text, cast, func, or_

from wallet.models import Credential

ESCAPE = "!"
# Where the summary's JSON text holds its skills and its description (Summary's field order:
# ... title, description, achievement_type, ... outcomes, skills, credits ...).
SKILLS_START, SKILLS_END = '"skills": [{', '], "credits": '
DESCRIPTION_START, DESCRIPTION_END = '"description": {', '}, "achievement_type": '


def like_escape(text: str) -> str:
    """``text`` with LIKE's wildcards and the escape character made literal."""
    for char in (ESCAPE, "%", "_"):
        text = text.replace(char, ESCAPE + char)
    return text


def json_fragments(term: str) -> tuple[str, ...]:
    """How ``term`` can appear inside a JSON string: as ``json.dumps`` writes it, and raw."""
    escaped = json.dumps(term)[1:-1]
    return (escaped,) if escaped == term else (escaped, term)


def ilike(column: ColumnElement[Any], pattern: str, dialect: str) -> ColumnElement[bool]:
    """A case-insensitive LIKE; SQLite's LIKE already folds ASCII (and ``lower()`` of a
    large summary on every row costs time), PostgreSQL needs ILIKE."""
    if dialect == "sqlite":
        return column.like(pattern, escape=ESCAPE)
    return column.ilike(pattern, escape=ESCAPE)


def json_text(column: ColumnElement[Any], dialect: str) -> ColumnElement[Any]:
    """The JSON column as text. On PostgreSQL in the "C" collation: the stored JSON is ASCII
    (``json.dumps`` escapes the rest), and ILIKE folds ASCII several times faster there than
    in a locale's collation."""
    text = cast(column, Text)
    return text if dialect == "sqlite" else text.collate("C")


def json_between(
    column: ColumnElement[Any], before: str, term: str, after: str, dialect: str
) -> ColumnElement[bool]:
    """Whether ``term`` occurs in ``column``'s JSON text between ``before`` and ``after``."""
    return or_(
        *(
            ilike(
                json_text(column, dialect),
                f"%{like_escape(before)}%{like_escape(f)}%{like_escape(after)}%",
                dialect,
            )
            for f in json_fragments(term)
        )
    )


def json_contains(column: ColumnElement[Any], needle: str, dialect: str) -> ColumnElement[bool]:
    """Whether the JSON text of ``column`` holds ``needle`` exactly, case and all."""
    text = cast(column, Text)
    if dialect == "sqlite":
        return func.instr(text, needle) > 0
    return func.strpos(text, needle) > 0


def skill_condition(term: str, dialect: str) -> ColumnElement[bool]:
    """A skill by URI (exact) or by label (a substring within the summary's skills)."""
    if term.lower().startswith(("http://", "https://")):
        # The URI and its closing quote: a JSON string equal to it. (A leading '"uri": "'
        # would be as exact, but LIKE stops at every quote of the JSON and triples the cost.)
        needle = f"{json.dumps(term)[1:]}"
        text = json_text(Credential.summary, dialect)
        return text.like(f"%{like_escape(needle)}%", escape=ESCAPE)
    return json_between(Credential.summary, SKILLS_START, term, SKILLS_END, dialect)


def search_condition(term: str, dialect: str) -> ColumnElement[bool]:
    """Free text in the title, the issuer's name or the description."""
    pattern = f"%{like_escape(term)}%"
    return or_(
        ilike(Credential.title, pattern, dialect),
        ilike(Credential.issuer_name, pattern, dialect),
        json_between(Credential.summary, DESCRIPTION_START, term, DESCRIPTION_END, dialect),
    )
