"""Embedded Linked-Data proofs: parsing them, proof sets and proof chains (VC Data Integrity
1.0 §2.1.2 and §2.1.3; §4.3 "Add Proof Set/Chain", §4.5 "Verify Proof Sets and Chains"), and the
dispatch to the suite modules.

Key resolution and issuer binding are not done here: :mod:`verifier.checks.proof` resolves
each ``verification_method_id`` and checks that its controller is the issuer.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from verifier.dates import parse_datetime
from verifier.documents import copy_json
from verifier.errors import MalformedDocument, ProofInvalid, UnsupportedProof
from verifier.keys import PrivateKey, PublicKey
from verifier.records import Record
from verifier.suites import data_integrity, ed25519_2020, legacy_jws

if TYPE_CHECKING:
    from verifier.keypairs import KeyPair

Verifier = Callable[..., None]
_VERIFIERS: dict[str, Verifier] = {
    data_integrity.PROOF_TYPE: data_integrity.verify,
    ed25519_2020.PROOF_TYPE: ed25519_2020.verify,
    **{name: legacy_jws.verify for name in legacy_jws.PROOF_TYPES},
}


class ProofCheck(Record):
    """One embedded proof, parsed: what it claims, before anything is verified."""

    proof: dict[str, Any]  # the proof exactly as embedded (a copy)
    verification_method_id: str  # "" only for a proof type this verifier does not implement
    purpose: str  # proofPurpose: the verification relationship the key must have
    suite: str  # the cryptosuite of a DataIntegrityProof, else the proof type
    created: datetime | None
    expires: datetime | None
    challenge: str | None
    domain: str | tuple[str, ...] | None  # a string, or a set of strings (DI §2.1)
    id: str | None = None
    previous_proof: tuple[str, ...] = ()


def extract_proofs(document: dict[str, Any]) -> tuple[list[ProofCheck], dict[str, Any]]:
    """Parse the proof or proof set of ``document`` and return it with the document without
    ``proof`` (VC Data Integrity §2.1 "Proofs", §4.5 step 1)."""
    if not isinstance(document, dict):
        raise TypeError(f"a document is a dict, not {type(document).__name__}")
    if "proof" not in document:
        raise MalformedDocument("The document carries no proof.")
    raw = document["proof"]
    proofs = raw if isinstance(raw, list) else [raw]
    if not proofs:
        raise MalformedDocument("The document's proof set is empty.")
    checks = [_parse_proof(proof, index, len(proofs)) for index, proof in enumerate(proofs)]
    ids = [check.id for check in checks if check.id is not None]
    if len(ids) != len(set(ids)):
        raise MalformedDocument("Two proofs in the proof set have the same id.")
    unsigned = {name: value for name, value in document.items() if name != "proof"}
    return checks, copy_json(unsigned)


def _parse_proof(proof: Any, index: int, count: int) -> ProofCheck:
    where = f"proof {index + 1} of {count}" if count > 1 else "proof"
    if not isinstance(proof, dict):
        raise MalformedDocument(f"The {where} is not a JSON object.")

    def text(name: str, *, required: bool = False) -> str | None:
        value = proof.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value:
            raise MalformedDocument(f"The {where} has no {name}." if value is None else
                                    f"The {where}'s {name} is not a text value.")
        return value

    proof_type = str(text("type", required=True))
    # A proof of a type this verifier does not implement is "cannot check" (UnsupportedProof
    # from verify_proof), not malformed: its members are whatever its own suite says.
    known = proof_type in _VERIFIERS
    method = proof.get("verificationMethod")
    if isinstance(method, dict):  # an embedded method object: only its id is used
        method = method.get("id")
    if not isinstance(method, str) or not method:
        if known:
            raise MalformedDocument(f"The {where} does not name its verificationMethod.")
        method = ""
    purpose = text("proofPurpose", required=known) or ""
    if known:
        text("jws" if proof_type in legacy_jws.PROOF_TYPES else "proofValue", required=True)
    suite = proof_type
    if proof_type == data_integrity.PROOF_TYPE:
        suite = str(text("cryptosuite", required=True))
    return ProofCheck(
        proof=copy_json(proof), verification_method_id=method, purpose=purpose,
        suite=suite, created=_date(proof, "created", where),
        expires=_date(proof, "expires", where), challenge=text("challenge"),
        domain=_domain(proof.get("domain"), where), id=text("id"),
        previous_proof=_previous(proof.get("previousProof"), where))


def _date(proof: dict[str, Any], name: str, where: str) -> datetime | None:
    if proof.get(name) is None:
        return None
    return parse_datetime(proof[name], field=f"{where} {name}")


def _domain(value: Any, where: str) -> str | tuple[str, ...] | None:
    if value is None or isinstance(value, str) and value:
        return value
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    raise MalformedDocument(f"The {where}'s domain is not a text value or a list of them.")


def _previous(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, str) and v for v in values):
        raise MalformedDocument(f"The {where}'s previousProof is not a proof id or a list of "
                                "them.")
    return tuple(values)


def chain_input(document: dict[str, Any], previous: tuple[str, ...],
                all_proofs: list[dict[str, Any]]) -> dict[str, Any]:
    """The document a chained proof signed: ``document`` with the proofs it names as
    ``previousProof`` put back as ``proof`` (VC Data Integrity §4.5 step 3.2)."""
    if not previous:
        return document
    by_id = {p.get("id"): p for p in all_proofs if isinstance(p, dict)}
    missing = [ref for ref in previous if ref not in by_id]
    if missing:
        raise ProofInvalid(f"The proof continues a proof chain from {missing[0]}, which is not "
                           "in the document: a proof was removed or changed.")
    return {**document, "proof": [copy_json(by_id[ref]) for ref in previous]}


def check_supported(proof: dict[str, Any]) -> None:
    """Raise ``UnsupportedProof`` when no suite here implements ``proof``'s type or cryptosuite,
    so a caller can say "cannot check" before looking for any key."""
    if _VERIFIERS.get(str(proof.get("type"))) is None:
        raise UnsupportedProof(f"Proofs of type {proof.get('type')} are not supported "
                               f"(supported: {', '.join(_VERIFIERS)}).")
    if proof.get("type") == data_integrity.PROOF_TYPE:
        data_integrity.cryptosuite_of(proof)


def verify_proof(document_without_proof: dict[str, Any], proof: dict[str, Any], key: PublicKey,
                 *, all_proofs: list[dict[str, Any]], safe: bool = True,
                 parsed: ProofCheck | None = None) -> None:
    """Verify one proof of a proof set or chain with ``key`` (VC Data Integrity §4.4 "Verify
    Proof" and §4.5 "Verify Proof Sets and Chains"); raise when it does not verify.

    ``safe=False`` checks the signature mathematics even where JSON-LD safe mode would refuse
    the document (the format check reports that separately). ``parsed`` is what
    :func:`extract_proofs` made of this very ``proof``, to save parsing it again."""
    if "proof" in document_without_proof:
        raise ValueError("pass the document without its proof (see extract_proofs)")
    check = parsed if parsed is not None and parsed.proof is proof else _parse_proof(proof, 0, 1)
    check_supported(proof)
    verifier = _VERIFIERS[str(proof["type"])]
    document = chain_input(document_without_proof, check.previous_proof, all_proofs)
    verifier(document, proof, key, safe=safe)


# -- signing (the wallet's demo issuers and the tests) ----------------------------------------
_SIGN_SUITES = {**dict.fromkeys(data_integrity.CRYPTOSUITES, data_integrity),
                ed25519_2020.PROOF_TYPE: ed25519_2020,
                **dict.fromkeys(legacy_jws.PROOF_TYPES, legacy_jws)}


def _with_context(document: dict[str, Any], needed: str, defining: frozenset[str]) -> None:
    """Append the suite's context unless one that defines its terms is there (as Digital
    Bazaar's ``ensureSuiteContext`` does)."""
    if "@context" not in document:
        return
    contexts = document["@context"] if isinstance(document["@context"], list) else [
        document["@context"]]
    if not defining.intersection(c for c in contexts if isinstance(c, str)):
        document["@context"] = [*contexts, needed]


def _stamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("proof dates must be timezone-aware")
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def sign(document: dict[str, Any], keypair: KeyPair, *, cryptosuite: str = "eddsa-rdfc-2022",
         created: datetime, proof_purpose: str = "assertionMethod",
         challenge: str | None = None, domain: str | None = None,
         expires: datetime | None = None, previous_proof: str | list[str] | None = None,
         proof_id: str | None = None) -> dict[str, Any]:
    """A new document with one more proof: a proof set when it has proofs already, a proof
    chain with ``previous_proof`` (VC Data Integrity §4.2 "Add Proof", §4.3 "Add Proof
    Set/Chain")."""
    module = _SIGN_SUITES.get(cryptosuite)
    if module is None:
        raise ValueError(f"unknown cryptosuite or proof type {cryptosuite!r}")
    signed = copy.deepcopy(document)
    existing = signed.pop("proof", [])
    existing = existing if isinstance(existing, list) else [existing]
    if module is data_integrity:
        _with_context(signed, data_integrity.CONTEXT, data_integrity.DEFINING_CONTEXTS)
        options: dict[str, Any] = {"type": data_integrity.PROOF_TYPE, "cryptosuite": cryptosuite}
    elif module is ed25519_2020:
        _with_context(signed, ed25519_2020.CONTEXT, ed25519_2020.DEFINING_CONTEXTS)
        options = {"type": cryptosuite}
    else:
        _with_context(signed, legacy_jws.CONTEXTS[cryptosuite],
                      legacy_jws.DEFINING_CONTEXTS[cryptosuite])
        options = {"type": cryptosuite}
    if proof_id is not None:
        options["id"] = proof_id
    options.update(created=_stamp(created), verificationMethod=keypair.verification_method,
                   proofPurpose=proof_purpose)
    optional = {"expires": _stamp(expires) if expires else None, "challenge": challenge,
                "domain": domain, "previousProof": previous_proof}
    options.update({name: value for name, value in optional.items() if value is not None})
    previous = (previous_proof,) if isinstance(previous_proof, str) else tuple(previous_proof or ())
    try:
        unsigned = chain_input(signed, previous, existing)
    except ProofInvalid as exc:
        raise ValueError(exc.message) from None
    private: PrivateKey = keypair.private_key
    proof = module.create_proof(unsigned, options, private)
    signed["proof"] = [*existing, proof] if existing else proof
    return signed
