"""Presentations: holder proof, challenge and domain, holder binding, enveloped credentials,
and SD-JWT VCs presented with key binding."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from tests.conftest import NOW, ob3_credential
from verifier import KeyPair, Outcome, Status, TrustStore, suites, verify, verify_presentation
from verifier.issuing import VC_V2, issue_jwt, issue_ldp, sign_presentation
from verifier.keys import public_key_to_jwk
from verifier.report import PRESENTATION_CHECKS
from verifier.suites import sd_jwt
from verifier.trust import TrustedIssuer


@pytest.fixture
def holder() -> KeyPair:
    return KeyPair.generate("Ed25519")


def credential_for(holder: KeyPair, issuer: KeyPair, **overrides) -> dict:
    doc = ob3_credential(issuer.controller, **overrides)
    doc["credentialSubject"]["id"] = holder.controller
    return issue_ldp(doc, issuer, created=NOW - timedelta(days=10))


def test_signed_presentation_verifies(holder, issuer_key, trust):
    vp = sign_presentation(
        [credential_for(holder, issuer_key)],
        holder,
        created=NOW,
        challenge="abc123",
        domain="https://employer.example",
    )
    report = verify_presentation(
        vp, challenge="abc123", domain="https://employer.example", now=NOW, trust=trust
    )
    assert report.verified, report.to_json()
    assert tuple(c.id for c in report.checks) == PRESENTATION_CHECKS
    assert report.credentials[0].verified


def test_holder_signature_past_its_expiry_fails(holder, issuer_key, trust):
    """A presentation signed with ``expires`` (a share's QR code) stops verifying after it."""
    vp = {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "holder": holder.controller,
        "verifiableCredential": [credential_for(holder, issuer_key)],
    }
    signed = suites.sign(
        vp,
        holder,
        cryptosuite="eddsa-rdfc-2022",
        created=NOW,
        proof_purpose="authentication",
        expires=NOW + timedelta(days=1),
    )
    assert verify_presentation(signed, now=NOW + timedelta(hours=23), trust=trust).verified
    late = verify_presentation(signed, now=NOW + timedelta(days=2), trust=trust)
    check = late.check("holder_proof")
    assert check.status is Status.FAILED
    assert "The holder's signature expired on" in check.message
    assert not late.verified


@pytest.mark.parametrize(
    "challenge,domain,failed",
    [
        ("other", "https://employer.example", "challenge"),
        ("abc123", "https://evil.example", "domain"),
    ],
)
def test_replay_with_another_challenge_or_domain_fails(
    holder, issuer_key, trust, challenge, domain, failed
):
    vp = sign_presentation(
        [credential_for(holder, issuer_key)],
        holder,
        created=NOW,
        challenge="abc123",
        domain="https://employer.example",
    )
    report = verify_presentation(vp, challenge=challenge, domain=domain, now=NOW, trust=trust)
    assert report.check(failed).status is Status.FAILED
    assert report.outcome is Outcome.NOT_GENUINE


def test_no_challenge_requested_is_not_applicable(holder, issuer_key, trust):
    vp = sign_presentation([credential_for(holder, issuer_key)], holder, created=NOW)
    report = verify_presentation(vp, now=NOW, trust=trust)
    assert report.check("challenge").status is Status.NOT_APPLICABLE
    assert report.verified


def test_challenge_expected_but_not_signed_fails(holder, issuer_key, trust):
    vp = sign_presentation([credential_for(holder, issuer_key)], holder, created=NOW)
    report = verify_presentation(vp, challenge="abc", now=NOW, trust=trust)
    assert report.check("challenge").status is Status.FAILED


def test_credential_of_another_holder_fails(holder, issuer_key, trust):
    someone_else = KeyPair.generate("Ed25519")
    vp = sign_presentation([credential_for(someone_else, issuer_key)], holder, created=NOW)
    report = verify_presentation(vp, now=NOW, trust=trust)
    assert report.check("holder_binding").status is Status.FAILED


def test_credential_without_subject_says_so(holder, issuer_key, trust):
    doc = ob3_credential(issuer_key.controller)
    del doc["credentialSubject"]["id"]
    cred = issue_ldp(doc, issuer_key, created=NOW)
    report = verify_presentation(
        sign_presentation([cred], holder, created=NOW), now=NOW, trust=trust
    )
    assert report.check("holder_binding").status is Status.UNKNOWN
    assert "name no subject" in report.check("holder_binding").message


def test_tampered_presentation_fails(holder, issuer_key, trust):
    vp = sign_presentation([credential_for(holder, issuer_key)], holder, created=NOW, challenge="c")
    vp["holder"] = KeyPair.generate("Ed25519").controller
    report = verify_presentation(vp, challenge="c", now=NOW, trust=trust)
    assert report.check("holder_proof").status is Status.FAILED


def test_tampered_credential_inside_presentation_fails(holder, issuer_key, trust):
    cred = credential_for(holder, issuer_key)
    cred["name"] = "Something else"
    vp = sign_presentation([cred], holder, created=NOW)
    report = verify_presentation(vp, now=NOW, trust=trust)
    assert report.check("credentials").status is Status.FAILED
    assert report.credentials[0].outcome is Outcome.NOT_GENUINE


def test_presentation_signed_by_someone_else_fails(holder, issuer_key, trust):
    thief = KeyPair.generate("Ed25519")
    vp = sign_presentation([credential_for(holder, issuer_key)], thief, created=NOW)
    vp_claiming = copy.deepcopy(vp)
    vp_claiming["holder"] = holder.controller  # proof no longer matches
    assert verify_presentation(vp_claiming, now=NOW, trust=trust).outcome is Outcome.NOT_GENUINE
    # signed honestly by the thief: holder binding fails
    report = verify_presentation(vp, now=NOW, trust=trust)
    assert report.check("holder_binding").status is Status.FAILED


def test_enveloped_jwt_credential_in_presentation(holder, issuer_key, trust):
    doc = ob3_credential(issuer_key.controller)
    doc["credentialSubject"]["id"] = holder.controller
    token = issue_jwt(doc, issuer_key)
    vp = sign_presentation([token, credential_for(holder, issuer_key)], holder, created=NOW)
    report = verify_presentation(vp, now=NOW, trust=trust)
    assert report.verified, report.to_json()
    assert [r.format for r in report.credentials] == ["jwt_vc", "ldp_vc"]


def test_credential_alone_is_not_a_presentation(holder, issuer_key, trust):
    report = verify_presentation(credential_for(holder, issuer_key), now=NOW, trust=trust)
    assert report.check("format").status is Status.FAILED


def test_jwt_presentation(holder, issuer_key, trust):
    from verifier.suites import jose

    doc = ob3_credential(issuer_key.controller)
    doc["credentialSubject"]["id"] = holder.controller
    claims = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": holder.controller,
        "verifiableCredential": [
            {
                "@context": "https://www.w3.org/ns/credentials/v2",
                "type": "EnvelopedVerifiableCredential",
                "id": "data:application/vc+jwt," + issue_jwt(doc, issuer_key),
            }
        ],
        "nonce": "n-1",
        "aud": "https://employer.example",
    }
    token = jose.sign_jws({"typ": "vp+jwt", "kid": holder.verification_method}, claims, holder)
    ok = verify_presentation(
        token, challenge="n-1", domain="https://employer.example", now=NOW, trust=trust
    )
    assert ok.verified, ok.to_json()
    bad = verify_presentation(token, challenge="n-2", now=NOW, trust=trust)
    assert bad.check("challenge").status is Status.FAILED


