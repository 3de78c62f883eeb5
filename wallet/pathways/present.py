"""Turn engine results into plain objects for the pathway templates (translated text)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _

from wallet.pathways.definition import DefinitionError
from wallet.pathways.engine import NodeResult, PathwayProgress, describe, format_ects
from wallet.pathways.holdings import Facts

#: A credential's page in the portfolio, where each credential links.
DETAIL_ENDPOINT = "portfolio.detail"


@dataclass
class Node:
    """One requirement as the tree shows it."""

    title: str
    kind: str
    status: str
    detail: str
    filled_by: list[dict[str, Any]] = field(default_factory=list)
    hint: str | None = None
    blocked: list[dict[str, Any]] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)


def ects(hundredths: int | None) -> str:
    """ECTS for a template (``""`` when none are stated)."""
    return "" if hundredths is None else format_ects(hundredths)


def credential(facts: Facts) -> dict[str, Any]:
    """A credential reference with a link to its portfolio page."""
    return {
        "title": facts.title,
        "issuer": facts.issuer_name or facts.issuer_id or "",
        "ects": ects(facts.ects) if facts.ects else "",
        "url": url_for(DETAIL_ENDPOINT, credential_id=facts.credential_id)
        if facts.credential_id is not None and DETAIL_ENDPOINT in current_app.view_functions
        else None,
    }


def kind_detail(result: NodeResult) -> str:
    """What a requirement asks for, in a few words."""
    req = result.requirement
    if req.kind == "all_of":
        return _("All of these")
    if req.kind == "n_of":
        return _("%(n)d of these %(count)d", n=req.n, count=len(req.children))
    if req.kind == "ects_from":
        what = describe(req)
        counted = ects(result.ects)
        if what:
            return _(
                "%(got)s of %(ects)s ECTS from %(what)s",
                got=counted,
                ects=ects(req.ects),
                what=what,
            )
        return _(
            "%(got)s of %(ects)s ECTS from any verified credential",
            got=counted,
            ects=ects(req.ects),
        )
    if req.kind == "achievement":
        if req.achievement_ids:
            return _("The achievement %(id)s", id=", ".join(sorted(req.achievement_ids)))
        return _("“%(title)s” from %(issuer)s", title=req.achievement_title, issuer=req.issuer)
    if req.kind == "skills":
        return _(
            "%(count)d of the skills %(skills)s", count=req.count, skills=", ".join(req.skills)
        )
    return _("The sub-pathway “%(title)s”", title=req.title)


def tree(result: NodeResult, facts: dict[str, Facts] | Any) -> Node:
    """The requirement tree for the pathway page."""
    req = result.requirement
    return Node(
        title=req.title or kind_detail(result),
        kind=req.kind,
        status=result.status,
        detail=kind_detail(result),
        filled_by=[credential(facts[f]) for f in result.filled_by],
        hint=result.hint.text(_) if result.hint else None,
        blocked=[
            {**credential(facts[f]), "reason": reason.text(_)} for f, reason in result.blocked
        ],
        children=[tree(child, facts) for child in result.children],
    )


def overview(progress: PathwayProgress) -> dict[str, Any]:
    """One pathway's card on the overview page."""
    target = progress.pathway.target
    return {
        "id": progress.pathway_id,
        "title": target.title,
        "institution": target.awarding_institution,
        "ects_counted": ects(progress.ects_counted),
        "ects_required": ects(progress.ects_required),
        "ects_value": progress.ects_counted,
        "ects_max": progress.ects_required,
        "met": progress.requirements_met,
        "needed": progress.requirements_needed,
        "complete": progress.complete,
    }


def electives(progress: PathwayProgress) -> list[dict[str, Any]]:
    """Credentials counted only towards the total ECTS."""
    return [credential(progress.facts[f]) for f in sorted(progress.electives)]


def set_apart(progress: PathwayProgress) -> list[dict[str, Any]]:
    """Credentials that do not count, each with the reason."""
    return [
        {**credential(progress.facts[f]), "reason": reason.text(_)}
        for f, reason in progress.set_apart
    ]


def problems(error: DefinitionError) -> list[dict[str, str]]:
    """A definition's problems as (place, message) for the editor."""
    return [{"path": p.path, "message": p.message.text(_)} for p in error.problems]
