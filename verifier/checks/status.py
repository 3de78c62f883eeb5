"""Revocation and suspension (W3C Bitstring Status List v1.0 §3.2 "Validate Algorithm";
StatusList2021): the status list credential is read from the local cache, verified as a
credential in its own right, issued by the same issuer, and in its validity period."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from verifier.checks import Options, failed, not_applicable, passed, result_for_error, unknown
from verifier.credential import Credential
from verifier.dates import human
from verifier.errors import DocumentNotCached, StatusListError, VerificationError
from verifier.report import STATUS, CheckResult, Report, Status
from verifier.statuslist import StatusEntry, StatusList, is_supported_entry, read_status

ListVerifier = Callable[[Mapping[str, Any], Options], Report]


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
    value = read_status(entry, status_list)
    fetched = f" (list fetched {human(when)})"
    if entry.purpose in ("revocation", "suspension") and value:
        # A list whose signer cannot be confirmed still counts when it says "revoked": failing
        # safe costs nothing; believing an unconfirmed "not revoked" could.
        verb = _verb(entry.purpose)
        caveat = "" if not report.unknown else " (the list's signer could not be confirmed)"
        return failed(
            STATUS,
            f"The issuer has {verb} it{fetched}{caveat}.",
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
        return passed(STATUS, f"Its status: {entry.message_for(value)}{fetched}.", data_date=when)
    return passed(STATUS, f"It has not been {_verb(entry.purpose)}{fetched}.", data_date=when)


def _verb(purpose: str) -> str:
    return {"revocation": "revoked", "suspension": "suspended"}.get(purpose, f"marked ({purpose})")
