"""Scenario tables for the credential pipeline: each row names a behaviour and asserts
``(check_id, status)`` pairs and the outcome."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from tests.conftest import NOW, ob3_credential
from verifier import DocumentCache, KeyPair, Outcome, Status, TrustStore, verify_credential
from verifier.issuing import issue_jwt, issue_ldp, status_entry, status_list_credential
from verifier.report import CREDENTIAL_CHECKS
from verifier.trust import TrustedIssuer

LIST_URL = "https://issuer.example/status/1"


def statuses(report):
    return {c.id: c.status.value for c in report.checks}


@pytest.mark.parametrize(
    "suite,kind",
    [
        ("eddsa-rdfc-2022", "Ed25519"),
        ("eddsa-jcs-2022", "Ed25519"),
        ("ecdsa-rdfc-2019", "P-256"),
        ("ecdsa-rdfc-2019", "P-384"),
        ("ecdsa-jcs-2019", "P-256"),
        ("ecdsa-jcs-2019", "P-384"),
        ("Ed25519Signature2020", "Ed25519"),
    ],
)
def test_every_suite_verifies(suite, kind):
    key = KeyPair.generate(kind)
    trust = TrustStore.empty()
    trust.add(TrustedIssuer(id=key.controller, name="U", registry="test", added_at=NOW))
    cred = issue_ldp(
        ob3_credential(key.controller), key, cryptosuite=suite, created=NOW - timedelta(days=1)
    )
    report = verify_credential(cred, now=NOW, trust=trust)
    assert report.verified, [c.message for c in report.checks]
    assert tuple(c.id for c in report.checks) == CREDENTIAL_CHECKS


def test_report_has_no_truth_value(issue_credential, trust, now):
    report = verify_credential(issue_credential(), now=now, trust=trust)
    with pytest.raises(TypeError):
        bool(report)


def _cache_with_list(issuer: KeyPair, *, bits=(), purpose="revocation", **kw) -> DocumentCache:
    cache = DocumentCache.in_memory()
    cache.put_json(
        LIST_URL,
        status_list_credential(
            LIST_URL,
            issuer,
            set_indices=bits,
            purpose=purpose,
            created=NOW - timedelta(days=2),
            **kw,
        ),
        fetched_at=NOW - timedelta(hours=3),
    )
    return cache


SCENARIOS = {
    # name: (credential overrides, list bits, purpose, expected checks, outcome)
    "verified_with_valid_status": (
        {"credentialStatus": status_entry(LIST_URL, 5)},
        (),
        "revocation",
        {"status": "passed", "validity": "passed"},
        Outcome.VERIFIED,
    ),
    "expired_with_valid_status": (
        {"credentialStatus": status_entry(LIST_URL, 5), "validUntil": "2026-03-01T00:00:00Z"},
        (),
        "revocation",
        {"status": "passed", "validity": "failed"},
        Outcome.EXPIRED,
    ),
    "revoked_and_expired": (
        {"credentialStatus": status_entry(LIST_URL, 5), "validUntil": "2026-03-01T00:00:00Z"},
        (5,),
        "revocation",
        {"status": "failed", "validity": "failed"},
        Outcome.REVOKED,
    ),
    "revoked": (
        {"credentialStatus": status_entry(LIST_URL, 5)},
        (5,),
        "revocation",
        {"status": "failed", "proof": "passed"},
        Outcome.REVOKED,
    ),
    "suspended": (
        {"credentialStatus": status_entry(LIST_URL, 9, purpose="suspension")},
        (9,),
        "suspension",
        {"status": "failed"},
        Outcome.SUSPENDED,
    ),
    "other_bit_revoked": (
        {"credentialStatus": status_entry(LIST_URL, 5)},
        (6,),
        "revocation",
        {"status": "passed"},
        Outcome.VERIFIED,
    ),
    "not_yet_valid": (
        {"validFrom": "2027-01-01T00:00:00Z"},
        (),
        "revocation",
        {"validity": "failed", "status": "not_applicable"},
        Outcome.NOT_YET_VALID,
    ),
    "purpose_mismatch": (
        {"credentialStatus": status_entry(LIST_URL, 5, purpose="suspension")},
        (),
        "revocation",
        {"status": "failed"},
        Outcome.NOT_GENUINE,
    ),
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_status_and_validity_scenarios(name, issuer_key, trust, issue_credential):
    overrides, bits, purpose, expected, outcome = SCENARIOS[name]
    cache = _cache_with_list(issuer_key, bits=bits, purpose=purpose)
    report = verify_credential(issue_credential(**overrides), now=NOW, trust=trust, cache=cache)
    got = statuses(report)
    assert {k: got[k] for k in expected} == expected, report.to_json()
    assert report.outcome is outcome


def test_status_list_not_cached_is_unknown_never_passed(issue_credential, trust):
    cred = issue_credential(credentialStatus=status_entry(LIST_URL, 5))
    report = verify_credential(cred, now=NOW, trust=trust)
    assert report.check("status").status is Status.UNKNOWN
    assert "never" in report.check("status").message
    assert report.outcome is Outcome.CANNOT_CHECK


def test_status_check_shows_fetch_date(issue_credential, trust, issuer_key):
    cache = _cache_with_list(issuer_key)
    report = verify_credential(
        issue_credential(credentialStatus=status_entry(LIST_URL, 1)),
        now=NOW,
        trust=trust,
        cache=cache,
    )
    assert report.check("status").data_date == NOW - timedelta(hours=3)


def test_expired_status_list_fails(issue_credential, trust, issuer_key):
    cache = _cache_with_list(issuer_key, valid_until=NOW - timedelta(days=1))
    report = verify_credential(
        issue_credential(credentialStatus=status_entry(LIST_URL, 1)),
        now=NOW,
        trust=trust,
        cache=cache,
    )
    assert report.check("status").status is Status.FAILED


def test_unsigned_status_list_fails(issue_credential, trust, issuer_key):
    cache = DocumentCache.in_memory()
    signed = status_list_credential(LIST_URL, issuer_key, created=NOW - timedelta(days=2))
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    cache.put_json(LIST_URL, unsigned, fetched_at=NOW)
    report = verify_credential(
        issue_credential(credentialStatus=status_entry(LIST_URL, 1)),
        now=NOW,
        trust=trust,
        cache=cache,
    )
    assert report.check("status").status is Status.FAILED


def test_tampered_status_list_fails(issue_credential, trust, issuer_key):
    cache = DocumentCache.in_memory()
    signed = status_list_credential(
        LIST_URL, issuer_key, set_indices=[1], created=NOW - timedelta(days=2)
    )
    forged = status_list_credential(LIST_URL, issuer_key, created=NOW - timedelta(days=2))
    signed["credentialSubject"]["encodedList"] = forged["credentialSubject"]["encodedList"]
    cache.put_json(LIST_URL, signed, fetched_at=NOW)
    report = verify_credential(
        issue_credential(credentialStatus=status_entry(LIST_URL, 1)),
        now=NOW,
        trust=trust,
        cache=cache,
    )
    assert report.check("status").status is Status.FAILED


def test_tampered_credential_makes_contents_unknown(issue_credential, trust):
    cred = issue_credential()
    cred["name"] = "Doctorate in Everything"
    report = verify_credential(cred, now=NOW, trust=trust)
    got = statuses(report)
    assert got["proof"] == "failed"
    assert {got[k] for k in ("issuer_trust", "validity", "status", "schema")} == {"unknown"}
    assert report.outcome is Outcome.NOT_GENUINE


def test_unknown_issuer_cannot_be_verified(issue_credential):
    report = verify_credential(issue_credential(), now=NOW, trust=TrustStore.empty())
    assert report.check("issuer_trust").status is Status.UNKNOWN
    assert report.check("proof").status is Status.PASSED
    assert report.outcome is Outcome.CANNOT_CHECK


def test_key_of_someone_else_fails_binding(issuer_key, trust):
    impostor = KeyPair.generate("Ed25519")
    cred = issue_ldp(
        ob3_credential(issuer_key.controller), impostor, created=NOW - timedelta(days=1)
    )
    report = verify_credential(cred, now=NOW, trust=trust)
    assert statuses(report)["proof"] == "passed"
    assert statuses(report)["issuer_binding"] == "failed"
    assert report.outcome is Outcome.NOT_GENUINE


def test_issuer_changed_to_trusted_issuer_fails(issuer_key, trust):
    attacker = KeyPair.generate("Ed25519")
    cred = issue_ldp(ob3_credential(attacker.controller), attacker, created=NOW)
    cred["issuer"]["id"] = issuer_key.controller
    assert verify_credential(cred, now=NOW, trust=trust).outcome is Outcome.NOT_GENUINE


def test_proof_copied_from_another_credential_fails(issue_credential, trust):
    a = issue_credential()
    b = issue_credential(name="Advanced Statistics")
    b["proof"] = copy.deepcopy(a["proof"])
    assert verify_credential(b, now=NOW, trust=trust).check("proof").status is Status.FAILED


def test_unsigned_credential_is_not_genuine(trust, issuer_key):
    report = verify_credential(ob3_credential(issuer_key.controller), now=NOW, trust=trust)
    assert report.check("proof").status is Status.FAILED


def test_undefined_term_fails_format(issue_credential, trust):
    # RDFC would silently drop the term, so the signature would still verify: safe mode stops it.
    cred = issue_credential()
    cred["favouriteColour"] = "blue"
    report = verify_credential(cred, now=NOW, trust=trust)
    assert report.check("format").status is Status.FAILED
    assert "favouriteColour" in report.check("format").message


def test_proof_created_in_the_future_fails(issuer_key, trust):
    cred = issue_ldp(
        ob3_credential(issuer_key.controller), issuer_key, created=NOW + timedelta(days=2)
    )
    assert verify_credential(cred, now=NOW, trust=trust).check("validity").status is Status.FAILED


def test_clr_with_nested_credentials(issuer_key, trust):
    inner = issue_ldp(ob3_credential(issuer_key.controller), issuer_key, created=NOW)
    clr = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:4a3c7b61-4f3e-4d7b-9b0f-0d5c5a1e2f10",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": issuer_key.controller, "type": ["Profile"], "name": "Demo University"},
        "validFrom": "2026-02-01T00:00:00Z",
        "name": "Transcript",
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["ClrSubject"],
            "verifiableCredential": [inner],
        },
    }
    signed = issue_ldp(clr, issuer_key, created=NOW)
    report = verify_credential(signed, now=NOW, trust=trust)
    assert report.verified, report.to_json()
    assert len(report.credentials) == 1 and report.credentials[0].verified
    broken = copy.deepcopy(signed)
    broken["credentialSubject"]["verifiableCredential"][0]["name"] = "Changed"
    assert verify_credential(broken, now=NOW, trust=trust).outcome is Outcome.NOT_GENUINE
    # A part whose own signature is wrong, inside a CLR its issuer signed as a whole: the part
    # is reported not genuine on its own, and the CLR is judged by its issuer's signature.
    inner_bad = copy.deepcopy(inner)
    inner_bad["name"] = "Changed before the CLR was signed"
    clr_bad = issue_ldp({**clr, "credentialSubject": {**clr["credentialSubject"],
                                                      "verifiableCredential": [inner_bad]}},
                        issuer_key, created=NOW)
    report = verify_credential(clr_bad, now=NOW, trust=trust)
    assert report.check("nested_credentials").status is Status.FAILED
    assert report.credentials[0].outcome is Outcome.NOT_GENUINE
    assert report.verified


# -- JWT ----------------------------------------------------------------------------------------
def test_vc_jwt_verifies(issuer_key, trust):
    token = issue_jwt(ob3_credential(issuer_key.controller), issuer_key)
    report = verify_credential(token, now=NOW, trust=trust)
    assert report.verified and report.format == "jwt_vc"


def test_legacy_vc_claim_jwt_verifies(issuer_key, trust):
    doc = ob3_credential(issuer_key.controller)
    doc["@context"][0] = "https://www.w3.org/2018/credentials/v1"
    doc["issuanceDate"] = doc.pop("validFrom")
    token = issue_jwt(doc, issuer_key, legacy=True)
    assert verify_credential(token, now=NOW, trust=trust).verified


def test_jwt_with_key_only_in_header_cannot_be_verified(issuer_key, trust):
    from verifier.keys import public_key_to_jwk
    from verifier.suites import jose

    token = jose.sign_jws(
        {"typ": "vc+jwt", "jwk": public_key_to_jwk(issuer_key.public_key)},
        ob3_credential(issuer_key.controller),
        issuer_key,
    )
    report = verify_credential(token, now=NOW, trust=trust)
    assert statuses(report)["proof"] == "passed"
    assert statuses(report)["issuer_binding"] == "unknown"
    assert report.outcome is Outcome.CANNOT_CHECK


def test_jwt_alg_none_fails(issuer_key, trust):
    from verifier import multiformats as mf

    header = mf.b64url_encode(b'{"alg":"none","typ":"vc+jwt"}')
    import json

    body = mf.b64url_encode(json.dumps(ob3_credential(issuer_key.controller)).encode())
    report = verify_credential(f"{header}.{body}.", now=NOW, trust=trust)
    assert report.outcome is Outcome.NOT_GENUINE


def test_jwt_expiry_claim(issuer_key, trust):
    from verifier.suites import jose

    claims = {
        **ob3_credential(issuer_key.controller),
        "exp": int((NOW - timedelta(days=1)).timestamp()),
    }
    token = jose.sign_jws(
        {"typ": "vc+jwt", "kid": issuer_key.verification_method}, claims, issuer_key
    )
    report = verify_credential(token, now=NOW, trust=trust)
    assert report.outcome is Outcome.EXPIRED


def test_pinned_key_binds_a_jwt_without_kid(trust):
    from verifier.keys import public_key_to_jwk
    from verifier.suites import jose

    key = KeyPair.generate("RSA")
    issuer = "https://university.example/issuer"
    trust.add(
        TrustedIssuer(
            id=issuer,
            name="U",
            registry="local",
            added_at=NOW,
            keys=(public_key_to_jwk(key.public_key),),
        )
    )
    token = jose.sign_jws({"typ": "vc+jwt"}, ob3_credential(issuer), key)
    report = verify_credential(token, now=NOW, trust=trust)
    assert report.verified, report.to_json()


# -- the kind the caller asked for ---------------------------------------------------------------
def test_verify_credential_reads_every_credential_format(issue_credential, trust):
    import json

    from tests.ob2_factory import tiny_png
    from verifier.baking import bake_png

    baked = bake_png(tiny_png(), json.dumps(issue_credential()), ob3=True)
    report = verify_credential(baked, now=NOW, trust=trust)
    assert report.verified, report.to_json()


def test_verify_credential_refuses_a_presentation(issue_credential, trust, issuer_key):
    from verifier.issuing import sign_presentation

    vp = sign_presentation([issue_credential()], issuer_key, created=NOW)
    report = verify_credential(vp, now=NOW, trust=trust)
    assert report.check("format").status is Status.FAILED
    assert "presentation, not a credential" in report.check("format").message


def test_verify_presentation_refuses_a_credential_of_another_format(trust):
    from verifier import verify_presentation

    badge = {"@context": "https://w3id.org/openbadges/v2", "type": "Assertion",
             "id": "https://issuer.example/a/1", "badge": "https://issuer.example/b",
             "recipient": {"type": "email", "identity": "a@b.example"}}
    report = verify_presentation(badge, now=NOW, trust=trust)
    assert report.kind == "presentation"
    assert "not a presentation" in report.check("format").message
