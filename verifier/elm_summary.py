"""European Digital Credentials (European Learning Model v3, EDC application profile) as a
:class:`~verifier.summary.Summary`.

The credential subject is a Person whose ``hasClaim`` holds LearningAchievement,
LearningActivity, LearningAssessment or LearningEntitlement claims. The first achievement (else
the first claim) is summarized; its ``specifiedBy`` (LearningAchievementSpecification or
Qualification) carries ``title``, ``learningOutcome`` with ``relatedESCOSkill``,
``creditPoint`` (``framework`` + ``point``), ``volumeOfLearning``, ``eqfLevel``/``nqfLevel``,
``mode``, ``learningSetting``, ``entryRequirement``, ``isPartialQualification`` and
``accreditation``; its ``provenBy`` assessments carry ``grade``, ``idVerification`` (the v3
name for supervision and identity verification) and a specification whose ``dcType`` is the
type of assessment; ``awardedBy.awardingBody`` names the awarding body. Other claims and
``hasPart`` sub-claims become ``parts``. Property names follow the ELM ontology (ELM.ttl 3.2)
and the EDC-AP JSON-LD context; ``wasDerivedFrom`` (ELM 2) is read as ``provenBy``.

``issued`` (ELM: "the date and time the credential was digitally signed") or ``issuanceDate``
is the date of issuing; ``validFrom`` is a different date in ELM and is not used for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from verifier.annex1 import with_eu_standard
from verifier.summary import (
    MAX_IMAGE,
    Concept,
    Credits,
    Draft,
    Duration,
    Evidence,
    Identifier,
    LangText,
    Learner,
    Outcome,
    Party,
    Ref,
    Result,
    Stackability,
    Summary,
    child,
    children,
    image_of,
    number,
    string,
    types_of,
    url_of,
)

ECTS_URI = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
EQF_PREFIX = "http://data.europa.eu/snb/eqf/"
COUNTRY_PREFIX = "http://publications.europa.eu/resource/authority/country/"
KINDS = {
    "LearningAchievement": "achievement",
    "LearningActivity": "activity",
    "LearningAssessment": "assessment",
    "LearningEntitlement": "entitlement",
}
MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "SVG": "image/svg+xml"}
MAX_DEPTH = 2
_BASE64 = re.compile(r"^[A-Za-z0-9+/=\s]+$")


def summarize_elm(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Summarize an EDC (ELM v3 JSON-LD payload, already parsed), with its Annex I report."""
    return with_eu_standard(elm_summary(payload))


def elm_summary(payload: Mapping[str, Any]) -> Summary:
    """The :class:`Summary` of an EDC payload; odd input gives a thinner summary, never an error."""
    if not isinstance(payload, Mapping):
        return Summary(data_model="elm")
    d = Draft(data_model="elm", types=list(types_of(payload)))
    for key in ("issued", "issuanceDate"):
        d.put("issued", string(payload.get(key)), key)
    d.put("valid_from", string(payload.get("validFrom")), "validFrom")
    for key in ("validUntil", "expirationDate"):
        d.put("valid_until", string(payload.get(key)), key)
    issuer, ipath = child(payload, "issuer", "")
    if issuer is not None:
        _put_party(d, "issuer", issuer, ipath)
        d.add("quality_assurance", _accreditations(issuer, ipath), f"{ipath}.accreditation")
    subject, spath = child(payload, "credentialSubject", "")
    if subject is not None:
        d.put("learner", _learner(subject, spath), _learner_path(subject, spath))
        claims = children(subject, "hasClaim", spath)
        main = next((c for c in claims if "LearningAchievement" in types_of(c[0])), None)
        main = main or (claims[0] if claims else None)
        if main is not None:
            d.fields["kind"] = KINDS.get(next(iter(types_of(main[0])), ""), "credential")
            _claim(d, *main, depth=0)
        others = [c for c in claims if c is not main]
        d.add("parts", [_part(c, p, 1) for c, p in others], f"{spath}.hasClaim")
        d.fields["part_count"] = len(d.fields.get("parts", []))
    _display(d, payload)
    for ev, path in children(payload, "evidence", ""):
        kind = Concept.of(ev.get("dcType"))
        url = url_of(ev.get("id"))
        evidence = Evidence(
            kind.label if kind else LangText(),
            LangText.of(ev.get("evidenceStatement")),
            url if url and url.startswith(("https://", "http://")) else None,
        )
        d.add("evidence", [evidence], path)
    d.add(
        "identifiers",
        [_identifier(i) for i, _ in children(payload, "identifier", "")],
        "identifier",
    )
    return d.build()


