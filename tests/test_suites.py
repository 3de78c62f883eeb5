"""The Linked-Data proof suites: published vectors (W3C, 1EdTech, Transmute), sign→verify round
trips for every suite and key type, proof sets and chains, wrong keys, malformed and unsupported
proofs, and the property that changing any single leaf of a signed credential breaks its proof.
"""

from __future__ import annotations

import copy
import functools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import corpus
from tests.conftest import ob3_credential
from verifier import documents, keys
from verifier import multiformats as mf
from verifier.dates import parse_datetime
from verifier.errors import (
    KeyNotFound,
    MalformedDocument,
    ProofInvalid,
    SafeModeViolation,
    UnknownContext,
    UnsupportedProof,
    VerificationError,
)
from verifier.jsonld import ContextCache, Processor, canonical_nquads
from verifier.keypairs import KeyPair
from verifier.suites import ProofCheck, extract_proofs, sign, verify_proof
from verifier.suites import data_integrity as di
from verifier.suites.proofs import chain_input

CREATED = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
needs_corpus = pytest.mark.skipif(not corpus.available(), reason="../shared/corpus is absent")


# -- documents and helpers ---------------------------------------------------------------------
def vc1_credential(issuer: str) -> dict[str, Any]:
    """A minimal VCDM 1.1 credential, unsigned."""
    return {"@context": [VC_V1], "id": "http://example.edu/credentials/3732",
            "type": ["VerifiableCredential"], "issuer": issuer,
            "issuanceDate": "2026-01-15T09:00:00Z",
            "credentialSubject": {"id": "did:example:learner"}}


def verify_all(document: dict[str, Any], key: keys.PublicKey) -> list[ProofCheck]:
    """Extract and verify every proof with one key, as the pipeline would."""
    checks, unsigned = extract_proofs(document)
    for check in checks:
        verify_proof(unsigned, check.proof, key, all_proofs=[c.proof for c in checks])
    return checks


def read(rel: str) -> Any:
    """A corpus file: JSON parsed, anything else as text."""
    path = corpus.CORPUS / rel
    text = path.read_text("utf-8")
    return json.loads(text) if rel.endswith(".json") else text


def private_from_multibase(secret: str) -> keys.PrivateKey:
    """A private key from a Multikey ``secretKeyMultibase`` (Ed25519, P-256, P-384)."""
    raw = mf.multibase_decode(secret)
    prefix, body = raw[:2], raw[2:]
    if prefix == mf.ED25519_PRIV:
        return ed25519.Ed25519PrivateKey.from_private_bytes(body[:32])
    curves = {mf.P256_PRIV: ec.SECP256R1(), mf.P384_PRIV: ec.SECP384R1()}
    return ec.derive_private_key(int.from_bytes(body, "big"), curves[prefix])


def as_proof_list(value: Any) -> list[dict[str, Any]]:
    return value if isinstance(value, list) else [value]


# -- published vectors -------------------------------------------------------------------------
W3C_DIRS = ("w3c-vc-di-eddsa/", "w3c-vc-di-ecdsa/")
W3C_SIGNED = sorted(
    entry["file"] for entry in corpus.manifest()
    if entry["kind"] == "credential" and entry["file"].startswith(W3C_DIRS)
    and "ecdsa-sd-2023" not in entry["file"])


@functools.cache
def w3c_key_pairs() -> dict[str, tuple[keys.PublicKey, keys.PrivateKey]]:
    """publicKeyMultibase -> (public, private) from every multikey key pair entry."""
    pairs: dict[str, tuple[keys.PublicKey, keys.PrivateKey]] = {}
    for entry in corpus.manifest():
        if entry["kind"] == "key" and entry["format"].startswith("multikey key pair"):
            data = read(entry["file"])
            for pair in data.values() if "publicKeyMultibase" not in data else [data]:
                secret = pair.get("secretKeyMultibase") or pair["privateKeyMultibase"]
                pairs[pair["publicKeyMultibase"]] = (keys.multikey_decode(
                    pair["publicKeyMultibase"]), private_from_multibase(secret))
    return pairs


