"""Turn a verification report (its JSON, as :meth:`verifier.Report.to_json` gives it) into the
plain objects the results templates show (:mod:`verifier.web.shown`), in the reader's language.

The results page and the printable report are both made from the report's JSON, so what the
employer keeps says exactly what the page said.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

from verifier.report import ADVISORY_CHECKS, CHALLENGE, DOMAIN, HOLDER_BINDING, HOLDER_PROOF
from verifier.summary import LangText
from verifier.web.i18n import Reader, reader, table
from verifier.web.messages import wording
from verifier.web.shown import (
    CheckShown,
    ElementShown,
    EuStandardShown,
    ReportShown,
    SummaryShown,
    TrustDateShown,
)

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
    return [reader().code]


def pick(value: Any) -> str:
    """A credential's text (a language map or a string) in the reader's language."""
    return LangText.of(value).pick(languages())


def when(value: Any) -> str:
    """An ISO date and time as the reader writes it; the text itself when it does not parse."""
    return _Page(reader()).when(value)


#: An ISO date and time with a fraction of a second, which a "medium" date leaves out.
_FRACTION = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.\d+(Z|[+-]\d\d:\d\d)")


@functools.lru_cache(maxsize=4096)
def _when(value: str, code: str, zone: str) -> str:
    """One date in one language and time zone, the current request's (the cache keeps each:
    a page shows the same check time and trust data dates many times; the time a report was
    checked is looked up without its fraction of a second, which the page does not show, so
    reports checked in the same second share it)."""
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


#: A check's status as a badge: its symbol (never colour alone) and its style.
STATUS_SYMBOLS = {"passed": "✓", "failed": "✗", "unknown": "?", "not_applicable": "–"}
STATUS_BADGES = {"passed": "verified", "failed": "danger"}
#: An EU standard element's status as a symbol.
ELEMENT_SYMBOLS = {"present": "✓", "not_applicable": "–"}


def check_view(check: Mapping[str, Any]) -> CheckShown:
    """One check for a template: name, status words and badge, message in the reader's
    language."""
    return _Page(reader()).check(check)


def summary_view(summary: Mapping[str, Any]) -> SummaryShown:
    """What a credential says, reduced to what an employer reads first."""
    return _Page(reader()).summary(summary)


def eu_standard_view(eu: Any) -> EuStandardShown | None:
    """The EU standard elements a credential states, with counts, or ``None`` without them."""
    return _Page(reader()).eu_standard(eu)


def report_view(data: Mapping[str, Any]) -> ReportShown:
    """A report (credential or presentation) and its credentials, ready for the templates."""
    return _Page(reader()).report(data)


class _Page:
    """The views of one page, for one reader: the language and its wording are looked up once
    for all the checks and credentials on it."""

    def __init__(self, r: Reader) -> None:
        self.r = r
        self.langs = [r.code]
        self.zone = str(r.timezone)
        self.wording = wording()

    def text(self, value: Any) -> str:
        return LangText.of(value).pick(self.langs)

    def when(self, value: Any) -> str:
        if not isinstance(value, str) or not value:
            return ""
        whole = _FRACTION.fullmatch(value)
        if whole is not None:
            value = whole[1] + whole[2]
        return _when(value, self.r.code, self.zone)

    def check(self, check: Mapping[str, Any]) -> CheckShown:
        raw_id, raw_status = check.get("id"), check.get("status")
        status, check_id = str(raw_status), str(raw_id)
        english = str(check.get("message") or "")
        wording = self.wording
        translated = None
        if self.r.code != "en":
            translated = wording.sentence(check_id, status, check.get("reason"))
        data_date = check.get("data_date")
        # Positional, in CheckShown's order: a page makes some thirty of them.
        return CheckShown(
            raw_id,
            wording.check_name(check_id),
            status,
            wording.status_name(status),
            STATUS_SYMBOLS.get(status, "?"),
            STATUS_BADGES.get(status, "unknown"),
            translated or english,
            english if translated else None,
            check.get("detail"),
            self.when(data_date) if data_date else "",
            raw_id in ADVISORY_CHECKS,
        )

    def summary(self, summary: Mapping[str, Any]) -> SummaryShown:
        text = self.text
        issuer = summary.get("issuer") if isinstance(summary.get("issuer"), Mapping) else {}
        credits = [c for c in summary.get("credits") or () if isinstance(c, Mapping)]
        ects = [c for c in credits if str(c.get("framework") or "").upper() == "ECTS"]
        levels = []
        if summary.get("eqf_level"):
            levels.append(self.r.gettext("EQF level %(level)s", level=summary["eqf_level"]))
        elif isinstance(summary.get("eqf"), Mapping):
            eqf = summary["eqf"]
            levels.append(text(eqf.get("label")) or str(eqf.get("uri") or ""))
        for nqf in summary.get("nqf") or ():
            if isinstance(nqf, Mapping):
                levels.append(text(nqf.get("label")) or str(nqf.get("uri") or ""))
        skills = [
            text(s.get("label")) or str(s.get("uri") or "")
            for s in summary.get("skills") or ()
            if isinstance(s, Mapping)
        ]
        learner = summary.get("learner") if isinstance(summary.get("learner"), Mapping) else {}
        return SummaryShown(
            title=text(summary.get("title")) or self.r.gettext("Untitled credential"),
            description=text(summary.get("description")),
            issuer_name=text(issuer.get("name")) or str(issuer.get("id") or ""),
            issuer_id=issuer.get("id") if isinstance(issuer.get("id"), str) else None,
            learner=text(learner.get("name")) or str(learner.get("id") or ""),
            issued=self.when(summary.get("issued")),
            valid_until=self.when(summary.get("valid_until")),
            ects=[c.get("value") for c in ects if c.get("value") is not None],
            credits=[str(c.get("text") or "") for c in credits if c not in ects and c.get("text")],
            levels=[x for x in levels if x],
            skills=[s for s in skills if s],
            eu_standard=self.eu_standard(summary.get("eu_standard")),
        )

    def eu_standard(self, eu: Any) -> EuStandardShown | None:
        if not isinstance(eu, Mapping):
            return None
        r = self.r
        names = table(ELEMENT_NAMES)
        labels = {"present": r.gettext("Stated"), "not_applicable": r.gettext("Not applicable")}
        missing = r.gettext("Not stated")
        elements = []
        for e in eu.get("elements") or ():
            if not isinstance(e, Mapping):
                continue
            element_id, status = e.get("id"), e.get("status")
            key = str(status)
            elements.append(
                ElementShown(  # positional, in ElementShown's order: a page makes about fifty
                    str(names.get(element_id) or e.get("label") or element_id),
                    bool(e.get("mandatory")),
                    status,
                    labels.get(key, missing),
                    ELEMENT_SYMBOLS.get(key, "○"),
                )
            )
        present = int(eu.get("mandatory_present") or 0)
        total = int(eu.get("mandatory_total") or 0)
        return EuStandardShown(
            sentence=r.ngettext(
                "%(present)d of %(num)d mandatory element stated.",
                "%(present)d of %(num)d mandatory elements stated.",
                total,
                present=present,
            ),
            elements=tuple(elements),
            optional=r.gettext("(optional)"),
        )

    def report(self, data: Mapping[str, Any]) -> ReportShown:
        key = outcome_key(data)
        checks = tuple(self.check(c) for c in data.get("checks") or () if isinstance(c, Mapping))
        holder: tuple[CheckShown, ...] = ()
        if data.get("kind") == "presentation":
            holder = tuple(c for c in checks if c.id in HOLDER_CHECKS)
            checks = tuple(c for c in checks if c.id not in HOLDER_CHECKS)
        summary = data.get("summary")
        return ReportShown(
            kind=data.get("kind"),
            format=data.get("format"),
            outcome=key,
            headline=table(HEADLINES)[key],
            checked_at=self.when(data.get("checked_at")),
            checks=checks,
            holder=holder,
            credentials=[self.report(inner) for inner in data.get("credentials") or ()],
            summary=self.summary(summary) if isinstance(summary, Mapping) and summary else None,
        )


def trust_dates(view: ReportShown, *, where: str = "") -> list[TrustDateShown]:
    """Every check that relied on dated trust data: which, for what, and the data's date."""
    found = []
    label = where or (view.summary.title if view.summary else "")
    for check in [*view.holder, *view.checks]:
        if check.data_date:
            found.append(TrustDateShown(check=check.name, about=label, date=check.data_date))
    for inner in view.credentials:
        found += trust_dates(inner)
    return found
