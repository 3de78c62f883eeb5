"""DCQL (OpenID4VP 1.0 §6, §7): parsing with clear errors, claims path pointers, matching signed
credentials of each format, and credential sets."""

from __future__ import annotations

import json

import pytest

from tests.conftest import NOW, ob3_credential
from verifier import Credential, KeyPair
from verifier.dcql import Candidate, DcqlError, DcqlQuery, select
from verifier.issuing import issue_jwt, issue_ldp
from verifier.suites.sd_jwt import issue_sd_jwt

OB = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"
NAME = ["credentialSubject", "achievement", "name"]


def badge_query(**extra) -> dict:
    query = {"id": "badge", "format": "ldp_vc", "meta": {"type_values": [[OB]]}}
    query.update(extra)
    return {"credentials": [query]}


@pytest.fixture(scope="module")
def key() -> KeyPair:
    return KeyPair.generate("Ed25519")


@pytest.fixture(scope="module")
def ldp(key) -> Candidate:
    return Candidate.of(
        Credential.from_json(issue_ldp(ob3_credential(key.controller), key, created=NOW))
    )


@pytest.fixture(scope="module")
def jwt(key) -> Candidate:
    return Candidate.of(Credential.from_json(issue_jwt(ob3_credential(key.controller), key)))


@pytest.fixture(scope="module")
def sd_jwt(key) -> Candidate:
    token = issue_sd_jwt(
        {"name": "Welding Safety", "given_name": "Ada"},
        disclose=["given_name"],
        issuer_key=key,
        vct="https://credentials.example.org/micro-credential",
        iss=key.controller,
        iat=NOW,
    )
    return Candidate.of(Credential.from_json(token))


# -- claims path pointers (§7) ----------------------------------------------------------------
DOC = {"a": {"b": [{"c": 1}, {"c": 2}, {"d": 3}]}, "n": None}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (["a", "b", 0, "c"], [1]),
        (["a", "b", None, "c"], [1, 2]),
        (["a", "b", 5], []),
        (["a", "x"], []),
        (["n"], [None]),
        (["a", "b", "c"], []),  # a name on an array selects nothing
        ([0], []),  # an index on an object selects nothing
    ],
)
def test_claims_path_pointer_selects(path, expected):
    assert select(DOC, path) == expected


# -- matching ---------------------------------------------------------------------------------
def test_types_match_by_expanded_iri_or_name(ldp):
    assert DcqlQuery.from_json(badge_query()).credentials[0].matches(ldp)
    named = badge_query(meta={"type_values": [["OpenBadgeCredential"]]})
    assert DcqlQuery.from_json(named).credentials[0].matches(ldp)
    other = badge_query(meta={"type_values": [["https://example.org/vocab#Diploma"]]})
    assert not DcqlQuery.from_json(other).credentials[0].matches(ldp)


def test_any_type_group_is_enough(ldp):
    query = badge_query(meta={"type_values": [["Diploma"], ["VerifiableCredential", OB]]})
    assert DcqlQuery.from_json(query).credentials[0].matches(ldp)


def test_format_must_match(ldp, jwt):
    query = DcqlQuery.from_json(badge_query(format="jwt_vc_json")).credentials[0]
    assert query.matches(jwt)
    assert not query.matches(ldp)


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ([{"path": NAME}], True),
        ([{"path": NAME, "values": ["Data Analysis Basics", "Statistics"]}], True),
        ([{"path": NAME, "values": ["Statistics"]}], False),
        ([{"path": ["credentialSubject", "achievement", "creditsAvailable"]}], False),
        ([{"path": NAME}, {"path": ["credentialSubject", "missing"]}], False),
    ],
    ids=["present", "value-accepted", "value-refused", "absent", "all-must-match"],
)
def test_claims(ldp, claims, expected):
    query = DcqlQuery.from_json(badge_query(claims=claims)).credentials[0]
    assert query.matches(ldp) is expected


def test_claim_sets_offer_alternatives(ldp):
    claims = [
        {"id": "credits", "path": ["credentialSubject", "achievement", "creditsAvailable"]},
        {"id": "name", "path": NAME},
    ]
    either = DcqlQuery.from_json(badge_query(claims=claims, claim_sets=[["credits"], ["name"]]))
    assert either.credentials[0].matches(ldp)
    only = DcqlQuery.from_json(badge_query(claims=claims, claim_sets=[["credits", "name"]]))
    assert not only.credentials[0].matches(ldp)


