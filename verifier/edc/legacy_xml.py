"""Legacy European Digital Credentials in XML (European Learning Model v2, EDCI 1.x): a
``vp:verifiablePresentation`` or a bare ``europassCredential`` sealed with an enveloped XAdES
signature (ETSI EN 319 132-1).

Steps, in report order:
  1. Format: well-formed XML, read safely, whose root is an ELM v2 element.
  2. Proof: the XAdES seal verifies over the whole document (XML-DSig §3.2 core validation).
  3. Issuer binding: an identifier the document gives its issuer equals the seal certificate's
     organizationIdentifier (ETSI EN 319 412-1 §5.1.4).
  4. Issuer trust: the seal's chain is anchored in an imported EU trusted list at the signing
     time, and the seal is judged qualified or advanced (ETSI TS 119 615 §4).
  5. Validity: the credential's validity period against ``now``; the seal certificate at the
     signing time.
  6-8. Status, schema and nested credentials do not apply to this format.
If the seal does not verify, steps 3-5 are ``unknown``: the contents cannot be trusted.
Data problems become check results in :func:`_checked` only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from cryptography import x509
from cryptography.x509.oid import NameOID
from lxml import etree

from verifier.checks import (
    Options,
    failed,
    fill_unknown,
    not_applicable,
    passed,
    result_for_error,
    unknown,
)
from verifier.dates import parse_datetime
from verifier.errors import MalformedDocument, VerificationError
from verifier.report import (
    CREDENTIAL_CHECKS,
    FORMAT,
    ISSUER_BINDING,
    ISSUER_TRUST,
    NESTED,
    PROOF,
    SCHEMA,
    STATUS,
    VALIDITY,
    CheckResult,
    Report,
    Status,
    ordered,
)
from verifier.xades import XadesResult, parse_xml, verify_xades

ELM2 = "http://data.europa.eu/snb"
VP = "http://data.europa.eu/snb/vp"
ROOTS = {f"{{{VP}}}verifiablePresentation", f"{{{ELM2}}}europassCredential"}
FORMAT_NAME = "edc_xml"
_ID_FIELDS = {"registration", "vatIdentifier", "taxIdentifier", "identifier"}
_ORG_ID = re.compile(r"^([A-Z]{3})([A-Z]{2}|[A-Z]{2}:[A-Z0-9]{1,2})-(.+)$")
T = TypeVar("T")
_QUALIFICATION = {
    "qualified_qscd": "Qualified electronic seal: a qualified certificate for e-seal on a secure "
    "device (QSCD)",
    "qualified_no_qscd": "Advanced electronic seal with a qualified certificate for e-seal, not "
    "on a secure device (QSCD)",
    "advanced": "Advanced electronic seal: its certificate is not a qualified certificate for "
    "e-seal",
}


def verify_legacy_xml(data: bytes, opts: Options) -> Report:
    """Verify a legacy ELM v2 XML credential or presentation sealed with enveloped XAdES."""
    results: dict[str, CheckResult] = {}
    # 1. Format
    root, results[FORMAT] = _checked(FORMAT, lambda: _format(data))
    if root is None:
        return _rest_unknown(results, "Not checked: the document could not be read.", opts, {})
    cred = (
        root
        if root.tag == f"{{{ELM2}}}europassCredential"
        else root.find(f"{{{ELM2}}}europassCredential")
    )
    # 2. Proof
    seal, results[PROOF] = _checked(PROOF, lambda: _proof(root, opts.now))
    summary = _summary(cred, seal)
    if seal is None:
        return _rest_unknown(
            results,
            "Not checked: the seal did not verify, so the contents cannot be trusted.",
            opts,
            summary,
        )
    # 3. Issuer binding, 4. issuer trust, 5. validity
    _, results[ISSUER_BINDING] = _checked(
        ISSUER_BINDING, lambda: (None, _binding(root, cred, seal))
    )
    _, results[ISSUER_TRUST] = _checked(ISSUER_TRUST, lambda: (None, _trust(seal, opts)))
    _, results[VALIDITY] = _checked(VALIDITY, lambda: (None, _validity(cred, seal, opts.now)))
    # 6-8. Not applicable to this format
    results[STATUS] = not_applicable(STATUS, "Legacy XML credentials carry no revocation list.")
    results[SCHEMA] = not_applicable(SCHEMA, "Legacy XML credentials name no credential schema.")
    results[NESTED] = not_applicable(NESTED, "It contains no other credentials.")
    return _report(results, opts, summary)


def _checked(
    check_id: str, run: Callable[[], tuple[T, CheckResult]]
) -> tuple[T | None, CheckResult]:
    """The one place in this module where data problems become check results."""
    try:
        return run()
    except VerificationError as exc:
        return None, result_for_error(check_id, exc)


def _format(data: bytes) -> tuple[etree._Element, CheckResult]:
    root = parse_xml(data, what="The document")
    if root.tag not in ROOTS:
        raise MalformedDocument(
            "This XML document is not a European Digital Credential of the "
            "European Learning Model v2.",
            detail=str(root.tag),
        )
    if (
        root.tag == f"{{{VP}}}verifiablePresentation"
        and root.find(f"{{{ELM2}}}europassCredential") is None
    ):
        raise MalformedDocument("The presentation carries no europassCredential.")
    return root, passed(
        FORMAT,
        "The document is a European Digital Credential in the legacy "
        "XML format (European Learning Model v2).",
    )


def _proof(root: etree._Element, now: datetime) -> tuple[XadesResult, CheckResult]:
    seal = verify_xades(root, now=now)
    when = f" on {seal.signing_time:%Y-%m-%d}" if seal.signing_time else ""
    level = f"XAdES-B-{seal.level}" if seal.level else "XML signature"
    return seal, passed(
        PROOF,
        f"Sealed by {_cert_name(seal.signing_certificate)}{when} "
        f"({level}); nothing has changed since.",
        detail=f"{seal.signature_method}; signer "
        f"{seal.signing_certificate.subject.rfc4514_string()}",
    )


def _binding(root: etree._Element, cred: etree._Element, seal: XadesResult) -> CheckResult:
    # EN 319 412-1 §5.1.4: organizationIdentifier is "VAT" / "NTR" + country + "-" + id.
    attrs = seal.signing_certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)
    if not attrs:
        return unknown(
            ISSUER_BINDING,
            "The seal certificate carries no organisation identifier to compare with the issuer's.",
        )
    org_id = str(attrs[0].value).strip()
    parties = [p for p in (root.find(f"{{{VP}}}issuer"), _credential_issuer(cred)) if p is not None]
    ids = [
        (party, (el.text or "").strip(), el.get("spatialID"))
        for party in parties
        for el in party
        if isinstance(el.tag, str)
        and etree.QName(el).localname in _ID_FIELDS
        and (el.text or "").strip()
    ]
    for party, value, spatial in ids:
        if _same_org(org_id, value, spatial):
            return passed(
                ISSUER_BINDING,
                f"The seal belongs to {_label(party)}: the "
                f"certificate's organisation identifier {org_id} is the one the "
                "document gives.",
                detail=org_id,
            )
    if not ids:
        return unknown(
            ISSUER_BINDING,
            "The document gives its issuer no identifier to compare with the seal certificate.",
            detail=org_id,
        )
    return unknown(
        ISSUER_BINDING,
        f"The seal certificate's organisation identifier {org_id} is "
        "not among the identifiers the document gives its issuer.",
        detail=", ".join(value for _, value, _ in ids),
    )


def _same_org(org_id: str, value: str, spatial: str | None) -> bool:
    if org_id.upper() == value.upper():
        return True
    m = _ORG_ID.match(org_id.upper())
    return bool(
        m and m.group(3) == value.upper() and (spatial is None or spatial.upper() == m.group(2)[:2])
    )


def _trust(seal: XadesResult, opts: Options) -> CheckResult:
    # The same verdicts as the JAdES seals (verifier.edc.pipeline): qualified or advanced seals
    # from a service active at the signing time pass; an inactive service fails.  A chain the
    # imported lists do not cover is "unknown": another list may well cover it.
    store = opts.trusted_lists
    if store is None or not store.lists():
        return unknown(
            ISSUER_TRUST,
            "No EU trusted list is imported, so the seal's certificate authority cannot be "
            "checked.",
        )
    at = seal.signing_time or opts.now
    anchor = store.anchor_for([seal.signing_certificate, *seal.certificates], at=at)
    if anchor is None:
        return unknown(
            ISSUER_TRUST,
            "The seal's certificate does not come from any trust service in the imported EU "
            "trusted lists.",
        )
    where = (
        f"\u201c{anchor.service_name}\u201d ({anchor.service_type}) in the {anchor.territory} "
        f"trusted list (seq {anchor.list_sequence})"
    )
    stale = " The list's next update was due before the seal was made." if anchor.stale else ""
    kind = anchor.seal_qualification(seal.signing_certificate)
    if kind == "none":
        return failed(
            ISSUER_TRUST,
            f"Not trusted: the seal's certificate authority, {where}, was not an active trust "
            f"service ({anchor.status_at_time or 'not yet listed'}) when the document was "
            f"sealed.",
            detail=kind,
            data_date=anchor.list_issue_date,
        )
    return passed(
        ISSUER_TRUST,
        f"{_QUALIFICATION[kind]}, from {where}, {anchor.status_at_time} at the signing time."
        f"{stale}",
        detail=kind,
        data_date=anchor.list_issue_date,
    )


def _validity(cred: etree._Element, seal: XadesResult, now: datetime) -> CheckResult:
    dates = {
        etree.QName(el).localname: (el.text or "").strip()
        for el in cred
        if isinstance(el.tag, str)
        and etree.QName(el).localname in ("validFrom", "validUntil", "expirationDate")
    }
    start_text = dates.get("validFrom")
    end_text = dates.get("validUntil") or dates.get("expirationDate")
    start = parse_datetime(start_text, field="validFrom") if start_text else None
    end = parse_datetime(end_text, field="validUntil") if end_text else None
    # Dates are compared in UTC but shown as the document wrote them (its own time zone).
    if end is not None and end < now:
        return failed(VALIDITY, f"It expired on {end_text[:10]}.", reason="expired")
    if start is not None and start > now:
        return failed(VALIDITY, f"It is valid only from {start_text[:10]}.", reason="not_yet_valid")
    period = (f"It is valid from {start_text[:10]}" if start_text else "It is valid") + (
        f" until {end_text[:10]}" if end_text else ", with no end date"
    )
    when = seal.signing_time or now
    return passed(
        VALIDITY, f"{period}; the seal certificate was valid when it was used ({when:%Y-%m-%d})."
    )


def _credential_issuer(cred: etree._Element) -> etree._Element | None:
    ref = next(
        (
            el.get("idref")
            for el in cred
            if isinstance(el.tag, str) and etree.QName(el).localname == "issuer"
        ),
        None,
    )
    if not ref:
        return None
    return next(
        (
            o
            for o in cred.iterfind(f"{{{ELM2}}}agentReferences/{{{ELM2}}}organization")
            if o.get("id") == ref
        ),
        None,
    )


def _label(party: etree._Element | None) -> str:
    if party is None:
        return "the issuer"
    texts = party.findall(f"{{{ELM2}}}prefLabel/{{{ELM2}}}text")
    text = next((t.text for t in texts if t.get("lang") == "en"), None) or (
        texts[0].text if texts else None
    )
    return (text or "").strip() or "the issuer"


def _cert_name(cert: x509.Certificate) -> str:
    for oid in (NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME):
        attrs = cert.subject.get_attributes_for_oid(oid)
        if attrs:
            return str(attrs[0].value)
    return cert.subject.rfc4514_string()


def _summary(cred: etree._Element, seal: XadesResult | None) -> dict[str, str]:
    titles = cred.findall(f"{{{ELM2}}}title/{{{ELM2}}}text")
    title = next((t.text for t in titles if t.get("lang") == "en"), None) or (
        titles[0].text if titles else None
    )
    out = {"issuer": _label(_credential_issuer(cred))}
    if title:
        out["title"] = title.strip()
    if seal is not None:
        out["sealed_by"] = _cert_name(seal.signing_certificate)
        if seal.signing_time:
            out["sealed_at"] = seal.signing_time.isoformat()
    return out


def _rest_unknown(
    results: dict[str, CheckResult], reason: str, opts: Options, summary: dict[str, str]
) -> Report:
    return _report(fill_unknown(results, CREDENTIAL_CHECKS, reason), opts, summary)


def _report(results: dict[str, CheckResult], opts: Options, summary: dict[str, str]) -> Report:
    fmt = FORMAT_NAME if results[FORMAT].status is Status.PASSED else "unknown"
    return Report(
        kind="credential",
        format=fmt,
        checks=ordered(CREDENTIAL_CHECKS, results),
        checked_at=opts.now,
        summary=summary,
    )