def w3c_key(verification_method: str) -> keys.PublicKey:
    fragment = verification_method.split("#", 1)[1]
    return w3c_key_pairs()[fragment][0]


@pytest.fixture
def corpus_contexts(monkeypatch):
    """Canonicalize with the corpus's contexts where ``verifier/contexts`` pins none: the W3C
    vectors use ``https://www.w3.org/ns/credentials/examples/v2``, which no package publishes.
    Same processor (safe mode included), a separate context cache, only inside the test."""
    index = read("contexts/index.json")
    pinned = documents.pinned_context_urls()

    def loader(url: str, options: Any = None) -> dict[str, Any]:
        if url in pinned:
            return {**documents.document_loader(url), "tag": "static"}
        if url not in index:
            raise UnknownContext(f"{url} is pinned neither here nor in the corpus.")
        return {"contextUrl": None, "documentUrl": url, "tag": "static",
                "document": json.loads(read(f"contexts/{index[url]}"))}

    cache = ContextCache(loader)

    def canonize(document: dict, *, hash_name: str = "sha256", safe: bool = True) -> str:
        processor = Processor(cache, safe=safe, rdf=True)
        return canonical_nquads(processor.to_rdf(document, cache.options()), hash_name)

    monkeypatch.setattr(documents, "canonize", canonize)


@needs_corpus
@pytest.mark.conformance
@pytest.mark.usefixtures("corpus_contexts")
@pytest.mark.parametrize("path", W3C_SIGNED)
def test_w3c_vector_verifies(path):
    document = read(path)
    checks, unsigned = extract_proofs(document)
    for check in checks:
        key = w3c_key(check.verification_method_id)
        # The did:key in the verification method is the published key.
        assert keys.multikey_encode(key) == check.verification_method_id.split("#")[1]
        verify_proof(unsigned, check.proof, key, all_proofs=[c.proof for c in checks])


INTERMEDIATE = {"canonDoc": "canonical_document", "proofCanon": "canonical_proof_config",
                "docHash": "document_hash", "proofHash": "proof_config_hash",
                "combinedHash": "combined"}


def intermediates_beside(path: str) -> list[str]:
    folder = str(Path(path).parent) + "/"
    return sorted(e["file"] for e in corpus.manifest()
                  if e["file"].startswith(folder) and "/" not in e["file"][len(folder):]
                  and e["format"].startswith("intermediate"))


@needs_corpus
@pytest.mark.conformance
@pytest.mark.parametrize("path", [p for p in W3C_SIGNED if "proof-set-chain" not in p])
@pytest.mark.usefixtures("corpus_contexts")
def test_w3c_vector_intermediates(path):
    document = read(path)
    (check,), unsigned = extract_proofs(document)
    key = w3c_key(check.verification_method_id)
    suite = di.CRYPTOSUITES.get(check.suite)
    transform = suite.transform if suite else "rdfc"
    config = di.proof_configuration(check.proof, unsigned)
    data = di.hash_data(unsigned, config, transform=transform,
                        hash_name=di.hash_name_for(keys.key_type(key)))
    seen = set()
    for rel in intermediates_beside(path):
        name = Path(rel).name
        kind = next(k for k in (*INTERMEDIATE, "proofConfig", "sigHex", "sigBTC58")
                    if name.startswith(k))
        published = read(rel)
        if kind == "proofConfig":
            assert config == published
        elif kind == "sigHex":
            assert di.decode_proof_value(check.proof).hex() == published.strip()
        elif kind == "sigBTC58":
            assert check.proof["proofValue"] == published.strip()
        elif kind in ("canonDoc", "proofCanon"):
            assert getattr(data, INTERMEDIATE[kind]) == published
        else:
            assert getattr(data, INTERMEDIATE[kind]).hex() == published.strip()
        seen.add(kind)
    assert {"canonDoc", "proofCanon", "combinedHash", "proofConfig"} <= seen


