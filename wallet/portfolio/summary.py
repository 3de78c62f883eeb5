"""What a credential says (its stored summary) as titled sections of labelled values.

The summary is JSON written by :mod:`verifier.summary` from an untrusted document and read back
from the database, so every field is checked for its shape before it is used; a field of the
wrong shape is left out, never an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from wallet.portfolio.present import (
    Text,
    as_list,
    as_mapping,
    number,
    safe_url,
    text_of,
    when,
)


@dataclass(frozen=True)
class Fact:
    """A label and its values (a row of a definition list)."""

    label: str
    values: list[Text]


@dataclass(frozen=True)
class Section:
    """A titled group of facts."""

    id: str
    heading: str
    facts: list[Fact]


class Reader:
    """Turns the parts of one summary into :class:`Text` in the reader's languages."""

    def __init__(self, langs: list[str]) -> None:
        self.langs = langs

    def text(self, value: Any, *, url: Any = None) -> Text | None:
        """Text from a language map, optionally linked."""
        return text_of(value, self.langs, url=url)

    def plain(self, value: Any, *, url: Any = None) -> Text | None:
        """Text from a plain string (an identifier, a URL, a code)."""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            return None
        return Text(str(value), url=safe_url(url)) if str(value).strip() else None

    def concept(self, value: Any) -> Text | None:
        """A term, skill or level: its label, else its code or URI; linked to its URI."""
        c = as_mapping(value)
        uri = c.get("uri")
        return (
            self.text(c.get("label"), url=uri)
            or self.plain(c.get("code"), url=uri)
            or self.plain(uri, url=uri)
        )

    def party(self, value: Any) -> Text | None:
        """An issuer or awarding body: its name (linked to its website) and its countries."""
        p = as_mapping(value)
        countries = tuple(filter(None, (self.concept(c) for c in as_list(p.get("countries")))))
        name = self.text(p.get("name"), url=p.get("homepage")) or self.plain(p.get("id"))
        return Text(name.text, name.lang, name.url, countries) if name else None

    def ref(self, value: Any) -> Text | None:
        """A reference to another credential or specification: its title, else its id."""
        r = as_mapping(value)
        title, link = r.get("title"), r.get("id")
        return self.text(title, url=link) or self.plain(link, url=link)

    def each(self, values: Any, read: Any) -> list[Text]:
        """``read`` applied to each item of a JSON list, the empty results left out."""
        return [t for t in (read(v) for v in as_list(values)[:200]) if t is not None]


def sections(summary: Mapping[str, Any], kind_label: str, langs: list[str]) -> list[Section]:
    """Everything the summary holds, grouped for the detail page; empty facts left out."""
    s, r = summary, Reader(langs)
    groups = [
        ("about", _("About this credential"), _about(s, r, kind_label)),
        ("issuer", _("Issuer and awarding body"), _issuer(s, r)),
        ("learning", _("What was learned"), _learning(s, r)),
        ("assessment", _("Assessment and quality"), _assessment(s, r)),
        ("stackability", _("Stacking and further information"), _stacking(s, r)),
        ("evidence", _("Evidence and endorsements"), _evidence(s, r)),
    ]
    return [
        Section(section_id, heading, [Fact(label, v) for label, v in facts if v])
        for section_id, heading, facts in groups
        if any(v for _, v in facts)
    ]


def _one(value: Text | None) -> list[Text]:
    return [value] if value is not None else []


def _about(s: Mapping[str, Any], r: Reader, kind_label: str) -> list[tuple[str, list[Text]]]:
    learner = as_mapping(s.get("learner"))
    ids = [
        r.plain(f"{i.get('scheme')}: {i.get('value')}" if i.get("scheme") else i.get("value"))
        for i in map(as_mapping, as_list(learner.get("identifiers")))
    ]
    name = r.text(learner.get("name"))
    learner_texts = [*_one(name), *_one(r.plain(learner.get("id"))), *filter(None, ids)]
    link = s.get("criteria_url")
    criteria = r.text(s.get("criteria"), url=link) or r.plain(link, url=link)
    identifiers = [
        r.plain(f"{i.get('scheme')}: {i.get('value')}" if i.get("scheme") else i.get("value"))
        for i in map(as_mapping, as_list(s.get("identifiers")))
    ]
    return [
        (_("Kind of credential"), [Text(kind_label), *_one(r.concept(s.get("achievement_type")))]),
        (_("Learner"), learner_texts),
        (_("Issued on"), _one(r.plain(when(s.get("issued"))))),
        (_("Valid from"), _one(r.plain(when(s.get("valid_from"))))),
        (_("Valid until"), _one(r.plain(when(s.get("valid_until"))))),
        (_("Languages"), r.each(s.get("languages"), r.concept)),
        (_("Field of study"), _one(r.text(s.get("field_of_study")))),
        (_("Specialisation"), _one(r.text(s.get("specialization")))),
        (_("Criteria"), _one(criteria)),
        (_("Tags"), r.each(s.get("tags"), r.plain)),
        (_("Identifiers"), [i for i in identifiers if i]),
    ]


