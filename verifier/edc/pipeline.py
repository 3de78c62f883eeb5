"""Verifying a JAdES-sealed European Digital Credential offline, and the one place where its
data problems become check results.

EDC (ETSI TS 119 182-1, ETSI EN 319 102-1 §5 simplified, ELM v3 EDC application profile,
Europass verification checks):
  1. Parse the JAdES seal and its ELM payload; check the payload against the EDC profile.
  2. Verify the seal: the signature over the payload exactly as stored, the certificate
     thumbprint, every timestamp (imprint and TSA signature), the certificate path, and the
     seal certificate's revocation at the signing time from the embedded CRL/OCSP data.
  3. Bind the seal to the issuer: the issuer's eIDAS identifier against the certificate's
     organizationIdentifier.
  4. Anchor the path in the imported EU trusted lists at the signing time.
  5. Check the credential's validity period against ``now``, and the certificates against the
     signing time (a timestamp's genTime, else the claimed sigT).
  6. Check revocation and suspension from cached, verified status lists, if it names any.
  7. Schema: the EDC's SHACL shapes are not run (step 1 checks the required fields).
  8. Nested credentials: an EDC carries none.
A seal that cannot be verified makes steps 3–8 ``unknown``: the contents cannot be trusted.
A payload that breaks the EDC profile fails step 1, but the seal is still checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cryptography import x509

from verifier.checks import (
    Options,
    failed,
    fill_unknown,
    guard,
    not_applicable,
    passed,
    result_for_error,
    unknown,
)
from verifier.dates import human
from verifier.edc.certs import SealCertificate, build_path, check_path, describe, invalid_at
from verifier.edc.elm import EDC_TYPE, EdcCredential, check_binding
from verifier.edc.jades import JadesSignature, b64url, load_json
from verifier.edc.tsp import Revocation, revocation_status
from verifier.elm_summary import summarize_elm
from verifier.errors import MalformedDocument, ProofInvalid, VerificationError
from verifier.report import (
    CREDENTIAL_CHECKS,
    FORMAT,
    HOLDER_BINDING,
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

if TYPE_CHECKING:  # the trusted-list store (TS 119 612) that opts.trusted_lists holds
    from verifier.trustlists import TrustedListStore

FORMAT_NAME = "edc_jades"
_SNB = "http://data.europa.eu/snb/"
#: Europass verification check types (concept scheme http://data.europa.eu/snb/verification/25831c2;
#: URIs as the EDCI reference implementation lists them, ControlledListConcept.java)
EUROPASS_OWNER = _SNB + "verification/1faf8d450f"
EUROPASS_REVOCATION = _SNB + "verification/271aef9eb4"
EUROPASS_FORMAT = _SNB + "verification/2f5b89b96f"
EUROPASS_EXPIRY = _SNB + "verification/94d828f160"
EUROPASS_ACCREDITATION = _SNB + "verification/e2bbc86a28"
EUROPASS_SEAL = _SNB + "verification/f9c2016fe9"
EUROPASS_CHECK_TYPES: dict[str, str] = {
    FORMAT: EUROPASS_FORMAT,
    PROOF: EUROPASS_SEAL,
    ISSUER_BINDING: EUROPASS_SEAL,
    ISSUER_TRUST: EUROPASS_SEAL,
    VALIDITY: EUROPASS_EXPIRY,
    STATUS: EUROPASS_REVOCATION,
    SCHEMA: EUROPASS_FORMAT,
    HOLDER_BINDING: EUROPASS_OWNER,
}
_LABELS = {
    EUROPASS_OWNER: "Owner",
    EUROPASS_REVOCATION: "Revocation",
    EUROPASS_FORMAT: "Format",
    EUROPASS_EXPIRY: "Expiry",
    EUROPASS_ACCREDITATION: "Accreditation",
    EUROPASS_SEAL: "Seal",
}
#: Europass verification statuses (http://data.europa.eu/snb/verification-status/25831c2)
_STATUSES = {
    Status.PASSED: (_SNB + "verification-status/9895008394", "OK"),
    Status.FAILED: (_SNB + "verification-status/9d26eb9a37", "Error"),
    Status.UNKNOWN: (_SNB + "verification-status/641f0c5e5d", "Skipped"),
    Status.NOT_APPLICABLE: (_SNB + "verification-status/641f0c5e5d", "Skipped"),
}


@dataclass(frozen=True)
class Seal:
    """What a verified seal established: the path, the signing time and how it is known."""

    signature: JadesSignature
    path: tuple[x509.Certificate, ...]
    signed_at: datetime
    time_source: str  # "timestamp", "claimed" or "none"
    holder: SealCertificate
    revocation: Revocation


def looks_like_edc(value: Any) -> bool:
    """Whether ``value`` (parsed JSON, or its text or bytes) is a JWS JSON serialization (RFC
    7515 §7.2) whose payload is an ELM European Digital Credential; only the protected header
    and the payload are read."""
    if isinstance(value, bytes | str):
        if not value[:64].lstrip().startswith(b"{" if isinstance(value, bytes) else "{"):
            return False
        try:
            value = load_json(value)
        except MalformedDocument:
            return False
    if not isinstance(value, Mapping) or not isinstance(value.get("payload"), str):
        return False
    sigs = value.get("signatures")
    sig = sigs[0] if isinstance(sigs, list) and sigs else value
    if not isinstance(sig, Mapping):
        return False
    try:
        header = load_json(b64url(sig.get("protected"), what="header"), what="header")
        encoded = not (isinstance(header, Mapping) and header.get("b64") is False)
        payload = b64url(value["payload"], what="payload") if encoded else value["payload"]
        doc = load_json(payload, what="sealed credential")
    except MalformedDocument:
        return False
    types = doc.get("type") if isinstance(doc, Mapping) else None
    return isinstance(types, list) and EDC_TYPE in types


def verify_edc(data: bytes | str | Mapping[str, Any], opts: Options) -> Report:
    """Verify a JAdES-sealed European Digital Credential through the numbered steps above."""
    results: dict[str, CheckResult] = {}
    # 1. Parse the seal and the payload; the profile check
    try:
        signature = JadesSignature.from_json(data)
    except VerificationError as exc:
        results[FORMAT] = result_for_error(FORMAT, exc)
        return _report(
            fill_unknown(
                results, CREDENTIAL_CHECKS, "Not checked: the document could not be read."
            ),
            opts,
        )
    cred: EdcCredential | None = None
    try:
        cred = EdcCredential.from_payload(load_json(signature.payload, what="sealed credential"))
        results[FORMAT] = _format(cred)
    except VerificationError as exc:
        results[FORMAT] = result_for_error(FORMAT, exc)
    # 2. The seal
    seal: Seal | None = None
    try:
        results[PROOF], seal = _verify_seal(signature, opts)
    except VerificationError as exc:
        results[PROOF] = result_for_error(PROOF, exc)
    if seal is None or cred is None:
        why = "the seal could not be verified" if seal is None else "the credential is unreadable"
        return _report(
            fill_unknown(
                results,
                CREDENTIAL_CHECKS,
                f"Not checked: {why}, so its contents cannot be trusted.",
            ),
            opts,
            cred,
            seal,
        )
    # 3. Issuer binding
    results[ISSUER_BINDING] = check_binding(cred, seal.holder)
    # 4. Issuer trust
    results[ISSUER_TRUST] = guard(ISSUER_TRUST, lambda: _trust(seal, opts))
    # 5. Validity
    results[VALIDITY] = _validity(cred, seal, opts)
    # 6. Status
    results[STATUS] = guard(STATUS, lambda: _status(cred, opts))
    # 7. Schema
    results[SCHEMA] = not_applicable(
        SCHEMA,
        "Its schema is a set of SHACL shapes, which this verifier does not run offline; the "
        "fields the EDC profile requires were checked under format.",
    )
    # 8. Nested credentials
    results[NESTED] = not_applicable(NESTED, "It contains no other credentials.")
    return _report(results, opts, cred, seal)


def _format(cred: EdcCredential) -> CheckResult:
    """ELM v3 EDC application profile: the required fields (EDC-generic-no-cv shapes)."""
    if cred.problems:
        return failed(
            FORMAT,
            "It does not follow the European Digital Credential profile (ELM v3): "
            + "; ".join(cred.problems[:3])
            + ("; …" if len(cred.problems) > 3 else "."),
            detail="\n".join(cred.problems),
        )
    return passed(
        FORMAT,
        "It is a European Digital Credential (ELM v3) with every field the EDC profile requires.",
    )


def _verify_seal(signature: JadesSignature, opts: Options) -> tuple[CheckResult, Seal]:
    """TS 119 182-1 §5 and EN 319 102-1 §5.2–§5.5, simplified: signature, timestamps, path
    and the seal certificate's revocation at the signing time."""
    signature.verify()
    certs = [*signature.certificates, *signature.extra_certificates]
    notes, proven = [], []
    for stamp in signature.timestamps:
        if stamp.covered is None:
            notes.append(f"{stamp.kind} not checked (clear etsiU items need canonicalization)")
            continue
        tsa = stamp.token.verify(stamp.covered, what=_COVERS[stamp.kind], extra=certs)
        notes.append(f"{stamp.kind}: {stamp.token.describe()} by {describe(tsa)}")
        if stamp.kind == "sigTst":
            proven.append(stamp.token.gen_time)
    content = [s.token.gen_time for s in signature.timestamps if s.kind == "adoTst"]
    if proven and content and max(content) > min(proven):
        raise ProofInvalid("The seal's timestamps are out of order: content stamped after it.")
    if proven:
        signed_at, source = min(proven), "timestamp"
    elif signature.signing_time is not None:
        signed_at, source = signature.signing_time, "claimed"
    else:
        signed_at, source = opts.now, "none"
    path = build_path(signature.signer, certs[1:], [], at=signed_at)
    check_path(path)
    issuer = path[1] if len(path) > 1 else None
    revocation = revocation_status(
        signature.signer, issuer, crls=signature.crls, responses=signature.ocsp, extra=certs
    )
    holder = SealCertificate.of(signature.signer)
    seal = Seal(signature, tuple(path), signed_at, source, holder, revocation)
    who = holder.organisation or describe(signature.signer)
    when = {
        "timestamp": f"timestamped {human(signed_at)}",
        "claimed": f"sealed {human(signed_at)} by its own account (no timestamp)",
        "none": "with no signing time",
    }[source]
    intact = f"The seal is intact: {who} sealed it (JAdES {signature.level}, {when})"
    detail = "\n".join([f"path: {' → '.join(describe(c) for c in path)}", *notes])
    rev = revocation
    if rev.status == "unknown":
        return unknown(
            PROOF,
            f"{intact}, but whether its certificate was revoked could not be checked offline: "
            "the seal carries no revocation data for it.",
            detail=detail,
        ), seal
    if rev.status == "revoked" and rev.revoked_at is not None:
        if rev.revoked_at <= signed_at or source != "timestamp":
            raise ProofInvalid(
                f"The seal certificate was revoked on {human(rev.revoked_at)} ({rev.source}), "
                f"and nothing proves the seal was made before that ({human(signed_at)}).",
                detail=detail,
            )
        tail = f"; its certificate was revoked later, on {human(rev.revoked_at)}, which a seal "
        tail += "timestamped before does not lose"
    else:
        tail = f"; its certificate was not revoked ({rev.source} of {human(rev.as_of)})"
    return passed(PROOF, intact + tail + ".", detail=detail, data_date=rev.as_of), seal


