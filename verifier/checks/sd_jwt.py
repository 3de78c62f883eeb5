"""An SD-JWT VC with a key-binding JWT is a presentation: the holder proves possession of the
key the issuer bound with ``cnf`` (SD-JWT §4.3, §7.3; SD-JWT VC §3.4), for the verifier's
``nonce`` (challenge) and ``aud`` (domain)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from verifier import keys
from verifier.checks import Options, passed, result_for_error, unknown
from verifier.checks.holder import check_value
from verifier.credential import Credential
from verifier.errors import VerificationError
from verifier.report import (
    CHALLENGE,
    CREDENTIALS,
    DOMAIN,
    FORMAT,
    HOLDER_BINDING,
    HOLDER_PROOF,
    CheckResult,
    Outcome,
    Report,
)

#: How old a key-binding JWT may be when the verifier asked for it with a nonce.
MAX_KB_AGE = timedelta(minutes=10)
#: Without a nonce of the verifier's own, the holder's claimed time proves nothing either way,
#: so the key-binding JWT's ``iat`` is not judged (RFC 9901 §7.3 leaves the window to policy).
UNJUDGED = timedelta(days=3650)


def sd_jwt_presentation(
    cred: Credential,
    opts: Options,
    verify_credential: Callable[[Credential, Options], Report],
) -> tuple[dict[str, CheckResult], Report]:
    """Check the key-binding JWT and verify the SD-JWT VC it presents."""
    from verifier.suites import sd_jwt

    results: dict[str, CheckResult] = {
        FORMAT: passed(FORMAT, "It is an SD-JWT verifiable credential presented with key binding."),
    }
    kb = cred.sd_jwt.kb_jwt
    kb_claims = sd_jwt.kb_claims(kb)
    cnf = cred.jwt_claims.get("cnf")
    try:
        if not isinstance(cnf, dict) or "jwk" not in cnf:
            raise keys.KeyNotFound("The issuer bound no holder key (cnf.jwk) to this credential.")
        holder_key = keys.jwk_to_public_key(cnf["jwk"])
        fresh = opts.challenge is not None
        sd_jwt.verify_key_binding(
            cred.sd_jwt,
            holder_key,
            nonce=opts.challenge,
            audience=opts.domain,
            now=opts.now,
            max_age=MAX_KB_AGE if fresh else UNJUDGED,
            leeway=timedelta(minutes=5) if fresh else UNJUDGED,
        )
        results[HOLDER_PROOF] = passed(
            HOLDER_PROOF,
            "The holder proved possession of the key the issuer bound to this credential.",
        )
    except VerificationError as exc:
        results[HOLDER_PROOF] = result_for_error(HOLDER_PROOF, exc)
    nonce = kb_claims.get("nonce")
    aud = kb_claims.get("aud")
    results[CHALLENGE] = check_value(
        CHALLENGE, "challenge", opts.challenge, [nonce] if isinstance(nonce, str) else []
    )
    results[DOMAIN] = check_value(
        DOMAIN, "domain", opts.domain, [aud] if isinstance(aud, str) else []
    )
    if results[HOLDER_PROOF].status.value == "passed":
        results[HOLDER_BINDING] = passed(
            HOLDER_BINDING, "The credential is bound to the key the holder signed with."
        )
    else:
        results[HOLDER_BINDING] = unknown(
            HOLDER_BINDING,
            "Key binding was not shown, so the holder is not tied to the credential.",
        )
    inner = opts.inner(challenge=None, domain=None)
    report = verify_credential(cred, inner)
    outcome = report.outcome
    if outcome is Outcome.VERIFIED:
        results[CREDENTIALS] = passed(CREDENTIALS, "The credential is verified.")
    elif outcome is Outcome.CANNOT_CHECK:
        results[CREDENTIALS] = unknown(CREDENTIALS, "The credential could not be fully checked.")
    elif outcome is Outcome.NOT_GENUINE:
        results[CREDENTIALS] = CheckResult(
            CREDENTIALS, report.failed[0].status, "The credential is not genuine."
        )
    else:
        results[CREDENTIALS] = passed(
            CREDENTIALS, f"The credential is genuine but {outcome.value.replace('_', ' ')}."
        )
    return results, report
