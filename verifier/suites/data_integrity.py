"""``DataIntegrityProof`` (W3C VC Data Integrity 1.0) with the cryptosuites of VC DI EdDSA v1.0
(``eddsa-rdfc-2022``, ``eddsa-jcs-2022``) and VC DI ECDSA v1.0 (``ecdsa-rdfc-2019``,
``ecdsa-jcs-2019``).

Every suite runs the same four steps, which the other Linked-Data suites reuse from here:
proof configuration (the proof options without ``proofValue``, carrying the document's
``@context``), transformation (RDFC-1.0 canonical N-Quads, or RFC 8785 JCS), hashing
(``hash(proofConfig) || hash(document)``: SHA-256, or SHA-384 for P-384 keys, which RDFC-1.0
then uses too) and the signature (Ed25519, or ECDSA as raw ``r || s``) as a multibase
base58btc ``proofValue``.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterable
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from verifier import documents
from verifier import multiformats as mf
from verifier.credential import as_list
from verifier.errors import MalformedDocument, ProofInvalid, UnsupportedProof
from verifier.keys import PrivateKey, PublicKey, key_type
from verifier.records import Record

PROOF_TYPE = "DataIntegrityProof"
CONTEXT = "https://w3id.org/security/data-integrity/v2"
# Contexts that already define DataIntegrityProof, so signing need not add CONTEXT.
DEFINING_CONTEXTS = frozenset({CONTEXT, "https://www.w3.org/ns/credentials/v2",
                               "https://w3id.org/security/data-integrity/v1"})


class Cryptosuite(Record):
    """A cryptosuite: its name, its transformation and the key types it signs with."""

    name: str
    transform: str  # "rdfc" (RDFC-1.0) or "jcs" (RFC 8785)
    key_types: tuple[str, ...]


CRYPTOSUITES: dict[str, Cryptosuite] = {
    "eddsa-rdfc-2022": Cryptosuite("eddsa-rdfc-2022", "rdfc", ("Ed25519",)),
    "eddsa-jcs-2022": Cryptosuite("eddsa-jcs-2022", "jcs", ("Ed25519",)),
    "ecdsa-rdfc-2019": Cryptosuite("ecdsa-rdfc-2019", "rdfc", ("P-256", "P-384")),
    "ecdsa-jcs-2019": Cryptosuite("ecdsa-jcs-2019", "jcs", ("P-256", "P-384")),
}
_WHY_NOT = {
    "ecdsa-sd-2023": "selective-disclosure ECDSA proofs (ecdsa-sd-2023) are not supported",
    "bbs-2023": "BBS selective-disclosure proofs (bbs-2023) are not supported",
    "eddsa-2022": "eddsa-2022 is a withdrawn draft name that no published suite defines",
    "ecdsa-2019": "ecdsa-2019 is a withdrawn draft name that no published suite defines",
}
_SIGNATURE_SIZE = {"Ed25519": 64, "P-256": 64, "P-384": 96}
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {"sha256": hashes.SHA256,
                                                   "sha384": hashes.SHA384}


class HashData(Record):
    """The intermediate values of one proof: both canonical forms and their hashes."""

    canonical_proof_config: str
    canonical_document: str
    proof_config_hash: bytes
    document_hash: bytes

    @property
    def combined(self) -> bytes:
        """``hash(proofConfig) || hash(document)``, the bytes that are signed."""
        return self.proof_config_hash + self.document_hash


def hash_name_for(kind: str) -> str:
    """The hash a key type uses: SHA-384 for P-384 (VC DI ECDSA §3.3.4), SHA-256 otherwise."""
    return "sha384" if kind == "P-384" else "sha256"


def cryptosuite_of(proof: dict[str, Any]) -> Cryptosuite:
    """The cryptosuite a proof names (VC DI EdDSA and ECDSA §3.1 "Instantiate
    Cryptosuite")."""
    name = proof.get("cryptosuite")
    if not isinstance(name, str) or not name:
        raise MalformedDocument("The Data Integrity proof does not name its cryptosuite.")
    if name not in CRYPTOSUITES:
        why = _WHY_NOT.get(name, f"the cryptosuite {name!r} is not supported")
        raise UnsupportedProof(f"This proof cannot be checked: {why} (supported: "
                               f"{', '.join(CRYPTOSUITES)}).")
    return CRYPTOSUITES[name]


def proof_configuration(proof: dict[str, Any], document: dict[str, Any], *,
                        drop: Iterable[str] = ("proofValue",)) -> dict[str, Any]:
    """The proof options without the signature, with the document's ``@context``
    (VC DI EdDSA §3.2.5 and §3.3.5, VC DI ECDSA §3.2.5 and §3.3.5)."""
    removed = set(drop)
    config = {name: documents.copy_json(value) for name, value in proof.items()
              if name not in removed}
    # A proof's own @context wins (jsonld-signatures does the same); for Data Integrity proofs
    # document_in_proof_context has already made the two equal.
    if "@context" not in config and "@context" in document:
        config["@context"] = documents.copy_json(document["@context"])
    return config


def canonical_form(value: dict[str, Any], *, transform: str, hash_name: str,
                   safe: bool) -> str:
    """Transform a document or proof configuration (RDFC-1.0 or JCS, VC DI EdDSA §3.2.3/§3.3.3)."""
    if transform == "jcs":
        import rfc8785  # only the JCS suites need it

        try:
            return rfc8785.dumps(value).decode("utf-8")
        except rfc8785.CanonicalizationError as exc:
            raise MalformedDocument(f"The document cannot be canonicalized as JSON (RFC 8785): "
                                    f"{exc}.") from None
    if transform != "rdfc":
        raise ValueError(f"unknown transformation {transform!r}")
    if "@context" not in value:
        raise MalformedDocument("The document has no @context, so its Linked-Data proof (RDF "
                                "canonicalization) cannot be checked.")
    return documents.canonize(value, hash_name=hash_name, safe=safe)


def hash_data(document: dict[str, Any], proof_config: dict[str, Any], *, transform: str,
              hash_name: str = "sha256", safe: bool = True) -> HashData:
    """Canonicalize and hash both halves (VC DI EdDSA §3.2.4, VC DI ECDSA §3.3.4)."""
    canon_config = canonical_form(proof_config, transform=transform, hash_name=hash_name,
                                  safe=safe)
    canon_doc = canonical_form(document, transform=transform, hash_name=hash_name, safe=safe)
    return HashData(canon_config, canon_doc,
                    hashlib.new(hash_name, canon_config.encode("utf-8")).digest(),
                    hashlib.new(hash_name, canon_doc.encode("utf-8")).digest())


def decode_proof_value(proof: dict[str, Any]) -> bytes:
    """The signature bytes of a multibase base58btc ``proofValue`` (VC Data Integrity §2.1)."""
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise MalformedDocument("The proof's proofValue is not a multibase base58btc value "
                                "(starting with z).")
    try:
        return mf.multibase_decode(value)
    except ValueError as exc:
        raise MalformedDocument(f"The proof's proofValue is not valid base58btc ({exc}).") from None


def document_in_proof_context(document: dict[str, Any], proof: dict[str, Any]) -> dict[str, Any]:
    """The document read with the proof's own ``@context``, which must begin the document's
    (VC DI EdDSA §3.2.2 and §3.3.2 step "If proofOptions.@context exists")."""
    if "@context" not in proof:
        return document
    wanted, have = as_list(proof["@context"]), as_list(document.get("@context"))
    if have[:len(wanted)] != wanted:
        raise ProofInvalid("The proof's @context does not match the start of the document's "
                           "@context: the document was changed after signing.")
    return {**document, "@context": documents.copy_json(proof["@context"])}


def check_key(suite_name: str, kinds: tuple[str, ...], key: PublicKey | PrivateKey) -> str:
    """The key's type, if ``suite_name`` signs with it; ``ProofInvalid`` naming both if not."""
    try:
        kind = key_type(key)
    except ValueError:
        kind = "unsupported elliptic-curve"
    if kind not in kinds:
        raise ProofInvalid(f"The proof uses {suite_name}, which needs {' or '.join(kinds)} "
                           f"keys, but the verification method is a {kind} key.")
    return kind


def sign_bytes(private_key: PrivateKey, data: bytes, hash_name: str) -> bytes:
    """Sign: Ed25519 (64 bytes) or ECDSA as raw ``r || s`` (IEEE P1363, VC DI ECDSA §3.3.6)."""
    if isinstance(private_key, ed25519.Ed25519PrivateKey):
        return private_key.sign(data)
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        # Deterministic nonces (RFC 6979): no dependence on the RNG, and the W3C test vectors
        # come out byte for byte.
        algorithm = ec.ECDSA(_HASHES[hash_name](), deterministic_signing=True)
        r, s = decode_dss_signature(private_key.sign(data, algorithm))
        size = _SIGNATURE_SIZE[key_type(private_key)] // 2
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    raise ValueError(f"cannot sign a Data Integrity proof with a {key_type(private_key)} key")


def verify_bytes(suite_name: str, key: PublicKey, signature: bytes, data: bytes,
                 hash_name: str) -> None:
    """Verify an Ed25519 or raw ``r || s`` ECDSA signature (VC DI EdDSA §3.2.2, ECDSA §3.3.2)."""
    kind = key_type(key)
    size = _SIGNATURE_SIZE[kind]
    if len(signature) != size:
        other = next((k for k, n in _SIGNATURE_SIZE.items()
                      if n == len(signature) and k.startswith("P-") and kind.startswith("P-")),
                     None)
        if other:
            raise ProofInvalid(f"The proof holds a {other} signature ({len(signature)} bytes), "
                               f"but the verification method is a {kind} key.")
        raise ProofInvalid(f"The {suite_name} signature is {len(signature)} bytes long; a {kind} "
                           f"signature is {size}.")
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            r = int.from_bytes(signature[:size // 2], "big")
            s = int.from_bytes(signature[size // 2:], "big")
            key.verify(encode_dss_signature(r, s), data, ec.ECDSA(_HASHES[hash_name]()))
        else:
            raise ValueError(f"{kind} keys do not verify {suite_name} proofs")
    except InvalidSignature:
        raise ProofInvalid(f"The {suite_name} signature does not verify: the content was "
                           "changed after signing, or another key signed it.") from None


def create_proof(document: dict[str, Any], options: dict[str, Any], private_key: PrivateKey, *,
                 safe: bool = True) -> dict[str, Any]:
    """A ``DataIntegrityProof`` over ``document`` (VC Data Integrity §4.2 "Add Proof";
    VC DI EdDSA §3.2.1/§3.3.1, VC DI ECDSA §3.2.1/§3.3.1)."""
    suite = cryptosuite_of(options)
    try:
        kind = check_key(suite.name, suite.key_types, private_key)
    except ProofInvalid as exc:
        raise ValueError(exc.message) from None
    hash_name = hash_name_for(kind)
    config = proof_configuration(options, document)
    data = hash_data(document, config, transform=suite.transform, hash_name=hash_name, safe=safe)
    # The JCS suites keep the @context in the proof so a verifier can re-read the document
    # with it (VC DI EdDSA §3.3.1, as the published test vectors do).
    proof = config if suite.transform == "jcs" else copy.deepcopy(options)
    proof["proofValue"] = mf.multibase_encode(sign_bytes(private_key, data.combined, hash_name))
    return proof


def verify(document: dict[str, Any], proof: dict[str, Any], key: PublicKey, *,
           safe: bool = True) -> None:
    """Verify a ``DataIntegrityProof`` over ``document`` (VC Data Integrity §4.4 "Verify
    Proof"; VC DI EdDSA §3.2.2/§3.3.2, VC DI ECDSA §3.2.2/§3.3.2)."""
    if proof.get("type") != PROOF_TYPE:
        raise ValueError(f"not a {PROOF_TYPE}: {proof.get('type')!r}")
    suite = cryptosuite_of(proof)
    signature = decode_proof_value(proof)
    kind = check_key(suite.name, suite.key_types, key)
    hash_name = hash_name_for(kind)
    document = document_in_proof_context(document, proof)
    config = proof_configuration(proof, document)
    data = hash_data(document, config, transform=suite.transform, hash_name=hash_name, safe=safe)
    verify_bytes(suite.name, key, signature, data.combined, hash_name)