_COVERS = {
    "adoTst": "the credential",
    "sigTst": "the seal's signature value",
    "arcTst": "the seal and its validation data",
}


def _trust(seal: Seal, opts: Options) -> CheckResult:
    """EU trusted lists (TS 119 612, TS 119 615 §4): the chain's anchor at the signing time."""
    store: TrustedListStore | None = opts.trusted_lists
    if store is None or not store.lists():
        return unknown(
            ISSUER_TRUST,
            "No EU trusted list is imported, so whether the seal comes from a trusted "
            "(qualified) trust service could not be checked.",
        )
    leaf = seal.path[0]
    anchor = store.anchor_for(list(seal.path), at=seal.signed_at)
    if anchor is None or anchor.certificate not in build_path(
        leaf, seal.path[1:], [anchor.certificate], at=seal.signed_at
    ):
        # Unknown, not failed: the seal may be genuine, we just cannot say who stands behind
        # it (the same rule as the legacy XML path and the W3C issuer trust check).
        return unknown(
            ISSUER_TRUST,
            "Not trusted: the seal's certificate does not come from any trust service on the "
            "imported EU trusted lists, so who made it cannot be confirmed.",
        )
    source = f"{anchor.service_name} ({anchor.territory} trusted list)"
    as_of = f"trusted as of the list issued on {anchor.list_issue_date.date().isoformat()}"
    if anchor.stale:
        as_of += ", which was already due for renewal when the credential was sealed"
    kind = anchor.seal_qualification(leaf)
    messages = {
        "qualified_qscd": "Qualified electronic seal: a qualified certificate for e-seal on a "
        f"secure device (QSCD), from {source}, {as_of}.",
        "qualified_no_qscd": "Advanced electronic seal with a qualified certificate for e-seal, "
        f"not on a secure device (QSCD), from {source}, {as_of}.",
        "advanced": f"Advanced electronic seal: its certificate comes from {source}, but is not "
        f"a qualified certificate for e-seal; {as_of}.",
    }
    if kind not in messages:
        return failed(
            ISSUER_TRUST,
            f"Not trusted: {anchor.service_name} was not an active trust service "
            f"({anchor.status_at_time or 'not listed'}) on the {anchor.territory} trusted list "
            f"when the credential was sealed ({human(seal.signed_at)}).",
            data_date=anchor.list_issue_date,
        )
    return passed(ISSUER_TRUST, messages[kind], data_date=anchor.list_issue_date)


