"""Pinned contexts, the closed-world loader, JSON-LD safe mode and RDFC-1.0 canonicalization."""

from __future__ import annotations

import copy
import hashlib
import json
import socket
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyld import jsonld

from tests import corpus
from verifier import documents
from verifier.errors import MalformedDocument, SafeModeViolation, UnknownContext
from verifier.jsonld import ContextCache, _check_local_context, _refuse_import

VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
INDEX = json.loads((documents.CONTEXTS_DIR / "index.json").read_text("utf-8"))
needs_corpus = pytest.mark.skipif(not corpus.available(), reason="../shared/corpus is absent")


def read(rel: str) -> Any:
    text = (corpus.CORPUS / rel).read_text("utf-8")
    return json.loads(text) if rel.endswith(".json") else text


def corpus_files(pattern: str) -> list[str]:
    if not corpus.available():
        return []
    return sorted(str(p.relative_to(corpus.CORPUS)) for p in corpus.CORPUS.glob(pattern))


DCC_FIXTURES = corpus_files("dcc-vc-test-fixtures/verifiableCredentials/**/*.json")


def credential(context: list, **claims: Any) -> dict:
    """A minimal VCDM 1.1 credential with ``claims`` in its subject."""
    return {
        "@context": context,
        "id": "urn:uuid:6b0b4f0e-3f4f-4d7e-9c1e-0c8f2b1d2a10",
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "issuanceDate": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner", **claims},
    }


def without_proof(document: dict) -> dict:
    return {key: value for key, value in document.items() if key != "proof"}


@pytest.fixture
def fresh_caches(monkeypatch):
    """Nothing loaded or processed yet, as in a new process."""
    monkeypatch.setattr(documents, "_verified", {})
    monkeypatch.setattr(documents, "_CACHE", ContextCache(documents._static_loader))


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a socket or resolve a name fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("JSON-LD processing tried to use the network")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


