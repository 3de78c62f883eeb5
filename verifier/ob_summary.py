"""Open Badges 3.0, CLR 2.0, Open Badges 2.0, plain W3C credentials and SD-JWT VC claims as a
:class:`~verifier.summary.Summary`.

Open Badges 3.0 (§B.1): the ``credentialSubject.achievement`` gives name, description,
criteria, ``achievementType``, ``creator``, ``alignment``, ``resultDescription``, ``image``,
``inLanguage``, ``tag``, ``specialization``, ``fieldOfStudy``, ``humanCode`` and
``otherIdentifier``; the subject gives ``result`` and ``creditsEarned``. ``creditsAvailable``
is "credit hours associated with this entity, or credit hours possible": it is reported as
credits of an unstated framework unless the achievement's alignments, type, field of study,
result descriptions or identifiers name ECTS. OB 3.0 has no learning-outcome property; the
alignments ("objectives or educational standards this achievement aligns to") are the closest
and are reported as outcomes, except those that state an EQF or other framework level. The
issuer of a badge is its awarding body. CLR 2.0: the nested credentials and achievements
become ``parts``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from verifier.annex1 import with_eu_standard
from verifier.summary import (
    EMPTY,
    Concept,
    Credits,
    Draft,
    Endorsement,
    Evidence,
    Identifier,
    LangText,
    Learner,
    Outcome,
    Party,
    Result,
    Summary,
    child,
    children,
    image_of,
    number,
    string,
    strings,
    types_of,
    url_of,
)

ESCO_PREFIX = "http://data.europa.eu/esco/"
EQF_PREFIX = "http://data.europa.eu/snb/eqf/"
MAX_DEPTH = 3
_ECTS = re.compile(r"\bECTS\b|European Credit Transfer", re.IGNORECASE)
_EQF = re.compile(r"\bEQF\b|European Qualifications? Framework", re.IGNORECASE)
_OTHER_QF = re.compile(r"\bNQF\b|\bQF-EHEA\b|Qualifications? Framework", re.IGNORECASE)
_LEVEL = re.compile(r"\b([1-8])\b")


def summarize_w3c(
    doc: Mapping[str, Any],
    *,
    fmt: str = "ldp_vc",
    nested: Sequence[Mapping[str, Any]] | None = None,
    total: int | None = None,
) -> dict[str, Any]:
    """Summarize an OB 3.0, CLR 2.0, plain VC or SD-JWT VC document, with its Annex I report."""
    return with_eu_standard(w3c_summary(doc, fmt=fmt, nested=nested, total=total))


def w3c_summary(
    doc: Mapping[str, Any],
    *,
    fmt: str = "ldp_vc",
    nested: Sequence[Mapping[str, Any]] | None = None,
    total: int | None = None,
    depth: int = 0,
) -> Summary:
    """The :class:`Summary` of a W3C credential document (``nested``: parsed CLR contents)."""
    if not isinstance(doc, Mapping):
        return Summary()
    types = types_of(doc) or ((string(doc.get("vct")),) if string(doc.get("vct")) else ())
    d = Draft(data_model="sd_jwt_vc" if fmt == "sd_jwt_vc" else "vc", types=list(types))
    subject, sp = child(doc, "credentialSubject", "")
    achievement, ap = child(subject, "achievement", sp)
    if "ClrCredential" in types:
        d.fields.update(data_model="clr", kind="record")
        _clr(d, subject, sp, nested, total, depth)
    elif achievement is not None:
        d.fields.update(data_model="ob3" if fmt != "sd_jwt_vc" else d.fields["data_model"])
        d.fields["kind"] = "achievement"
        _achievement(d, achievement, ap)
        _subject(d, subject, sp, achievement)
    badge = "ClrCredential" in types or achievement is not None
    _credential(d, doc, subject if subject is not None else doc, sp if subject else "", badge)
    return d.build()


def _credential(
    d: Draft, doc: Mapping[str, Any], subject: Mapping[str, Any], sp: str, badge: bool
) -> None:
    if d.fields.get("data_model") != "sd_jwt_vc":  # in SD-JWT claims "name" is a person's
        d.put("title", LangText.of(doc.get("name")), "name")
    d.put("title", LangText.of(doc.get("title")), "title")
    d.put("description", LangText.of(doc.get("description")), "description")
    issuer = _party(doc.get("issuer"), "issuer", d) or _party(doc.get("iss"), "iss", d)
    if badge and issuer is not None:
        d.add("awarding_bodies", [issuer], "issuer")  # an Open Badge issuer awards it
    for key in ("awardedDate", "issuanceDate", "validFrom", "iat"):
        d.put("issued", _date(doc.get(key)), key)
    for key in ("validFrom", "issuanceDate", "nbf"):
        d.put("valid_from", _date(doc.get(key)), key)
    for key in ("validUntil", "expirationDate", "exp"):
        d.put("valid_until", _date(doc.get(key)), key)
    d.put("learner", _learner(subject, sp), _learner_path(subject, sp))
    d.put("image", image_of(doc.get("image")), "image")
    for ev, ep in children(doc, "evidence", ""):
        d.add("evidence", [_evidence(ev)], ep)
    d.add(
        "endorsements",
        [_endorsement(e) for e, _ in children(doc, "endorsement", "")],
        "endorsement",
    )
    last = next(
        (t for t in reversed(d.fields.get("types", [])) if t != "VerifiableCredential"), None
    )
    d.put("title", LangText.plain(last), "type")


def _achievement(d: Draft, ach: Mapping[str, Any], ap: str) -> None:
    d.add("claim_types", types_of(ach), f"{ap}.type")
    d.put("title", LangText.of(ach.get("name")), f"{ap}.name")
    d.put("description", LangText.of(ach.get("description")), f"{ap}.description")
    kind = string(ach.get("achievementType"))
    d.put(
        "achievement_type",
        Concept(LangText.plain(kind), code=kind) if kind else None,
        f"{ap}.achievementType",
    )
    d.put("creator", _party(ach.get("creator"), f"{ap}.creator", None), f"{ap}.creator")
    criteria, cp = child(ach, "criteria", ap)
    if criteria is not None:
        d.put("criteria", LangText.of(criteria.get("narrative")), f"{cp}.narrative")
        d.put("criteria_url", url_of(criteria.get("id")), f"{cp}.id")
    else:
        d.put("criteria_url", string(ach.get("criteria")), f"{ap}.criteria")
    _alignments(d, ach, ap)
    credits = number(ach.get("creditsAvailable"))
    if credits is not None:
        ects = "ECTS" if _mentions_ects(ach) else None
        d.add(
            "credits",
            [Credits(str(credits), credits, ects, LangText.plain(ects))],
            f"{ap}.creditsAvailable",
        )
    for rd, rp in children(ach, "resultDescription", ap):
        d.add("assessment", [Concept(LangText.of(rd.get("name")), string(rd.get("id")))], rp)
    d.put("image", image_of(ach.get("image")), f"{ap}.image")
    languages = [Concept(LangText.plain(tag), code=tag) for tag in strings(ach.get("inLanguage"))]
    d.add("languages", languages, f"{ap}.inLanguage")
    d.add("tags", strings(ach.get("tag", ach.get("tags"))), f"{ap}.tag")
    d.put("specialization", LangText.of(ach.get("specialization")), f"{ap}.specialization")
    d.put("field_of_study", LangText.of(ach.get("fieldOfStudy")), f"{ap}.fieldOfStudy")
    code = string(ach.get("humanCode"))
    d.add("identifiers", [Identifier("humanCode", code)] if code else [], f"{ap}.humanCode")
    for oi, op in children(ach, "otherIdentifier", ap):
        value = string(oi.get("identifier"))
        d.add(
            "identifiers",
            [Identifier(string(oi.get("identifierType")), value)] if value else [],
            op,
        )
    d.add(
        "endorsements",
        [_endorsement(e) for e, _ in children(ach, "endorsement", ap)],
        f"{ap}.endorsement",
    )


def _subject(d: Draft, subject: Mapping[str, Any], sp: str, ach: Mapping[str, Any]) -> None:
    earned = number(subject.get("creditsEarned"))
    if earned is not None and not d.fields.get("credits"):  # creditsAvailable comes first
        ects = "ECTS" if _mentions_ects(ach) else None
        credits = Credits(str(earned), earned, ects, LangText.plain(ects))
        d.add("credits", [credits], f"{sp}.creditsEarned")
    names: dict[str, LangText] = {}
    levels: dict[str, LangText] = {}
    for rd, _ in children(ach, "resultDescription", ""):
        names[str(rd.get("id"))] = LangText.of(rd.get("name"))
        for lvl, _ in children(rd, "rubricCriterionLevel", ""):
            levels[str(lvl.get("id"))] = LangText.of(lvl.get("name")) or LangText.of(
                lvl.get("level")
            )
    for res, rp in children(subject, "result", sp):
        value = LangText.of(res.get("value")) or levels.get(str(res.get("achievedLevel")), EMPTY)
        value = value or LangText.of(res.get("status"))
        if value:
            d.add(
                "grades", [Result(names.get(str(res.get("resultDescription")), EMPTY), value)], rp
            )
    d.put("image", image_of(subject.get("image")), f"{sp}.image")
    for ev, ep in children(subject, "evidence", sp):
        d.add("evidence", [_evidence(ev)], ep)


def _alignments(d: Draft, ach: Mapping[str, Any], ap: str) -> None:
    for al, alp in children(ach, "alignment", ap):
        name = LangText.of(al.get("targetName"))
        url, framework = string(al.get("targetUrl")), string(al.get("targetFramework"))
        code = string(al.get("targetCode"))
        label = name or LangText.plain(url)
        blob = " ".join(filter(None, [framework, code, url, name.pick()]))
        if (url or "").startswith(EQF_PREFIX) or (framework and _EQF.search(framework)):
            found = _LEVEL.search(
                (url or "")[len(EQF_PREFIX) :]
                if (url or "").startswith(EQF_PREFIX)
                else f"{code or ''} {name.pick()}"
            )
            if d.put("eqf", Concept(label, url, code, "EQF"), alp) and found:
                d.fields["eqf_level"] = int(found.group(1))
        elif framework and _OTHER_QF.search(framework):
            d.add("nqf", [Concept(label, url, code, framework)], alp)
        elif not _ECTS.search(blob):
            esco = (url or "").startswith(ESCO_PREFIX) or bool(
                framework and "ESCO" in framework.upper()
            )
            concept = Concept(label, url, code, "ESCO" if esco else framework)
            d.add("outcomes", [Outcome(label, (concept,) if esco else ())], f"{ap}.alignment")
            if esco or string(al.get("targetType")) == "ceasn:Competency":
                d.add("skills", [concept], f"{ap}.alignment")


def _mentions_ects(ach: Mapping[str, Any]) -> bool:
    texts = [ach.get("achievementType"), ach.get("fieldOfStudy"), *strings(ach.get("tag"))]
    for al, _ in children(ach, "alignment", ""):
        texts += [al.get(k) for k in ("targetFramework", "targetName", "targetCode", "targetUrl")]
    for rd, _ in children(ach, "resultDescription", ""):
        texts += [rd.get("name"), rd.get("resultType")]
    texts += [oi.get("identifierType") for oi, _ in children(ach, "otherIdentifier", "")]
    return any(isinstance(t, str) and _ECTS.search(t) for t in texts)


def _clr(
    d: Draft,
    subject: Mapping[str, Any] | None,
    sp: str,
    nested: Sequence[Mapping[str, Any]] | None,
    total: int | None,
    depth: int,
) -> None:
    inner = (
        list(nested)
        if nested is not None
        else [v for v, _ in children(subject, "verifiableCredential", sp)]
    )
    if nested is None:
        total = (
            len(subject.get("verifiableCredential") or []) if isinstance(subject, Mapping) else 0
        )
    parts = [w3c_summary(v, depth=depth + 1) for v in inner[:200]] if depth < MAX_DEPTH else []
    for ach, ap in children(subject, "achievement", sp):
        part = Draft(data_model="ob3", kind="achievement")
        _achievement(part, ach, ap)
        parts.append(part.build())
    d.add("parts", parts, f"{sp}.verifiableCredential")
    d.fields["part_count"] = (total or len(inner)) + len(children(subject, "achievement", sp))


def _party(value: Any, path: str, d: Draft | None) -> Party | None:
    if isinstance(value, str):
        party = Party(id=string(value))
    elif isinstance(value, Mapping):
        address, adp = child(value, "address", path)
        code = string(address.get("addressCountryCode")) if address else None
        label = LangText.of(address.get("addressCountry")) if address else EMPTY
        countries = (Concept(label, None, code),) if code or label else ()
        party = Party(
            LangText.of(value.get("name")),
            string(value.get("id")),
            countries,
            url_of(value.get("url")),
            string(value.get("email")),
        )
        if d is not None and countries:
            d.paths.setdefault(
                "issuer_countries", f"{adp}.addressCountryCode" if code else f"{adp}.addressCountry"
            )
    else:
        return None
    if d is not None:
        d.put("issuer", party, path)
    return party


def _learner(subject: Mapping[str, Any], sp: str) -> Learner | None:
    ids = []
    for obj, _ in children(subject, "identifier", sp):
        value = string(obj.get("identityHash"))
        scheme = string(obj.get("identityType"))
        if value:
            ids.append(
                Identifier(f"{scheme} (hashed)" if obj.get("hashed") is True else scheme, value)
            )
    name = LangText.of(subject.get("name"))
    if not name:
        given = " ".join(strings([subject.get("given_name"), subject.get("family_name")]))
        name = LangText.plain(given or None)
    subject_id = string(subject.get("id")) or string(subject.get("sub"))
    return Learner(name, subject_id, tuple(ids)) if name or subject_id or ids else None


def _learner_path(subject: Mapping[str, Any], sp: str) -> str:
    for key in ("id", "name", "identifier", "given_name", "sub"):
        if subject.get(key):
            return f"{sp}.{key}" if sp else key
    return sp


def _evidence(ev: Mapping[str, Any]) -> Evidence:
    url = url_of(ev.get("id"))
    description = LangText.of(ev.get("description")) or LangText.of(ev.get("narrative"))
    return Evidence(
        LangText.of(ev.get("name")),
        description,
        url if url and url.startswith(("https://", "http://")) else None,
    )


def _endorsement(e: Mapping[str, Any]) -> Endorsement:
    issuer = e.get("issuer")
    claim, _ = child(e, "credentialSubject", "")
    claim = claim or child(e, "claim", "")[0]  # Open Badges 2.0 Endorsement
    name = LangText.of(issuer.get("name")) if isinstance(issuer, Mapping) else EMPTY
    return Endorsement(
        name, url_of(issuer), LangText.of(claim.get("endorsementComment")) if claim else EMPTY
    )


def _date(value: Any) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC).isoformat().replace("+00:00", "Z")
        except (OverflowError, OSError, ValueError):
            return None
    return string(value)


def summarize_ob2(
    assertion: Mapping[str, Any], badge_class: Mapping[str, Any], issuer: Mapping[str, Any]
) -> dict[str, Any]:
    """Summarize an Open Badges 2.0 assertion with its BadgeClass and issuer Profile."""
    return with_eu_standard(ob2_summary(assertion, badge_class, issuer))


def ob2_summary(assertion: Any, badge_class: Any, issuer: Any) -> Summary:
    """The :class:`Summary` of an OB 2.0 assertion; paths read as if its BadgeClass were inline."""
    a = assertion if isinstance(assertion, Mapping) else {}
    b = badge_class if isinstance(badge_class, Mapping) else {}
    d = Draft(data_model="ob2", kind="achievement", types=list(types_of(a)))
    d.add("claim_types", types_of(b), "badge.type")
    d.put("title", LangText.of(b.get("name")), "badge.name")
    d.put("description", LangText.of(b.get("description")), "badge.description")
    criteria = b.get("criteria")
    if isinstance(criteria, Mapping):
        d.put("criteria", LangText.of(criteria.get("narrative")), "badge.criteria.narrative")
    d.put("criteria_url", url_of(criteria), "badge.criteria")
    d.put("image", image_of(b.get("image")), "badge.image")
    d.put("image", image_of(a.get("image")), "image")
    _alignments(d, b, "badge")
    d.add("tags", strings(b.get("tags")), "badge.tags")
    party = _party(issuer if isinstance(issuer, Mapping) else b.get("issuer"), "badge.issuer", d)
    d.add("awarding_bodies", [party] if party else [], "badge.issuer")
    d.put("issued", string(a.get("issuedOn")), "issuedOn")
    d.put("valid_from", string(a.get("issuedOn")), "issuedOn")
    d.put("valid_until", string(a.get("expires")), "expires")
    recipient = a.get("recipient")
    if isinstance(recipient, Mapping) and string(recipient.get("identity")):
        scheme = string(recipient.get("type"))
        hashed = f"{scheme} (hashed)" if recipient.get("hashed") is True else scheme
        learner = Learner(identifiers=(Identifier(hashed, string(recipient["identity"]) or ""),))
        d.put("learner", learner, "recipient.identity")
    for ev in a.get("evidence") if isinstance(a.get("evidence"), list) else [a.get("evidence")]:
        url = string(ev) if not isinstance(ev, Mapping) else None
        item = _evidence(ev) if isinstance(ev, Mapping) else Evidence(url=url) if url else None
        d.add("evidence", [item], "evidence")
    for obj, key in ((a, "endorsement"), (b, "badge.endorsement")):
        d.add("endorsements", [_endorsement(e) for e, _ in children(obj, "endorsement", "")], key)
    return d.build()
