"""Issuer trust: is the issuer one the verifier's trust store recognises (a registry it
imported, or an issuer added by hand)?  Open Badges 3.0 §8.2 and the DCC registries."""

from __future__ import annotations

from verifier.checks import Options, passed, unknown
from verifier.report import ISSUER_TRUST, CheckResult


def check_issuer_trust(
    issuer_id: str | None, issuer_name: str | None, opts: Options
) -> CheckResult:
    """Look the issuer up in the trust store."""
    shown = issuer_name or issuer_id or "The issuer"
    if issuer_id is None:
        return unknown(ISSUER_TRUST, "The document names no issuer to look up.")
    if opts.trust.trusts_anyone:
        return passed(
            ISSUER_TRUST,
            f"{shown} is accepted because this verifier is set to trust any issuer (test mode).",
        )
    entry = opts.trust.lookup(issuer_id)
    if entry is None:
        return unknown(
            ISSUER_TRUST,
            f"{shown} is not in any registry this verifier trusts, so who "
            "they are cannot be confirmed.",
            detail=issuer_id,
        )
    return passed(
        ISSUER_TRUST,
        f"{entry.name} is a recognised issuer in {entry.registry}.",
        detail=issuer_id,
        data_date=entry.added_at,
    )
