"""The verification report an employer keeps: the report's JSON with every check also written
as a European Learning Model ``VerificationCheck``, signed into a form field so the download
says exactly what the page said without the server keeping anything.

Each ``VerificationCheck`` follows the ELM v3 VerificationCheckShape: ``dcType`` from the
Europass verification check types (http://data.europa.eu/snb/verification/25831c2: owner,
revocation, format, expiry, seal), ``verificationStatus`` from the Europass verification
statuses (OK, Error, Skipped), ``elmSubject`` the credential checked, ``description`` the
message in English and in the reader's language.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from verifier.edc.pipeline import EUROPASS_CHECK_TYPES, EUROPASS_OWNER
from verifier.report import HOLDER_PROOF, Report
from verifier.web.messages import sentence

_SNB = "http://data.europa.eu/snb/"
#: The check types: the EDC pipeline's, plus the holder's own signature as an owner check.
CHECK_TYPES = {**EUROPASS_CHECK_TYPES, HOLDER_PROOF: EUROPASS_OWNER}
TYPE_LABELS = {
    _SNB + "verification/1faf8d450f": "Owner",
    _SNB + "verification/271aef9eb4": "Revocation",
    _SNB + "verification/2f5b89b96f": "Format",
    _SNB + "verification/94d828f160": "Expiry",
    _SNB + "verification/e2bbc86a28": "Accreditation",
    _SNB + "verification/f9c2016fe9": "Seal",
}
STATUSES = {
    "passed": (_SNB + "verification-status/9895008394", "OK"),
    "failed": (_SNB + "verification-status/9d26eb9a37", "Error"),
    "unknown": (_SNB + "verification-status/641f0c5e5d", "Skipped"),
    "not_applicable": (_SNB + "verification-status/641f0c5e5d", "Skipped"),
}
SALT = "verifier.web report"


def report_json(
    report: Report, *, source: str, document: bytes | None = None, locale: str = "en"
) -> dict[str, Any]:
    """The report as the employer keeps it: the report's JSON, how it came in, the SHA-256 of
    what was verified, and ``verificationChecks`` (ELM) on the report and each credential."""
    data = report.to_json()
    _add_elm(data, locale=locale, counter=[0])
    out: dict[str, Any] = {"source": source, **data}
    if document is not None:
        out["document_sha256"] = hashlib.sha256(document).hexdigest()
    return out


def _add_elm(data: dict[str, Any], *, locale: str, counter: list[int]) -> None:
    summary = data.get("summary") if isinstance(data.get("summary"), Mapping) else {}
    subject = summary.get("id")
    checks = []
    for check in data.get("checks") or ():
        uri = CHECK_TYPES.get(check["id"])
        if uri is None:
            continue
        counter[0] += 1
        status_uri, label = STATUSES[check["status"]]
        description = {"en": check["message"]}
        if locale != "en":
            translated = sentence(check["id"], check["status"], check.get("reason"))
            if translated:
                description[locale] = translated
        item: dict[str, Any] = {
            "id": f"urn:epass:verificationCheck:{counter[0]}",
            "type": "VerificationCheck",
            "dcType": _concept(uri, TYPE_LABELS[uri], "verification"),
            "verificationStatus": _concept(status_uri, label, "verification-status"),
            "description": description,
            "checkId": check["id"],
        }
        if isinstance(subject, str):
            item["elmSubject"] = subject
        checks.append(item)
    data["verificationChecks"] = checks
    for inner in data.get("credentials") or ():
        _add_elm(inner, locale=locale, counter=counter)


def _concept(uri: str, label: str, scheme: str) -> dict[str, Any]:
    return {
        "id": uri,
        "type": "Concept",
        "inScheme": {"id": f"{_SNB}{scheme}/25831c2", "type": "ConceptScheme"},
        "prefLabel": {"en": label},
    }


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def sign(data: Mapping[str, Any]) -> str:
    """The report as a signed, compressed token for a hidden form field."""
    return str(_serializer().dumps(dict(data)))


def unsign(token: str) -> dict[str, Any] | None:
    """The report a token holds; ``None`` when it was not made by this verifier."""
    try:
        data = _serializer().loads(token)
    except (BadSignature, ValueError, UnicodeError):
        return None
    return data if isinstance(data, dict) else None
