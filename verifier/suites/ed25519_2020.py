"""``Ed25519Signature2020`` (W3C CCG "Ed25519 Signature 2020"): RDFC-1.0 (URDNA2015) with
SHA-256, ``sha256(proofConfig) || sha256(document)``, an Ed25519 signature as a multibase
base58btc ``proofValue``; the predecessor of ``eddsa-rdfc-2022`` that many Open Badges 3.0
issuers still use.
"""

from __future__ import annotations

import copy
from typing import Any

from verifier import multiformats as mf
from verifier.errors import ProofInvalid
from verifier.keys import PrivateKey, PublicKey
from verifier.suites import data_integrity as di

PROOF_TYPE = "Ed25519Signature2020"
CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"
DEFINING_CONTEXTS = frozenset({CONTEXT})
_KEYS = ("Ed25519",)


def create_proof(document: dict[str, Any], options: dict[str, Any], private_key: PrivateKey, *,
                 safe: bool = True) -> dict[str, Any]:
    """An ``Ed25519Signature2020`` proof over ``document`` (Ed25519Signature2020
    "Create Proof" / "Proof Algorithm", VC Data Integrity §4.2)."""
    if options.get("type") != PROOF_TYPE:
        raise ValueError(f"not an {PROOF_TYPE} proof: {options.get('type')!r}")
    try:
        di.check_key(PROOF_TYPE, _KEYS, private_key)
    except ProofInvalid as exc:
        raise ValueError(exc.message) from None
    config = di.proof_configuration(options, document)
    data = di.hash_data(document, config, transform="rdfc", safe=safe)
    proof = copy.deepcopy(options)
    proof["proofValue"] = mf.multibase_encode(di.sign_bytes(private_key, data.combined, "sha256"))
    return proof


def verify(document: dict[str, Any], proof: dict[str, Any], key: PublicKey, *,
           safe: bool = True) -> None:
    """Verify an ``Ed25519Signature2020`` proof (Ed25519Signature2020 "Verify Proof",
    VC Data Integrity §4.4)."""
    if proof.get("type") != PROOF_TYPE:
        raise ValueError(f"not an {PROOF_TYPE} proof: {proof.get('type')!r}")
    signature = di.decode_proof_value(proof)
    di.check_key(PROOF_TYPE, _KEYS, key)
    config = di.proof_configuration(proof, document)
    data = di.hash_data(document, config, transform="rdfc", safe=safe)
    di.verify_bytes(PROOF_TYPE, key, signature, data.combined, "sha256")
