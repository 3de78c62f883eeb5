"""The EU standard for describing a micro-credential: which elements a credential carries.

Source: Council Recommendation of 16 June 2022 on a European approach to micro-credentials for
lifelong learning and employability (2022/C 243/02), OJ C 243, 27.6.2022, p. 10–25
(CELEX 32022H0627(02)), Annex I "European standard elements to describe a micro-credential".

Mandatory elements (11):
  1. Identification of the learner
  2. Title of the micro-credential
  3. Country(ies)/Region(s) of the issuer
  4. Awarding body(ies)
  5. Date of issuing
  6. Learning outcomes
  7. Notional workload needed to achieve the learning outcomes (in ECTS, wherever possible)
  8. Level (and cycle, if applicable) of the learning experience leading to the
     micro-credential (EQF, QF-EHEA), if applicable
  9. Type of assessment
  10. Form of participation in the learning activity
  11. Type of quality assurance used to underpin the micro-credential
Optional elements, where relevant (a non-exhaustive list, 5):
  1. Prerequisites needed to enrol in the learning activity
  2. Supervision and identity verification during assessment (unsupervised with no identity
     verification, supervised with no identity verification, supervised online or onsite with
     identity verification)
  3. Grade achieved
  4. Integration/stackability options (stand-alone, independent micro-credential /
     integrated, stackable towards another credential)
  5. Further information

The Recommendation is not binding and, as its Annex says, using these elements does not in
itself mean official validation or recognition: a missing element is reported, never a reason
to reject. Each element is read from the :class:`~verifier.summary.Summary` and reported with
the property path that carried it. Optional elements about an assessment are
``not_applicable`` when the credential records participation in an activity and no assessment.
"""

from __future__ import annotations

import enum
from typing import Any

from verifier.records import Record
from verifier.summary import Summary


class ElementStatus(enum.StrEnum):
    """Whether a credential carries an Annex I element."""

    PRESENT = "present"
    MISSING = "missing"
    NOT_APPLICABLE = "not_applicable"