@needs_corpus
@pytest.mark.conformance
@pytest.mark.parametrize("path", [p for p in W3C_SIGNED if "proof-set-chain" not in p])
@pytest.mark.usefixtures("corpus_contexts")
def test_w3c_vector_reproduced_by_signing(path):
    """Ed25519 and RFC 6979 ECDSA are deterministic: signing again gives the published bytes."""
    document = read(path)
    (check,), unsigned = extract_proofs(document)
    fragment = check.verification_method_id.split("#", 1)[1]
    signer = KeyPair.for_key(w3c_key_pairs()[fragment][1])
    assert signer.verification_method == check.verification_method_id
    again = sign(unsigned, signer, cryptosuite=check.suite, created=check.created,
                 proof_purpose=check.purpose)
    assert again == document


SET_CHAIN = "w3c-vc-di-eddsa/proof-set-chain/"


@needs_corpus
@pytest.mark.conformance
@pytest.mark.usefixtures("corpus_contexts")
def test_w3c_proof_set_and_chain_reproduced_step_by_step():
    """Proof set (§4.3) then a chain over it, with every published intermediate."""
    pairs = read(SET_CHAIN + "multiKeyPairs.json")
    signers = [KeyPair.for_key(private_from_multibase(pairs[f"keyPair{n}"]["privateKeyMultibase"]))
               for n in (1, 2, 3, 4)]
    document = read(SET_CHAIN + "unsigned.json")
    steps = [("signedProofSet1", "proofSetConfig1", None),
             ("signedProofSet2", "proofSetConfig2", None),
             ("signedProofChain1", "proofChainConfig1", "proofChainTempDoc1"),
             ("signedProofChain2", "proofChainConfig2", "proofChainTempDoc2")]
    for signer, (signed_name, config_name, temp_name) in zip(signers, steps, strict=True):
        expected = read(f"{SET_CHAIN}{signed_name}.json")
        new = as_proof_list(expected["proof"])[-1]
        config = read(f"{SET_CHAIN}{config_name}.json")
        assert config == {k: v for k, v in new.items() if k != "proofValue"}
        assert read(f"{SET_CHAIN}{config_name.replace('Config', 'ConfigSigned')}.json") == new
        if temp_name:
            previous = tuple(as_proof_list(new["previousProof"]))
            unsigned = {k: v for k, v in document.items() if k != "proof"}
            assert chain_input(unsigned, previous, as_proof_list(document["proof"])) == read(
                f"{SET_CHAIN}{temp_name}.json")
        document = sign(document, signer, created=parse_datetime(new["created"], field="created"),
                        proof_id=new.get("id"), previous_proof=new.get("previousProof"))
        assert document == expected


# 1EdTech: the signed credential, its published canonical forms, the key of the controller doc.
ONEEDTECH = "1edtech-ob30-impl-test-vectors/"
ONEEDTECH_VECTORS = [("ob30-signed-credential.json", "obv3p0"),
                     ("clr20-signed-credential.json", "clrv2p0")]


def oneedtech_key(verification_method: str) -> keys.PublicKey:
    controller = read(ONEEDTECH + "controller-document.json")
    method = next(m for m in controller["verificationMethod"] if m["id"] == verification_method)
    return keys.key_from_method(method)


@needs_corpus
@pytest.mark.conformance
@pytest.mark.parametrize(("name", "canon"), ONEEDTECH_VECTORS)
def test_1edtech_vector(name, canon):
    document = read(ONEEDTECH + name)
    (check,), unsigned = extract_proofs(document)
    key = oneedtech_key(check.verification_method_id)
    verify_proof(unsigned, check.proof, key, all_proofs=[check.proof])
    data = di.hash_data(unsigned, di.proof_configuration(check.proof, unsigned), transform="rdfc")
    assert data.canonical_document == read(f"{ONEEDTECH}{canon}-document-canon.txt")
    assert data.canonical_proof_config == read(f"{ONEEDTECH}{canon}-proof-canon.txt")
    # Signing again with the published secret key gives the published proof.
    pair = read(ONEEDTECH + "key-pair.json")
    signer = KeyPair.for_key(private_from_multibase(pair["secretKeyMultibase"]),
                             controller=pair["controller"], key_id=pair["id"])
    again = sign(unsigned, signer, created=check.created)
    assert as_proof_list(again["proof"]) == as_proof_list(document["proof"])