def _part(claim: Mapping[str, Any], path: str, depth: int) -> Summary:
    d = Draft(data_model="elm", kind=KINDS.get(next(iter(types_of(claim)), ""), "credential"))
    _claim(d, claim, path, depth=depth)
    return d.build()


def _claim(d: Draft, claim: Mapping[str, Any], path: str, *, depth: int) -> None:
    d.add("claim_types", types_of(claim), f"{path}.type")
    spec, sp = child(claim, "specifiedBy", path)
    for obj, where in ((claim, path), (spec, sp)):
        d.put("title", LangText.of(_get(obj, "title")), f"{where}.title")
        d.put("description", LangText.of(_get(obj, "description")), f"{where}.description")
    d.put("achievement_type", Concept.of(_get(spec, "dcType")), f"{sp}.dcType")
    for proc, pp in children(claim, "awardedBy", path):
        for body, bp in children(proc, "awardingBody", pp):
            d.add("awarding_bodies", [_party(body, bp)[0]], bp)
            d.add("quality_assurance", _accreditations(body, bp), f"{bp}.accreditation")
    _specification(d, spec, sp)
    activities = [child(a, "specifiedBy", ap) for a, ap in children(claim, "influencedBy", path)]
    for aspec, asp in activities:
        d.put(
            "volume_of_learning",
            Duration.of(_get(aspec, "volumeOfLearning")),
            f"{asp}.volumeOfLearning",
        )
        d.add("participation", [Concept.of(_get(aspec, "mode"))], f"{asp}.mode")
    d.put("volume_of_learning", Duration.of(claim.get("workload")), f"{path}.workload")
    for key in ("provenBy", "wasDerivedFrom"):
        for assessment, ap in children(claim, key, path):
            _assessment(d, assessment, ap)
    for obj, where in ((claim, path), (spec, sp)):
        notes = [_note(n) for n in _each(_get(obj, "additionalNote"))]
        d.add("further_information", notes, f"{where}.additionalNote")
    subclaims = children(claim, "hasPart", path)
    if depth < MAX_DEPTH:
        d.add("parts", [_part(c, p, depth + 1) for c, p in subclaims], f"{path}.hasPart")
    d.put("stackability", _stackability(claim, spec), _stack_path(claim, spec, path, sp))


def _specification(d: Draft, spec: Mapping[str, Any] | None, sp: str) -> None:
    if spec is None:
        return
    for lo, lp in children(spec, "learningOutcome", sp):
        skills = [Concept.of(s, framework="ESCO") for s in _each(lo.get("relatedESCOSkill"))]
        skills += [Concept.of(s) for s in _each(lo.get("relatedSkill"))]
        skills = [s for s in skills if s]
        text = LangText.of(lo.get("title"))
        outcome = Outcome(text, tuple(skills)) if text or skills else None
        d.add("outcomes", [outcome], f"{sp}.learningOutcome")
        d.add("skills", skills, f"{lp}.relatedESCOSkill")
    d.each("outcomes", spec, "learningOutcomeSummary", sp, _outcome_note)
    d.each("credits", spec, "creditPoint", sp, _credits)
    d.put("volume_of_learning", Duration.of(spec.get("volumeOfLearning")), f"{sp}.volumeOfLearning")
    eqf = Concept.of(spec.get("eqfLevel"), framework="EQF")
    if d.put("eqf", eqf, f"{sp}.eqfLevel") and eqf and eqf.uri and eqf.uri.startswith(EQF_PREFIX):
        level = number(eqf.uri[len(EQF_PREFIX) :])
        d.fields["eqf_level"] = level if isinstance(level, int) and 1 <= level <= 8 else None
    d.each("nqf", spec, "nqfLevel", sp, lambda c: Concept.of(c, framework="NQF"))
    d.each("participation", spec, "mode", sp, Concept.of)
    d.put("learning_setting", Concept.of(spec.get("learningSetting")), f"{sp}.learningSetting")
    d.each("prerequisites", spec, "entryRequirement", sp, _note)
    d.add("quality_assurance", _accreditations(spec, sp), f"{sp}.accreditation")
    d.each("languages", spec, "language", sp, Concept.of)
    for aspec, ap in children(spec, "provenBy", sp):
        d.add("assessment", [Concept.of(aspec.get("dcType"))], f"{ap}.dcType")
    for doc, dp in children(spec, "supplementaryDocument", sp):
        d.add("further_information", [_web(doc)], dp)
    d.each("further_information", spec, "homepage", sp, _web)


