"""Proof suites, one module per family: Data Integrity (``data_integrity``: eddsa-rdfc-2022,
eddsa-jcs-2022, ecdsa-rdfc-2019, ecdsa-jcs-2019), ``ed25519_2020``, the legacy JWS suites
(``legacy_jws``: JsonWebSignature2020, Ed25519Signature2018), JOSE (``jose``) and SD-JWT.

The Linked-Data API, parse then verify::

    checks, unsigned = extract_proofs(document)          # MalformedDocument if malformed
    for check in checks:
        key = keys.resolve(check.verification_method_id, cache=cache).public_key
        verify_proof(unsigned, check.proof, key,           # ProofInvalid / UnsupportedProof
                     all_proofs=[c.proof for c in checks])

and to sign: ``sign(document, keypair, cryptosuite="eddsa-rdfc-2022", created=now)``.
"""

from verifier.suites.proofs import (
    ProofCheck,
    check_supported,
    extract_proofs,
    sign,
    verify_proof,
)

__all__ = ["ProofCheck", "check_supported", "extract_proofs", "sign", "verify_proof"]
