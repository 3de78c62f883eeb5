"""The proof check and the issuer-binding check.

Proof: every proof verifies over the document with the key it names (VC Data Integrity §4.3
"Verify Proof", proof sets and chains §4.4; JWS RFC 7515 §5.2; SD-JWT §7.1).  Issuer binding:
the key belongs to the issuer (its controller is the issuer and the issuer lists it under
``assertionMethod``, VC Data Integrity §4.3 step 7 and Controlled Identifiers §3.3); a key
found only in a JWT header binds nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from verifier import keys, suites
from verifier.checks import Options, failed, not_applicable, passed, result_for_error, unknown
from verifier.credential import Credential
from verifier.errors import KeyNotFound, MalformedDocument, VerificationError
from verifier.keys import VerificationMethod
from verifier.records import Record
from verifier.report import ISSUER_BINDING, PROOF, CheckResult, Status


class ProofOutcome(Record):
    """The proof and binding results, plus the keys that signed (for holder checks)."""

    proof: CheckResult
    binding: CheckResult
    methods: tuple[VerificationMethod, ...] = ()
    proofs: tuple[dict, ...] = ()


def check_credential_proof(cred: Credential, opts: Options) -> ProofOutcome:
    """Verify a credential's proof(s) and whether the issuer controls the signing key."""
    if cred.format == "ldp_vc":
        return ld_proof(
            dict(cred.document),
            expected_purpose="assertionMethod",
            controller=cred.issuer_id,
            opts=opts,
            who="issuer",
        )
    return jws_proof(cred.jws, issuer=cred.issuer_id, opts=opts, who="issuer")


def ld_proof(
    document: dict, *, expected_purpose: str, controller: str | None, opts: Options, who: str
) -> ProofOutcome:
    """Verify embedded Data Integrity / Linked Data proofs and bind their keys to ``controller``."""
    if "proof" not in document:
        return ProofOutcome(
            failed(PROOF, "It carries no signature or seal, so anyone could have written it."),
            unknown(ISSUER_BINDING, f"Without a signature nothing ties it to the {who}."),
        )
    results: list[CheckResult] = []
    bindings: list[CheckResult] = []
    try:
        checks, unsigned = suites.extract_proofs(document)
    except VerificationError as exc:
        return ProofOutcome(result_for_error(PROOF, exc), _binding_unknown(who))
    raw_proofs = [c.proof for c in checks]
    methods: list[VerificationMethod] = []
    for check in checks:
        try:
            # A proof of a type no suite here implements is "cannot check", before any key.
            suites.check_supported(check.proof)
            method = _resolve_or_fragment(check.verification_method_id, opts)
            suites.verify_proof(unsigned, check.proof, method.public_key, all_proofs=raw_proofs,
                                parsed=check)
        except VerificationError as exc:
            results.append(result_for_error(PROOF, exc))
            bindings.append(
                unknown(
                    ISSUER_BINDING,
                    f"Without a verified signature the key cannot be tied to the {who}.",
                )
            )
            continue
        if method.source == "url-fragment":
            results.append(
                passed(
                    PROOF,
                    f"The signature ({check.suite}) matches the contents and "
                    "the key named in the proof.",
                )
            )
            bindings.append(
                unknown(
                    ISSUER_BINDING,
                    f"The key is known only from the proof's own "
                    f"URL fragment and nothing ties it to the "
                    f"{who}: the contents are intact, but who "
                    "signed them cannot be confirmed offline.",
                )
            )
            continue
        results.append(
            passed(
                PROOF,
                f"The signature ({check.suite}) matches the contents.",
                data_date=method.fetched_at,
            )
        )
        methods.append(method)
        bindings.append(_bind(method, check.purpose, expected_purpose, controller, who))
    count = len(checks)
    return ProofOutcome(
        _combine(PROOF, results, count),
        _combine(ISSUER_BINDING, bindings, count),
        tuple(methods),
        tuple(raw_proofs),
    )


def _resolve_or_fragment(vm_ref: str, opts: Options) -> VerificationMethod:
    """Resolve the key offline; failing that, take a Multikey fragment for an intact-check only."""
    try:
        return keys.resolve(vm_ref, cache=opts.cache)
    except KeyNotFound:
        key = keys.fragment_key(vm_ref)
        if key is None:
            raise
        return VerificationMethod(
            id=vm_ref,
            controller="",
            public_key=key,
            relationships=frozenset(),
            source="url-fragment",
        )


