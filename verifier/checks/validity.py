"""Validity period: VCDM 2.0 §4.9 (validFrom/validUntil), VCDM 1.1 §4.7/§7.1
(issuanceDate/expirationDate), JWT ``nbf``/``exp`` (RFC 7519 §4.1), and the proof's own
``created``/``expires`` (VC Data Integrity §2.1)."""

from __future__ import annotations

from datetime import timedelta

from verifier.checks import Options, failed, passed
from verifier.credential import Credential
from verifier.dates import from_numeric_date, human, parse_datetime
from verifier.report import VALIDITY, CheckResult

# Clocks differ; a proof created a few minutes "in the future" is not a forgery.
CLOCK_SKEW = timedelta(minutes=5)


def check_validity(cred: Credential, opts: Options) -> CheckResult:
    """Compare the credential's and its proofs' dates with ``opts.now``."""
    now = opts.now
    if cred.valid_from is not None and cred.valid_from > now + CLOCK_SKEW:
        return failed(
            VALIDITY, f"It is not valid until {human(cred.valid_from)}.", reason="not_yet_valid"
        )
    if cred.valid_until is not None and cred.valid_until < now:
        return failed(VALIDITY, f"It expired on {human(cred.valid_until)}.", reason="expired")
    if cred.valid_from and cred.valid_until and cred.valid_until < cred.valid_from:
        return failed(VALIDITY, "Its end date is before its start date.")
    # JWT nbf/exp (RFC 7519 §4.1.4–5) are statements of their own beside validFrom/validUntil.
    if "nbf" in cred.jwt_claims:
        nbf = from_numeric_date(cred.jwt_claims["nbf"], field="nbf")
        if nbf > now + CLOCK_SKEW:
            return failed(VALIDITY, f"It is not valid until {human(nbf)}.", reason="not_yet_valid")
    if "exp" in cred.jwt_claims:
        exp = from_numeric_date(cred.jwt_claims["exp"], field="exp")
        if exp < now:
            return failed(VALIDITY, f"Its token expired on {human(exp)}.", reason="expired")
    for proof in _proofs(cred):
        if "created" in proof:
            created = parse_datetime(proof["created"], field="proof created")
            if created > now + CLOCK_SKEW:
                return failed(
                    VALIDITY,
                    f"Its signature is dated in the future ({human(created)}).",
                    reason="not_yet_valid",
                )
        if "expires" in proof:
            expires = parse_datetime(proof["expires"], field="proof expires")
            if expires < now:
                return failed(
                    VALIDITY, f"Its signature expired on {human(expires)}.", reason="expired"
                )
    if cred.valid_until is not None:
        return passed(VALIDITY, f"It is valid until {human(cred.valid_until)}.")
    return passed(VALIDITY, "It is in its validity period and has no expiry date.")


def _proofs(cred: Credential) -> list[dict]:
    proofs = cred.document.get("proof") if cred.format == "ldp_vc" else None
    if proofs is None:
        return []
    items = proofs if isinstance(proofs, list) else [proofs]
    return [p for p in items if isinstance(p, dict)]
