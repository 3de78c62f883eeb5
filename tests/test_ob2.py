"""Open Badges 2.0: hosted and signed badges verified from the local cache (scenario tables
asserting ``(check_id, status)``), recipients, and the 1EdTech validator's OB 2.0 vectors."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import corpus
from tests.ob2_factory import LEARNER, OB2, SALT, Ob2Issuer, hashed, private_key
from verifier import DocumentCache, Outcome, TrustStore
from verifier.checks import Options
from verifier.keypairs import KeyPair
from verifier.ob2 import looks_like_ob2, matches, recipient_matches, verify_ob2
from verifier.ob2.assertion import OB1_CONTEXTS, OB2_CONTEXTS, revoked_entries
from verifier.pipeline import _maybe_ob2
from verifier.report import CREDENTIAL_CHECKS, Report
from verifier.trust import TrustedIssuer

NOW = corpus.EVALUATED_AT - timedelta(days=170)  # 2026-06-08, after the badges were fetched
P, F, U, NA = "passed", "failed", "unknown", "not_applicable"


def options(cache: DocumentCache, *, trust: TrustStore | None = None,
            identities: tuple[str, ...] = ()) -> Options:
    return Options(now=NOW, trust=trust or TrustStore.accept_any_issuer_insecure(), cache=cache,
                   recipient_identities=identities)


@pytest.fixture
def issuer() -> Ob2Issuer:
    return Ob2Issuer(DocumentCache.in_memory())


def statuses(report: Report) -> dict[str, str]:
    assert tuple(c.id for c in report.checks) == CREDENTIAL_CHECKS
    return {c.id: c.status.value for c in report.checks}


# -- scenarios: each builds a badge (and what the issuer publishes) and names its outcome -------
def hosted_verified(iss):
    return iss.hosted()


def hosted_from_its_url(iss):  # the legacy baked form: only the assertion's URL
    return iss.hosted()["id"]


def hosted_never_cached(iss):
    badge = iss.hosted(publish=False)
    iss.cache = DocumentCache.in_memory()  # nothing the badge links to was ever fetched
    return badge


def hosted_url_never_cached(iss):
    iss.cache = DocumentCache.in_memory()
    return f"{iss.base}/assertions/9.json"


def hosted_copy_not_cached(iss):
    return iss.hosted(publish=False)


def hosted_copy_differs(iss):
    badge = iss.hosted()
    badge["recipient"] = hashed("someone.else@example.org")
    return badge


def hosted_copy_has_more_evidence(iss):  # issuer added evidence after the image was baked
    badge = iss.hosted(evidence=[f"{iss.base}/evidence/1", f"{iss.base}/evidence/1b"])
    badge["evidence"] = f"{iss.base}/evidence/1"
    return badge


def hosted_revoked_flag(iss):
    badge = iss.hosted()
    iss.publish(badge["id"], {"@context": OB2, "id": badge["id"], "revoked": True,
                              "revocationReason": "Awarded in error"})
    return badge


def hosted_revoked_full_copy(iss):
    badge = iss.hosted()
    iss.publish(badge["id"], {**badge, "revoked": True})
    return badge


def hosted_in_revocation_list(iss):
    badge = iss.hosted()
    iss.revoke(badge["id"], "Plagiarism")
    return badge


def hosted_on_another_host(iss):
    badge = iss.assertion(id="https://elsewhere.example/assertions/1.json")
    iss.publish(badge["id"], badge)
    return badge


def hosted_in_allowed_origin(iss):
    iss.publish_profile(verification={"type": "VerificationObject",
                                      "allowedOrigins": ["cdn.example.net"]})
    badge = iss.assertion(id="https://cdn.example.net/a/1.json")
    iss.publish(badge["id"], badge)
    return badge


def hosted_outside_starts_with(iss):
    iss.publish_profile(verification={"startsWith": f"{iss.base}/official/"})
    return iss.hosted()


def hosted_id_not_a_url(iss):
    return iss.hosted(publish=False, id="urn:uuid:6c2e3ed8-64a0-4fb7-b5d0-0c1b3a4d0b11")


def expired(iss):
    return iss.hosted(expires="2026-04-01T00:00:00Z")


def issued_in_the_future(iss):
    return iss.hosted(issuedOn="2027-01-01T00:00:00Z")


def expires_before_issued(iss):
    return iss.hosted(issuedOn="2026-03-01T00:00:00Z", expires="2026-02-01T00:00:00Z")


def revocation_list_not_cached(iss):
    iss.publish_profile(revocationList=f"{iss.base}/never-fetched.json")
    return iss.hosted()


def wrong_type(iss):
    return iss.hosted(type="OtherAssertion")


def open_badges_1(iss):
    return iss.hosted(**{"@context": "https://w3id.org/openbadges/v1"})


def open_badges_1_without_context(iss):
    return iss.hosted(**{"@context": None, "uid": "abc123"})


def badge_class_not_cached(iss):
    return iss.hosted(badge=f"{iss.base}/badges/unknown.json")


def badge_class_with_another_id(iss):
    iss.publish(iss.badge_class_id, iss.badge_class(id=f"{iss.base}/badges/other.json"))
    return iss.hosted()


def signed_verified(iss):
    return iss.signed()


def signed_es256(iss):
    key = KeyPair.for_key(private_key("P-256"), controller=iss.id, key_id=f"{iss.base}/keys/ec")
    iss.publish_key(key, key.verification_method)
    iss.publish_profile(publicKey=[iss.key_id, key.verification_method])
    return iss.signed(key=key, verification={"type": "SignedBadge",
                                             "creator": key.verification_method})


def signed_without_creator(iss):  # §SignedBadge: try the keys the issuer lists
    return iss.signed(verification={"type": "signed"})


def signed_key_not_listed(iss):
    key = KeyPair.for_key(private_key("RSA", "intruder"), controller=iss.id,
                          key_id=f"{iss.base}/keys/2.json")
    iss.publish_key(key, key.verification_method)
    return iss.signed(key=key, verification={"type": "signed", "creator": key.verification_method})


def signed_key_owned_by_another(iss):
    iss.publish_key(iss.key, iss.key_id, owner="https://impostor.example/issuer.json")
    return iss.signed()


def signed_tampered(iss):
    header, payload, signature = iss.signed().split(".")
    claims = json.loads(_b64d(payload))
    claims["issuedOn"] = "2020-01-01T00:00:00Z"
    return ".".join([header, _b64e(json.dumps(claims).encode()), signature])


def signed_key_not_cached(iss):
    return iss.signed(verification={"type": "signed", "creator": f"{iss.base}/keys/gone.json"})


def signed_revoked(iss):
    iss.revoke("urn:uuid:00000000-0000-4000-8000-000000000001")
    return iss.signed()


def signed_no_revocation_list(iss):
    iss.publish_profile(revocationList=None)
    return iss.signed()


def signed_with_hmac(iss):
    token = iss.signed()
    return _b64e(b'{"alg":"HS256"}') + token[token.index("."):]


def signed_json_without_signature(iss):
    return iss.assertion(method="signed")


def signed_but_says_hosted(iss):
    return iss.signed(verification={"type": "hosted"})


SCENARIOS = {
    # name: (badge, expected statuses of format..status, outcome)
    "hosted_verified": (hosted_verified, (P, P, P, P, P, P), Outcome.VERIFIED),
    "hosted_from_its_url": (hosted_from_its_url, (P, P, P, P, P, P), Outcome.VERIFIED),
    "hosted_never_cached": (hosted_never_cached, (U, U, U, U, P, U), Outcome.CANNOT_CHECK),
    "hosted_url_never_cached": (hosted_url_never_cached, (U, U, U, U, U, U),
                                Outcome.CANNOT_CHECK),
    "hosted_copy_not_cached": (hosted_copy_not_cached, (P, U, P, P, P, U), Outcome.CANNOT_CHECK),
    "hosted_copy_differs": (hosted_copy_differs, (P, F, P, U, U, U), Outcome.NOT_GENUINE),
    "hosted_copy_has_more_evidence": (hosted_copy_has_more_evidence, (P, P, P, P, P, P),
                                      Outcome.VERIFIED),
    "hosted_revoked_flag": (hosted_revoked_flag, (P, U, P, P, P, F), Outcome.REVOKED),
    "hosted_revoked_full_copy": (hosted_revoked_full_copy, (P, P, P, P, P, F), Outcome.REVOKED),
    "hosted_in_revocation_list": (hosted_in_revocation_list, (P, P, P, P, P, F), Outcome.REVOKED),
    "hosted_on_another_host": (hosted_on_another_host, (P, P, F, P, P, P), Outcome.NOT_GENUINE),
    "hosted_in_allowed_origin": (hosted_in_allowed_origin, (P, P, P, P, P, P), Outcome.VERIFIED),
    "hosted_outside_starts_with": (hosted_outside_starts_with, (P, P, F, P, P, P),
                                   Outcome.NOT_GENUINE),
    "hosted_id_not_a_url": (hosted_id_not_a_url, (P, F, F, U, U, U), Outcome.NOT_GENUINE),
    "expired": (expired, (P, P, P, P, F, P), Outcome.EXPIRED),
    "issued_in_the_future": (issued_in_the_future, (P, P, P, P, F, P), Outcome.NOT_YET_VALID),
    "expires_before_issued": (expires_before_issued, (P, P, P, P, F, P), Outcome.NOT_GENUINE),
    "revocation_list_not_cached": (revocation_list_not_cached, (P, P, P, P, P, U),
                                   Outcome.CANNOT_CHECK),
    "wrong_type": (wrong_type, (F, U, U, U, U, U), Outcome.NOT_GENUINE),
    "open_badges_1": (open_badges_1, (F, U, U, U, U, U), Outcome.NOT_GENUINE),
    "open_badges_1_without_context": (open_badges_1_without_context, (F, U, U, U, U, U),
                                      Outcome.NOT_GENUINE),
    "badge_class_not_cached": (badge_class_not_cached, (U, P, U, U, P, U), Outcome.CANNOT_CHECK),
    "badge_class_with_another_id": (badge_class_with_another_id, (F, U, U, U, U, U),
                                    Outcome.NOT_GENUINE),
    "signed_verified": (signed_verified, (P, P, P, P, P, P), Outcome.VERIFIED),
    "signed_es256": (signed_es256, (P, P, P, P, P, P), Outcome.VERIFIED),
    "signed_without_creator": (signed_without_creator, (P, P, P, P, P, P), Outcome.VERIFIED),
    "signed_key_not_listed": (signed_key_not_listed, (P, P, F, P, P, P), Outcome.NOT_GENUINE),
    "signed_key_owned_by_another": (signed_key_owned_by_another, (P, P, F, P, P, P),
                                    Outcome.NOT_GENUINE),
    "signed_tampered": (signed_tampered, (P, F, P, U, U, U), Outcome.NOT_GENUINE),
    "signed_key_not_cached": (signed_key_not_cached, (P, U, U, P, P, P), Outcome.CANNOT_CHECK),
    "signed_revoked": (signed_revoked, (P, P, P, P, P, F), Outcome.REVOKED),
    "signed_no_revocation_list": (signed_no_revocation_list, (P, P, P, P, P, NA),
                                  Outcome.VERIFIED),
    "signed_with_hmac": (signed_with_hmac, (P, F, P, U, U, U), Outcome.NOT_GENUINE),
    "signed_json_without_signature": (signed_json_without_signature, (P, F, U, U, U, U),
                                      Outcome.NOT_GENUINE),
    "signed_but_says_hosted": (signed_but_says_hosted, (F, U, U, U, U, U), Outcome.NOT_GENUINE),
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario(name, issuer):
    make, expected, outcome = SCENARIOS[name]
    badge = make(issuer)
    report = verify_ob2(badge, options(issuer.cache))
    got = statuses(report)
    assert tuple(got[c] for c in CREDENTIAL_CHECKS[:6]) == expected, report.to_json()["checks"]
    assert report.outcome is outcome
    assert report.kind == "credential" and report.checked_at == NOW
    signed = isinstance(badge, str) and badge.count(".") == 2 and not badge.startswith("http")
    assert report.format == ("ob2_signed" if signed or "signed" in name else "ob2_hosted")
    if report.summary and F not in (got["format"], got["proof"]):
        assert (got["schema"], got["nested_credentials"]) == (NA, NA)


def check(report: Report, check_id: str):
    return report.check(check_id)


def test_every_check_that_used_a_cached_document_says_when_it_was_fetched(issuer):
    report = verify_ob2(issuer.hosted(), options(issuer.cache))
    for check_id in ("format", "proof", "issuer_binding", "status"):
        assert check(report, check_id).data_date == issuer.fetched_at
        assert "last fetched on 2026-05-30 08:00 UTC" in check(report, check_id).message
    signed = verify_ob2(issuer.signed(), options(issuer.cache))
    assert check(signed, "proof").data_date == issuer.fetched_at


def test_a_badge_never_fetched_says_so(issuer):
    report = verify_ob2(hosted_never_cached(issuer), options(DocumentCache.in_memory()))
    assert "last fetched: never" in check(report, "proof").message
    assert "never been compared" in check(report, "proof").message
    assert report.verified is False


def test_what_failed_is_said_in_words(issuer):
    differs = verify_ob2(hosted_copy_differs(issuer), options(issuer.cache))
    assert "differs from the badge (recipient)" in check(differs, "proof").message
    revoked = verify_ob2(hosted_in_revocation_list(issuer), options(issuer.cache))
    assert check(revoked, "status").reason == "revoked"
    assert "Plagiarism" in check(revoked, "status").message
    gone = Ob2Issuer(DocumentCache.in_memory())
    assert check(verify_ob2(expired(gone), options(gone.cache)), "validity").reason == "expired"
    elsewhere = verify_ob2(hosted_on_another_host(issuer), options(issuer.cache))
    assert "elsewhere.example" in check(elsewhere, "issuer_binding").message
    old = verify_ob2(open_badges_1_without_context(issuer), options(issuer.cache))
    assert "Open Badges 1.x" in check(old, "format").message
    stranger = verify_ob2(signed_key_not_listed(issuer), options(issuer.cache))
    assert "is not one its issuer" in check(stranger, "issuer_binding").message


def test_the_issuer_copy_is_shown_when_the_image_is_out_of_date(issuer):
    report = verify_ob2(hosted_copy_has_more_evidence(issuer), options(issuer.cache))
    assert report.summary["differs_from_hosted_copy"] == ["evidence"]
    assert "differs only in evidence" in check(report, "proof").message
    assert len(report.summary["evidence"]) == 2  # the issuer's copy, not the stale one


def test_issuer_trust_comes_from_the_trust_store(issuer):
    report = verify_ob2(issuer.hosted(), options(issuer.cache, trust=TrustStore.empty()))
    assert check(report, "issuer_trust").status.value == U
    store = TrustStore.empty()
    store.add(TrustedIssuer(id=issuer.id, name="Demo Robotics Club", registry="test",
                            added_at=NOW - timedelta(days=3)))
    assert verify_ob2(issuer.hosted(), options(issuer.cache, trust=store)).verified


def test_an_unsupported_algorithm_cannot_be_checked(issuer):
    key = KeyPair.for_key(private_key("Ed25519"), controller=issuer.id, key_id=issuer.key_id)
    issuer.publish_key(key, issuer.key_id)
    report = verify_ob2(issuer.signed(key=key), options(issuer.cache))
    assert check(report, "proof").status.value == U
    assert "RS256" in check(report, "proof").message


def test_summary_describes_the_badge_and_its_recipient(issuer):
    report = verify_ob2(issuer.signed(), options(issuer.cache, identities=(LEARNER,)))
    assert report.summary["data_model"] == "ob2"
    assert report.summary["recipient"] == {
        "type": "email", "hashed": True, "algorithm": "sha256",
        "identity": hashed(LEARNER)["identity"], "salt": SALT, "matches": True}
    other = verify_ob2(issuer.signed(), options(issuer.cache, identities=("x@example.org",)))
    assert other.summary["recipient"]["matches"] is False
    assert other.verified  # the badge is genuine whoever holds it


# -- recipients (OB 2.0 §IdentityObject) ------------------------------------------------------
@pytest.mark.parametrize(("recipient", "identity", "expected"), [
    (hashed(LEARNER), LEARNER, True),
    (hashed(LEARNER), " Learner@Example.org ", True),
    (hashed(LEARNER), "other@example.org", False),
    (hashed(LEARNER, alg="md5"), LEARNER, True),
    (hashed(LEARNER, alg="md5"), "other@example.org", False),
    (hashed(LEARNER, salt=""), LEARNER, True),
    ({**hashed(LEARNER), "identity": "sha1$" + "0" * 40}, LEARNER, None),
    ({**hashed(LEARNER), "identity": "no-algorithm"}, LEARNER, None),
    ({"type": "email", "hashed": False, "identity": "Learner@Example.org"}, LEARNER, True),
    ({"type": "url", "hashed": False, "identity": "https://me.example"}, "https://me.example",
     True),
    ({"type": "telephone", "hashed": False, "identity": "+48123456789"}, "+48 123-456-789", True),
    ({**hashed("+48123456789"), "type": "telephone"}, "+48 123 456 789", True),
    ({"type": "email"}, LEARNER, None),
], ids=lambda v: "" if isinstance(v, dict) else None)
def test_recipient_matches(recipient, identity, expected):
    assert matches(recipient, identity) is expected


def test_recipient_matches_a_report_or_an_assertion(issuer):
    badge = issuer.hosted()
    report = verify_ob2(badge, options(issuer.cache))
    assert report.summary["recipient"]["matches"] is None  # no identities given
    assert recipient_matches(report, LEARNER) is True
    assert recipient_matches(report, "x@example.org") is False
    assert recipient_matches(badge, LEARNER) is True
    with pytest.raises(TypeError):
        recipient_matches("not a badge", LEARNER)


@pytest.mark.parametrize("alg", ["sha1", "sha512"])
def test_a_recipient_hashed_with_an_unknown_algorithm_fails_the_format(alg, issuer):
    recipient = {**hashed(LEARNER), "identity": f"{alg}$" + "ab" * 32}
    report = verify_ob2(issuer.hosted(recipient=recipient), options(issuer.cache))
    assert check(report, "format").status.value == F
    assert "only sha256 and md5" in check(report, "format").message
    assert matches(recipient, LEARNER) is None


@given(st.emails(), st.text(max_size=20), st.sampled_from(["sha256", "md5"]))
def test_any_hashed_address_matches_itself_and_not_another(address, salt, alg):
    recipient = hashed(address, alg=alg, salt=salt)
    assert matches(recipient, address) is True
    assert matches(recipient, "x" + address) is False


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12)
    | st.sampled_from(["https://[bad", "urn:x", "Assertion", "sha1$00", "2026-01-01T00:00:00Z"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=3),
    max_leaves=8)


@given(st.sampled_from(["assertion", "profile", "badge_class", "key", "revocations"]),
       st.text(min_size=1, max_size=16) | st.sampled_from(
           ["recipient", "badge", "verification", "issuedOn", "expires", "id", "type",
            "@context", "publicKey", "owner", "revocationList", "revokedAssertions",
            "publicKeyPem", "issuer", "verification", "url"]),
       JSON_VALUES, st.booleans())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_odd_value_anywhere_gives_a_report_never_a_crash(where, name, value, signed):
    issuer = Ob2Issuer(DocumentCache.in_memory())
    changed = {"assertion": {}, "profile": {}, "badge_class": {}}
    if where in changed:
        changed[where] = {name: value}
    issuer.publish_profile(**changed["profile"])
    issuer.publish(issuer.badge_class_id, {**issuer.badge_class(), **changed["badge_class"]})
    if where == "key":
        issuer.publish(issuer.key_id, {"type": "CryptographicKey", "id": issuer.key_id,
                                       name: value})
    if where == "revocations":
        issuer.publish(issuer.revocation_url, {"type": "RevocationList", name: value})
    if signed:
        badge = issuer.signed(**changed["assertion"])
    else:
        badge = issuer.assertion(**changed["assertion"])
        if isinstance(badge.get("id"), str):
            issuer.publish(badge["id"], badge)
    report = verify_ob2(badge, options(issuer.cache, identities=(LEARNER,)))
    assert tuple(c.id for c in report.checks) == CREDENTIAL_CHECKS
    json.dumps(report.to_json(), default=str)


# -- recognising OB 2.0 ---------------------------------------------------------------------------
def test_looks_like_ob2(issuer):
    assert looks_like_ob2(issuer.assertion())
    assert looks_like_ob2(json.dumps(issuer.assertion()))
    assert looks_like_ob2(json.dumps(issuer.assertion()).encode())
    assert looks_like_ob2(issuer.signed())
    assert looks_like_ob2({"type": "Assertion", "badge": "x", "recipient": {}})
    for other in ({"@context": "https://www.w3.org/ns/credentials/v2"}, "https://x.example/a",
                  "not json", "{broken", "a.b.c", b"\xff", 42, None, [], "{}"):
        assert not looks_like_ob2(other)


@pytest.mark.parametrize("junk", ["", "   ", "{", "[1]", "a.b", b"\xff\xfe", "x" * 50,
                                  json.dumps({"@context": OB2}), "e30.e30.e30"])
def test_junk_is_refused_as_a_format_failure(junk, issuer):
    report = verify_ob2(junk, options(issuer.cache))
    assert check(report, "format").status.value == F
    assert report.outcome is Outcome.NOT_GENUINE


# -- the 1EdTech validator's OB 2.0 vectors ----------------------------------------------------
OB20 = [e for e in corpus.manifest() if e["file"].startswith("1edtech-validator/ob20/")
        and "policy_verdict" in e and e["kind"] != "baked-badge"]  # images: test_baking.py


def verdict(report: Report) -> str:
    """The corpus vocabulary (corpus README): any failed check is not_genuine."""
    if report.failed:
        return "not_genuine"
    return "cannot_check" if report.unknown else "genuine"


@pytest.mark.conformance
@pytest.mark.skipif(not corpus.available(), reason="../shared/corpus is not on this machine")
@pytest.mark.parametrize("entry", OB20, ids=[e["file"].split("/", 2)[-1] for e in OB20])
def test_1edtech_ob20_vectors(entry):
    data = (corpus.CORPUS / entry["file"]).read_bytes()
    if entry["kind"] == "status-list":  # read as the RevocationList a badge would use
        revoked_entries(json.loads(data))
        assert entry["policy_verdict"] == "genuine"
        return
    text = data.decode()
    assert looks_like_ob2(text)
    report = verify_ob2(text, corpus_options())
    assert verdict(report) == entry["policy_verdict"], report.to_json()["checks"]
    if entry["policy_verdict"] == "genuine":
        assert report.summary["recipient"]["matches"] is True


def corpus_options(cache: DocumentCache | None = None) -> Options:
    """The corpus policy: its OB 2.0 URL map as the cache, any issuer trusted, its clock."""
    url_map = DocumentCache.from_url_map(corpus.CORPUS / "1edtech-validator/ob20/url-map.json",
                                         root=corpus.CORPUS, fetched_at=corpus.FETCHED_AT)
    return Options(now=corpus.EVALUATED_AT, trust=TrustStore.accept_any_issuer_insecure(),
                   cache=url_map.merged(cache) if cache else url_map,
                   recipient_identities=("nobody@example.org",))


@pytest.mark.conformance
@pytest.mark.skipif(not corpus.available(), reason="../shared/corpus is not on this machine")
@pytest.mark.parametrize(("name", "reason"), [
    ("basic-assertion-expired.json", "expired"),
    ("basic-assertion-in-future.json", "not_yet_valid"),
    ("basic-assertion-expired-before-issued.json", None),
])
def test_1edtech_date_vectors_fail_on_their_dates_when_hosted_as_they_are(name, reason):
    # The URL map hosts basic-assertion.json at every vector's id, so the proof fails first;
    # with each vector hosted as it is, the dates are what decide.
    document = json.loads((corpus.CORPUS / "1edtech-validator/ob20" / name).read_text())
    own = DocumentCache.in_memory()
    own.put_json(document["id"], document, fetched_at=corpus.FETCHED_AT)
    report = verify_ob2(document, corpus_options(own))
    assert [c.id for c in report.failed] == ["validity"]
    assert check(report, "validity").reason == reason


def _b64e(data: bytes) -> str:
    from verifier import multiformats as mf

    return mf.b64url_encode(data)


def _b64d(text: str) -> bytes:
    from verifier import multiformats as mf

    return mf.b64url_decode(text)


def test_the_pipeline_first_look_lets_every_open_badges_context_through():
    # The pipeline loads the Open Badges 2.0 code only for objects whose context names
    # "openbadge" (or that carry a badge), so every context looks_like_ob2 knows must.
    for context in OB1_CONTEXTS | OB2_CONTEXTS:
        document = {"@context": context, "type": "Assertion"}
        assert looks_like_ob2(document) and _maybe_ob2(document)
        assert _maybe_ob2({"@context": [context, {"x": "y"}]})