# -- pinned contexts and the closed-world loader ------------------------------------------------
@pytest.mark.parametrize("entry", INDEX, ids=[entry["url"] for entry in INDEX])
def test_pinned_file_matches_its_recorded_sha256(entry):
    data = (documents.CONTEXTS_DIR / entry["file"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    assert "@context" in json.loads(data)
    assert entry["registry"] in {"npm", "pypi"}
    assert entry["package"] and entry["version"] and entry["path_in_package"]


def test_every_file_in_the_contexts_folder_is_in_the_index():
    files = {p.name for p in documents.CONTEXTS_DIR.iterdir() if p.name != "index.json"}
    assert files == {entry["file"] for entry in INDEX}
    assert len({entry["url"] for entry in INDEX}) == len(INDEX)


def referenced_contexts(value: Any) -> set[str]:
    """Context URLs a context document itself refers to (``"@context": "https://..."``)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "@context":
                items = item if isinstance(item, list) else [item]
                found |= {url for url in items if isinstance(url, str)}
            found |= referenced_contexts(item)
    elif isinstance(value, list):
        for item in value:
            found |= referenced_contexts(item)
    return found


def test_contexts_that_pinned_contexts_refer_to_are_pinned_too():
    for entry in INDEX:
        missing = referenced_contexts(documents.load_context(entry["url"]))
        assert missing <= documents.pinned_context_urls(), entry["url"]


def test_no_pinned_context_uses_import():
    # pyld merges an importing context into the imported document; the loader relies on none.
    for entry in INDEX:
        assert "@import" not in (documents.CONTEXTS_DIR / entry["file"]).read_text("utf-8")


def test_unknown_context_url_is_refused_naming_it():
    url = "https://contexts.example/unpinned/v1"
    with pytest.raises(UnknownContext, match="contexts.example/unpinned/v1"):
        documents.load_context(url)
    with pytest.raises(UnknownContext, match="contexts.example/unpinned/v1"):
        documents.document_loader(url)


@pytest.mark.parametrize("operation", [documents.expand, documents.canonize])
def test_a_document_with_an_unknown_context_is_refused(operation, no_network):
    document = credential([VC_V1, "https://contexts.example/unpinned/v1"])
    with pytest.raises(UnknownContext, match="contexts.example/unpinned/v1"):
        operation(document)


def test_document_loader_returns_what_pyld_expects():
    remote = documents.document_loader(VC_V2)
    assert remote == {"contextUrl": None, "documentUrl": VC_V2,
                      "document": documents.load_context(VC_V2)}
    assert remote["document"]["@context"]["@protected"] is True


def test_load_context_returns_a_fresh_copy():
    documents.load_context(VC_V1)["@context"]["injected"] = "https://evil.example/"
    assert "injected" not in documents.load_context(VC_V1)["@context"]


def test_a_tampered_pinned_file_is_detected(tmp_path, monkeypatch, fresh_caches):
    for name in [entry["file"] for entry in INDEX] + ["index.json"]:
        (tmp_path / name).write_bytes((documents.CONTEXTS_DIR / name).read_bytes())
    target = next(entry for entry in INDEX if entry["url"] == VC_V1)
    (tmp_path / target["file"]).write_text('{"@context": {"@vocab": "https://evil.example/"}}')
    monkeypatch.setattr(documents, "CONTEXTS_DIR", tmp_path)
    with pytest.raises(documents.PinnedContextCorrupted, match=target["file"]):
        documents.load_context(VC_V1)


# -- safe mode ---------------------------------------------------------------------------------
EX = {"ex": "https://example.org/vocab#", "claim": "ex:claim"}
SAFE_MODE_REFUSES = {
    "undefined_term": (
        credential([VC_V1], undefinedClaim="x"),
        "invalid property", ["'undefinedClaim'", "$.credentialSubject"]),
    "undefined_term_in_vcdm2": (
        {**credential([VC_V2], undefinedClaim="x"), "issuanceDate": None},
        "invalid property", ["'undefinedClaim'", "$.credentialSubject"]),
    "undefined_type": (
        {**credential([VC_V1]), "type": ["VerifiableCredential", "UndefinedCredential"]},
        "relative @type reference", ["'UndefinedCredential'", "at $ "]),
    "relative_type_in_nested_node": (
        credential([VC_V1, EX], claim={"type": "Thing", "id": "urn:x"}),
        "relative @type reference", ["'Thing'", "$.credentialSubject.claim"]),
    "relative_id": (
        {**credential([VC_V1]), "id": "credentials/42"},
        "relative @id reference", ["'credentials/42'", "at $ "]),
    "fragment_id_in_array": (
        credential([VC_V1, EX], claim=[{"id": "urn:ok"}, {"id": "#part", "claim": "x"}]),
        "relative @id reference", ["'#part'", "$.credentialSubject.claim[1]"]),
    "term_defined_as_null": (
        credential([VC_V1, {**EX, "claim": None}], claim="x"),
        "invalid property", ["'claim'", "$.credentialSubject"]),
    "keyword_like_key": (
        credential([VC_V1], **{"@claim": "x"}),
        "invalid property", ["'@claim'"]),
    "reserved_term_in_inline_context": (
        credential([VC_V1, {"@claim": "https://example.org/vocab#claim"}]),
        "reserved term", ["'@claim'"]),
    "relative_vocab_in_inline_context": (
        credential([VC_V1, {"@vocab": "vocab/"}]),
        "relative @vocab reference", ["'vocab/'"]),
    "null_value": (
        credential([VC_V1, EX], claim={"@value": None}),
        "null @value value", ["$.credentialSubject.claim"]),
    "object_with_only_language": (
        credential([VC_V1, EX], claim={"@language": "en"}),
        "object with only @language", ["$.credentialSubject.claim"]),
    "invalid_language_tag": (
        credential([VC_V1, EX], claim={"@value": "x", "@language": "not a tag"}),
        "invalid @language value", ["'not a tag'"]),
}


@pytest.mark.parametrize(("document", "code", "named"), SAFE_MODE_REFUSES.values(),
                         ids=SAFE_MODE_REFUSES.keys())
def test_safe_mode_refuses_and_names_what_and_where(document, code, named):
    document = {key: value for key, value in document.items() if value is not None}
    for operation in (documents.expand, documents.canonize):
        with pytest.raises(SafeModeViolation) as caught:
            operation(document)
        assert caught.value.detail == code
        for text in named:
            assert text in caught.value.message


CANONIZE_ONLY_REFUSES = {
    "relative_object_reference": (
        {**credential([VC_V1]), "issuer": "issuers/14"}, "relative object reference"),
    "blank_node_predicate": (
        credential([VC_V1, {"claim": "_:b0"}], claim="x"), "blank node predicate"),
}


@pytest.mark.parametrize(("document", "code"), CANONIZE_ONLY_REFUSES.values(),
                         ids=CANONIZE_ONLY_REFUSES.keys())
def test_safe_mode_refuses_what_only_rdf_would_drop(document, code):
    # jsonld.js raises these while producing RDF, not while expanding: so do we.
    documents.expand(document)
    with pytest.raises(SafeModeViolation) as caught:
        documents.canonize(document)
    assert caught.value.detail == code


def test_unsafe_mode_drops_the_undefined_term_silently():
    document = credential([VC_V1], undefinedClaim="x")
    assert "undefinedClaim" not in documents.canonize(document, safe=False)
    assert documents.canonize(document, safe=False) == documents.canonize(
        credential([VC_V1]), safe=True)


@pytest.mark.parametrize("document", [
    credential([VC_V1, EX], claim="x"),
    credential([VC_V1, EX], claim={"@value": "x", "@language": "en-GB"}),
    {"@context": [VC_V2, OB_303], "id": "urn:uuid:1", "type": ["VerifiableCredential",
     "OpenBadgeCredential"], "issuer": {"id": "did:example:issuer", "type": ["Profile"]},
     "validFrom": "2026-01-01T00:00:00Z", "credentialSubject": {"type": ["AchievementSubject"],
     "achievement": {"id": "urn:uuid:2", "type": ["Achievement"], "name": "Teamwork",
                     "criteria": {"narrative": "Worked in a team."}}}},
], ids=["vcdm1_inline_context", "vcdm1_language_tagged", "ob3"])
def test_valid_documents_pass_safe_mode(document):
    assert documents.expand(document)
    assert documents.canonize(document)


def test_import_in_a_local_context_is_refused():
    # pyld would merge the importing context into the cached, pinned document.
    document = credential([{"@import": VC_V2}])
    with pytest.raises(MalformedDocument, match="@import"):
        documents.canonize(document, safe=False)
    assert "@import" not in documents.load_context(VC_V2)["@context"]


def test_malformed_json_ld_is_a_malformed_document():
    with pytest.raises(MalformedDocument) as caught:
        documents.expand({**credential([VC_V1]), "id": 42})
    assert "@id" in caught.value.detail


def test_programming_mistakes_raise_type_and_value_errors():
    with pytest.raises(TypeError):
        documents.canonize('{"@context": []}')  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="sha512"):
        documents.canonize(credential([VC_V1]), hash_name="sha512")


@needs_corpus
@pytest.mark.parametrize(("path", "named"), [
    ("derived-negative/v1-Ed25519Signature2020-undefined-term-injected.json", "undefinedClaim"),
    ("derived-negative/v2-Ed25519Signature2020-undefined-term-injected.json", "undefinedClaim"),
    ("dcc-verifier-core/safeModeBreaker.json", "StatusList2021Entry"),
])
def test_corpus_safe_mode_breakers_are_refused(path, named):
    document = read(path)
    with pytest.raises(SafeModeViolation, match=named):
        documents.expand(document)
    with pytest.raises(SafeModeViolation, match=named):
        documents.canonize(without_proof(document))


@needs_corpus
@pytest.mark.parametrize("path", DCC_FIXTURES)
def test_dcc_fixtures_pass_safe_mode(path):
    document = read(path)
    assert documents.expand(document)
    assert documents.canonize(without_proof(document))


# -- canonical N-Quads against published vectors -----------------------------------------------
def proof_configuration(signed: dict) -> dict:
    """The (first) proof without its signature, with the credential's @context."""
    proof = signed["proof"][0] if isinstance(signed["proof"], list) else signed["proof"]
    proof = {k: v for k, v in proof.items() if k not in ("proofValue", "jws")}
    return {"@context": signed["@context"], **proof}


# canonical form -> (signed credential, which half, hash); W3C folders also publish the proof
# configuration itself, which must canonicalize to the same N-Quads.
CANONICAL_VECTORS = {
    "1edtech-ob30-impl-test-vectors/obv3p0-document-canon.txt":
        ("1edtech-ob30-impl-test-vectors/ob30-signed-credential.json", "document", "sha256"),
    "1edtech-ob30-impl-test-vectors/obv3p0-proof-canon.txt":
        ("1edtech-ob30-impl-test-vectors/ob30-signed-credential.json", "proof", "sha256"),
    "1edtech-ob30-impl-test-vectors/clrv2p0-document-canon.txt":
        ("1edtech-ob30-impl-test-vectors/clr20-signed-credential.json", "document", "sha256"),
    "1edtech-ob30-impl-test-vectors/clrv2p0-proof-canon.txt":
        ("1edtech-ob30-impl-test-vectors/clr20-signed-credential.json", "proof", "sha256"),
}
for _folder, _suffix, _hash in [
    ("w3c-vc-di-eddsa/eddsa-rdfc-2022", "DataInt", "sha256"),
    ("w3c-vc-di-eddsa/eddsa-rdfc-2022/employ", "DataInt", "sha256"),
    ("w3c-vc-di-eddsa/Ed25519Signature2020", "EdSig", "sha256"),
    ("w3c-vc-di-ecdsa/ecdsa-rdfc-2019-p256", "ECDSAP256", "sha256"),
    ("w3c-vc-di-ecdsa/ecdsa-rdfc-2019-p256/employ", "ECDSAP256", "sha256"),
    ("w3c-vc-di-ecdsa/ecdsa-rdfc-2019-p384", "ECDSAP384", "sha384"),
    ("w3c-vc-di-ecdsa/ecdsa-rdfc-2019-p384/employ", "ECDSAP384", "sha384"),
]:
    CANONICAL_VECTORS[f"{_folder}/canonDoc{_suffix}.txt"] = (
        f"{_folder}/signed{_suffix}.json", "document", _hash)
    CANONICAL_VECTORS[f"{_folder}/proofCanon{_suffix}.txt"] = (
        f"{_folder}/signed{_suffix}.json", "proof", _hash)


def unpinned_contexts(document: dict) -> list[str]:
    contexts = document.get("@context", [])
    contexts = contexts if isinstance(contexts, list) else [contexts]
    return [c for c in contexts if isinstance(c, str) and c not in documents.pinned_context_urls()]


@needs_corpus
@pytest.mark.conformance
@pytest.mark.parametrize("canonical", CANONICAL_VECTORS)
def test_canonical_nquads_equal_the_published_vector(canonical):
    signed_path, half, hash_name = CANONICAL_VECTORS[canonical]
    signed = read(signed_path)
    missing = unpinned_contexts(signed)
    if missing:
        pytest.skip(f"needs {', '.join(missing)}, which no npm or PyPI package publishes")
    inputs = [without_proof(signed)] if half == "document" else [proof_configuration(signed)]
    config = Path(signed_path).with_name(Path(signed_path).name.replace("signed", "proofConfig"))
    if half == "proof" and (corpus.CORPUS / config).exists():
        inputs.append(read(str(config)))
    for document in inputs:
        assert documents.canonize(document, hash_name=hash_name) == read(canonical)


@needs_corpus
def test_every_published_rdfc_canonical_form_is_checked():
    published = {
        entry["file"] for entry in corpus.manifest()
        if entry["format"] == "intermediate RDFC-1.0 canonical N-Quads"
        or ("rdfc" in entry["format"] or "Ed25519Signature2020" in entry["format"])
        and Path(entry["file"]).name.startswith(("canonDoc", "proofCanon"))
    }
    assert published
    assert published <= set(CANONICAL_VECTORS)


@needs_corpus
def test_sha384_changes_the_blank_node_labels_of_the_p384_vector():
    # The employment-authorization credential has blank nodes whose canonical labels depend
    # on the hash RDFC-1.0 uses: the published P-384 form matches only with SHA-384.
    folder = "w3c-vc-di-ecdsa/ecdsa-rdfc-2019-p384/employ"
    document = without_proof(read(f"{folder}/signedECDSAP384.json"))
    expected = read(f"{folder}/canonDocECDSAP384.txt")
    assert documents.canonize(document, hash_name="sha384") == expected
    assert documents.canonize(document, hash_name="sha256") != expected


# -- caching changes no byte, and nothing touches the network ----------------------------------
def reference_nquads(document: dict) -> str:
    """Plain pyld, no memoisation, same loader and (absent) base IRI."""
    return jsonld.normalize(copy.deepcopy(document), {
        "algorithm": "URDNA2015", "format": "application/n-quads", "base": None,
        "documentLoader": documents.document_loader})


CACHE_SAMPLE = [
    "1edtech-ob30-impl-test-vectors/ob30-signed-credential.json",
    "1edtech-ob30-impl-test-vectors/clr20-signed-credential.json",
    "w3c-vc-di-ecdsa/employmentAuth.json",
    *DCC_FIXTURES[::4],
]


@needs_corpus
def test_memoised_processing_gives_the_same_bytes_as_plain_pyld(fresh_caches):
    samples = [without_proof(read(path)) for path in CACHE_SAMPLE]
    samples += [proof_configuration(read(p)) for p in CACHE_SAMPLE if "proof" in read(p)]
    expected = [reference_nquads(document) for document in samples]
    for _ in range(2):  # cold, then warm and interleaved
        for document, nquads in zip(samples, expected, strict=True):
            before = copy.deepcopy(document)
            assert documents.canonize(document) == nquads
            assert document == before


def test_canonicalization_opens_no_socket(fresh_caches, no_network):
    document = {
        "@context": [VC_V2, OB_303], "id": "urn:uuid:1",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://issuer.example/", "type": ["Profile"], "name": "Issuer"},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"type": ["AchievementSubject"], "achievement": {
            "id": "urn:uuid:2", "type": ["Achievement"], "name": "Teamwork",
            "criteria": {"narrative": "Worked in a team."}}},
    }
    nquads = documents.canonize(document)
    assert "<https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement>" in nquads
    assert documents.expand(document)