def test_values_compare_json_types():
    doc = Candidate("ldp_vc", {"n": 1, "t": True}, ("VerifiableCredential",))
    meta = {"type_values": [["VerifiableCredential"]]}
    one = {"id": "q", "format": "ldp_vc", "meta": meta, "claims": [{"path": ["t"], "values": [1]}]}
    assert not DcqlQuery.from_json({"credentials": [one]}).credentials[0].matches(doc)


def test_sd_jwt_matches_by_vct(sd_jwt, ldp):
    query = {
        "credentials": [
            {
                "id": "micro",
                "format": "dc+sd-jwt",
                "meta": {"vct_values": ["https://credentials.example.org/micro-credential"]},
                "claims": [{"path": ["given_name"], "values": ["Ada"]}],
            }
        ]
    }
    parsed = DcqlQuery.from_json(query)
    assert parsed.match({"sd": sd_jwt, "ldp": ldp, "none": None}) == {"micro": ["sd"]}


# -- credential sets (§6.2, §6.4.2) ------------------------------------------------------------
def two_queries(sets=None) -> DcqlQuery:
    meta = {"type_values": [["VerifiableCredential"]]}
    query = {
        "credentials": [
            {"id": "a", "format": "ldp_vc", "meta": meta},
            {"id": "b", "format": "jwt_vc_json", "meta": meta},
        ]
    }
    if sets is not None:
        query["credential_sets"] = sets
    return DcqlQuery.from_json(query)


@pytest.mark.parametrize(
    ("sets", "found", "expected"),
    [
        (None, {"a": [1], "b": [2]}, True),
        (None, {"a": [1], "b": []}, False),
        ([{"options": [["a"], ["b"]]}], {"a": [], "b": [2]}, True),
        ([{"options": [["a", "b"]]}], {"a": [1]}, False),
        ([{"options": [["a"]]}, {"options": [["b"]], "required": False}], {"a": [1]}, True),
    ],
    ids=["all-answered", "one-missing", "either-option", "option-incomplete", "optional-set"],
)
def test_satisfied_by(sets, found, expected):
    assert two_queries(sets).satisfied_by(found) is expected


def test_round_trip_and_purpose():
    sets = [{"options": [["a"], ["b"]], "required": True, "purpose": "To check your degree"}]
    query = two_queries(sets)
    assert DcqlQuery.from_json(json.dumps(query.to_json())) == query
    assert query.purposes() == ["To check your degree"]


# -- bad queries: one sentence saying what is wrong -------------------------------------------
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("{", "not valid JSON"),
        ("[]", "must be a JSON object"),
        ({"credentials": []}, 'non-empty "credentials"'),
        ({"credentials": [], "presentation_definition": {}}, "unknown members"),
        ({"credentials": [{"id": "a b", "format": "ldp_vc"}]}, "needs an id"),
        ({"credentials": [{"id": "a", "format": "mso_mdoc", "meta": {}}]}, "the format must"),
        ({"credentials": [{"id": "a", "format": "ldp_vc", "meta": {}}]}, "type_values"),
        ({"credentials": [{"id": "a", "format": "dc+sd-jwt", "meta": {}}]}, "vct_values"),
        (badge_query(claims=[{"path": []}]), 'needs a "path"'),
        (badge_query(claims=[{"path": ["a", -1]}]), 'needs a "path"'),
        (badge_query(claims=[{"path": ["a"], "values": [{"x": 1}]}]), "not plain values"),
        (badge_query(claims=[{"path": ["a"]}], claim_sets=[["x"]]), "claims that all have ids"),
        (badge_query(multiple="yes"), "multiple must be true or false"),
        (badge_query(trusted_authorities=[]), "trusted_authorities is not supported"),
        ({**badge_query(), "credential_sets": [{"options": [["nope"]]}]}, "ids of credential"),
        ({"credentials": badge_query()["credentials"] * 2}, "same id"),
        ("x" * 30_000, "longer than"),
    ],
)
def test_bad_queries_are_refused_with_a_reason(query, message):
    with pytest.raises(DcqlError, match=message):
        DcqlQuery.from_json(query)