@needs_corpus
@pytest.mark.conformance
def test_1edtech_clr_nested_credentials_verify():
    document = read(ONEEDTECH + "clr20-signed-credential.json")
    nested = document["credentialSubject"]["verifiableCredential"]
    assert nested
    for credential in nested:
        checks = extract_proofs(credential)[0]
        verify_all(credential, oneedtech_key(checks[0].verification_method_id))


TRANSMUTE = ["Ed25519Signature2018-transmute", "Ed25519Signature2018-digitalbazaar",
             "JsonWebSignature2020-transmute", "JsonWebSignature2020-digitalbazaar"]


@needs_corpus
@pytest.mark.conformance
@pytest.mark.parametrize("folder", TRANSMUTE)
def test_transmute_vector(folder):
    base = f"transmute-vectors/{folder}/"
    document = read(base + "doc.signed.json")
    (check,), unsigned = extract_proofs(document)
    controller = read(base + "controller.json")
    methods = [m for prop in ("verificationMethod", "assertionMethod")
               for m in controller.get(prop, []) if isinstance(m, dict)]
    method = next(m for m in methods if m["id"] == check.verification_method_id)
    verify_proof(unsigned, check.proof, keys.key_from_method(method), all_proofs=[check.proof])
    # Ed25519 is deterministic: the test key signs the same JWS again.
    key = read(base + "key.json")
    seed = (mf.b58decode(key["privateKeyBase58"])[:32] if "privateKeyBase58" in key
            else mf.b64url_decode(key["privateKeyJwk"]["d"]))
    signer = KeyPair.for_key(ed25519.Ed25519PrivateKey.from_private_bytes(seed))
    assert signer.verification_method == check.verification_method_id
    assert sign(unsigned, signer, cryptosuite=check.suite, created=check.created) == document


@needs_corpus
@pytest.mark.conformance
def test_selective_disclosure_proof_is_unsupported():
    document = read("w3c-vc-di-ecdsa/ecdsa-sd-2023/employ/addSignedSDBase.json")
    (check,), unsigned = extract_proofs(document)
    key = keys.multikey_decode(check.verification_method_id.split("#")[1])
    with pytest.raises(UnsupportedProof, match="ecdsa-sd-2023"):
        verify_proof(unsigned, check.proof, key, all_proofs=[check.proof])


# -- round trips -------------------------------------------------------------------------------
ROUND_TRIPS = [("eddsa-rdfc-2022", "Ed25519"), ("eddsa-jcs-2022", "Ed25519"),
               ("ecdsa-rdfc-2019", "P-256"), ("ecdsa-rdfc-2019", "P-384"),
               ("ecdsa-jcs-2019", "P-256"), ("ecdsa-jcs-2019", "P-384"),
               ("Ed25519Signature2020", "Ed25519"), ("JsonWebSignature2020", "Ed25519"),
               ("JsonWebSignature2020", "P-256"), ("JsonWebSignature2020", "P-384"),
               ("Ed25519Signature2018", "Ed25519")]


@pytest.mark.parametrize("make", [ob3_credential, vc1_credential], ids=["vc2_ob3", "vc1"])
@pytest.mark.parametrize(("suite", "kind"), ROUND_TRIPS)
def test_sign_then_verify(suite, kind, make):
    signer = KeyPair.generate(kind)
    unsigned = make(signer.controller)
    signed = sign(unsigned, signer, cryptosuite=suite, created=CREATED)
    assert "proof" not in unsigned  # the input is left alone
    (check,) = verify_all(signed, signer.public_key)
    assert (check.suite, check.purpose, check.verification_method_id, check.created) == (
        suite, "assertionMethod", signer.verification_method, CREATED)


EXPECTED_CONTEXTS = [
    ("eddsa-rdfc-2022", [VC_V1, "https://w3id.org/security/data-integrity/v2"]),
    ("ecdsa-jcs-2019", [VC_V1, "https://w3id.org/security/data-integrity/v2"]),
    ("Ed25519Signature2020", [VC_V1, "https://w3id.org/security/suites/ed25519-2020/v1"]),
    ("JsonWebSignature2020", [VC_V1, "https://w3id.org/security/suites/jws-2020/v1"]),
    ("Ed25519Signature2018", [VC_V1]),
]