def test_pinned_contexts_pass_the_local_context_checks():
    # Scoped contexts are checked when first used; check every one of them up front too.
    for entry in INDEX:
        context = documents.load_context(entry["url"])["@context"]
        _refuse_import(context)
        _check_local_context(context, "$")


# -- properties ---------------------------------------------------------------------------------
def ob3(name: str, narrative: str, subject_id: str) -> dict:
    return {
        "@context": [VC_V2, OB_303], "id": "urn:uuid:3f0e6a1c-1111-4a6e-9f0e-0c1f2a3b4c5d",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "did:example:issuer", "type": ["Profile"], "name": name},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": subject_id, "type": ["AchievementSubject"], "achievement": {
            "id": "urn:uuid:2", "type": ["Achievement"], "name": name,
            "criteria": {"narrative": narrative}}},
    }


PROPERTY_SETTINGS = settings(max_examples=40, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(name=st.text(max_size=30), narrative=st.text(max_size=30),
       subject=st.from_regex(r"did:example:[a-z0-9]{1,12}", fullmatch=True))
def test_memoised_canonicalization_equals_plain_pyld(name, narrative, subject):
    document = ob3(name, narrative, subject)
    assert documents.canonize(document) == reference_nquads(document)


@PROPERTY_SETTINGS
@given(key=st.from_regex(r"zz[A-Za-z0-9]{0,10}", fullmatch=True),
       where=st.sampled_from([(), ("credentialSubject",), ("credentialSubject", "degree")]),
       value=st.one_of(st.text(max_size=10), st.integers(), st.booleans()))
def test_any_undefined_term_anywhere_is_refused_and_named(key, where, value):
    document = credential([VC_V1, "https://www.w3.org/2018/credentials/examples/v1"],
                          degree={"type": "BachelorDegree", "name": "BSc"})
    node = document
    for step in where:
        node = node[step]
    node[key] = value
    with pytest.raises(SafeModeViolation) as caught:
        documents.canonize(document)
    assert caught.value.detail == "invalid property"
    assert f"{key!r} at {'.'.join(('$', *where))} " in caught.value.message
