"""SD-JWT VC: the IETF examples verify and disclose exactly the expected claims; our own
issue/present round trip works; every way of adding, removing or replaying a disclosure or a
key binding fails with its own sentence."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import corpus
from verifier import multiformats as mf
from verifier.errors import KeyNotFound, MalformedDocument, ProofInvalid, UnsupportedProof
from verifier.keypairs import KeyPair
from verifier.keys import jwk_to_public_key, public_key_to_jwk
from verifier.suites.jose import CompactJws, jwt_claims, sign_jws
from verifier.suites.sd_jwt import (
    SdJwt,
    issue_sd_jwt,
    kb_claims,
    present,
    verify_key_binding,
    verify_sd_jwt,
)
from verifier.suites.sd_jwt_disclosures import Disclosure, sd_hash

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ISSUER = KeyPair.generate("P-256", controller="https://university.example")
HOLDER = ed25519.Ed25519PrivateKey.generate()
VCT = "https://credentials.example/degree"
NONCE, AUDIENCE = "n-0S6_WzA2Mj", "https://employer.example"
CLAIMS = {
    "given_name": "Ada",
    "family_name": "Lovelace",
    "gpa": 3.9,
    "degree": {"type": "BachelorDegree", "name": "Mathematics"},
}
SECRET = ("given_name", "family_name", "gpa")


def issue(**overrides) -> str:
    options = {"disclose": SECRET, "issuer_key": ISSUER, "vct": VCT,
               "iss": "https://university.example", "iat": NOW - timedelta(days=30),
               "exp": NOW + timedelta(days=365), "holder_jwk": public_key_to_jwk(
                   HOLDER.public_key())}
    options.update(overrides)
    return issue_sd_jwt(dict(CLAIMS), **options)


ISSUED = issue(decoys=3)


def presented(keep=("given_name",), **overrides) -> str:
    options = {"keep": keep, "holder_key": HOLDER, "nonce": NONCE, "audience": AUDIENCE,
               "now": NOW}
    options.update(overrides)
    return present(ISSUED, **options)


def check_binding(token: str, **overrides) -> SdJwt:
    sd = SdJwt.parse(token)
    options = {"nonce": NONCE, "audience": AUDIENCE, "now": NOW, "max_age": timedelta(minutes=5)}
    options.update(overrides)
    holder_key = options.pop("holder_key", None)
    verify_key_binding(sd, holder_key, **options)
    return sd


# -- the IETF SD-JWT VC examples (../shared/corpus/sd-jwt-vc) ------------------------------------
def needs_corpus(test):
    """Mark a test that reads ../shared/corpus, and skip it where the corpus is absent."""
    skip = pytest.mark.skipif(not corpus.available(), reason="../shared/corpus is not here")
    return pytest.mark.conformance(skip(test))


def sample(name: str, file: str) -> str:
    return (corpus.CORPUS / "sd-jwt-vc" / name / file).read_text("utf-8")


def corpus_key(file: str):
    return jwk_to_public_key(json.loads((corpus.CORPUS / "sd-jwt-vc" / file).read_text("utf-8")))


SAMPLES = ["01", "02", "03-pid"]
KB_CHECKED_AT = datetime(2026, 11, 26, tzinfo=UTC)  # the examples' KB-JWTs are from 2026-11-25


@pytest.mark.parametrize("name", SAMPLES)
@needs_corpus
def test_ietf_presentations_verify_and_disclose_exactly_the_expected_claims(name):
    sd = SdJwt.parse(sample(name, "sd_jwt_presentation.sd-jwt"))
    verify_sd_jwt(sd, corpus_key("issuer-key.public.jwk.json"))
    assert sd.claims == json.loads(sample(name, "verified_contents.json"))
    if sd.kb_jwt is not None:
        for holder_key in (None, corpus_key("holder-key.public.jwk.json")):
            verify_key_binding(sd, holder_key, nonce="1234567890",
                               audience="https://example.com/verifier", now=KB_CHECKED_AT,
                               max_age=timedelta(days=1))


@pytest.mark.parametrize(("name", "count"), [("01", 9), ("02", 9), ("03-pid", 28)])
@needs_corpus
def test_ietf_issuances_verify_with_every_disclosure_placed(name, count):
    sd = SdJwt.parse(sample(name, "sd_jwt_issuance.sd-jwt"))
    verify_sd_jwt(sd, corpus_key("issuer-key.public.jwk.json"))
    assert (len(sd.disclosures), sd.kb_jwt) == (count, None)
    assert "_sd" not in json.dumps(sd.claims) and "_sd_alg" not in sd.claims


@pytest.mark.parametrize("name", ["01", "02"])
@needs_corpus
def test_presenting_an_ietf_issuance_gives_the_ietf_presentation_claims(name):
    expected = json.loads(sample(name, "verified_contents.json"))
    keep = [k for k in expected if k not in ("iss", "iat", "exp", "vct", "cnf")]
    token = present(sample(name, "sd_jwt_issuance.sd-jwt"), keep=keep)
    assert SdJwt.parse(token).claims == expected


@needs_corpus
def test_the_ietf_key_binding_is_from_later_on_the_corpus_evaluation_day():
    # The corpus judges everything at 2026-11-25T00:00Z, but these KB-JWTs were made at 19:36Z
    # that day: strictly they are from the future; a day's leeway accepts them.
    sd = SdJwt.parse(sample("01", "sd_jwt_presentation.sd-jwt"))
    options = {"nonce": "1234567890", "audience": "https://example.com/verifier",
               "now": corpus.EVALUATED_AT, "max_age": timedelta(days=1)}
    with pytest.raises(ProofInvalid, match="in the future"):
        verify_key_binding(sd, None, **options)
    verify_key_binding(sd, None, **options, leeway=timedelta(days=1))


@pytest.mark.parametrize(("change", "message"), [
    ({"nonce": "another"}, "nonce"),
    ({"audience": "https://other.example"}, "aud"),
])
@needs_corpus
def test_ietf_presentation_for_another_request_fails(change, message):
    sd = SdJwt.parse(sample("03-pid", "sd_jwt_presentation.sd-jwt"))
    options = {"nonce": "1234567890", "audience": "https://example.com/verifier",
               "now": KB_CHECKED_AT, "max_age": timedelta(days=1), **change}
    with pytest.raises(ProofInvalid, match=message):
        verify_key_binding(sd, None, **options)


@needs_corpus
def test_ietf_presentation_with_a_disclosure_removed_breaks_the_key_binding():
    issuer_jwt, first, second, kb = sample("01", "sd_jwt_presentation.sd-jwt").strip().split("~")
    sd = SdJwt.parse("~".join([issuer_jwt, second, kb]))
    with pytest.raises(ProofInvalid, match="sd_hash"):
        verify_key_binding(sd, None, nonce=None, audience=None, now=KB_CHECKED_AT,
                           max_age=timedelta(days=1))


@needs_corpus
def test_ietf_issuer_signature_fails_with_another_key():
    sd = SdJwt.parse(sample("02", "sd_jwt_issuance.sd-jwt"))
    with pytest.raises(ProofInvalid, match="does not verify"):
        verify_sd_jwt(sd, corpus_key("holder-key.public.jwk.json"))


# -- our own issue / present round trip ----------------------------------------------------------
def test_issue_then_parse_gives_every_claim_back():
    sd = SdJwt.parse(ISSUED)
    verify_sd_jwt(sd, ISSUER.public_key)
    payload = jwt_claims(sd.issuer_jws)
    assert sd.issuer_jws.header == {"typ": "dc+sd-jwt", "kid": ISSUER.verification_method,
                                    "alg": "ES256"}
    assert len(payload["_sd"]) == 6 and payload["_sd"] == sorted(payload["_sd"])  # 3 decoys
    assert not set(SECRET) & set(payload)
    assert sd.claims == {**CLAIMS, "iss": "https://university.example", "vct": VCT,
                         "iat": int((NOW - timedelta(days=30)).timestamp()),
                         "exp": int((NOW + timedelta(days=365)).timestamp()),
                         "cnf": {"jwk": public_key_to_jwk(HOLDER.public_key())}}


def test_present_discloses_only_what_the_holder_keeps():
    sd = check_binding(presented(keep=["given_name"]))
    assert sd.claims["given_name"] == "Ada" and sd.claims["degree"] == CLAIMS["degree"]
    assert not {"family_name", "gpa"} & set(sd.claims)
    assert kb_claims(sd.kb_jwt)["nonce"] == NONCE


def test_the_holder_key_may_be_given_instead_of_read_from_cnf():
    check_binding(presented(), holder_key=HOLDER.public_key())


def test_a_presentation_without_key_binding_has_none_to_check():
    sd = SdJwt.parse(present(ISSUED, keep=["gpa"]))
    assert sd.claims["gpa"] == 3.9 and sd.kb_jwt is None and kb_claims(None) == {}
    with pytest.raises(ProofInvalid, match="no key binding"):
        verify_key_binding(sd, None, nonce=None, audience=None, now=NOW, max_age=timedelta(1))


def test_withholding_a_disclosure_is_allowed_without_key_binding():
    issuer_jwt, *disclosures, _ = ISSUED.split("~")
    sd = SdJwt.parse("~".join([issuer_jwt, *disclosures[1:], ""]))
    assert len(sd.claims) == len(SdJwt.parse(ISSUED).claims) - 1


KEY_BINDING_FAILURES = {
    "wrong_nonce": ({}, {"nonce": "replayed"}, "nonce"),
    "wrong_audience": ({}, {"audience": "https://other.example"}, "aud"),
    "made_in_the_future": ({"now": NOW + timedelta(hours=1)}, {}, "in the future"),
    "too_old": ({"now": NOW - timedelta(hours=1)}, {}, "longer ago"),
    "another_holder_key": ({}, {"holder_key": ed25519.Ed25519PrivateKey.generate().public_key()},
                           "not the key the issuer bound"),
    "signed_by_another_key": ({"holder_key": ed25519.Ed25519PrivateKey.generate()}, {},
                              "does not verify"),
}


@pytest.mark.parametrize("case", KEY_BINDING_FAILURES)
def test_key_binding_failures(case):
    make, check, message = KEY_BINDING_FAILURES[case]
    with pytest.raises(ProofInvalid, match=message):
        check_binding(presented(**make), **check)


def test_an_audience_list_that_names_the_verifier_is_accepted():
    token = presented(audience=[AUDIENCE, "https://other.example"])
    check_binding(token)


def kb_for(sd_jwt: str, claims: dict, *, typ: str = "kb+jwt", key=HOLDER) -> str:
    """An SD-JWT without key binding, plus a hand-made KB-JWT."""
    return sd_jwt + sign_jws({"typ": typ}, claims, key)


def good_kb_claims(sd_jwt: str) -> dict:
    return {"iat": int(NOW.timestamp()), "aud": AUDIENCE, "nonce": NONCE,
            "sd_hash": sd_hash(sd_jwt, "sha-256")}


def test_a_hand_made_key_binding_verifies():
    bare = present(ISSUED, keep=["gpa"])
    check_binding(kb_for(bare, good_kb_claims(bare)))


@pytest.mark.parametrize(("case", "message"), [
    ("typ_is_jwt", "not kb\\+jwt"),
    ("no_nonce", "no nonce claim"),
    ("no_sd_hash", "no sd_hash claim"),
    ("sd_hash_of_other_disclosures", "sd_hash"),
    ("sd_hash_not_a_string", "sd_hash"),
])
def test_hand_made_key_binding_failures(case, message):
    bare = present(ISSUED, keep=["gpa"])
    claims, typ = good_kb_claims(bare), "kb+jwt"
    if case == "typ_is_jwt":
        typ = "JWT"
    elif case.startswith("no_"):
        del claims[case[3:]]
    elif case == "sd_hash_of_other_disclosures":
        claims["sd_hash"] = sd_hash(present(ISSUED, keep=["gpa", "given_name"]), "sha-256")
    else:
        claims["sd_hash"] = 42
    with pytest.raises(ProofInvalid, match=message):
        check_binding(kb_for(bare, claims, typ=typ))


def test_key_binding_needs_a_bound_key():
    bare = issue(holder_jwk=None)
    token = kb_for(bare, good_kb_claims(bare))
    with pytest.raises(KeyNotFound, match="cnf"):
        check_binding(token)
    check_binding(token, holder_key=HOLDER.public_key())


def test_key_binding_needs_an_aware_now():
    with pytest.raises(ValueError):
        check_binding(presented(), now=datetime(2026, 6, 1, 12, 0))


def test_a_removed_disclosure_breaks_the_key_binding():
    issuer_jwt, *disclosures, kb = presented(keep=["given_name", "gpa"]).split("~")
    with pytest.raises(ProofInvalid, match="sd_hash"):
        check_binding("~".join([issuer_jwt, disclosures[0], kb]))


def test_an_added_fake_disclosure_is_refused():
    issuer_jwt, *disclosures, _ = ISSUED.split("~")
    fake = Disclosure.create("gpa_bonus", 1.0).raw
    with pytest.raises(ProofInvalid, match="not among the digests the issuer signed"):
        SdJwt.parse("~".join([issuer_jwt, *disclosures, fake, ""]))


def test_a_disclosure_with_a_changed_value_is_refused():
    issuer_jwt, *disclosures, _ = ISSUED.split("~")
    changed = [Disclosure.create("gpa", 4.0).raw if Disclosure.parse(d).name == "gpa" else d
               for d in disclosures]
    with pytest.raises(ProofInvalid, match="gpa"):
        SdJwt.parse("~".join([issuer_jwt, *changed, ""]))


def test_a_disclosure_from_another_credential_is_refused():
    other = issue(issuer_key=KeyPair.generate("P-256"))
    foreign = other.split("~")[1]
    with pytest.raises(ProofInvalid):
        SdJwt.parse(ISSUED + foreign + "~")


@settings(max_examples=30, deadline=None)
@given(keep=st.sets(st.sampled_from(SECRET)))
def test_exactly_the_kept_claims_are_disclosed(keep):
    sd = check_binding(presented(keep=sorted(keep)))
    assert {k for k in SECRET if k in sd.claims} == keep
    assert sd.claims["degree"] == CLAIMS["degree"]


# -- issuing and presenting refuse mistakes --------------------------------------------------------
@pytest.mark.parametrize(("overrides", "message"), [
    ({"disclose": ["nickname"]}, "not there"),
    ({"disclose": ["status"], "claims": {"status": {}}}, "forbids"),
    ({"claims": {"iss": "https://elsewhere.example"}}, "keywords"),
    ({"claims": {"_sd": []}}, "keywords"),
    ({"iat": datetime(2026, 1, 1)}, "aware"),
])
def test_issuing_refuses_mistakes(overrides, message):
    claims = {**CLAIMS, **overrides.get("claims", {})}
    options = {"disclose": [], "issuer_key": ISSUER, "vct": VCT, "iss": "https://u.example",
               "iat": NOW, **{k: v for k, v in overrides.items() if k != "claims"}}
    with pytest.raises(ValueError, match=message):
        issue_sd_jwt(claims, **options)


@pytest.mark.parametrize(("token", "options", "message"), [
    (ISSUED, {"keep": ["nickname"]}, "no top-level claims"),
    (ISSUED, {"keep": [], "holder_key": HOLDER}, "nonce, audience and now"),
])
def test_presenting_refuses_mistakes(token, options, message):
    with pytest.raises(ValueError, match=message):
        present(token, **options)


def test_a_presentation_cannot_be_presented_again():
    with pytest.raises(ValueError, match="already"):
        present(presented(), keep=[])


def test_an_rsa_or_ec_issuer_key_may_be_a_bare_private_key():
    key = ec.generate_private_key(ec.SECP384R1())
    sd = SdJwt.parse(issue(issuer_key=key, sd_alg="sha-512"))
    verify_sd_jwt(sd, key.public_key())
    assert sd.issuer_jws.alg == "ES384" and sd.sd_alg == "sha-512"


# -- disclosure processing, on hand-built SD-JWTs (RFC 9901 §7.1) ----------------------------
def disclose(*parts) -> str:
    return mf.b64url_encode(json.dumps(list(parts)).encode())


def digest(disclosure: str, alg: str = "sha-256") -> str:
    return sd_hash(disclosure, alg)


def build(payload: dict, *disclosures: str, typ: str = "dc+sd-jwt") -> str:
    """Sign ``payload`` as an SD-JWT VC issuer JWT and append the disclosures."""
    body = {k: v for k, v in {"iss": "https://u.example", "vct": VCT, **payload}.items()
            if v is not None}  # None: leave the claim out
    return "~".join([sign_jws({"typ": typ}, body, ISSUER), *disclosures, ""])


def test_nested_and_array_disclosures_are_put_in_place():
    street = disclose("s1", "street", "1 Main St")
    address = disclose("s2", "address", {"_sd": [digest(street)], "country": "UK"})
    fr = disclose("s3", "FR")
    withheld = disclose("s4", "DE")
    token = build({"_sd": [digest(address)], "_sd_alg": "sha-256",
                   "nationalities": [{"...": digest(fr)}, "UK", {"...": digest(withheld)}]},
                  address, street, fr)
    claims = SdJwt.parse(token).claims
    assert claims["address"] == {"street": "1 Main St", "country": "UK"}
    assert claims["nationalities"] == ["FR", "UK"]
    assert "_sd_alg" not in claims


def test_an_object_with_dots_and_other_members_is_an_ordinary_object():
    token = build({"list": [{"...": "x", "also": 1}]})
    assert SdJwt.parse(token).claims["list"] == [{"...": "x", "also": 1}]


def test_sha_512_digests_are_supported():
    name = disclose("s", "name", "Ada")
    token = build({"_sd": [digest(name, "sha-512")], "_sd_alg": "sha-512"}, name)
    assert SdJwt.parse(token).claims["name"] == "Ada"


NAME = disclose("salt", "name", "Ada")
ELEMENT = disclose("salt", "FR")
PROCESSING_FAILURES = {
    "digest_referenced_twice": (
        MalformedDocument, "same digest twice",
        lambda: build({"_sd": [digest(NAME)], "nested": {"_sd": [digest(NAME)]}}, NAME)),
    "decoy_digest_repeated": (
        MalformedDocument, "same digest twice",
        lambda: build({"_sd": ["decoy", "decoy"]})),
    "disclosure_presented_twice": (
        MalformedDocument, "presented twice",
        lambda: build({"_sd": [digest(NAME)]}, NAME, NAME)),
    "claim_name_sd": (MalformedDocument, "reserved claim name '_sd'",
                      lambda: build({}, disclose("s", "_sd", []))),
    "claim_name_dots": (MalformedDocument, "reserved claim name '...'",
                        lambda: build({}, disclose("s", "...", 1))),
    "clashes_with_a_claim": (
        MalformedDocument, "clashes",
        lambda: build({"_sd": [digest(NAME)], "name": "Eve"}, NAME)),
    "element_disclosure_in_sd": (
        MalformedDocument, "array-element disclosure",
        lambda: build({"_sd": [digest(ELEMENT)]}, ELEMENT)),
    "named_disclosure_in_an_array": (
        MalformedDocument, "referenced as an array element",
        lambda: build({"list": [{"...": digest(NAME)}]}, NAME)),
    "unknown_digest_algorithm": (
        UnsupportedProof, "'md5'", lambda: build({"_sd": [], "_sd_alg": "md5"})),
    "sd_not_an_array": (MalformedDocument, "not an array", lambda: build({"_sd": "abc"})),
    "digest_not_a_string": (MalformedDocument, "not a string", lambda: build({"_sd": [1]})),
    "disclosure_not_an_array": (MalformedDocument, "not a \\[salt",
                                lambda: build({}, mf.b64url_encode(b'{"salt": 1}'))),
    "disclosure_of_four": (MalformedDocument, "not a \\[salt",
                           lambda: build({}, disclose("s", "n", 1, 2))),
    "salt_not_a_string": (MalformedDocument, "salt", lambda: build({}, disclose(1, "n", 1))),
    "name_not_a_string": (MalformedDocument, "claim name", lambda: build({}, disclose("s", 1, 1))),
    "disclosure_not_base64url": (MalformedDocument, "base64url",
                                 lambda: build({}, "not base64!")),
    "unreferenced_disclosure": (ProofInvalid, "not among the digests",
                                lambda: build({}, NAME)),
    "wrong_typ": (MalformedDocument, "typed 'JWT'", lambda: build({}, typ="JWT")),
    "no_vct": (MalformedDocument, "vct", lambda: build({"vct": None})),
    "vct_disclosable": (
        MalformedDocument, "vct is selectively disclosable",
        lambda: build({"vct": None, "_sd": [digest(disclose("s", "vct", VCT))]},
                      disclose("s", "vct", VCT))),
    "cnf_disclosable": (
        MalformedDocument, "cnf is selectively disclosable",
        lambda: build({"_sd": [digest(disclose("s", "cnf", {}))]}, disclose("s", "cnf", {}))),
    "too_deep": (MalformedDocument, "nested too deeply",
                 lambda: build({"deep": json.loads('{"a":' * 70 + "1" + "}" * 70)})),
    "no_tilde": (MalformedDocument, "~", lambda: build({}).rstrip("~")),
    "empty_disclosure": (MalformedDocument, "empty disclosure", lambda: build({}) + "~"),
    "key_binding_not_a_jws": (MalformedDocument, "three parts", lambda: build({}) + "kb"),
}


@pytest.mark.parametrize("case", PROCESSING_FAILURES)
def test_disclosure_processing_failures(case):
    error, message, make = PROCESSING_FAILURES[case]
    with pytest.raises(error, match=message):
        SdJwt.parse(make())


def test_an_sd_jwt_must_be_text():
    with pytest.raises(TypeError):
        SdJwt.parse(ISSUED.encode())  # type: ignore[arg-type]


def test_the_presented_part_ends_at_the_last_tilde():
    token = presented()
    sd = SdJwt.parse(token + "\n")
    assert sd.presented + CompactJws.parse(token.rsplit("~", 1)[1]).raw == token == sd.raw


@pytest.mark.parametrize("typ", ["dc+sd-jwt", "vc+sd-jwt", "application/dc+sd-jwt", "DC+SD-JWT"])
def test_the_sd_jwt_vc_media_types_are_accepted(typ):
    assert SdJwt.parse(build({}, typ=typ)).claims["vct"] == VCT
