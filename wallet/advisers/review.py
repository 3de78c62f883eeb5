"""What an adviser's review shows: each credential verified again now, its checks and EU
standard elements gaps, ECTS per pathway and pathway gaps, and the skills across credentials.

Verifying for a review writes nothing to the learner's records: the adviser sees today's
result, and the learner's own page keeps the result of the learner's last check.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from wallet.advisers.pathways import Progress
from wallet.models import Credential
from wallet.portfolio.present import (
    Text,
    as_list,
    as_mapping,
    ects_text,
    headline,
    text_of,
    when,
)
from wallet.portfolio.report import Check, Checklist, checklist, checks_of
from wallet.verification import verify_bytes

OTHER_FRAMEWORK = _l("Other skills and competences")
#: Outcomes whose credentials' skills count: genuine, even if expired since.
SKILL_OUTCOMES = ("verified", "expired")


@dataclass(frozen=True)
class Reviewed:
    """One credential as verified for the review."""

    id: int
    title: Text
    issuer: Text | None
    issued: str | None
    ects: Decimal | None
    ects_label: str | None
    outcome: str
    headline: str
    changed: bool  # the outcome differs from the learner's last check
    checks: list[Check]
    checklist: Checklist | None
    missing: list[str]
    summary: Mapping[str, Any] = field(repr=False)


@dataclass(frozen=True)
class Skill:
    """A skill stated by one or more credentials."""

    label: Text
    uri: str | None
    credentials: list[Text]


@dataclass(frozen=True)
class SkillGroup:
    """The skills of one framework (ESCO first)."""

    framework: str
    skills: list[Skill]


def review_credential(credential: Credential, langs: list[str], now: datetime) -> Reviewed:
    """Verify ``credential``'s original bytes now and describe the result (nothing is saved)."""
    report = verify_bytes(credential.original, now=now).to_json()
    summary = as_mapping(report.get("summary"))
    outcome = str(report.get("outcome", "cannot_check"))
    found = checklist(summary)
    missing = [e.label for e in found.mandatory if e.status == "missing"] if found else []
    issuer = summary.get("issuer")
    issuer_name = as_mapping(issuer).get("name") if isinstance(issuer, Mapping) else issuer
    return Reviewed(
        id=credential.id,
        title=text_of(summary.get("title"), langs) or Text(credential.title),
        issuer=text_of(issuer_name, langs),
        issued=when(credential.issued_at),
        ects=credential.ects,
        ects_label=ects_text(credential.ects),
        outcome=outcome,
        headline=headline(outcome),
        changed=outcome != credential.outcome,
        checks=checks_of(report),
        checklist=found,
        missing=missing,
        summary=summary,
    )


def total_ects(reviewed: Iterable[Reviewed]) -> Decimal:
    """The ECTS of the credentials that verified now."""
    return sum((r.ects for r in reviewed if r.ects and r.outcome == "verified"), Decimal(0))


def skill_groups(reviewed: Iterable[Reviewed], langs: list[str]) -> list[SkillGroup]:
    """The skills the genuine credentials state (verified now, or genuine but expired), merged
    by URI (or label), grouped by framework with ESCO first; within a group the skills
    evidenced by most credentials come first."""
    groups: dict[str, dict[str, tuple[Text, str | None, list[Text]]]] = {}
    for item in reviewed:
        if item.outcome not in SKILL_OUTCOMES:
            continue
        seen: set[tuple[str, str]] = set()
        for concept in _concepts(item.summary):
            label = text_of(concept.get("label"), langs)
            uri = concept.get("uri") if isinstance(concept.get("uri"), str) else None
            if label is None and uri is None:
                continue
            framework = str(concept.get("framework") or "")
            key = uri or (label.text.casefold() if label else "")
            if (framework, key) in seen:
                continue
            seen.add((framework, key))
            entry = groups.setdefault(framework, {}).setdefault(
                key, (label or Text(uri or ""), uri, [])
            )
            entry[2].append(item.title)
    ordered = sorted(groups, key=lambda f: (f.upper() != "ESCO", f == "", f.casefold()))
    return [
        SkillGroup(
            framework=name or str(OTHER_FRAMEWORK),
            skills=[
                Skill(label, uri, titles)
                for label, uri, titles in sorted(
                    groups[name].values(), key=lambda s: (-len(s[2]), s[0].text.casefold())
                )
            ],
        )
        for name in ordered
    ]


def _concepts(summary: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The skill concepts of a summary: its own and those of its learning outcomes."""
    found = [as_mapping(s) for s in as_list(summary.get("skills"))[:200]]
    for outcome in as_list(summary.get("outcomes"))[:200]:
        found.extend(as_mapping(s) for s in as_list(as_mapping(outcome).get("skills"))[:50])
    return found


@dataclass(frozen=True)
class Gap:
    """A mandatory EU standard element and the credentials that do not state it."""

    label: str
    credentials: list[Text]


def eu_gaps(reviewed: Iterable[Reviewed]) -> list[Gap]:
    """The mandatory Annex I elements that some credentials do not state, the most often
    missing first, in the Recommendation's order otherwise."""
    order: list[str] = []
    missing: dict[str, list[Text]] = {}
    for item in reviewed:
        for label in item.missing:
            if label not in missing:
                order.append(label)
            missing.setdefault(label, []).append(item.title)
    ranked = sorted(order, key=lambda label: (-len(missing[label]), order.index(label)))
    return [Gap(label, missing[label]) for label in ranked]


@dataclass(frozen=True)
class PathwayView:
    """A pathway on the review page."""

    id: int
    name: str
    ects_earned: str | None
    ects_required: str | None
    complete: bool
    gaps: list[str]


def pathway_views(items: Iterable[Progress]) -> list[PathwayView]:
    """The pathways as the review page shows them."""
    return [
        PathwayView(
            id=p.id,
            name=p.name,
            ects_earned=ects_text(p.ects_earned) if p.ects_earned is not None else None,
            ects_required=ects_text(p.ects_required) if p.ects_required is not None else None,
            complete=p.complete,
            gaps=p.gaps,
        )
        for p in items
    ]