def _assessment(d: Draft, assessment: Mapping[str, Any], ap: str) -> None:
    aspec, asp = child(assessment, "specifiedBy", ap)
    kind = Concept.of(_get(aspec, "dcType"))
    title, where = LangText.of(_get(aspec, "title")), f"{asp}.title"
    if not title:
        title, where = LangText.of(assessment.get("title")), f"{ap}.title"
    if kind:
        d.add("assessment", [kind], f"{asp}.dcType")
    elif title:
        d.add("assessment", [Concept(title)], where)
    grade = _note(assessment.get("grade"))
    d.add("grades", [Result(title, grade)] if grade else [], f"{ap}.grade")
    d.add("supervision", [Concept.of(assessment.get("idVerification"))], f"{ap}.idVerification")


def _display(d: Draft, payload: Mapping[str, Any]) -> None:
    display, dp = child(payload, "displayParameter", "")
    if display is None:
        return
    d.put("title", LangText.of(display.get("title")), f"{dp}.title")
    d.put("description", LangText.of(display.get("description")), f"{dp}.description")
    for key in ("primaryLanguage", "language"):
        d.each("languages", display, key, dp, Concept.of)
    for ind, ip in children(display, "individualDisplay", dp):
        for detail, ddp in children(ind, "displayDetail", ip):
            media, mp = child(detail, "image", ddp)
            d.put("image", _media(media), mp)


def _media(media: Mapping[str, Any] | None) -> str | None:
    if media is None:
        return image_of(None)
    content = media.get("content")
    file_type = (url_of(media.get("contentType")) or "").rsplit("/", 1)[-1].upper()
    if file_type not in MIME or not isinstance(content, str) or len(content) > MAX_IMAGE:
        return image_of(media.get("contentUrl") or media.get("contentURL"))
    if not _BASE64.match(content):
        return None
    return image_of(f"data:{MIME[file_type]};base64,{''.join(content.split())}")


def _put_party(d: Draft, name: str, obj: Mapping[str, Any], path: str) -> None:
    party, countries_path = _party(obj, path)
    d.put(name, party, path)
    if party.countries and countries_path:
        d.paths.setdefault(f"{name}_countries", countries_path)


def _party(obj: Mapping[str, Any], path: str) -> tuple[Party, str | None]:
    name = LangText.of(obj.get("legalName")) or LangText.of(obj.get("prefLabel"))
    countries: list[Concept] = []
    where = None
    for loc, lp in children(obj, "location", path):
        for addr, ap in children(loc, "address", lp):
            country = _country(addr.get("countryCode"))
            if country and country not in countries:
                countries.append(country)
                where = where or f"{ap}.countryCode"
    for key in ("registration", "eIDASIdentifier", "vatIdentifier", "taxIdentifier"):
        for ident, ip in children(obj, key, path):
            country = _country(ident.get("spatial")) if not countries else None
            if country and country not in countries:
                countries.append(country)
                where = where or f"{ip}.spatial"
    homepage = next((url_of(h) for h, _ in children(obj, "homepage", path)), None)
    mail = next(
        (
            url_of(m)
            for c, cp in children(obj, "contactPoint", path)
            for m, _ in children(c, "emailAddress", cp)
        ),
        None,
    )
    email = mail[7:] if mail and mail.lower().startswith("mailto:") else mail
    return Party(name, string(obj.get("id")), tuple(countries), homepage, email), where


