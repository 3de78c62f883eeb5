"""Turn a verification report (its JSON, as :meth:`verifier.Report.to_json` gives it) into the
plain objects the results templates show, in the reader's language.

The results page and the printable report are both made from the report's JSON, so what the
employer keeps says exactly what the page said.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask_babel import format_datetime, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from verifier.report import ADVISORY_CHECKS, CHALLENGE, DOMAIN, HOLDER_BINDING, HOLDER_PROOF
from verifier.summary import LangText
from verifier.web.messages import check_name, sentence, status_name

#: The presentation checks shown together as "holder binding".
HOLDER_CHECKS = (HOLDER_PROOF, CHALLENGE, DOMAIN, HOLDER_BINDING)
#: Annex I elements (Council Recommendation 2022/C 243/02) by id, in the reader's language.
ELEMENT_NAMES = {
    "learner": _l("Identification of the learner"),
    "title": _l("Title of the micro-credential"),
    "issuer_country": _l("Country or region of the issuer"),
    "awarding_body": _l("Awarding body"),
    "date_of_issuing": _l("Date of issuing"),
    "learning_outcomes": _l("Learning outcomes"),
    "workload": _l("Notional workload (in ECTS, wherever possible)"),
    "level": _l("Level (EQF, QF-EHEA), if applicable"),
    "assessment_type": _l("Type of assessment"),
    "participation_form": _l("Form of participation in the learning activity"),
    "quality_assurance": _l("Type of quality assurance"),
    "prerequisites": _l("Prerequisites needed to enrol"),
    "supervision": _l("Supervision and identity verification during assessment"),
    "grade": _l("Grade achieved"),
    "stackability": _l("Integration and stackability options"),
    "further_information": _l("Further information"),
}
HEADLINES = {
    "verified": _l("Verified: every check passed."),
    "verified_with_notes": _l(
        "Genuine and valid, but not every check could be made: see the checks marked "
        "“could not check”."
    ),
    "not_genuine": _l("Not genuine: this document was altered or was not issued as it claims."),
    "revoked": _l("Genuine, but the issuer has revoked it."),
    "suspended": _l("Genuine, but the issuer has suspended it."),
    "expired": _l("Genuine, but it has expired."),
    "not_yet_valid": _l("Genuine, but it is not valid yet."),
    "cannot_check": _l("Not verified: nothing failed, but some checks could not be made offline."),
}


def languages() -> list[str]:
    """The reader's language first, for picking a credential's text."""
    return [str(get_locale() or "en")]


def pick(value: Any) -> str:
    """A credential's text (a language map or a string) in the reader's language."""
    return LangText.of(value).pick(languages())


def when(value: Any) -> str:
    """An ISO date and time as the reader writes it; the text itself when it does not parse."""
    if not isinstance(value, str) or not value:
        return ""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return format_datetime(moment, "medium") if moment.tzinfo else value


def outcome_key(data: Mapping[str, Any]) -> str:
    """The outcome the page states: ``verified`` only when no check anywhere failed or could
    not be made; a verified report with an advisory check left unmade is told apart."""
    outcome = str(data.get("outcome") or "cannot_check")
    if outcome == "verified" and _any_unmade(data):
        return "verified_with_notes"
    return outcome if outcome in HEADLINES else "cannot_check"


def _any_unmade(data: Mapping[str, Any]) -> bool:
    checks = data.get("checks") or ()
    if any(c.get("status") in ("failed", "unknown") for c in checks):
        return True
    return any(_any_unmade(inner) for inner in data.get("credentials") or ())


def check_view(check: Mapping[str, Any]) -> dict[str, Any]:
    """One check for a template: name, status words, message in the reader's language."""
    status = str(check.get("status"))
    english = str(check.get("message") or "")
    translated = None
    if languages()[0] != "en":
        translated = sentence(str(check.get("id")), status, check.get("reason"))
    return {
        "id": check.get("id"),
        "name": check_name(str(check.get("id"))),
        "status": status,
        "status_label": status_name(status),
        "message": translated or english,
        "english": english if translated else None,
        "detail": check.get("detail"),
        "data_date": when(check.get("data_date")),
        "advisory": check.get("id") in ADVISORY_CHECKS,
    }


