"""Revocation and suspension (W3C Bitstring Status List v1.0 §3.2 "Validate Algorithm";
StatusList2021): the status list credential is read from the local cache, verified as a
credential in its own right, and must be issued by the credential's own issuer (compared by
DID for DID URLs); a list published by anyone else decides nothing and the status is
``unknown``, except under the trust-any-issuer test mode."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from verifier.checks import Options, failed, not_applicable, passed, result_for_error, unknown
from verifier.credential import Credential
from verifier.dates import human
from verifier.errors import DocumentNotCached, StatusListError, VerificationError
from verifier.report import STATUS, CheckResult, Report, Status

ListVerifier = Callable[[Mapping[str, Any], Options], Report]
#: ``CheckResult.reason`` of an ``unknown`` status: the list was published by someone else
OTHER_ISSUER = "other_issuer"


def check_status(cred: Credential, opts: Options, verify_list: ListVerifier) -> CheckResult:
    """Read each ``credentialStatus`` entry from its cached, verified status list."""
    if not opts.check_status:
        return not_applicable(STATUS, "The status of a status list itself is not checked.")
    if not cred.status_entries:
        return not_applicable(
            STATUS, "The issuer gave it no status list, so it cannot be revoked or suspended."
        )
    results: list[CheckResult] = []
    for raw in cred.status_entries:
        try:
            results.append(_one(raw, cred, opts, verify_list))
        except VerificationError as exc:
            results.append(result_for_error(STATUS, exc))
    for status in (Status.FAILED, Status.UNKNOWN):
        for result in results:
            if result.status is status:
                return result
    return (
        results[0]
        if len(results) == 1
        else passed(
            STATUS,
            " ".join(r.message for r in results),
            data_date=min((r.data_date for r in results if r.data_date), default=None),
        )
    )


def _one(
    raw: Mapping[str, Any], cred: Credential, opts: Options, verify_list: ListVerifier
) -> CheckResult:
    # The status list code loads only for credentials that name a status list.
    from verifier.statuslist import StatusEntry, StatusList, is_supported_entry, read_status

    if not is_supported_entry(raw):
        return unknown(
            STATUS,
            f"Its status method ({raw.get('type')}) is not one this verifier "
            "reads, so revocation could not be checked.",
        )
    entry = StatusEntry.from_json(raw)
    cached = opts.cache.get(entry.list_url)
    if cached is None:
        raise DocumentNotCached(
            entry.list_url,
            message=(
                f"Its {entry.purpose} list has never been fetched into the local cache, so "
                f"whether it was {_verb(entry.purpose)} could not be checked (last checked: "
                "never)."
            ),
        )
    when = cached.fetched_at
    try:
        document = cached.json()
    except ValueError:
        raise StatusListError(f"The cached {entry.purpose} list is not JSON.") from None
    if not isinstance(document, Mapping):
        raise StatusListError(f"The cached {entry.purpose} list is not a JSON object.")
    report = verify_list(document, opts)
    if report.failed:
        return failed(
            STATUS,
            f"Its {entry.purpose} list cannot be relied on: {report.failed[0].message}",
            data_date=when,
            detail=f"{report.failed[0].id}: {entry.list_url}",
        )
    status_list = StatusList.from_json(document)
    # Only the credential's own issuer may decide its status: a list signed by anyone else (a
    # forged cache entry, another trusted issuer's list) proves nothing about this credential,
    # neither "revoked" nor "not revoked".
    publisher = None
    if not status_list.issued_by(cred.issuer_id):
        publisher = status_list.issuer or "an unnamed issuer"
        if not opts.trust.trusts_anyone:
            return unknown(
                STATUS,
                f"The status list at {entry.list_url} was published by {publisher}, not by "
                f"the credential's issuer {cred.issuer_id or '(none named)'}, so it cannot "
                "decide this credential's status.",
                data_date=when,
                reason=OTHER_ISSUER,
                detail=entry.list_url,
            )
    value = read_status(entry, status_list)
    fetched = f" (list fetched {human(when)})"
    # The trust-any-issuer test mode (the corpus's policy) accepts every signer, the list's
    # too, as DCC's verifier-core does for its shared fixture lists; the message says so.
    note = ""
    if publisher is not None:
        note = (
            f" The list was published by {publisher}, not by its issuer; it counts only "
            "because this verifier is set to trust any issuer (test mode)."
        )
    if entry.purpose in ("revocation", "suspension") and value:
        # A list whose signer cannot be confirmed still counts when it says "revoked": failing
        # safe costs nothing; believing an unconfirmed "not revoked" could.
        verb = _verb(entry.purpose)
        said = f"The issuer has {verb} it"
        if publisher is not None:
            said = f"Its {entry.purpose} list marks it {verb}"
        caveat = "" if not report.unknown else " (the list's signer could not be confirmed)"
        return failed(
            STATUS,
            f"{said}{fetched}{caveat}.{note}",
            data_date=when,
            reason=verb,
            detail=entry.list_url,
        )
    if report.unknown:
        return unknown(
            STATUS,
            f"Its {entry.purpose} list could not be verified: {report.unknown[0].message}",
            data_date=when,
            detail=entry.list_url,
        )
    if entry.purpose == "message" or entry.size > 1:
        return passed(
            STATUS, f"Its status: {entry.message_for(value)}{fetched}.{note}", data_date=when
        )
    return passed(STATUS, f"It has not been {_verb(entry.purpose)}{fetched}.{note}", data_date=when)


def _verb(purpose: str) -> str:
    return {"revocation": "revoked", "suspension": "suspended"}.get(purpose, f"marked ({purpose})")