def _validity(cred: EdcCredential, seal: Seal, opts: Options) -> CheckResult:
    """VC Data Model 1.1 §4.7–§4.8 dates against ``now``; RFC 5280 §4.1.2.5 certificate
    validity at the signing time."""
    stale = invalid_at(seal.path, seal.signed_at)
    if stale:
        cert = stale[0]
        return failed(
            VALIDITY,
            f"The certificate of {describe(cert)} was not valid when the credential was sealed "
            f"({human(seal.signed_at)}; valid {cert.not_valid_before_utc.date()} to "
            f"{cert.not_valid_after_utc.date()}), so the seal is not valid.",
        )
    if cred.valid_until is not None and cred.valid_until < opts.now:
        return failed(VALIDITY, f"It expired on {human(cred.valid_until)}.", reason="expired")
    if cred.valid_from is not None and cred.valid_from > opts.now:
        return failed(
            VALIDITY, f"It is not valid until {human(cred.valid_from)}.", reason="not_yet_valid"
        )
    until = f" until {human(cred.valid_until)}" if cred.valid_until else " with no end date"
    leaf_end = seal.path[0].not_valid_after_utc
    since = (
        f"; that certificate has expired since ({leaf_end.date()}), which does not affect the seal"
        if leaf_end < opts.now
        else ""
    )
    return passed(
        VALIDITY,
        f"It is valid{until}, and the seal certificate was valid when it was sealed{since}.",
    )


