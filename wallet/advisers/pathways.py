"""The learner's pathways as an adviser sees them, read through ``wallet.pathways.service``.

When the wallet has no pathways (the package is not installed), :func:`available` is false and
the review page says so instead of showing ECTS per pathway and pathway gaps.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass, field
from decimal import Decimal
from types import ModuleType
from typing import TYPE_CHECKING

from flask import g, has_app_context, has_request_context
from flask_babel import gettext as _

from wallet.models import User
from wallet.portfolio.present import ects_text, reader_langs

if TYPE_CHECKING:
    from wallet.pathways.engine import NodeResult, PathwayProgress

MET = "met"

SERVICE = "wallet.pathways.service"


@dataclass(frozen=True)
class Progress:
    """One pathway: its name, ECTS earned and required, what is still missing, its credentials."""

    id: int
    name: str
    ects_earned: Decimal | None = None
    ects_required: Decimal | None = None
    complete: bool = False
    gaps: list[str] = field(default_factory=list)
    credential_ids: list[int] = field(default_factory=list)


def service() -> ModuleType | None:
    """The pathways service module, or ``None`` when this wallet has no pathways."""
    try:
        if importlib.util.find_spec(SERVICE) is None:
            return None
    except ModuleNotFoundError:
        return None
    return importlib.import_module(SERVICE)


def available() -> bool:
    """Whether the wallet has pathways."""
    return service() is not None


def progress(user: User) -> list[Progress]:
    """Every pathway of ``user`` with its progress (once per request); empty when the wallet
    has no pathways."""
    module = service()
    if module is None:
        return []
    cache = g.setdefault("adviser_pathways", {}) if has_app_context() else {}
    if user.id not in cache:
        langs = reader_langs() if has_request_context() else []
        cache[user.id] = [_progress(p) for p in module.user_progress(user, langs=langs)]
    found: list[Progress] = cache[user.id]
    return found


def credential_ids(user: User, pathway_id: int) -> set[int]:
    """The ids of ``user``'s credentials that count towards the pathway (none if not theirs)."""
    for item in progress(user):
        if item.id == pathway_id:
            return set(item.credential_ids)
    return set()


def gaps(result: NodeResult) -> list[str]:
    """What is still missing under a requirement: each unmet requirement in a few words, with
    what would meet it; an "all of" is opened up into its own requirements."""
    from wallet.pathways.present import kind_detail

    if result.status == MET:
        return []
    if result.requirement.kind == "all_of" and result.children:
        return [line for child in result.children for line in gaps(child)]
    line = result.requirement.title or kind_detail(result)
    if result.hint is not None:
        line = f"{line}: {result.hint.text(_)}"
    return [line]


def _progress(item: PathwayProgress) -> Progress:
    target = item.pathway.target
    missing = gaps(item.root)
    if item.ects_required and item.ects_counted < item.ects_required:
        short = Decimal(item.ects_required - item.ects_counted) / 100
        missing.append(
            _(
                "%(ects)s more towards the total of %(total)s",
                ects=ects_text(short),
                total=ects_text(Decimal(item.ects_required) / 100),
            )
        )
    return Progress(
        id=int(item.pathway_id or 0),
        name=target.title,
        ects_earned=Decimal(item.ects_counted) / 100,
        ects_required=None if item.ects_required is None else Decimal(item.ects_required) / 100,
        complete=item.complete,
        gaps=missing,
        credential_ids=list(item.credential_ids),
    )