def _issuer(s: Mapping[str, Any], r: Reader) -> list[tuple[str, list[Text]]]:
    issuer = as_mapping(s.get("issuer"))
    name = r.text(issuer.get("name"), url=issuer.get("homepage")) or r.plain(s.get("issuer"))
    return [
        (_("Issuer"), _one(name)),
        (_("Country or region of the issuer"), r.each(issuer.get("countries"), r.concept)),
        (_("Issuer's identifier"), _one(r.plain(issuer.get("id")))),
        (_("Issuer's email address"), _one(r.plain(issuer.get("email")))),
        (_("Awarding body"), r.each(s.get("awarding_bodies"), r.party)),
        (_("Created by"), _one(r.party(s.get("creator")))),
        (_("Sealed by"), _one(r.plain(s.get("sealed_by")))),
        (_("Sealed on"), _one(r.plain(when(s.get("sealed_at"), time=True)))),
    ]


def _credits(c: Mapping[str, Any], r: Reader) -> Text | None:
    value, text = c.get("value"), c.get("text")
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    shown = number(value) if numeric else text if isinstance(text, str) else None
    if not shown:
        return None
    if c.get("framework") == "ECTS":
        return Text(_("%(ects)s ECTS", ects=shown))
    framework = r.text(c.get("framework_label"))
    label = (
        _("%(credits)s credits (%(framework)s)", credits=shown, framework=framework.text)
        if (framework)
        else _("%(credits)s credits", credits=shown)
    )
    return Text(label, url=safe_url(c.get("framework_uri")))


def _volume(value: Any) -> Text | None:
    v = as_mapping(value)
    hours = v.get("hours")
    if isinstance(hours, int) and not isinstance(hours, bool):
        return Text(ngettext("%(num)d hour", "%(num)d hours", hours))
    if isinstance(hours, float):
        return Text(_("%(hours)s hours", hours=number(hours)))
    return Text(str(v["iso"])) if isinstance(v.get("iso"), str) else None


def _learning(s: Mapping[str, Any], r: Reader) -> list[tuple[str, list[Text]]]:
    outcomes = []
    for o in map(as_mapping, as_list(s.get("outcomes"))[:200]):
        skills = tuple(r.each(o.get("skills"), r.concept))
        text = r.text(o.get("text")) or Text("")
        if text.text or skills:
            outcomes.append(Text(text.text, text.lang, None, skills))
    eqf = as_mapping(s.get("eqf"))
    level = s.get("eqf_level")
    levels = []
    if isinstance(level, int) and not isinstance(level, bool):
        levels.append(Text(_("EQF level %(level)d", level=level), url=safe_url(eqf.get("uri"))))
    elif eqf:
        levels += _one(r.concept(eqf))
    levels += r.each(s.get("nqf"), r.concept)
    return [
        (_("Learning outcomes"), outcomes),
        (_("Skills"), r.each(s.get("skills"), r.concept)),
        (_("Credits"), r.each(s.get("credits"), lambda c: _credits(as_mapping(c), r))),
        (_("Volume of learning"), _one(_volume(s.get("volume_of_learning")))),
        (_("Level"), levels),
        (_("Prerequisites"), r.each(s.get("prerequisites"), r.text)),
    ]


def _assessment(s: Mapping[str, Any], r: Reader) -> list[tuple[str, list[Text]]]:
    grades = []
    for g in map(as_mapping, as_list(s.get("grades"))[:200]):
        name, value = r.text(g.get("name")), r.text(g.get("value"))
        if value:
            text = f"{name.text}: {value.text}" if name else value.text
            grades.append(Text(text, value.lang))
    return [
        (_("Type of assessment"), r.each(s.get("assessment"), r.concept)),
        (_("Form of participation"), r.each(s.get("participation"), r.concept)),
        (_("Learning setting"), _one(r.concept(s.get("learning_setting")))),
        (_("Grade"), grades),
        (_("Supervision and identity verification"), r.each(s.get("supervision"), r.concept)),
        (_("Quality assurance"), r.each(s.get("quality_assurance"), r.concept)),
    ]


def _stacking(s: Mapping[str, Any], r: Reader) -> list[tuple[str, list[Text]]]:
    stack = as_mapping(s.get("stackability"))
    partial = stack.get("partial_qualification")
    parts = r.each(s.get("parts"), lambda p: r.text(as_mapping(p).get("title")))
    count = s.get("part_count")
    if isinstance(count, int) and count > len(parts):
        parts.append(Text(ngettext("%(num)d part in all", "%(num)d parts in all", count)))
    return [
        (
            _("Partial qualification"),
            [Text(_("Yes") if partial else _("No"))] if isinstance(partial, bool) else [],
        ),
        (_("Part of"), r.each(stack.get("part_of"), r.ref)),
        (_("Includes"), r.each(stack.get("has_part"), r.ref)),
        (_("Parts"), parts),
        (_("Further information"), r.each(s.get("further_information"), r.text)),
    ]


def _evidence(s: Mapping[str, Any], r: Reader) -> list[tuple[str, list[Text]]]:
    evidence = []
    for e in map(as_mapping, as_list(s.get("evidence"))[:200]):
        name = r.text(e.get("name"), url=e.get("url")) or r.plain(e.get("url"), url=e.get("url"))
        description = r.text(e.get("description"))
        if name or description:
            head = name or Text(_("Evidence"))
            evidence.append(Text(head.text, head.lang, head.url, tuple(_one(description))))
    endorsements = []
    for e in map(as_mapping, as_list(s.get("endorsements"))[:200]):
        who = r.text(e.get("issuer")) or r.plain(e.get("issuer_id"))
        comment = r.text(e.get("comment"))
        if who or comment:
            head = who or Text(_("Endorsement"))
            endorsements.append(Text(head.text, head.lang, None, tuple(_one(comment))))
    return [(_("Evidence"), evidence), (_("Endorsements"), endorsements)]