def _country(value: Any) -> Concept | None:
    concept = Concept.of(value)
    if concept and concept.uri and concept.uri.startswith(COUNTRY_PREFIX):
        return Concept(concept.label, concept.uri, concept.uri[len(COUNTRY_PREFIX) :])
    return concept


def _learner(subject: Mapping[str, Any], path: str) -> Learner | None:
    name = LangText.of(subject.get("fullName"))
    if not name:
        given, family = (
            LangText.of(subject.get("givenName")),
            LangText.of(subject.get("familyName")),
        )
        name = LangText(
            {
                lang: f"{given.get(lang, '')} {family.get(lang, '')}".strip()
                for lang in {*given, *family}
            }
        )
    ids = [
        _identifier(i)
        for key in ("nationalID", "identifier")
        for i, _ in children(subject, key, path)
    ]
    learner = Learner(name, string(subject.get("id")), tuple(i for i in ids if i))
    return learner if learner.name or learner.id or learner.identifiers else None


def _learner_path(subject: Mapping[str, Any], path: str) -> str:
    for key in ("fullName", "givenName", "familyName", "id", "nationalID", "identifier"):
        if subject.get(key):
            return f"{path}.{key}"
    return path


def _identifier(obj: Mapping[str, Any]) -> Identifier | None:
    value = string(obj.get("notation"))
    return Identifier(string(obj.get("schemeName")), value) if value else None


def _credits(cp: Any) -> Credits | None:
    if not isinstance(cp, Mapping):
        return None
    text = string(cp.get("point")) or (
        str(cp["point"]) if number(cp.get("point")) is not None else None
    )
    if text is None:
        return None
    framework = Concept.of(cp.get("framework"))
    label = framework.label if framework else LangText()
    uri = framework.uri if framework else None
    ects = uri == ECTS_URI or any(
        "ECTS" in t or "European Credit Transfer" in t for t in label.values()
    )
    return Credits(text, number(text), "ECTS" if ects else None, label, uri)


def _accreditations(obj: Mapping[str, Any], path: str) -> list[Concept | None]:
    found = []
    for acc, _ in children(obj, "accreditation", path):
        kind = Concept.of(acc.get("dcType"))
        title = LangText.of(acc.get("title"))
        found.append(
            Concept(
                title or (kind.label if kind else LangText()),
                kind.uri if kind else string(acc.get("id")),
            )
        )
    return found


def _stackability(claim: Mapping[str, Any], spec: Mapping[str, Any] | None) -> Stackability:
    partial = _get(spec, "isPartialQualification")
    refs = {
        key: [_ref(o) for obj in (claim, spec) for o, _ in children(obj, key, "")]
        for key in ("isPartOf", "hasPart")
    }
    return Stackability(
        partial if isinstance(partial, bool) else None,
        tuple(refs["isPartOf"]),
        tuple(refs["hasPart"]),
    )


def _stack_path(claim: Any, spec: Any, path: str, sp: str) -> str:
    for obj, where in ((spec, sp), (claim, path)):
        for key in ("isPartialQualification", "isPartOf", "hasPart"):
            if isinstance(obj, Mapping) and key in obj:
                return f"{where}.{key}"
    return path


def _ref(obj: Mapping[str, Any]) -> Ref:
    return Ref(string(obj.get("id")), LangText.of(obj.get("title")))


def _note(value: Any) -> LangText:
    if isinstance(value, Mapping) and "noteLiteral" in value:
        return LangText.of(value.get("noteLiteral"))
    return LangText.of(value) if not isinstance(value, Mapping) or "@value" in value else LangText()


def _outcome_note(note: Any) -> Outcome | None:
    text = _note(note)
    return Outcome(text) if text else None


def _web(obj: Any) -> LangText:
    url = url_of(obj)
    title = LangText.of(obj.get("title")) if isinstance(obj, Mapping) else LangText()
    if not title:
        return LangText.plain(url)
    return LangText({lang: f"{text} ({url})" if url else text for lang, text in title.items()})


def _each(value: Any) -> list[Any]:
    return value[:200] if isinstance(value, list) else ([] if value is None else [value])


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, Mapping) else None
