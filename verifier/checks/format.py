"""The format check: the document is a credential of a version we verify (VCDM 1.1 §4,
VCDM 2.0 §4) and its JSON-LD expands without dropping or rebasing anything (VCDM 2.0 §6.1
"JSON-LD processing", in the strict "safe mode" Digital Bazaar's jsonld.js applies)."""

from __future__ import annotations

from typing import Any

from verifier import documents
from verifier.checks import passed
from verifier.report import FORMAT, CheckResult

_FORMAT_NAMES = {
    "ldp_vc": "a JSON-LD verifiable credential",
    "jwt_vc": "a JWT-secured verifiable credential",
    "sd_jwt_vc": "an SD-JWT verifiable credential",
    "ldp_vp": "a JSON-LD verifiable presentation",
    "jwt_vp": "a JWT-secured verifiable presentation",
    "sd_jwt_vp": "an SD-JWT presentation with key binding",
}


def check_jsonld(document: Any, fmt: str, version: str) -> CheckResult:
    """Expand the JSON-LD in safe mode; raise ``SafeModeViolation``/``UnknownContext`` if not."""
    if fmt.startswith("sd_jwt"):
        return passed(FORMAT, f"It is {_FORMAT_NAMES[fmt]} (SD-JWT VC).")
    if fmt.startswith("jwt"):
        # VC-JOSE-COSE §3: the signature covers the payload bytes, so no JSON-LD processing is
        # needed to know what was signed; terms are read as plain JSON.
        return passed(FORMAT, f"It is {_FORMAT_NAMES[fmt]} (VC Data Model {version}).")
    doc = {k: v for k, v in document.items() if k != "proof"}
    if _canonicalized_by_proof(document):
        # Canonicalizing in safe mode does the full check (expansion and the RDF-only rules),
        # and the proof check then reuses the result for the same unsigned document.
        documents.canonize(doc, safe=True)
    else:
        documents.check_safe(doc)
    if _looks_like_status_list(document):
        from verifier.statuslist import StatusList

        StatusList.from_json(document)  # StatusListError names what is missing
    return passed(
        FORMAT, f"It is {_FORMAT_NAMES[fmt]} (VC Data Model {version}) and every term is defined."
    )


def _looks_like_status_list(document: Any) -> bool:
    types = document.get("type")
    types = types if isinstance(types, list) else [types]
    if {"BitstringStatusListCredential", "StatusList2021Credential"} & {
        t for t in types if isinstance(t, str)
    }:
        return True
    subject = document.get("credentialSubject")
    return isinstance(subject, dict) and "encodedList" in subject


_RDFC_TYPES = frozenset({"Ed25519Signature2020", "JsonWebSignature2020", "Ed25519Signature2018"})


def _canonicalized_by_proof(document: Any) -> bool:
    """Whether a proof of ``document`` will canonicalize it with RDFC-1.0 (SHA-256)."""
    proofs = document.get("proof")
    for proof in proofs if isinstance(proofs, list) else [proofs]:
        # A list where a string belongs is the proof check's to refuse, not a TypeError here.
        if isinstance(proof, dict) and (
            str(proof.get("type")) in _RDFC_TYPES
            or str(proof.get("cryptosuite")) in ("eddsa-rdfc-2022", "ecdsa-rdfc-2019")
        ):
            return True
    return False
