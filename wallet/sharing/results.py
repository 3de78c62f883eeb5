"""The results page of a share link: the employer's verifier view when it is installed
(``verifier.web.results.render_results``, the same page as at ``/verify``), else the wallet's
own page listing every check."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import render_template
from flask_babel import format_datetime
from flask_babel import gettext as _

from verifier import Report
from verifier.summary import LangText
from wallet.portfolio.present import HEADLINES
from wallet.portfolio.report import checks_of
from wallet.sharing.models import Share


def _verifier_page() -> Any:
    """``verifier.web.results.render_results``, or ``None`` while it does not exist."""
    if importlib.util.find_spec("verifier.web") is None:
        return None
    if importlib.util.find_spec("verifier.web.results") is None:
        return None
    return getattr(importlib.import_module("verifier.web.results"), "render_results", None)


def render(report: Report, *, share: Share, now: datetime) -> str:
    """The results page for ``report``, the verification of ``share``'s presentation."""
    render_results = _verifier_page()
    if render_results is not None:
        name = share.user.display_name or _("the learner")  # never their e-mail address
        notice = _("Shared by %(name)s through their wallet.", name=name)
        return str(
            render_results(
                report,
                source="share",
                document=share.presentation,
                heading=share.title,
                notice=notice,
            )
        )
    return render_template(
        "sharing/results.html",
        outcome=report.outcome.value,
        headline=HEADLINES[report.outcome.value],
        checks=checks_of(report.to_json()),
        share=share,
        credentials=[credential_view(r) for r in report.credentials],
        checked_at=format_datetime(now, "medium"),
    )


def credential_view(report: Report) -> dict[str, Any]:
    """One presented credential for the fallback page: title, issuer, outcome, checks."""
    summary: Mapping[str, Any] = report.summary or {}
    issuer = summary.get("issuer")
    issuer_name = LangText.of(issuer.get("name")).pick() if isinstance(issuer, Mapping) else issuer
    return {
        "title": LangText.of(summary.get("title")).pick() or report.format,
        "issuer": issuer_name if isinstance(issuer_name, str) else None,
        "outcome": report.outcome.value,
        "headline": HEADLINES[report.outcome.value],
        "checks": checks_of(report.to_json()),
    }
