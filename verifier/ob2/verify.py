"""Verifying an Open Badges 2.0 badge offline (OB 2.0 §Verification, "HostedBadge" and
"SignedBadge"): a :class:`~verifier.report.Report` with the credential checks in their order.

  1. Format: the Assertion, its BadgeClass and issuer Profile (embedded, or read from the local
     cache) have their required properties and the Open Badges 2.0 context.
  2. Proof: hosted, the copy the issuer hosts at the assertion's id agrees with the badge;
     signed, the JWS verifies with the CryptographicKey named by ``verification.creator``.
  3. Issuer binding: hosted, the assertion's id is in the issuer's verification scope
     (``startsWith``, ``allowedOrigins``, by default the issuer's own host); signed, the
     issuer's profile lists the key and the key names the issuer as its ``owner``.
  4. Issuer trust: the trust store.
  5. Validity: ``issuedOn`` not in the future nor after ``expires``; ``expires`` not passed.
  6. Status: ``revoked`` on the hosted copy, or the id in the issuer's RevocationList.
  7. Schema and 8. nested credentials do not apply to Open Badges 2.0.
Every document comes from the cache, and each check says when what it used was fetched.
This module is the one place where OB 2.0 data errors become check results; if the proof
fails, the checks of the contents are ``unknown``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from verifier.checks import (
    Options,
    failed,
    fill_unknown,
    guard,
    not_applicable,
    passed,
    result_for_error,
)
from verifier.checks.issuer import check_issuer_trust
from verifier.credential import as_list
from verifier.errors import VerificationError
from verifier.ob2 import checks
from verifier.ob2.assertion import (
    Assertion,
    Linked,
    is_compact_jws,
    is_web_url,
    linked,
)
from verifier.ob2.recipient import describe
from verifier.ob_summary import summarize_ob2
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


def verify_ob2(value: str | bytes | Mapping[str, Any], opts: Options) -> Report:
    """Verify an Open Badges 2.0 assertion (JSON, compact JWS or a hosted assertion's URL)
    with the documents in the local cache (OB 2.0 §Verification)."""
    fmt = "ob2_signed" if is_compact_jws(value) else "ob2_hosted"
    if isinstance(value, Mapping) and "RevocationList" in as_list(value.get("type")):
        return verify_revocation_list(value, opts)
    try:
        badge = Assertion.read(value, opts.cache)
    except VerificationError as exc:
        results = {FORMAT: result_for_error(FORMAT, exc)}
        return _skipped(fmt, results, CREDENTIAL_CHECKS[1:], opts, {},
                        "Not checked: the badge could not be read.")
    results: dict[str, CheckResult] = {}
    badge_class, issuer = Linked("BadgeClass", None), Linked("issuer profile", None)
    # 1. Format
    try:
        badge_class = linked(badge.badge, opts.cache, "BadgeClass")
        if badge_class.document is not None:
            issuer = linked(badge_class.document.get("issuer"), opts.cache, "issuer profile")
        results[FORMAT] = checks.check_format(badge, badge_class, issuer)
    except VerificationError as exc:
        results[FORMAT] = result_for_error(FORMAT, exc)
    shown = _summary(badge, badge_class, issuer, opts)
    if results[FORMAT].status is Status.FAILED:
        return _skipped(badge.format, results, CREDENTIAL_CHECKS[1:], opts, shown, "Not checked: "
                        "the badge is not a well-formed Open Badges 2.0 assertion.")
    # 2. Proof and 3. issuer binding
    results[PROOF] = guard(PROOF, lambda: checks.check_proof(badge, issuer, opts))
    results[ISSUER_BINDING] = guard(ISSUER_BINDING,
                                     lambda: checks.check_binding(badge, issuer, opts))
    if results[PROOF].status is Status.FAILED:
        return _skipped(badge.format, results, (ISSUER_TRUST, VALIDITY, STATUS, SCHEMA, NESTED),
                        opts, shown, "Not checked: the badge failed its proof, so its contents "
                        "cannot be trusted.")
    # 4. Issuer trust
    results[ISSUER_TRUST] = checks.check_trust(issuer, opts)
    # 5. Validity
    results[VALIDITY] = checks.check_validity(badge, opts)
    # 6. Status
    results[STATUS] = guard(STATUS, lambda: checks.check_status(badge, issuer, opts))
    # 7. Schema and 8. nested credentials
    results[SCHEMA] = not_applicable(SCHEMA, "Open Badges 2.0 badges have no credential schema.")
    results[NESTED] = not_applicable(NESTED, "It contains no other credentials.")
    return _report(badge.format, results, opts, shown)


def verify_revocation_list(document: Mapping[str, Any], opts: Options) -> Report:
    """Read an OB 2.0 RevocationList on its own (OB 2.0 §RevocationList): it is unsigned and
    counts only as fetched from its issuer's own URL, so only its form and issuer are checked."""
    results: dict[str, CheckResult] = {}
    entries = document.get("revokedAssertions", [])
    issuer = document.get("issuer")
    if not isinstance(document.get("id"), str) or not isinstance(entries, list):
        results[FORMAT] = failed(FORMAT, "The revocation list needs an id and a "
                                         "revokedAssertions list.")
        return _skipped("ob2_revocation_list", results, CREDENTIAL_CHECKS[1:], opts, {},
                        "Not checked: the revocation list could not be read.")
    results[FORMAT] = passed(FORMAT, f"It is an Open Badges 2.0 revocation list naming "
                                     f"{len(entries)} revoked badge(s).")
    unsigned = "Open Badges 2.0 revocation lists are not signed; one counts only as fetched " \
               "from its issuer's own URL."
    results[PROOF] = not_applicable(PROOF, unsigned)
    results[ISSUER_BINDING] = not_applicable(ISSUER_BINDING, unsigned)
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if isinstance(issuer_id, str):
        results[ISSUER_TRUST] = check_issuer_trust(issuer_id, None, opts)
    else:
        results[ISSUER_TRUST] = not_applicable(ISSUER_TRUST, "The list does not name its issuer; "
                                                             "it is the issuer profile that "
                                                             "points to it.")
    for check_id in (VALIDITY, STATUS, SCHEMA, NESTED):
        results[check_id] = not_applicable(check_id, "It does not apply to a revocation list.")
    return _report("ob2_revocation_list", results, opts, {"revoked_count": len(entries)})



def _summary(badge: Assertion, badge_class: Linked, issuer: Linked,
             opts: Options) -> dict[str, Any]:
    """What the badge says, from the issuer's hosted copy when it differs only in details."""
    document, changed = badge.document, []
    if badge.method == "hosted" and badge.hosted_copy is None and is_web_url(badge.id):
        try:
            copy = checks.hosted_copy(badge, opts).document
        except VerificationError:  # the proof check reports it; the badge's own copy is shown
            copy = None
        changed = checks.differences(badge.document, copy) if copy is not None else []
        if copy is not None and not set(changed) & checks.AWARD_PROPERTIES:
            document = copy
    shown: Any = badge_class.document if badge_class.document is not None else badge.badge
    out = dict(summarize_ob2(document, shown, issuer.document))
    out["recipient"] = describe(badge.recipient, opts.recipient_identities)
    if changed:
        out["differs_from_hosted_copy"] = changed
    return out


def _skipped(fmt: str, results: dict[str, CheckResult], check_ids: tuple[str, ...],
             opts: Options, shown: Mapping[str, Any], reason: str) -> Report:
    return _report(fmt, fill_unknown(results, check_ids, reason), opts, shown)


def _report(fmt: str, results: dict[str, CheckResult], opts: Options,
            shown: Mapping[str, Any]) -> Report:
    return Report(kind="credential", format=fmt, checks=ordered(CREDENTIAL_CHECKS, results),
                  checked_at=opts.now, summary=shown)