@pytest.mark.parametrize(("suite", "contexts"), EXPECTED_CONTEXTS)
def test_sign_adds_the_suite_context_to_vc1_documents(suite, contexts):
    signer = KeyPair.generate("P-256" if suite.startswith("ecdsa") else "Ed25519")
    assert sign(vc1_credential(signer.controller), signer, cryptosuite=suite,
                created=CREATED)["@context"] == contexts


def test_vc2_documents_keep_their_context():
    signer = KeyPair.generate()
    unsigned = ob3_credential(signer.controller)
    assert sign(unsigned, signer, created=CREATED)["@context"] == unsigned["@context"]


def test_proof_options_are_parsed():
    signer = KeyPair.generate()
    signed = sign(ob3_credential(signer.controller), signer, created=CREATED,
                  proof_purpose="authentication", challenge="c-123", domain="verifier.example",
                  expires=CREATED + timedelta(days=1), proof_id="urn:uuid:proof-1")
    (check,) = verify_all(signed, signer.public_key)
    assert (check.purpose, check.challenge, check.domain, check.expires, check.id) == (
        "authentication", "c-123", "verifier.example", CREATED + timedelta(days=1),
        "urn:uuid:proof-1")


def test_signing_with_a_key_the_suite_cannot_use_is_a_programming_error():
    with pytest.raises(ValueError, match="Ed25519"):
        sign(ob3_credential("did:example:x"), KeyPair.generate("P-256"), created=CREATED)
    with pytest.raises(ValueError, match="unknown cryptosuite"):
        sign(ob3_credential("did:example:x"), KeyPair.generate(), cryptosuite="eddsa-2022",
             created=CREATED)
    with pytest.raises(ValueError, match="timezone"):
        sign(ob3_credential("did:example:x"), KeyPair.generate(), created=datetime(2026, 1, 1))


# -- wrong keys --------------------------------------------------------------------------------
WRONG_KEYS = [
    # (behaviour, suite, signing key type, verifying key type, message)
    ("eddsa_proof_with_p256_key", "eddsa-rdfc-2022", "Ed25519", "P-256", "needs Ed25519"),
    ("eddsa_jcs_proof_with_rsa_key", "eddsa-jcs-2022", "Ed25519", "RSA", "RSA key"),
    ("p384_proof_with_p256_key", "ecdsa-rdfc-2019", "P-384", "P-256", "P-384 signature"),
    ("p256_proof_with_p384_key", "ecdsa-jcs-2019", "P-256", "P-384", "P-256 signature"),
    ("ecdsa_proof_with_ed25519_key", "ecdsa-rdfc-2019", "P-256", "Ed25519", "P-256 or P-384"),
    ("ed25519_2020_proof_with_p256_key", "Ed25519Signature2020", "Ed25519", "P-256", "Ed25519"),
    ("ed25519_2018_proof_with_p256_key", "Ed25519Signature2018", "Ed25519", "P-256", "Ed25519"),
    ("jws2020_eddsa_proof_with_p384_key", "JsonWebSignature2020", "Ed25519", "P-384", "EdDSA"),
    ("another_ed25519_key", "eddsa-rdfc-2022", "Ed25519", "Ed25519", "does not verify"),
    ("another_p256_key", "ecdsa-rdfc-2019", "P-256", "P-256", "does not verify"),
]


@pytest.mark.parametrize(("suite", "signing", "verifying", "message"),
                         [case[1:] for case in WRONG_KEYS], ids=[case[0] for case in WRONG_KEYS])
def test_wrong_key_fails_the_proof(suite, signing, verifying, message):
    signer = KeyPair.generate(signing)
    signed = sign(ob3_credential(signer.controller), signer, cryptosuite=suite, created=CREATED)
    with pytest.raises(ProofInvalid, match=message):
        verify_all(signed, KeyPair.generate(verifying, controller="did:example:other").public_key)