# -- SD-JWT VC -------------------------------------------------------------------------------
@pytest.fixture
def sd_issuer():
    key = KeyPair.generate("P-256")
    iss = "https://issuer.example"
    store = TrustStore.empty()
    store.add(
        TrustedIssuer(
            id=iss,
            name="Issuer",
            registry="test",
            added_at=NOW,
            keys=(public_key_to_jwk(key.public_key),),
        )
    )
    return key, iss, store


def _sd_token(sd_issuer, holder):
    key, iss, _ = sd_issuer
    return sd_jwt.issue_sd_jwt(
        {"given_name": "Ana", "family_name": "Nowak", "ects": 5},
        disclose=["given_name", "family_name"],
        issuer_key=key.private_key,
        vct="https://issuer.example/microcredential",
        iss=iss,
        iat=NOW - timedelta(days=1),
        holder_jwk=public_key_to_jwk(holder.public_key),
    )


def test_sd_jwt_credential_verifies(sd_issuer, holder):
    report = verify(_sd_token(sd_issuer, holder), now=NOW, trust=sd_issuer[2])
    assert report.verified, report.to_json()
    assert report.format == "sd_jwt_vc"


def test_sd_jwt_presentation_with_key_binding(sd_issuer, holder):
    shown = sd_jwt.present(
        _sd_token(sd_issuer, holder),
        keep=["given_name"],
        holder_key=holder,
        nonce="n-7",
        audience="https://employer.example",
        now=NOW,
    )
    report = verify(
        shown, challenge="n-7", domain="https://employer.example", now=NOW, trust=sd_issuer[2]
    )
    assert report.kind == "presentation" and report.verified, report.to_json()
    wrong = verify(shown, challenge="n-8", now=NOW, trust=sd_issuer[2])
    assert wrong.outcome is Outcome.NOT_GENUINE


def test_sd_jwt_without_pinned_key_cannot_be_checked(sd_issuer, holder):
    report = verify(_sd_token(sd_issuer, holder), now=NOW, trust=TrustStore.empty())
    assert report.outcome is Outcome.CANNOT_CHECK
