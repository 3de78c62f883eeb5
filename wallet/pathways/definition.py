"""Pathway definitions: read a pathway file, check it, and return a frozen :class:`Pathway`.

The format is JSON, described by ``pathway.schema.json`` beside this module (see the README's
pathway section for an example). Reading goes in steps, each stopping at the first kind of
problem so that the learner is never shown a cascade:

1. Size and nesting are checked on the raw text, before any parsing, so 10,000 nested levels
   give a message naming the line and column, never a ``RecursionError``.
2. The JSON is parsed.
3. The JSON Schema is checked; every problem names its JSON path (``$.requirements.n``).
4. Semantic checks the schema cannot express: an ``n_of`` asking for more than it holds, a
   ``pathway`` requirement naming an unknown sub-pathway, sub-pathways that refer to each
   other in a cycle, and a tree that is too deep or too large once sub-pathways are inlined.

Nothing here imports web code: problems are :class:`~wallet.pathways.messages.Message` objects.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from wallet.pathways.messages import N_, Message
from wallet.pathways.problems import (
    KINDS,
    MAX_JSON_DEPTH,
    MAX_LEVELS,
    DefinitionError,
    Problem,
    check_cycles,
    check_nesting,
    one,
    schema_problem,
    unique,
)

FORMAT = "learner-wallet-pathway/1"
SCHEMA_FILE = Path(__file__).with_name("pathway.schema.json")
MAX_BYTES = 512 * 1024
#: Requirements allowed once sub-pathways are inlined.
MAX_REQUIREMENTS = 2000
#: Kinds a single credential fills.
SINGLE_KINDS = ("achievement", "skills")


@dataclass(frozen=True)
class Filter:
    """Which credentials an ``ects_from`` requirement counts; every stated condition holds."""

    issuers: frozenset[str] = frozenset()
    achievements: frozenset[str] = frozenset()
    skills: frozenset[str] = frozenset()
    min_eqf_level: int | None = None
    isced_f: str | None = None


@dataclass(frozen=True)
class Requirement:
    """One node of the requirement tree; ``path`` (its JSON path) is its stable identifier."""

    kind: str
    path: str
    title: str = ""
    children: tuple[Requirement, ...] = ()
    n: int = 0
    ects: int = 0  # hundredths of an ECTS credit
    filter: Filter = Filter()
    achievement_ids: frozenset[str] = frozenset()
    achievement_title: str | None = None
    issuer: str | None = None
    skills: tuple[str, ...] = ()
    count: int = 0
    ref: str | None = None


@dataclass(frozen=True)
class Target:
    """What the pathway leads to."""

    title: str
    awarding_institution: str | None = None
    total_ects: int | None = None  # hundredths of an ECTS credit
    min_eqf_level: int | None = None
    isced_f: str | None = None
    valid_years: int | None = None


@dataclass(frozen=True)
class Pathway:
    """A checked pathway: its target and its requirement tree (sub-pathways inlined)."""

    id: str | None
    target: Target
    root: Requirement
    description: str = ""


def cents(value: float | int) -> int:
    """ECTS credits as whole hundredths (5.5 → 550), the unit the engine adds up exactly."""
    return round(float(value) * 100)


@cache
def validator() -> Draft202012Validator:
    """The JSON Schema validator of pathway files."""
    return Draft202012Validator(json.loads(SCHEMA_FILE.read_text("utf-8")))


def parse_text(text: str | bytes) -> Pathway:
    """Read a pathway file's text; raise :class:`DefinitionError` naming each problem."""
    # 1. size and nesting on the raw text
    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            raise one("$", N_("The file is larger than %(kb)d KB."), kb=MAX_BYTES // 1024)
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise one("$", N_("The file is not UTF-8 text.")) from None
    if len(text) > MAX_BYTES:
        raise one("$", N_("The file is larger than %(kb)d KB."), kb=MAX_BYTES // 1024)
    check_nesting(text)
    # 2. JSON
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise one(
            "$",
            N_("This is not valid JSON (%(reason)s at line %(line)d, column %(column)d)."),
            reason=exc.msg,
            line=exc.lineno,
            column=exc.colno,
        ) from None
    return parse_document(document)


def parse_document(document: Any) -> Pathway:
    """Check a decoded pathway document (steps 3 and 4) and build the :class:`Pathway`."""
    # 3. the schema
    errors = sorted(validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        raise DefinitionError(unique([schema_problem(e) for e in errors])[:20])
    # 4. semantic checks, while building
    subs = document.get("subpathways", {})
    check_cycles(subs)
    builder = _Builder(subs)
    root = builder.build(document["requirements"], "$.requirements", depth=1)
    if builder.problems:
        raise DefinitionError(builder.problems[:20])
    return Pathway(
        id=document.get("id"),
        target=_target(document["target"]),
        root=root,
        description=document.get("description", ""),
    )


class _Builder:
    """Builds requirement nodes, inlining sub-pathways and collecting semantic problems."""

    def __init__(self, subs: Mapping[str, Any]) -> None:
        self.subs = subs
        self.count = 0
        self.problems: list[Problem] = []

    def problem(self, path: str, msgid: str, **params: Any) -> None:
        self.problems.append(Problem(path, Message(msgid, params)))

    def build(self, raw: Mapping[str, Any], path: str, *, depth: int) -> Requirement:
        self.count += 1
        if depth > MAX_LEVELS or self.count > MAX_REQUIREMENTS:
            if not self.problems:
                self.problem(
                    path,
                    N_(
                        "The pathway has more than %(levels)d levels or %(count)d requirements "
                        "(counting its sub-pathways)."
                    ),
                    levels=MAX_LEVELS,
                    count=MAX_REQUIREMENTS,
                )
            return Requirement(kind=raw["kind"], path=path)
        kind, title = raw["kind"], raw.get("title", "")
        if kind in ("all_of", "n_of"):
            children = tuple(
                self.build(child, f"{path}.requirements[{i}]", depth=depth + 1)
                for i, child in enumerate(raw["requirements"])
            )
            n = len(children) if kind == "all_of" else raw["n"]
            if n > len(children):
                self.problem(
                    f"{path}.n",
                    N_("n is %(n)d but only %(count)d requirements follow."),
                    n=n,
                    count=len(children),
                )
            return Requirement(kind=kind, path=path, title=title, children=children, n=n)
        if kind == "ects_from":
            return Requirement(
                kind=kind,
                path=path,
                title=title,
                ects=cents(raw["ects"]),
                filter=_filter(raw.get("from", {})),
            )
        if kind == "achievement":
            ids = frozenset(
                raw[key] for key in ("achievement_id", "specification_id") if key in raw
            )
            return Requirement(
                kind=kind,
                path=path,
                title=title,
                achievement_ids=ids,
                achievement_title=None if ids else raw["title"],
                issuer=raw.get("issuer"),
            )
        if kind == "skills":
            skills = tuple(dict.fromkeys(raw["skills"]))
            count = raw.get("count", len(skills))
            if count > len(skills) or not skills:
                self.problem(
                    f"{path}.count",
                    N_("count is %(n)d but only %(count)d skills are listed."),
                    n=count,
                    count=len(skills),
                )
            return Requirement(kind=kind, path=path, title=title, skills=skills, count=count)
        # kind == "pathway" (the schema allows nothing else)
        ref = raw["ref"]
        if ref not in self.subs:
            self.problem(
                f"{path}.ref",
                N_("There is no sub-pathway %(ref)s in this file."),
                ref=json.dumps(ref),
            )
            return Requirement(kind=kind, path=path, title=title, ref=ref)
        sub = self.subs[ref]
        child = self.build(
            sub["requirements"], f"$.subpathways.{ref}.requirements", depth=depth + 1
        )
        return Requirement(
            kind=kind,
            path=path,
            title=title or sub["target"]["title"],
            children=(child,),
            n=1,
            ref=ref,
        )


def _filter(raw: Mapping[str, Any]) -> Filter:
    return Filter(
        issuers=frozenset(raw.get("issuers", ())),
        achievements=frozenset(raw.get("achievements", ())),
        skills=frozenset(raw.get("skills", ())),
        min_eqf_level=raw.get("min_eqf_level"),
        isced_f=raw.get("isced_f"),
    )


def _target(raw: Mapping[str, Any]) -> Target:
    total = raw.get("total_ects")
    return Target(
        title=raw["title"],
        awarding_institution=raw.get("awarding_institution"),
        total_ects=None if total is None else cents(total),
        min_eqf_level=raw.get("min_eqf_level"),
        isced_f=raw.get("isced_f"),
        valid_years=raw.get("valid_years"),
    )


__all__ = [
    "FORMAT",
    "KINDS",
    "MAX_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_LEVELS",
    "DefinitionError",
    "Filter",
    "Pathway",
    "Problem",
    "Requirement",
    "Target",
    "parse_document",
    "parse_text",
]
