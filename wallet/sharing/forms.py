"""The new-share form: which credentials it offers and ticks (a pathway's, when asked), and
what is wrong with what was sent."""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from flask import abort, request
from flask_babel import gettext as _
from sqlalchemy import select

from verifier.web.intake import MAX_CREDENTIALS as VERIFIER_MAX_CREDENTIALS
from wallet.db import db
from wallet.models import Credential, User
from wallet.sharing import links
from wallet.sharing.presentations import can_share

#: The most credentials one share holds: as many as the employer's verifier view reads in one
#: presentation, so every share can be opened there.
MAX_CREDENTIALS = VERIFIER_MAX_CREDENTIALS


def pathways_service() -> Any | None:
    """``wallet.pathways.service`` when the pathways area is installed, else ``None``."""
    if importlib.util.find_spec("wallet.pathways") is None:
        return None
    if importlib.util.find_spec("wallet.pathways.service") is None:
        return None
    service = importlib.import_module("wallet.pathways.service")
    needed = ("records", "owned_record", "pathway_credentials", "PathwayNotFound")
    return service if all(hasattr(service, name) for name in needed) else None


def presentable(user: User) -> list[Credential]:
    """The learner's credentials, newest first (those that cannot be presented included, so
    the form can say why they cannot be picked)."""
    query = (
        select(Credential)
        .where(Credential.user_id == user.id)
        .order_by(Credential.imported_at.desc(), Credential.id.desc())
    )
    return list(db.session.scalars(query))


def preselected(user: User) -> tuple[set[int], str]:
    """Credentials to tick at first, and a title: ``?credential=ID`` (repeatable), and
    ``?pathway=ID`` for the credentials that count towards one of the learner's pathways."""
    chosen = {int(v) for v in request.args.getlist("credential") if v.isdigit()}
    pathway = request.args.get("pathway", "")
    service = pathways_service()
    if not pathway.isdigit() or service is None:
        return chosen, ""
    try:
        _definition, credentials, _progress = service.pathway_credentials(user, int(pathway))
    except service.PathwayNotFound:
        abort(404)
    chosen |= {c.id for c in credentials}
    return chosen, str(service.owned_record(user, int(pathway)).title)


def pathway_choices(user: User) -> list[tuple[int, str]]:
    """The learner's pathways as (id, title), for "share a pathway"."""
    service = pathways_service()
    return [(r.id, r.title) for r in service.records(user)] if service is not None else []


def form_errors(
    form: dict[str, Any], picked: list[Credential], requested: set[int], downloading: bool
) -> dict[str, str]:
    """What is wrong with the new-share form, by field (the password is checked later)."""
    errors: dict[str, str] = {}
    if not requested:
        errors["credential"] = _("Choose at least one credential to share.")
    elif len(requested) > MAX_CREDENTIALS:
        errors["credential"] = _(
            "A share can hold at most %(n)d credentials: verifiers read no more.", n=MAX_CREDENTIALS
        )
    elif len(picked) != len(requested):
        errors["credential"] = _("One of the chosen credentials is not in your wallet any more.")
    elif not all(can_share(c) for c in picked):
        errors["credential"] = _(
            "Open Badges 2.0 and European Digital Credentials cannot be shared this way yet. "
            "Share them by downloading the original file instead."
        )
    if not downloading:
        if not form["title"]:
            errors["title"] = _("Give the share a title, for example the job you are applying for.")
        elif len(form["title"]) > links.TITLE_MAX_LENGTH:
            errors["title"] = _(
                "The title can be at most %(n)d characters.", n=links.TITLE_MAX_LENGTH
            )
        if form["hours"] not in links.EXPIRY_CHOICES_HOURS:
            errors["hours"] = _("Choose how long the link works.")
        if links.pin_problem(form["pin"]):
            errors["pin"] = _(
                "A PIN is %(low)d to %(high)d digits, or leave it empty.",
                low=links.PIN_MIN_LENGTH,
                high=links.PIN_MAX_LENGTH,
            )
    if not form["password"]:
        errors["password"] = _("Enter your password: it unlocks the key that signs the share.")
    return errors
