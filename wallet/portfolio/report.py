"""A stored verification report as plain objects: its checks with the dates of their trust
data, the reports of contained credentials, and the EU standard elements checklist."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from verifier.web.messages import sentence
from wallet.portfolio.present import STATUS_LABELS, Text, as_list, as_mapping, text_of, when

CHECK_NAMES = {
    "format": _l("Format"),
    "proof": _l("Signature or seal"),
    "issuer_binding": _l("Signing key belongs to the issuer"),
    "issuer_trust": _l("Recognised issuer"),
    "validity": _l("Validity period"),
    "status": _l("Revocation and suspension"),
    "schema": _l("Schema"),
    "nested_credentials": _l("Contained credentials"),
    "holder_proof": _l("Holder's signature"),
    "challenge": _l("Challenge"),
    "domain": _l("Domain"),
    "holder_binding": _l("Holder"),
    "credentials": _l("Credentials"),
}
CHECK_STATUSES = ("passed", "failed", "unknown", "not_applicable")


@dataclass(frozen=True)
class Check:
    """One verification check: its name, status, the verifier's sentence (in English), the
    same result in plain words in the reader's language when that is not English (the
    employer's view says it the same way), technical detail, and the date of its trust data."""

    id: str
    name: str
    status: str
    message: str
    detail: str | None
    data_date: str | None
    plain: str | None = None


@dataclass(frozen=True)
class Part:
    """A credential inside another (a CLR's parts) with its own verdict and checks."""

    title: Text
    outcome: str
    checks: list[Check]


def checks_of(report: Mapping[str, Any]) -> list[Check]:
    """The report's checks, in its order."""
    found = []
    for item in as_list(report.get("checks"))[:50]:
        item = as_mapping(item)
        check_id = str(item.get("id", ""))
        status = str(item.get("status", ""))
        found.append(
            Check(
                id=check_id,
                name=str(CHECK_NAMES.get(check_id, check_id)),
                status=status if status in CHECK_STATUSES else "unknown",
                message=str(item.get("message", "")),
                detail=str(item["detail"]) if item.get("detail") else None,
                data_date=when(item.get("data_date"), time=True) if item.get("data_date") else None,
                plain=_plain(check_id, status, item.get("reason")),
            )
        )
    return found


def _plain(check_id: str, status: str, reason: Any) -> str | None:
    """The result in plain words in the reader's language, when that is not English."""
    if str(get_locale() or "en") == "en":
        return None
    return sentence(check_id, status, str(reason) if reason else None)


def parts_of(report: Mapping[str, Any], langs: list[str]) -> list[Part]:
    """The nested credentials' own reports (CLR parts), each with its title."""
    parts = []
    for n, item in enumerate(as_list(report.get("credentials"))[:200], start=1):
        item = as_mapping(item)
        title = text_of(as_mapping(item.get("summary")).get("title"), langs)
        outcome = str(item.get("outcome", "cannot_check"))
        parts.append(
            Part(
                title=title or Text(_("Contained credential %(n)d", n=n)),
                outcome=outcome if outcome in STATUS_LABELS else "cannot_check",
                checks=checks_of(item),
            )
        )
    return parts


# -- the EU standard elements (Council Recommendation 2022/C 243/02, Annex I) ------------------

ELEMENT_LABELS = {
    "learner": _l("Identification of the learner"),
    "title": _l("Title of the micro-credential"),
    "issuer_country": _l("Country(ies)/Region(s) of the issuer"),
    "awarding_body": _l("Awarding body(ies)"),
    "date_of_issuing": _l("Date of issuing"),
    "learning_outcomes": _l("Learning outcomes"),
    "workload": _l(
        "Notional workload needed to achieve the learning outcomes (in ECTS, wherever possible)"
    ),
    "level": _l(
        "Level (and cycle, if applicable) of the learning experience leading to the "
        "micro-credential (EQF, QF-EHEA), if applicable"
    ),
    "assessment_type": _l("Type of assessment"),
    "participation_form": _l("Form of participation in the learning activity"),
    "quality_assurance": _l("Type of quality assurance used to underpin the micro-credential"),
    "prerequisites": _l("Prerequisites needed to enrol in the learning activity"),
    "supervision": _l("Supervision and identity verification during assessment"),
    "grade": _l("Grade achieved"),
    "stackability": _l("Integration/stackability options"),
    "further_information": _l("Further information"),
}
ELEMENT_STATUSES = ("present", "missing", "not_applicable")


@dataclass(frozen=True)
class Element:
    """One Annex I element: its wording, whether it is held, and the property that holds it."""

    label: str
    status: str
    path: str | None


@dataclass(frozen=True)
class Checklist:
    """The Annex I report: mandatory and optional elements, and sentences about them."""

    mandatory: list[Element]
    optional: list[Element]
    sentences: list[str]


def checklist(summary: Mapping[str, Any]) -> Checklist | None:
    """The EU standard elements of a summary's ``eu_standard`` report, if it has one."""
    eu = as_mapping(summary.get("eu_standard"))
    if not eu.get("elements"):
        return None
    mandatory: list[Element] = []
    optional: list[Element] = []
    for item in as_list(eu.get("elements"))[:50]:
        item = as_mapping(item)
        element_id = str(item.get("id", ""))
        status = str(item.get("status", ""))
        element = Element(
            label=str(ELEMENT_LABELS.get(element_id, item.get("label", element_id))),
            status=status if status in ELEMENT_STATUSES else "missing",
            path=str(item["path"]) if item.get("path") else None,
        )
        (mandatory if item.get("mandatory") else optional).append(element)
    held = sum(1 for e in mandatory if e.status == "present")
    sentences = []
    if eu.get("kind") == "activity":
        sentences.append(
            _(
                "A record of participation in a learning activity, "
                "not of assessed learning outcomes."
            )
        )
    if held == len(mandatory):
        sentences.append(_("All %(total)d mandatory elements are present.", total=len(mandatory)))
    else:
        sentences.append(
            _(
                "%(present)d of %(total)d mandatory elements are present.",
                present=held,
                total=len(mandatory),
            )
        )
    sentences.append(
        _(
            "%(present)d of %(total)d optional elements are present.",
            present=sum(1 for e in optional if e.status == "present"),
            total=len(optional),
        )
    )
    return Checklist(mandatory, optional, sentences)