def _status(cred: EdcCredential, opts: Options) -> CheckResult:
    """Status lists (W3C Bitstring Status List §3.2, StatusList2021) when the EDC names any."""
    if not cred.status_entries:
        return not_applicable(
            STATUS,
            "The issuer gave it no status list (EDCs usually carry none), so it cannot be "
            "revoked online; the seal certificate's revocation was checked with the seal.",
        )
    from verifier.checks.status import check_status
    from verifier.credential import Credential
    from verifier.pipeline import verify_status_list_credential  # the engine's, imported late

    document = {**cred.document, "credentialStatus": list(cred.status_entries)}
    try:
        holder = Credential.from_document(document)
    except MalformedDocument as exc:
        return unknown(STATUS, f"Its status entries could not be read: {exc.message}")
    result = check_status(holder, opts, verify_status_list_credential)
    if cred.status_property == "status":
        return CheckResult(
            STATUS,
            result.status,
            result.message + " (Read from its non-standard status property.)",
            result.detail,
            result.data_date,
            result.reason,
        )
    return result


def verification_checks(report: Report, *, subject: str | None = None) -> list[dict[str, Any]]:
    """The report as ELM ``VerificationCheck`` objects (ELM v3 VerificationCheckShape: dcType,
    verificationStatus, elmSubject, description) for a presentation to carry."""
    out = []
    for check in report.checks:
        uri = EUROPASS_CHECK_TYPES.get(check.id)
        if uri is None:
            continue
        status_uri, label = _STATUSES[check.status]
        item: dict[str, Any] = {
            "id": f"urn:epass:verificationCheck:{len(out) + 1}",
            "type": "VerificationCheck",
            "dcType": _concept(uri, _LABELS[uri], "verification"),
            "verificationStatus": _concept(status_uri, label, "verification-status"),
            "description": {"en": check.message},
        }
        if subject:
            item["elmSubject"] = subject
        out.append(item)
    return out


def _concept(uri: str, label: str, scheme: str) -> dict[str, Any]:
    return {
        "id": uri,
        "type": "Concept",
        "inScheme": {"id": f"{_SNB}{scheme}/25831c2", "type": "ConceptScheme"},
        "prefLabel": {"en": label},
    }


def _report(
    results: dict[str, CheckResult],
    opts: Options,
    cred: EdcCredential | None = None,
    seal: Seal | None = None,
) -> Report:
    summary = dict(summarize_elm(cred.document)) if cred is not None else {}
    if seal is not None:
        summary["seal"] = {
            "level": seal.signature.level,
            "signed_at": seal.signed_at.isoformat(),
            "time_source": seal.time_source,
            "sealed_by": seal.holder.organisation,
            "organization_identifier": str(seal.holder.organization_identifier or "") or None,
            "country": seal.holder.country,
            "certificate": seal.holder.qualification(),
        }
    return Report(
        kind="credential",
        format=FORMAT_NAME,
        checks=ordered(CREDENTIAL_CHECKS, results),
        checked_at=opts.now,
        summary=summary,
    )