# -- malformed and unsupported proofs ----------------------------------------------------------
def _set(name: str, value: Any):
    def change(proof: dict[str, Any]) -> None:
        proof[name] = value
    return change


def _drop(name: str):
    return lambda proof: proof.pop(name)


MALFORMED = [
    ("proof_without_type", _drop("type")),
    ("proof_without_verification_method", _drop("verificationMethod")),
    ("proof_without_proof_value", _drop("proofValue")),
    ("proof_without_purpose", _drop("proofPurpose")),
    ("data_integrity_proof_without_cryptosuite", _drop("cryptosuite")),
    ("created_is_not_a_date", _set("created", "last Tuesday")),
    ("expires_is_not_a_date", _set("expires", "2026-02-30T00:00:00Z")),
    ("previous_proof_is_not_an_id", _set("previousProof", 7)),
    ("domain_is_not_text", _set("domain", {"host": "x"})),
    ("purpose_is_not_text", _set("proofPurpose", ["assertionMethod"])),
]


@pytest.mark.parametrize("change", [c[1] for c in MALFORMED], ids=[c[0] for c in MALFORMED])
def test_malformed_proof_is_reported(change):
    signer = KeyPair.generate()
    signed = sign(ob3_credential(signer.controller), signer, created=CREATED)
    change(signed["proof"])
    with pytest.raises(MalformedDocument):
        extract_proofs(signed)


@pytest.mark.parametrize("proof", ["z3abc", [], [{"type": "x"}, 5]],
                         ids=["proof_is_text", "empty_proof_set", "proof_set_with_a_number"])
def test_malformed_proof_set_is_reported(proof):
    with pytest.raises(MalformedDocument):
        extract_proofs({**ob3_credential("did:example:x"), "proof": proof})


def test_proof_value_that_is_not_base58btc_is_malformed():
    signer = KeyPair.generate()
    signed = sign(ob3_credential(signer.controller), signer, created=CREATED)
    signed["proof"]["proofValue"] = "u" + signed["proof"]["proofValue"][1:]
    with pytest.raises(MalformedDocument, match="base58btc"):
        verify_all(signed, signer.public_key)


@pytest.mark.parametrize(("name", "value", "message"), [
    ("cryptosuite", "eddsa-2022", "draft"),
    ("cryptosuite", "bbs-2023", "bbs-2023"),
    ("type", "BbsBlsSignature2020", "BbsBlsSignature2020"),
])
def test_unsupported_proofs_cannot_be_checked(name, value, message):
    signer = KeyPair.generate()
    signed = sign(ob3_credential(signer.controller), signer, created=CREATED)
    signed["proof"][name] = value
    with pytest.raises(UnsupportedProof, match=message):
        verify_all(signed, signer.public_key)


def test_proof_of_an_unknown_type_cannot_be_checked_but_is_not_malformed():
    """As in the 1EdTech validator's simple-multiple-proofs fixture."""
    signer = KeyPair.generate()
    signed = sign(ob3_credential(signer.controller), signer, created=CREATED)
    signed["proof"] = [{"type": "SomeProofType", "created": "2022-11-16T18:54:22Z"},
                       signed["proof"]]
    (foreign, ours), unsigned = extract_proofs(signed)
    assert (foreign.suite, foreign.verification_method_id, foreign.purpose) == (
        "SomeProofType", "", "")
    with pytest.raises(UnsupportedProof, match="SomeProofType"):
        verify_proof(unsigned, foreign.proof, signer.public_key,
                     all_proofs=[foreign.proof, ours.proof])
    verify_proof(unsigned, ours.proof, signer.public_key, all_proofs=[foreign.proof, ours.proof])


