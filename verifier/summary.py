"""What a credential says, in a few plain fields, for reports and lists.

The full summary model (European Learning Model, Open Badges achievements, ECTS, levels,
language maps) grows here; the report carries this short form.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from verifier.credential import Credential, as_list


def text(value: Any, lang: str | None = None) -> str | None:
    """A display string from a plain value, a language map or a JSON-LD value object."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        if "@value" in value:
            return text(value["@value"])
        if lang and isinstance(value.get(lang), str):
            return value[lang]
        for v in value.values():
            if isinstance(v, str):
                return v
    if isinstance(value, list):
        for v in value:
            found = text(v, lang)
            if found:
                return found
    return None


def summarize(cred: Credential) -> dict[str, Any]:
    """The headline facts of a credential: title, issuer, subject, dates, type."""
    doc = cred.document
    subject = (
        next(iter(as_list(doc.get("credentialSubject"))), {}) if cred.format != "sd_jwt_vc" else doc
    )
    achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
    title = (
        text(doc.get("name"))
        or (text(achievement.get("name")) if isinstance(achievement, Mapping) else None)
        or next((t for t in reversed(cred.types) if t != "VerifiableCredential"), None)
    )
    out: dict[str, Any] = {
        "title": title,
        "issuer": text(cred.issuer.get("name")) or cred.issuer_id,
        "issuer_id": cred.issuer_id,
        "types": list(cred.types),
    }
    if cred.subject_ids:
        out["subject"] = cred.subject_ids[0]
    if cred.valid_from:
        out["valid_from"] = cred.valid_from.isoformat()
    if cred.valid_until:
        out["valid_until"] = cred.valid_until.isoformat()
    description = text(doc.get("description")) or (
        text(achievement.get("description")) if isinstance(achievement, Mapping) else None
    )
    if description:
        out["description"] = description
    return out
