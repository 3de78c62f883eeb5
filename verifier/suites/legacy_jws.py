"""The JWS-based Linked-Data suites that predate Data Integrity: ``JsonWebSignature2020``
(W3C CCG "JSON Web Signature 2020") and ``Ed25519Signature2018`` (W3C CCG "Ed25519
Signature 2018").  Both sign ``sha256(c14n(proof options)) || sha256(c14n(document))`` with a
detached, unencoded JWS (RFC 7797, ``b64: false``) kept in the proof's ``jws`` member.

Verification is what matters here; signing exists so the tests can make fresh proofs.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from verifier.errors import MalformedDocument, ProofInvalid
from verifier.keys import PrivateKey, PublicKey
from verifier.suites import data_integrity as di

# The JOSE modules are imported by the functions that sign and verify: the proof dispatch
# imports this module for every Linked-Data proof, and few proofs are of these types.

# Proof type -> the JWS algorithm it is limited to (None: any algorithm jose_algs accepts).
PROOF_TYPES: dict[str, str | None] = {"JsonWebSignature2020": None,
                                      "Ed25519Signature2018": "EdDSA"}
CONTEXTS = {"JsonWebSignature2020": "https://w3id.org/security/suites/jws-2020/v1",
            "Ed25519Signature2018": "https://w3id.org/security/suites/ed25519-2018/v1"}
# The VC 1.1 context already defines Ed25519Signature2018.
DEFINING_CONTEXTS = {
    "JsonWebSignature2020": frozenset({CONTEXTS["JsonWebSignature2020"]}),
    "Ed25519Signature2018": frozenset({CONTEXTS["Ed25519Signature2018"],
                                       "https://www.w3.org/2018/credentials/v1"}),
}
_SIGNATURE_MEMBERS = ("jws", "proofValue", "signatureValue")
_DETACHED = re.compile(r"[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+")


def verify_data(document: dict[str, Any], proof: dict[str, Any], *, safe: bool = True) -> bytes:
    """``sha256(c14n(proof options)) || sha256(c14n(document))``, the JWS payload
    (JsonWebSignature2020 §5.2 "Create Verify Data", as jsonld-signatures computes it)."""
    config = di.proof_configuration(proof, document, drop=_SIGNATURE_MEMBERS)
    return di.hash_data(document, config, transform="rdfc", safe=safe).combined


def create_proof(document: dict[str, Any], options: dict[str, Any], private_key: PrivateKey, *,
                 safe: bool = True) -> dict[str, Any]:
    """A ``JsonWebSignature2020`` or ``Ed25519Signature2018`` proof (JsonWebSignature2020 §5.3,
    Ed25519Signature2018 "Create Proof"), for tests and interoperability fixtures."""
    proof_type = options.get("type")
    if proof_type not in PROOF_TYPES:
        raise ValueError(f"not a JWS-based proof type: {proof_type!r}")
    from verifier.suites import jose, jose_algs

    alg = PROOF_TYPES[proof_type] or jose_algs.alg_for_key(private_key)
    if jose_algs.alg_for_key(private_key) != alg:
        raise ValueError(f"{proof_type} cannot be signed with this key (it needs {alg})")
    proof = copy.deepcopy(options)
    proof["jws"] = jose.detached_jws_sign({"alg": alg}, verify_data(document, options, safe=safe),
                                          private_key)
    return proof


def verify(document: dict[str, Any], proof: dict[str, Any], key: PublicKey, *,
           safe: bool = True) -> None:
    """Verify a ``JsonWebSignature2020`` or ``Ed25519Signature2018`` proof
    (JsonWebSignature2020 §5.4 "Verify Proof"; RFC 7797 §3 for the unencoded payload)."""
    proof_type = proof.get("type")
    if proof_type not in PROOF_TYPES:
        raise ValueError(f"not a JWS-based proof type: {proof_type!r}")
    token = proof.get("jws")
    if not isinstance(token, str) or not _DETACHED.fullmatch(token):
        raise MalformedDocument(f"The {proof_type} proof's jws is not a detached JWS "
                                "(header..signature).")
    from verifier.suites import jose

    jws = jose.CompactJws.parse(token, detached_payload=verify_data(document, proof, safe=safe))
    if jws.header.get("b64") is not False:
        raise MalformedDocument(f"The {proof_type} signature must be a detached JWS with an "
                                "unencoded payload (b64: false).")
    required = PROOF_TYPES[proof_type]
    if required is not None and jws.alg != required:
        raise ProofInvalid(f"An {proof_type} proof must be signed with {required}, not "
                           f"{jws.alg}.")
    jose.verify_jws(jws, key)