# -- JSON-LD safe mode -------------------------------------------------------------------------
def test_signing_refuses_a_term_the_contexts_do_not_define():
    signer = KeyPair.generate()
    unsigned = vc1_credential(signer.controller)
    unsigned["credentialSubject"]["nickname"] = "Sam"
    with pytest.raises(SafeModeViolation, match="nickname"):
        sign(unsigned, signer, created=CREATED)


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "Ed25519Signature2020"])
def test_undefined_term_fails_in_safe_mode_although_the_signature_holds(suite):
    """A term JSON-LD would drop is not signed at all: safe mode refuses it (VC Data Integrity
    "Context Validation" and its safe-mode security consideration); ``safe=False`` checks only
    the math."""
    signer = KeyPair.generate()
    signed = sign(vc1_credential(signer.controller), signer, cryptosuite=suite, created=CREATED)
    signed["credentialSubject"]["nickname"] = "Sam"  # dropped by JSON-LD, so not covered
    (check,), unsigned = extract_proofs(signed)
    with pytest.raises(SafeModeViolation):
        verify_proof(unsigned, check.proof, signer.public_key, all_proofs=[check.proof])
    verify_proof(unsigned, check.proof, signer.public_key, all_proofs=[check.proof], safe=False)


# -- proof sets and chains ---------------------------------------------------------------------
def test_proof_set_each_proof_verifies_alone():
    first, second = KeyPair.generate(), KeyPair.generate("P-256")
    once = sign(ob3_credential(first.controller), first, created=CREATED)
    twice = sign(once, second, cryptosuite="ecdsa-rdfc-2019", created=CREATED)
    (p1, p2), unsigned = extract_proofs(twice)
    verify_proof(unsigned, p1.proof, first.public_key, all_proofs=[p1.proof, p2.proof])
    verify_proof(unsigned, p2.proof, second.public_key, all_proofs=[p1.proof, p2.proof])


def test_proof_set_with_one_broken_proof_reports_that_proof():
    first, second = KeyPair.generate(), KeyPair.generate()
    twice = sign(sign(ob3_credential(first.controller), first, created=CREATED), second,
                 created=CREATED)
    twice["proof"][1]["proofValue"] = mf.multibase_encode(bytes(64))
    (p1, p2), unsigned = extract_proofs(twice)
    verify_proof(unsigned, p1.proof, first.public_key, all_proofs=[p1.proof, p2.proof])
    with pytest.raises(ProofInvalid, match="does not verify"):
        verify_proof(unsigned, p2.proof, second.public_key, all_proofs=[p1.proof, p2.proof])


@pytest.fixture
def chain() -> tuple[dict[str, Any], list[KeyPair]]:
    """Two proofs in a set, then a third chained to both and a fourth chained to the third."""
    signers = [KeyPair.generate(), KeyPair.generate("P-256"), KeyPair.generate(),
               KeyPair.generate("P-384")]
    doc = ob3_credential(signers[0].controller)
    doc = sign(doc, signers[0], created=CREATED, proof_id="urn:uuid:p1")
    doc = sign(doc, signers[1], cryptosuite="ecdsa-jcs-2019", created=CREATED,
               proof_id="urn:uuid:p2")
    doc = sign(doc, signers[2], cryptosuite="eddsa-jcs-2022", created=CREATED,
               proof_id="urn:uuid:p3", previous_proof=["urn:uuid:p1", "urn:uuid:p2"])
    doc = sign(doc, signers[3], cryptosuite="ecdsa-rdfc-2019", created=CREATED,
               previous_proof="urn:uuid:p3")
    return doc, signers


def _verify_each(document: dict[str, Any], signers: list[KeyPair]) -> None:
    checks, unsigned = extract_proofs(document)
    for check, signer in zip(checks, signers, strict=True):
        verify_proof(unsigned, check.proof, signer.public_key,
                     all_proofs=[c.proof for c in checks])


def test_proof_chain_verifies(chain):
    document, signers = chain
    _verify_each(document, signers)
    checks, _ = extract_proofs(document)
    assert [c.previous_proof for c in checks] == [(), (), ("urn:uuid:p1", "urn:uuid:p2"),
                                                  ("urn:uuid:p3",)]


def test_proof_chain_with_its_previous_proof_removed_fails(chain):
    document, signers = chain
    checks, unsigned = extract_proofs(document)
    without_p3 = [c.proof for c in checks if c.id != "urn:uuid:p3"]
    with pytest.raises(ProofInvalid, match="urn:uuid:p3"):
        verify_proof(unsigned, checks[3].proof, signers[3].public_key, all_proofs=without_p3)


