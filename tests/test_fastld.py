"""The direct JSON-LD → RDF path (verifier.fastld) gives pyld's canonical N-Quads to the byte,
steps aside for what it does not cover, and never accepts what pyld's safe mode refuses."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import corpus
from tests.conftest import ob3_credential
from tests.verifier_web_support import presentation
from verifier import KeyPair, documents, fastld
from verifier.demo import demo_badge
from verifier.errors import VerificationError
from verifier.jsonld import Processor, canonical_nquads
from verifier.suites.data_integrity import proof_configuration

NOW = datetime(2026, 6, 1, tzinfo=UTC)
ISSUER = KeyPair.generate("Ed25519")


def pyld_nquads(document: dict, hash_name: str = "sha256") -> str:
    """The canonical form by pyld's own expansion, node map and toRdf."""
    cache = documents._CACHE
    dataset = Processor(cache, safe=True, rdf=True).to_rdf(document, cache.options())
    return canonical_nquads(dataset, hash_name)


def direct_nquads(document: dict, hash_name: str = "sha256") -> str | None:
    cache = documents._CACHE
    quads = fastld.to_quads(document, Processor(cache, safe=True, rdf=True), cache.options())
    return None if quads is None else fastld.canonical_nquads(quads, hash_name)


def agree(document: dict) -> str | None:
    """Assert both paths agree on ``document``; return the direct path's answer."""
    try:
        expected: str | None = pyld_nquads(copy.deepcopy(document))
    except Exception:
        expected = None
    try:
        got = direct_nquads(document)
    except Exception:
        got = None
    if got is not None:
        assert expected is not None, "the direct path accepted a document pyld refuses"
        assert got == expected
    return got


def parts(document: dict) -> list[dict]:
    """A document, its unsigned form, its proof configurations and nested credentials."""
    found = [document]
    proofs = document.get("proof")
    for proof in proofs if isinstance(proofs, list) else [proofs]:
        if isinstance(proof, dict) and "@context" in document:
            found.append({k: v for k, v in document.items() if k != "proof"})
            found.append(proof_configuration(proof, document))
    nested = document.get("verifiableCredential")
    for credential in nested if isinstance(nested, list) else [nested]:
        if isinstance(credential, dict) and "@context" in credential:
            found.extend(parts(credential))
    return found


def own_documents() -> list[tuple[str, dict]]:
    holder = KeyPair.generate("Ed25519")
    badge = demo_badge(ISSUER, name="Statistics", ects=5)
    vp = presentation(ISSUER, holder, 3)
    return [("ob3", ob3_credential(ISSUER.controller)), ("demo badge", badge),
            *((f"presentation part {i}", part) for i, part in enumerate(parts(vp)))]


@pytest.mark.parametrize("name,document", own_documents(), ids=lambda v: v if isinstance(
    v, str) else "")
def test_own_credentials_take_the_direct_path_with_pyld_bytes(name: str, document: dict) -> None:
    assert agree(document) is not None, f"{name} fell back to pyld"


def corpus_documents() -> list[tuple[str, dict]]:
    if not corpus.available():
        return []
    found = []
    for path in sorted(corpus.CORPUS.rglob("*.json*")):
        try:
            document = json.loads(path.read_text("utf-8"))
        except (UnicodeDecodeError, ValueError):
            continue
        if isinstance(document, dict) and "@context" in document:
            for index, part in enumerate(parts(document)):
                found.append((f"{path.relative_to(corpus.CORPUS)}#{index}", part))
    return found


@pytest.mark.skipif(not corpus.available(), reason="the shared corpus is not on this machine")
def test_every_corpus_document_gets_pyld_bytes_or_pyld_itself() -> None:
    documents_ = corpus_documents()
    direct = sum(agree(document) is not None for _name, document in documents_)
    # Most real credentials are plain enough for the direct path; the rest go to pyld.
    assert direct >= len(documents_) // 2, (direct, len(documents_))


def test_equal_first_degree_hashes_go_to_the_full_algorithm() -> None:
    # Two blank nodes with identical content need RDFC-1.0's N-degree steps.
    document = ob3_credential(ISSUER.controller)
    document["credentialSubject"]["achievement"]["alignment"] = [
        {"type": ["Alignment"], "targetName": "A", "targetUrl": "https://a.example/1",
         "targetDescription": "x"},
        {"type": ["Alignment"], "targetName": "A", "targetUrl": "https://a.example/2",
         "targetDescription": "x"},
    ]
    document["credentialSubject"]["result"] = [{"type": ["Result"], "value": "A"},
                                               {"type": ["Result"], "value": "B"}]
    document["credentialSubject"]["achievement"]["resultDescription"] = [
        {"id": "_:r1", "type": ["ResultDescription"], "name": "x", "resultType": "Status"},
        {"id": "_:r2", "type": ["ResultDescription"], "name": "x", "resultType": "Status"},
    ]
    assert agree(document) is not None
    assert documents.canonize(document) == pyld_nquads(document)