def jws_proof(jws: object, *, issuer: str | None, opts: Options, who: str) -> ProofOutcome:
    """Verify a JWS-secured credential or presentation and bind its key to ``issuer``."""
    from verifier.suites import jose

    assert isinstance(jws, jose.CompactJws)
    try:
        # An unsigned ("none") or HMAC token is refused before any key is looked for.
        jose.check_algorithm(jws)
        method = _jws_key(jws, issuer, opts)
    except VerificationError as exc:
        return ProofOutcome(
            result_for_error(PROOF, exc),
            unknown(
                ISSUER_BINDING,
                f"The signing key could not be found, so it cannot be tied to the {who}.",
            ),
        )
    try:
        jose.verify_jws(jws, method.public_key)
    except VerificationError as exc:
        return ProofOutcome(result_for_error(PROOF, exc), _binding_unknown(who))
    alg = jws.header.get("alg")
    proof = passed(
        PROOF, f"The signature ({alg}) matches the contents.", data_date=method.fetched_at
    )
    if method.source == "jwt-header":
        binding = unknown(
            ISSUER_BINDING,
            f"The signing key is carried inside the token itself and "
            f"nothing ties it to the {who}: the contents are intact, "
            "but who signed them cannot be confirmed.",
        )
    elif method.source == "trust-store":
        binding = passed(ISSUER_BINDING, f"The key is pinned for this {who} in your trust store.")
    else:
        binding = _bind(method, "assertionMethod", "assertionMethod", issuer, who)
    return ProofOutcome(proof, binding, (method,))


def _jws_key(jws: object, issuer: str | None, opts: Options) -> VerificationMethod:
    from verifier.suites import jose

    assert isinstance(jws, jose.CompactJws)
    header = jws.header
    kid = header.get("kid")
    if isinstance(kid, str) and kid:
        ref = kid
        if kid.startswith("#") and issuer and issuer.startswith("did:"):
            ref = issuer + kid
        if ref.startswith(("did:", "https://", "http://")):
            return keys.resolve(ref, cache=opts.cache)
    if issuer and issuer.startswith(("did:key:", "did:jwk:")) and "jwk" not in header:
        return keys.resolve(issuer, cache=opts.cache)
    pinned = opts.trust.pinned_keys(issuer) if issuer else ()
    for jwk in pinned:
        key = keys.jwk_to_public_key(jwk)
        try:
            jose.verify_jws(jws, key)
        except VerificationError:
            continue
        return VerificationMethod(
            id=f"{issuer}#pinned",
            controller=issuer or "",
            public_key=key,
            relationships=frozenset({"assertionMethod"}),
            source="trust-store",
        )
    if "jwk" in header:
        if isinstance(header["jwk"], dict) and "d" in header["jwk"]:
            raise MalformedDocument("The token's header contains a private key.")
        return VerificationMethod(
            id="jwk",
            controller="",
            public_key=keys.jwk_to_public_key(header["jwk"]),
            relationships=frozenset(),
            source="jwt-header",
        )
    if pinned:
        raise KeyNotFound(
            "None of the keys pinned for this issuer in your trust store made the signature verify."
        )
    raise KeyNotFound(
        "The token names no key that can be found offline (no DID key id, no key "
        "pinned for this issuer)."
    )


def _bind(
    method: VerificationMethod, purpose: str, expected: str, controller: str | None, who: str
) -> CheckResult:
    if purpose != expected:
        return failed(ISSUER_BINDING, f"The signature was made for {purpose}, not for {expected}.")
    if controller is None:
        return unknown(ISSUER_BINDING, f"The document names no {who} to tie the key to.")
    if method.controller != controller:
        return failed(
            ISSUER_BINDING,
            f"The key that signed belongs to {method.controller}, not to "
            f"the {who} {controller}: anyone could have signed this in "
            f"the {who}'s name.",
        )
    if not method.allows(purpose):
        return failed(
            ISSUER_BINDING, f"The {who}'s key document does not list this key for {purpose}."
        )
    where = (
        "derived from its did:key"
        if method.source == "did:key"
        else "derived from its did:jwk"
        if method.source == "did:jwk"
        else "listed in its cached key document"
    )
    return passed(
        ISSUER_BINDING,
        f"The signing key belongs to the {who} ({where}).",
        data_date=method.fetched_at,
    )


def _binding_unknown(who: str) -> CheckResult:
    return unknown(
        ISSUER_BINDING, f"The signature did not verify, so the key cannot be tied to the {who}."
    )


def _combine(check_id: str, results: Sequence[CheckResult], count: int) -> CheckResult:
    """One result for a proof set: any failure fails it, any gap makes it unknown."""
    if not results:
        return not_applicable(check_id, "There is no proof.")
    for status in (Status.FAILED, Status.UNKNOWN):
        bad = [r for r in results if r.status is status]
        if bad:
            prefix = f"{len(bad)} of {count} signatures: " if count > 1 else ""
            return CheckResult(
                check_id,
                status,
                prefix + bad[0].message,
                detail=bad[0].detail,
                data_date=bad[0].data_date,
            )
    if count > 1:
        return CheckResult(
            check_id,
            Status.PASSED,
            f"All {count} signatures verify. " + results[0].message,
            data_date=results[0].data_date,
        )
    return results[0]