def summary_view(summary: Mapping[str, Any]) -> dict[str, Any]:
    """What a credential says, reduced to what an employer reads first."""
    issuer = summary.get("issuer") if isinstance(summary.get("issuer"), Mapping) else {}
    credits = [c for c in summary.get("credits") or () if isinstance(c, Mapping)]
    ects = [c for c in credits if str(c.get("framework") or "").upper() == "ECTS"]
    levels = []
    if summary.get("eqf_level"):
        levels.append(_("EQF level %(level)s", level=summary["eqf_level"]))
    elif isinstance(summary.get("eqf"), Mapping):
        levels.append(pick(summary["eqf"].get("label")) or str(summary["eqf"].get("uri") or ""))
    for nqf in summary.get("nqf") or ():
        if isinstance(nqf, Mapping):
            levels.append(pick(nqf.get("label")) or str(nqf.get("uri") or ""))
    skills = [
        pick(s.get("label")) or str(s.get("uri") or "")
        for s in summary.get("skills") or ()
        if isinstance(s, Mapping)
    ]
    learner = summary.get("learner") if isinstance(summary.get("learner"), Mapping) else {}
    return {
        "title": pick(summary.get("title")) or _("Untitled credential"),
        "description": pick(summary.get("description")),
        "issuer_name": pick(issuer.get("name")) or str(issuer.get("id") or ""),
        "issuer_id": issuer.get("id") if isinstance(issuer.get("id"), str) else None,
        "learner": pick(learner.get("name")) or str(learner.get("id") or ""),
        "issued": when(summary.get("issued")),
        "valid_until": when(summary.get("valid_until")),
        "ects": [c.get("value") for c in ects if c.get("value") is not None],
        "credits": [str(c.get("text") or "") for c in credits if c not in ects and c.get("text")],
        "levels": [x for x in levels if x],
        "skills": [s for s in skills if s],
        "eu_standard": eu_standard_view(summary.get("eu_standard")),
    }


def eu_standard_view(eu: Any) -> dict[str, Any] | None:
    """The EU standard elements a credential states, with counts, or ``None`` without them."""
    if not isinstance(eu, Mapping):
        return None
    labels = {"present": _("Stated"), "not_applicable": _("Not applicable")}
    missing = _("Not stated")
    elements = [
        {
            "name": str(ELEMENT_NAMES.get(e.get("id"), e.get("label") or e.get("id"))),
            "mandatory": bool(e.get("mandatory")),
            "status": e.get("status"),
            "status_label": labels.get(str(e.get("status")), missing),
        }
        for e in eu.get("elements") or ()
        if isinstance(e, Mapping)
    ]
    present = int(eu.get("mandatory_present") or 0)
    total = int(eu.get("mandatory_total") or 0)
    return {
        "sentence": ngettext(
            "%(present)d of %(num)d mandatory element stated.",
            "%(present)d of %(num)d mandatory elements stated.",
            total,
            present=present,
        ),
        "elements": elements,
        "optional": _("(optional)"),
    }


def report_view(data: Mapping[str, Any]) -> dict[str, Any]:
    """A report (credential or presentation) and its credentials, ready for the templates."""
    key = outcome_key(data)
    checks = [check_view(c) for c in data.get("checks") or () if isinstance(c, Mapping)]
    view: dict[str, Any] = {
        "kind": data.get("kind"),
        "format": data.get("format"),
        "outcome": key,
        "headline": str(HEADLINES[key]),
        "checked_at": when(data.get("checked_at")),
        "checks": checks,
        "holder": [],
        "credentials": [],
        "summary": None,
    }
    if data.get("kind") == "presentation":
        view["holder"] = [c for c in checks if c["id"] in HOLDER_CHECKS]
        view["checks"] = [c for c in checks if c["id"] not in HOLDER_CHECKS]
    if isinstance(data.get("summary"), Mapping) and data["summary"]:
        view["summary"] = summary_view(data["summary"])
    view["credentials"] = [report_view(inner) for inner in data.get("credentials") or ()]
    return view


def trust_dates(view: Mapping[str, Any], *, where: str = "") -> list[dict[str, str]]:
    """Every check that relied on dated trust data: which, for what, and the data's date."""
    found = []
    label = where or (view["summary"]["title"] if view.get("summary") else "")
    for check in [*view.get("holder", ()), *view.get("checks", ())]:
        if check["data_date"]:
            found.append({"check": check["name"], "about": label, "date": check["data_date"]})
    for inner in view.get("credentials", ()):
        found += trust_dates(inner)
    return found