@pytest.mark.parametrize("change,what", [
    (lambda d: d.update(undefinedTerm="x"), "an undefined term"),
    (lambda d: d.update(id="relative/id"), "a relative @id"),
    (lambda d: d.update(type=["VerifiableCredential", "NoSuchType"]), "an undefined type"),
    (lambda d: d["credentialSubject"].update({"@context": {"@vocab": "rel/"}}),
     "a relative @vocab"),
    (lambda d: d["credentialSubject"].update(name={"@value": "x", "@language": "not a tag"}),
     "an invalid language tag"),
    (lambda d: d["credentialSubject"].update(name={"@value": "x", "@direction": "rtl"}),
     "a base direction"),
    (lambda d: d.update(name=None), "a null value"),
    (lambda d: d["credentialSubject"].update(achievement={}), "an empty object"),
])
def test_what_safe_mode_refuses_is_left_to_pyld(change: Any, what: str) -> None:
    document = ob3_credential(ISSUER.controller)
    change(document)
    assert agree(document) is None, what


def test_canonize_names_the_problem_as_before() -> None:
    document = ob3_credential(ISSUER.controller, undefinedTerm="x")
    with pytest.raises(VerificationError, match="undefinedTerm"):
        documents.canonize(document)


SCALARS = st.one_of(st.text(max_size=8), st.integers(-10**22, 10**22), st.booleans(),
                    st.floats(allow_nan=False, allow_infinity=False), st.none())
KEYS = st.sampled_from(["name", "description", "id", "type", "narrative", "image", "tag",
                        "validFrom", "@value", "@language", "@type", "@id", "@list", "@set",
                        "unknown", "https://schema.org/name", "schema:name", "_:b0",
                        "@context", "achievement", "alignment", "credentialSubject"])
VALUES = st.recursive(
    SCALARS | st.sampled_from(["urn:x:1", "_:b1", "did:example:a", "relative", "en",
                               "Achievement", "Profile", "https://e.example/a"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from([(), ("credentialSubject",), ("credentialSubject", "achievement"),
                             ("issuer",)]), key=KEYS, value=VALUES)
def test_any_change_gives_pyld_bytes_or_steps_aside(path: tuple, key: str, value: Any) -> None:
    document = ob3_credential(ISSUER.controller)
    node = document
    for step in path:
        node = node[step]
    node[key] = value
    agree(document)


def term(value: str) -> dict:
    return {"type": "blank node" if value[:2] == "_:" else "IRI", "value": value}


def as_pyld_dataset(quads: list) -> dict:
    dataset: dict[str, list] = {"@default": []}
    for subject, predicate, obj, graph in quads:
        rdf_object = term(obj) if isinstance(obj, str) else {
            "type": "literal", "value": obj[0], "datatype": obj[1],
            **({"language": obj[2]} if obj[2] else {})}
        dataset.setdefault(graph or "@default", []).append(
            {"subject": term(subject), "predicate": term(predicate), "object": rdf_object})
    return dataset


NODES = st.sampled_from(["_:x0", "_:x1", "_:x2", "_:x3", "_:x4", "urn:a", "urn:b"])
QUADS = st.lists(st.tuples(
    NODES, st.sampled_from(["urn:p", "urn:q"]),
    NODES | st.tuples(st.sampled_from(["v", "w"]),
                      st.just("http://www.w3.org/2001/XMLSchema#string"), st.none()),
    # Graph names are not also nodes: where they are, RDFC-1.0 can tie two nodes that are not
    # alike, and pyld then answers by its set's iteration order (it differs between runs).
    st.sampled_from([None, None, "_:g", "urn:g"])), max_size=12, unique=True)


@settings(max_examples=400, deadline=None)
@given(quads=QUADS, hash_name=st.sampled_from(["sha256", "sha384"]))
def test_rdfc_gives_pyld_bytes_also_for_look_alike_blank_nodes(quads: list,
                                                               hash_name: str) -> None:
    expected = canonical_nquads(as_pyld_dataset(quads), hash_name)
    assert fastld.canonical_nquads(quads, hash_name) == expected


def test_similar_credentials_in_a_presentation_canonicalize_as_pyld_does() -> None:
    vp = presentation(ISSUER, KeyPair.generate("Ed25519"), 3)
    unsigned = {k: v for k, v in vp.items() if k != "proof"}
    for hash_name in ("sha256", "sha384"):
        assert documents.canonize(unsigned, hash_name=hash_name) == pyld_nquads(unsigned,
                                                                                 hash_name)


def test_a_dataset_built_to_explode_rdfc_is_refused() -> None:
    nodes = [f"_:n{i}" for i in range(9)]
    quads = [(a, "urn:p", b, None) for a in nodes for b in nodes if a != b]
    with pytest.raises(VerificationError, match="too alike"):
        fastld.canonical_nquads(quads, "sha256")


def test_plans_never_carry_one_documents_types_into_another() -> None:
    # A context may alias @type: the types of a node named through the alias are its own, even
    # when a node of the same shape was read before (a cached plan holding the first document's
    # types would let a forged document borrow another's signature).
    def with_alias(issuer_type: str) -> dict:
        document = ob3_credential(ISSUER.controller)
        document["@context"] = [*document["@context"], {"kind": "@type"}]
        document["issuer"] = {"id": ISSUER.controller, "kind": [issuer_type], "name": "U"}
        return document

    first, second = with_alias("Profile"), with_alias("Achievement")
    assert documents.canonize(first) == pyld_nquads(first)
    assert documents.canonize(second) == pyld_nquads(second)
    assert documents.canonize(first) != documents.canonize(second)
