"""Presentation checks: the holder signed it (VC Data Integrity §2.1 proofPurpose
``authentication``; VC-JWT ``iss`` = holder), for the challenge and domain the verifier set
(Data Integrity §2.1 ``challenge``/``domain``; JWT ``nonce``/``aud``), and the holder is the
subject of each credential it presents (VCDM 2.0 §5.8 "Holder binding")."""

from __future__ import annotations

from collections.abc import Sequence

from verifier.checks import Options, failed, not_applicable, passed, unknown
from verifier.credential import Credential, SealedCredential
from verifier.report import HOLDER_BINDING, CheckResult


def check_value(
    check_id: str, label: str, expected: str | None, presented: Sequence[str]
) -> CheckResult:
    """Compare the challenge (or domain) the verifier set with the one the holder signed."""
    if expected is None:
        if presented:
            return not_applicable(
                check_id, f"No {label} was requested; the holder signed for {presented[0]!r}."
            )
        return not_applicable(check_id, f"No {label} was requested.")
    if not presented:
        return failed(
            check_id,
            f"The holder did not sign the {label} that was requested, so this "
            "could be a replay of an older presentation.",
        )
    if expected in presented:
        return passed(check_id, f"The holder signed for the requested {label}.")
    return failed(
        check_id,
        f"The holder signed for a different {label} ({presented[0]!r}), so "
        "this presentation was made for someone else or is a replay.",
    )


def check_holder_binding(
    holder: str | None,
    holder_keys: Sequence[str],
    credentials: Sequence[Credential | SealedCredential],
    opts: Options,
) -> CheckResult:
    """The holder who signed is the subject of every credential presented."""
    del opts
    if not credentials:
        return not_applicable(HOLDER_BINDING, "The presentation carries no readable credential.")
    if holder is None and not holder_keys:
        return unknown(HOLDER_BINDING, "The presentation does not say who the holder is.")
    ids = {i for i in (holder, *holder_keys) if i}
    unbound = [c for c in credentials if not c.subject_ids and not _sd_jwt_bound(c)]
    others = [c for c in credentials if c.subject_ids and not ids & set(c.subject_ids)]
    if others:
        return failed(
            HOLDER_BINDING,
            f"{len(others)} of {len(credentials)} credentials were issued "
            "to someone other than the holder who presented them.",
            detail=", ".join(others[0].subject_ids),
        )
    if unbound:
        return unknown(
            HOLDER_BINDING,
            f"{len(unbound)} of {len(credentials)} credentials name no "
            "subject, so nothing ties them to the holder.",
        )
    return passed(HOLDER_BINDING, "The holder who signed is the subject of every credential.")


def _sd_jwt_bound(cred: Credential | SealedCredential) -> bool:
    return cred.format == "sd_jwt_vc" and "cnf" in cred.jwt_claims