class Annex1Element(Record):
    """One Annex I element: stable id, the Recommendation's wording, status, source path."""

    id: str
    label: str
    short: str
    mandatory: bool
    status: ElementStatus
    path: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The element as JSON."""
        return {
            "id": self.id,
            "label": self.label,
            "mandatory": self.mandatory,
            "status": self.status.value,
            "path": self.path,
        }


# id, mandatory, the summary fields that carry it, short name for sentences, Annex I wording.
# ("learner" and "issuer_countries" are read by _held below.)
ELEMENTS: tuple[tuple[str, bool, str, str, str], ...] = (
    ("learner", True, "learner", "identification of the learner",
     "Identification of the learner"),
    ("title", True, "title", "title",
     "Title of the micro-credential"),
    ("issuer_country", True, "issuer_countries", "country or region of the issuer",
     "Country(ies)/Region(s) of the issuer"),
    ("awarding_body", True, "awarding_bodies", "awarding body",
     "Awarding body(ies)"),
    ("date_of_issuing", True, "issued", "date of issuing",
     "Date of issuing"),
    ("learning_outcomes", True, "outcomes", "learning outcomes",
     "Learning outcomes"),
    ("workload", True, "credits volume_of_learning", "notional workload",
     "Notional workload needed to achieve the learning outcomes (in ECTS, wherever possible)"),
    ("level", True, "eqf nqf", "level",
     "Level (and cycle, if applicable) of the learning experience leading to the "
     "micro-credential (EQF, QF-EHEA), if applicable"),
    ("assessment_type", True, "assessment", "type of assessment",
     "Type of assessment"),
    ("participation_form", True, "participation", "form of participation",
     "Form of participation in the learning activity"),
    ("quality_assurance", True, "quality_assurance", "type of quality assurance",
     "Type of quality assurance used to underpin the micro-credential"),
    ("prerequisites", False, "prerequisites", "prerequisites",
     "Prerequisites needed to enrol in the learning activity"),
    ("supervision", False, "supervision", "supervision and identity verification",
     "Supervision and identity verification during assessment"),
    ("grade", False, "grades", "grade achieved",
     "Grade achieved"),
    ("stackability", False, "stackability parts", "integration and stackability options",
     "Integration/stackability options"),
    ("further_information", False, "further_information", "further information",
     "Further information"),
)  # fmt: skip
MANDATORY_COUNT = sum(1 for e in ELEMENTS if e[1])
OPTIONAL_COUNT = len(ELEMENTS) - MANDATORY_COUNT
_ABOUT_ASSESSMENT = frozenset({"supervision", "grade"})


def _held(summary: Summary, name: str) -> bool:
    if name == "learner":
        learner = summary.learner
        return bool(learner and (learner.name or learner.id or learner.identifiers))
    if name == "issuer_countries":
        return bool(summary.issuer and summary.issuer.countries)
    return bool(getattr(summary, name))


class Annex1Report(Record):
    """Which Annex I elements a credential carries, in the Recommendation's order."""

    elements: tuple[Annex1Element, ...]
    kind: str = "credential"

    def element(self, element_id: str) -> Annex1Element:
        """The element with this id (``KeyError`` if there is none)."""
        for e in self.elements:
            if e.id == element_id:
                return e
        raise KeyError(element_id)

    @property
    def mandatory_present(self) -> int:
        """How many of the 11 mandatory elements the credential carries."""
        return sum(1 for e in self.elements if e.mandatory and e.status is ElementStatus.PRESENT)

    @property
    def optional_present(self) -> int:
        """How many of the 5 optional elements the credential carries."""
        return sum(
            1 for e in self.elements if not e.mandatory and e.status is ElementStatus.PRESENT
        )

    @property
    def missing_mandatory(self) -> tuple[Annex1Element, ...]:
        """The mandatory elements the credential does not state."""
        return tuple(e for e in self.elements if e.mandatory and e.status is ElementStatus.MISSING)

    @property
    def complete(self) -> bool:
        """Whether every mandatory element is present."""
        return not self.missing_mandatory

    @property
    def sentence(self) -> str:
        """One sentence for a person, e.g. "10 of 11 mandatory elements present; …"."""
        missing = [e.short for e in self.missing_mandatory]
        if not missing:
            text = f"All {MANDATORY_COUNT} mandatory elements present."
        else:
            names = missing[0] if len(missing) == 1 else ", ".join(missing[:-1])
            if len(missing) > 1:
                names += f" and {missing[-1]}"
            text = (
                f"{self.mandatory_present} of {MANDATORY_COUNT} mandatory elements present; "
                f"{names} not stated."
            )
        if self.kind == "activity":
            text = (
                "A record of participation in a learning activity, not of assessed learning "
                "outcomes. " + text
            )
        return text

    def to_json(self) -> dict[str, Any]:
        """The report as JSON for templates: counts, the sentence and every element."""
        return {
            "standard": "Council Recommendation 2022/C 243/02, Annex I",
            "kind": self.kind,
            "complete": self.complete,
            "mandatory_present": self.mandatory_present,
            "mandatory_total": MANDATORY_COUNT,
            "optional_present": self.optional_present,
            "optional_total": OPTIONAL_COUNT,
            "sentence": self.sentence,
            "elements": [e.to_json() for e in self.elements],
        }


def annex1_report(summary: Summary) -> Annex1Report:
    """Check a summary against the Annex I elements (Council Recommendation 2022/C 243/02)."""
    no_assessment = summary.kind == "activity" and not summary.assessment
    elements = []
    for element_id, mandatory, names, short, label in ELEMENTS:
        held = next((name for name in names.split() if _held(summary, name)), None)
        path = summary.paths.get(held) if held else None
        if held:
            status = ElementStatus.PRESENT
        elif no_assessment and element_id in _ABOUT_ASSESSMENT:
            status = ElementStatus.NOT_APPLICABLE
        else:
            status = ElementStatus.MISSING
        elements.append(Annex1Element(element_id, label, short, mandatory, status, path or None))
    return Annex1Report(elements=tuple(elements), kind=summary.kind)


def with_eu_standard(summary: Summary) -> dict[str, Any]:
    """The summary's JSON with its Annex I report under ``"eu_standard"``."""
    return {**summary.to_json(), "eu_standard": annex1_report(summary).to_json()}
