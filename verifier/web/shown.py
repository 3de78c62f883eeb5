"""The plain objects the results templates show (made by :mod:`verifier.web.present`).

They are named tuples rather than dicts because a template reads ``check.status`` as an
attribute first: on a dict that lookup fails, raising an exception, before the key is tried,
and a results page reads some seven hundred of them. (Named tuples are also quicker to make
than frozen dataclasses, and a page makes about a hundred.)
"""

from __future__ import annotations

from typing import Any, NamedTuple


class CheckShown(NamedTuple):
    """One check: its name, status in words and as a badge, and the message to read."""

    id: Any
    name: str
    status: str
    status_label: str
    symbol: str  # the status as a symbol, never colour alone
    badge: str  # the badge's style: verified, danger or unknown
    message: str  # in the reader's language when there is a translated sentence
    english: str | None  # the English message, when ``message`` is a translation
    detail: Any
    data_date: str  # the date of the trust data the check used, as the reader writes it
    advisory: bool


class ElementShown(NamedTuple):
    """One EU standard element of a micro-credential and whether it is stated."""

    name: str
    mandatory: bool
    status: Any
    status_label: str
    symbol: str


class EuStandardShown(NamedTuple):
    """The EU standard elements a credential states, with the count in a sentence."""

    sentence: str
    elements: tuple[ElementShown, ...]
    optional: str  # "(optional)" in the reader's language


class SummaryShown(NamedTuple):
    """What a credential says, reduced to what an employer reads first."""

    title: str
    description: str
    issuer_name: str
    issuer_id: str | None
    learner: str
    issued: str
    valid_until: str
    ects: list[Any]
    credits: list[str]
    levels: list[str]
    skills: list[str]
    eu_standard: EuStandardShown | None


class ReportShown(NamedTuple):
    """A report (credential or presentation): its outcome, checks and credentials."""

    kind: Any
    format: Any
    outcome: str
    headline: str
    checked_at: str
    checks: tuple[CheckShown, ...]  # of a presentation: the checks that are not the holder's
    holder: tuple[CheckShown, ...]  # of a presentation: the holder binding checks
    credentials: list[ReportShown]
    summary: SummaryShown | None


class TrustDateShown(NamedTuple):
    """A check that relied on dated trust data: which, for what, and the data's date."""

    check: str
    about: str
    date: str
