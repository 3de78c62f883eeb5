"""The verification pipeline: the numbered steps, and the one place where data problems
become check results.

Credential (VC Data Model 2.0 §7 "Verification", VC Data Integrity §4, Open Badges 3.0 §9.2):
  1. Parse and check the format (structure, then JSON-LD expansion in safe mode).
  2. Verify every proof with the key it names, resolved offline.
  3. Bind each signing key to the issuer.
  4. Look the issuer up in the trust store.
  5. Check the validity period against ``now``.
  6. Check revocation and suspension from cached, verified status lists.
  7. Validate against cached credential schemas.
  8. Verify nested credentials (CLR 2.0 §8) each through steps 1–8.
Presentation (VCDM 2.0 §4.13, Data Integrity ``authentication`` proofs, OID4VP):
  1. Parse and check the format.
  2. Verify the holder's proof and that its key belongs to the holder.
  3. Compare the challenge (nonce) and 4. the domain (audience) with what the verifier set.
  5. Check the holder is the subject of every credential.
  6. Verify every credential through the credential steps.
If a proof fails, the checks of the contents are ``unknown``: the contents cannot be trusted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from verifier import documents
from verifier.cache import DocumentCache
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
from verifier.checks.format import check_jsonld
from verifier.checks.holder import check_holder_binding, check_value
from verifier.checks.issuer import check_issuer_trust
from verifier.checks.proof import check_credential_proof, jws_proof, ld_proof
from verifier.checks.schema import check_schema
from verifier.checks.status import check_status
from verifier.checks.validity import check_validity
from verifier.credential import (
    Credential,
    Presentation,
    SealedCredential,
    as_list,
    load_json,
    parse,
)
from verifier.dates import from_numeric_date, human, parse_datetime, resolve_now
from verifier.errors import MalformedDocument, VerificationError
from verifier.report import (
    CHALLENGE,
    CREDENTIAL_CHECKS,
    CREDENTIALS,
    DOMAIN,
    FORMAT,
    HOLDER_BINDING,
    HOLDER_PROOF,
    ISSUER_BINDING,
    ISSUER_TRUST,
    NESTED,
    PRESENTATION_CHECKS,
    PROOF,
    SCHEMA,
    STATUS,
    VALIDITY,
    CheckResult,
    LazyMapping,
    Outcome,
    Report,
    Status,
    ordered,
)
from verifier.summary import LangText, summarize
from verifier.trust import TrustStore

MAX_NESTING = 3
Document = bytes | str | Mapping[str, Any]


def _options(
    now: Any,
    trust: TrustStore | None,
    cache: DocumentCache | None,
    challenge: str | None = None,
    domain: str | None = None,
    trusted_lists: Any = None,
    recipient_identities: tuple[str, ...] = (),
) -> Options:
    return Options(
        now=resolve_now(now),
        trust=trust if trust is not None else TrustStore.empty(),
        cache=cache if cache is not None else DocumentCache.in_memory(),
        challenge=challenge,
        domain=domain,
        trusted_lists=trusted_lists,
        recipient_identities=tuple(recipient_identities),
    )


def verify(
    document: Document,
    *,
    now: Any = None,
    trust: TrustStore | None = None,
    cache: DocumentCache | None = None,
    challenge: str | None = None,
    domain: str | None = None,
    trusted_lists: Any = None,
    recipient_identities: tuple[str, ...] = (),
) -> Report:
    """Verify a credential or a presentation, whichever ``document`` is.

    ``trusted_lists`` (a :class:`verifier.trustlists.TrustedListStore`) anchors e-sealed
    credentials; ``recipient_identities`` are the e-mail addresses, URLs or telephone numbers
    the holder has confirmed, for Open Badges 2.0 recipients.
    """
    opts = _options(now, trust, cache, challenge, domain, trusted_lists, recipient_identities)
    return _dispatch(document, opts)


NOT_A_PRESENTATION = "This is a credential on its own, not a presentation signed by its holder."
NOT_A_CREDENTIAL = "This is a presentation, not a credential."


def _dispatch(
    document: Document, opts: Options, *, expect: str | None = None, unbaked: bool = False
) -> Report:
    """Recognise the kind of document and send it down its own steps; ``expect`` names the
    kind the caller asked for ("credential" or "presentation"), and another kind is refused."""
    unread = expect or "credential"
    # Baked badge images (Open Badges Baking): unbake, then verify what was inside.
    if isinstance(document, bytes) and not unbaked and _maybe_image(document):
        from verifier import baking

        if baking.is_image(document):
            try:
                payload = baking.unbake(document)
            except VerificationError as exc:
                return _unreadable(unread, exc, opts)
            return _dispatch(payload.text, opts, expect=expect, unbaked=True)
    # European Digital Credentials: legacy XML (ELM v2) and JAdES-sealed JSON (ELM v3).
    if isinstance(document, bytes | str) and document[:200].lstrip()[:1] in (b"<", "<"):
        from verifier.edc.legacy_xml import verify_legacy_xml

        if expect == "presentation":
            return _refused("presentation", NOT_A_PRESENTATION, opts)
        raw = document.encode() if isinstance(document, str) else document
        return verify_legacy_xml(raw, opts)
    value: Any = document
    if isinstance(document, bytes | str) and document[:64].lstrip()[:1] in (b"{", "{"):
        try:
            value = load_json(document)  # parsed once; the raw text is kept for seals
        except VerificationError as exc:
            return _unreadable(unread, exc, opts)
    if _maybe_jws_json(value):
        from verifier.edc.pipeline import looks_like_edc, verify_edc

        if looks_like_edc(value):
            if expect == "presentation":
                return _refused("presentation", NOT_A_PRESENTATION, opts)
            return verify_edc(document, opts)
    # Open Badges 2.0 (hosted or signed assertions).
    if _maybe_ob2(value):
        from verifier.ob2 import looks_like_ob2, verify_ob2

        if looks_like_ob2(value):
            if expect == "presentation":
                return _refused("presentation", NOT_A_PRESENTATION, opts)
            return verify_ob2(value, opts)
    # W3C credentials and presentations in every securing format.
    try:
        parsed = parse(value)
    except VerificationError as exc:
        return _unreadable(unread, exc, opts)
    if expect == "credential":
        if isinstance(parsed, Presentation):
            return _refused("credential", NOT_A_CREDENTIAL, opts)
        return _credential(parsed, opts)  # an SD-JWT's key binding is not looked at here
    if isinstance(parsed, Presentation) or _is_sd_jwt_presentation(parsed):
        return _presentation(parsed, opts)
    if expect == "presentation":
        return _refused("presentation", NOT_A_PRESENTATION, opts)
    return _credential(parsed, opts)


def _refused(kind: str, why: str, opts: Options) -> Report:
    """The report for a document of another kind than the caller asked for."""
    return _unreadable(kind, MalformedDocument(why), opts)


def _maybe_image(data: bytes) -> bool:
    """A cheap first look, so the image code is loaded only for images."""
    head = data[:4096].lstrip()
    return head.startswith((b"\x89PNG", b"\xff\xd8", b"GIF8", b"RIFF")) or b"<svg" in head


def _maybe_jws_json(value: Any) -> bool:
    """A cheap first look for a JWS JSON serialization, so the seal code loads only for seals."""
    return (
        isinstance(value, Mapping)
        and "payload" in value
        and ("signatures" in value or "signature" in value)
    )


def _maybe_ob2(value: Any) -> bool:
    """A cheap first look, so the Open Badges 2.0 code loads only for what may be a badge: any
    text (a signed badge, a hosted badge's URL), or an object with a ``badge`` or an Open Badges
    context (each of their URLs names ``openbadge``); :func:`verifier.ob2.looks_like_ob2`
    decides."""
    if not isinstance(value, Mapping):
        return True
    contexts = value.get("@context")
    return "badge" in value or any(
        isinstance(c, str) and "openbadge" in c
        for c in (contexts if isinstance(contexts, list) else [contexts])
    )


def verify_credential(
    document: Document,
    *,
    now: Any = None,
    trust: TrustStore | None = None,
    cache: DocumentCache | None = None,
    trusted_lists: Any = None,
    recipient_identities: tuple[str, ...] = (),
) -> Report:
    """Verify one credential of any format :func:`verify` reads (not a presentation) offline."""
    opts = _options(now, trust, cache, None, None, trusted_lists, recipient_identities)
    return _dispatch(document, opts, expect="credential")


def verify_presentation(
    document: Document,
    *,
    challenge: str | None = None,
    domain: str | None = None,
    now: Any = None,
    trust: TrustStore | None = None,
    cache: DocumentCache | None = None,
    trusted_lists: Any = None,
    recipient_identities: tuple[str, ...] = (),
) -> Report:
    """Verify a presentation, its holder binding, challenge and domain, and each credential."""
    opts = _options(now, trust, cache, challenge, domain, trusted_lists, recipient_identities)
    return _dispatch(document, opts, expect="presentation")


def verify_status_list_credential(document: Mapping[str, Any], opts: Options) -> Report:
    """Verify a status list credential (its own status is not checked: no loops)."""
    inner = opts.inner(check_status=False)
    try:
        cred = Credential.from_json(document)
    except VerificationError as exc:
        return _unreadable("credential", exc, inner)
    return _credential(cred, inner)


# -- credentials ----------------------------------------------------------------------------
def _credential(cred: Credential, opts: Options) -> Report:
    with documents.one_verification():
        return _credential_checks(cred, opts)


def _credential_checks(cred: Credential, opts: Options) -> Report:
    results: dict[str, CheckResult] = {}
    nested: tuple[Report, ...] = ()
    # 1. Format
    results[FORMAT] = guard(FORMAT, lambda: check_jsonld(cred.document, cred.format, cred.version))
    if results[FORMAT].status is not Status.PASSED:
        reason = "Not checked: the document could not be read as a valid credential."
        fill_unknown(results, CREDENTIAL_CHECKS, reason)
        return _report("credential", cred.format, results, opts, cred)
    # 2. Proof and 3. issuer binding
    proof = check_credential_proof(cred, opts)
    results[PROOF], results[ISSUER_BINDING] = proof.proof, proof.binding
    if proof.proof.status is Status.FAILED:
        reason = "Not checked: the signature failed, so the contents cannot be trusted."
        fill_unknown(results, CREDENTIAL_CHECKS, reason)
        return _report("credential", cred.format, results, opts, cred)
    # 4. Issuer trust
    results[ISSUER_TRUST] = check_issuer_trust(
        cred.issuer_id, LangText.of(cred.issuer.get("name")).pick() or None, opts
    )
    # 5. Validity period
    results[VALIDITY] = guard(VALIDITY, lambda: check_validity(cred, opts))
    # 6. Status
    results[STATUS] = guard(STATUS, lambda: check_status(cred, opts, verify_status_list_credential))
    # 7. Schema
    results[SCHEMA] = guard(SCHEMA, lambda: check_schema(cred, opts))
    # 8. Nested credentials
    results[NESTED], nested = _nested(cred, opts)
    return _report("credential", cred.format, results, opts, cred, nested)


def _nested(cred: Credential, opts: Options) -> tuple[CheckResult, tuple[Report, ...]]:
    if not cred.nested:
        return not_applicable(NESTED, "It contains no other credentials."), ()
    if opts.depth >= MAX_NESTING:
        return failed(NESTED, f"Credentials are nested more than {MAX_NESTING} levels deep."), ()
    inner = opts.inner()
    reports = tuple(
        _credential(c, inner) if isinstance(c, Credential) else _unreadable("credential", c, inner)
        for c in cred.nested
    )
    return _aggregate(NESTED, reports, "contained credential"), reports


def _aggregate(check_id: str, reports: tuple[Report, ...], noun: str) -> CheckResult:
    n = len(reports)
    fake = [r for r in reports if r.outcome is Outcome.NOT_GENUINE]
    if fake:
        tail = "; the CLR issuer's own signature still covers them" if check_id == NESTED else ""
        return failed(check_id, f"{len(fake)} of {n} {noun}s are not genuine on their own{tail}.")
    gaps = [r for r in reports if r.outcome is Outcome.CANNOT_CHECK]
    if gaps:
        return unknown(check_id, f"{len(gaps)} of {n} {noun}s could not be fully checked.")
    other = [r for r in reports if r.outcome is not Outcome.VERIFIED]
    if other:
        kinds = ", ".join(sorted({r.outcome.value.replace("_", " ") for r in other}))
        return passed(check_id, f"All {n} {noun}s are genuine; {len(other)} of them: {kinds}.")
    return passed(check_id, f"All {n} {noun}s are verified.")


# -- presentations --------------------------------------------------------------------------
def _is_sd_jwt_presentation(parsed: Credential | Presentation) -> bool:
    return (
        isinstance(parsed, Credential)
        and parsed.format == "sd_jwt_vc"
        and getattr(parsed.sd_jwt, "kb_jwt", None) is not None
    )


def _presentation(pres: Credential | Presentation, opts: Options) -> Report:
    # The format check and the holder's proof canonicalize the same unsigned presentation.
    with documents.one_verification():
        return _presentation_checks(pres, opts)


def _presentation_checks(pres: Credential | Presentation, opts: Options) -> Report:
    if isinstance(pres, Credential):
        from verifier.checks.sd_jwt import sd_jwt_presentation

        results, cred_report = sd_jwt_presentation(pres, opts, _credential)
        return _report("presentation", "sd_jwt_vp", results, opts, None, (cred_report,))
    results: dict[str, CheckResult] = {}
    creds = tuple(c for c in pres.credentials if not isinstance(c, VerificationError))
    # 1. Format
    version = "2.0" if "ns/credentials/v2" in str(pres.document.get("@context")) else "1.1"
    results[FORMAT] = guard(FORMAT, lambda: check_jsonld(pres.document, pres.format, version))
    # 2. Holder proof
    if pres.format == "ldp_vp":
        outcome = ld_proof(
            dict(pres.document),
            expected_purpose="authentication",
            controller=pres.holder,
            opts=opts,
            who="holder",
        )
        proofs = outcome.proofs
        ends = [p["expires"] for p in proofs if isinstance(p.get("expires"), str)]
        challenges = [p["challenge"] for p in proofs if isinstance(p.get("challenge"), str)]
        domains = [d for p in proofs for d in as_list(p.get("domain")) if isinstance(d, str)]
    else:
        holder = pres.holder or pres.jwt_claims.get("iss")
        outcome = jws_proof(
            pres.jws, issuer=holder if isinstance(holder, str) else None, opts=opts, who="holder"
        )
        ends = [pres.jwt_claims["exp"]] if "exp" in pres.jwt_claims else []
        challenges = (
            [pres.jwt_claims["nonce"]] if isinstance(pres.jwt_claims.get("nonce"), str) else []
        )
        domains = [a for a in as_list(pres.jwt_claims.get("aud")) if isinstance(a, str)]
    results[HOLDER_PROOF] = guard(
        HOLDER_PROOF, lambda: _holder_proof(outcome.proof, outcome.binding, ends, opts)
    )
    # 3. Challenge and 4. domain
    results[CHALLENGE] = check_value(CHALLENGE, "challenge", opts.challenge, challenges)
    results[DOMAIN] = check_value(DOMAIN, "domain", opts.domain, domains)
    # 5. Holder binding
    holder_keys = [m.controller for m in outcome.methods]
    results[HOLDER_BINDING] = check_holder_binding(pres.holder, holder_keys, creds, opts)
    # 6. Each credential
    inner = opts.inner(challenge=None, domain=None, check_status=True)
    reports = tuple(_presented(c, inner) for c in pres.credentials)
    results[CREDENTIALS] = (
        _aggregate(CREDENTIALS, reports, "credential")
        if reports
        else unknown(CREDENTIALS, "The presentation carries no credential.")
    )
    return _report("presentation", pres.format, results, opts, None, reports)


def _presented(item: Credential | SealedCredential | VerificationError, opts: Options) -> Report:
    """The report on one credential a presentation carries."""
    if isinstance(item, VerificationError):
        return _unreadable("credential", item, opts)
    if isinstance(item, SealedCredential):  # an e-sealed EDC, verified as one
        return _dispatch(item.raw, opts, expect="credential")
    return _credential(item, opts)


def _holder_proof(
    proof: CheckResult, binding: CheckResult, ends: list[Any], opts: Options
) -> CheckResult:
    """The holder's signature: intact, by a key of the holder, and not past its ``expires``
    (Data Integrity) or ``exp`` (JWT): a presentation signed for a day is refused after it,
    which is what lets a shared QR code expire."""
    if proof.status is not Status.PASSED:
        return CheckResult(HOLDER_PROOF, proof.status, proof.message, proof.detail)
    for end in ends:
        moment = (
            parse_datetime(end, field="proof expires")
            if isinstance(end, str)
            else from_numeric_date(end, field="exp")
        )
        if moment < opts.now:
            return failed(
                HOLDER_PROOF,
                f"The holder's signature expired on {human(moment)}.",
                reason="expired",
            )
    if binding.status is not Status.PASSED:
        return CheckResult(HOLDER_PROOF, binding.status, binding.message, binding.detail)
    return CheckResult(
        HOLDER_PROOF,
        Status.PASSED,
        "The holder signed this presentation. " + binding.message,
        data_date=binding.data_date or proof.data_date,
    )


# -- helpers ----------------------------------------------------------------------------------


def _unreadable(kind: str, error: VerificationError, opts: Options) -> Report:
    check_ids = CREDENTIAL_CHECKS if kind == "credential" else PRESENTATION_CHECKS
    results = {FORMAT: result_for_error(FORMAT, error)}
    fill_unknown(results, check_ids, "Not checked: the document could not be read.")
    return Report(
        kind=kind, format="unknown", checks=ordered(check_ids, results), checked_at=opts.now
    )


def _report(
    kind: str,
    fmt: str,
    results: dict[str, CheckResult],
    opts: Options,
    cred: Credential | None,
    nested: tuple[Report, ...] = (),
) -> Report:
    check_ids = CREDENTIAL_CHECKS if kind == "credential" else PRESENTATION_CHECKS
    return Report(
        kind=kind,
        format=fmt,
        checks=ordered(check_ids, results),
        checked_at=opts.now,
        credentials=nested,
        summary=LazyMapping(lambda: summarize(cred)) if cred is not None else {},
    )


__all__ = ["verify", "verify_credential", "verify_presentation", "passed"]