def test_proof_chain_with_a_previous_proof_changed_fails(chain):
    document, signers = chain
    document["proof"][0]["created"] = "2026-05-02T09:30:00Z"
    checks, unsigned = extract_proofs(document)
    with pytest.raises(ProofInvalid):
        verify_proof(unsigned, checks[2].proof, signers[2].public_key,
                     all_proofs=[c.proof for c in checks])
    # The fourth proof covers only the third, so it still verifies.
    verify_proof(unsigned, checks[3].proof, signers[3].public_key,
                 all_proofs=[c.proof for c in checks])


def test_chaining_to_a_proof_that_is_not_there_is_a_programming_error():
    signer = KeyPair.generate()
    once = sign(ob3_credential(signer.controller), signer, created=CREATED, proof_id="urn:a")
    with pytest.raises(ValueError, match="urn:b"):
        sign(once, signer, created=CREATED, previous_proof="urn:b")


def test_duplicate_proof_ids_are_malformed():
    signer = KeyPair.generate()
    doc = sign(ob3_credential(signer.controller), signer, created=CREATED, proof_id="urn:a")
    doc = sign(doc, signer, created=CREATED, proof_id="urn:a")
    with pytest.raises(MalformedDocument, match="same id"):
        extract_proofs(doc)


# -- property: changing any single leaf of a signed credential fails its proof -----------------
PROPERTY_SUITES = [("eddsa-rdfc-2022", "Ed25519"), ("eddsa-jcs-2022", "Ed25519"),
                   ("ecdsa-rdfc-2019", "P-384"), ("Ed25519Signature2020", "Ed25519"),
                   ("JsonWebSignature2020", "P-256")]


@functools.cache
def signed_once(suite: str, kind: str) -> tuple[dict[str, Any], keys.PublicKey]:
    signer = KeyPair.generate(kind)
    signed = sign(ob3_credential(signer.controller), signer, cryptosuite=suite, created=CREATED)
    return signed, signer.public_key


def leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for name, item in value.items() for p in leaves(item, (*path, name))]
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in leaves(item, (*path, index))]
    return [path]


def different(old: Any) -> st.SearchStrategy[Any]:
    """A different value: the text with something appended, or a value of another type."""
    others = st.one_of(st.integers(), st.booleans(), st.none())
    if isinstance(old, str):
        return st.one_of(st.text(min_size=1).map(lambda extra: old + extra), others)
    return st.one_of(st.text(), others).filter(lambda new: new != old or type(new) is not
                                               type(old))


@pytest.mark.parametrize(("suite", "kind"), PROPERTY_SUITES)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_changing_any_leaf_fails_the_proof(suite, kind, data):
    signed, key = signed_once(suite, kind)
    path = data.draw(st.sampled_from(leaves(signed)), label="leaf")
    tampered = copy.deepcopy(signed)
    holder = functools.reduce(lambda node, step: node[step], path[:-1], tampered)
    holder[path[-1]] = data.draw(different(holder[path[-1]]), label="new value")
    with pytest.raises(VerificationError):
        verify_all(tampered, key)


@pytest.mark.parametrize("kind", ["Ed25519", "P-256"])
def test_self_contained_dids_resolve_once_and_refusals_are_not_kept(kind):
    from verifier.cache import DocumentCache

    pair = KeyPair.generate(kind)
    cache = DocumentCache.in_memory()
    first = keys.resolve(pair.verification_method, cache=cache)
    assert keys.resolve(pair.verification_method, cache=cache) is first
    assert first.controller == pair.controller and first.source == "did:key"
    wrong = f"{pair.controller}#z6MkNotThisKey"
    kept = keys._resolve_self_contained.cache_info().currsize
    for _ in range(2):
        with pytest.raises(KeyNotFound):
            keys.resolve(wrong, cache=cache)
    assert keys._resolve_self_contained.cache_info().currsize == kept  # the refusal not kept
