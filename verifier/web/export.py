"""The verification report an employer keeps: the report's JSON with every check also written
as a European Learning Model ``VerificationCheck``, signed into a form field so the download
says exactly what the page said without the server keeping anything.

The field carries the report as the page was made from it (:func:`kept_report`) and the
language it was read in; the ``VerificationCheck`` objects are derived from its checks when the
report is downloaded (:func:`report_json`), so the token is half as large and each results page
is cheaper to make.

Each ``VerificationCheck`` follows the ELM v3 VerificationCheckShape: ``dcType`` from the
Europass verification check types (http://data.europa.eu/snb/verification/25831c2: owner,
revocation, format, expiry, seal), ``verificationStatus`` from the Europass verification
statuses (OK, Error, Skipped), ``elmSubject`` the credential checked, ``description`` the
message in English and in the reader's language.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, Serializer, URLSafeSerializer
from itsdangerous.encoding import base64_encode

from verifier.edc.pipeline import EUROPASS_CHECK_TYPES, EUROPASS_OWNER
from verifier.report import HOLDER_PROOF, Report
from verifier.web.i18n import LOCALES, reader
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
#: The salt of the report tokens; "2": the token carries the report without its ELM checks.
SALT = "verifier.web report 2"


def kept_report(report: Report, *, source: str, document: bytes | None = None) -> dict[str, Any]:
    """The report a results page shows and its token carries: the report's JSON, how it came
    in, and the SHA-256 of what was verified."""
    out: dict[str, Any] = {"source": source, **report.to_json()}
    if document is not None:
        out["document_sha256"] = hashlib.sha256(document).hexdigest()
    return out


def report_json(data: Mapping[str, Any], *, locale: str = "en") -> dict[str, Any]:
    """The report as the employer downloads it: a kept report (:func:`kept_report`) with
    ``verificationChecks`` (ELM) on the report and each credential, described in English and in
    ``locale`` (the current language must be ``locale``)."""
    out = copy.deepcopy(dict(data))
    digest = out.pop("document_sha256", None)
    _add_elm(out, locale=locale, counter=[0])
    if digest is not None:
        out["document_sha256"] = digest  # last, where it has always been
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


@dataclass(frozen=True)
class Kept:
    """What a report token holds: the kept report and the language the page was read in."""

    data: dict[str, Any]
    locale: str


class _CompactJSON:
    """The tokens' JSON: compact, and not checked for cycles (a kept report is a tree)."""

    loads = staticmethod(json.loads)

    @staticmethod
    def dumps(obj: Any) -> str:
        return json.dumps(obj, separators=(",", ":"), check_circular=False)


class _ReportSerializer(URLSafeSerializer):
    """itsdangerous's URL-safe serializer with zlib's fast level 3 instead of its default 6: the
    report's JSON compresses in under half the time into a token a tenth longer. Any zlib reads
    both, so tokens made either way are read the same."""

    default_serializer = _CompactJSON

    def dump_payload(self, obj: Any) -> bytes:
        text = Serializer.dump_payload(self, obj)  # the JSON, not yet compressed
        compressed = zlib.compress(text, 3)
        if len(compressed) < len(text) - 1:
            return b"." + base64_encode(compressed)
        return base64_encode(text)


@functools.lru_cache(maxsize=8)
def _serializer_for(secret: str | bytes) -> URLSafeSerializer:
    return _ReportSerializer(secret, salt=SALT)


def _serializer() -> URLSafeSerializer:
    return _serializer_for(current_app.config["SECRET_KEY"])


def sign(data: Mapping[str, Any], *, locale: str | None = None) -> str:
    """The kept report as a signed, compressed token for a hidden form field; ``locale`` (the
    reader's by default) is the language its downloaded checks will be described in."""
    return str(_serializer().dumps({"report": dict(data), "locale": locale or reader().code}))


def unsign(token: str) -> Kept | None:
    """The kept report a token holds; ``None`` when it was not made by this verifier."""
    try:
        payload = _serializer().loads(token)
    except (BadSignature, ValueError, UnicodeError):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("report"), dict):
        return None
    locale = payload.get("locale")
    return Kept(payload["report"], locale if locale in LOCALES else LOCALES[0])
