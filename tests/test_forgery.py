"""Forgery suite: a table of attacks run against the verifier, each failing the check it must.

Every forged document is made inside the test with the project's own signing code, starting
from a genuine credential that verifies (asserted first, so an attack that "fails" because the
starting point was already broken cannot pass unnoticed). Each row names the check that must
fail; the report must then not be ``verified``.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from tests.conftest import NOW, ob3_credential
from tests.edc_factory import elm_payload, make_pki, seal_edc
from verifier import (
    DocumentCache,
    KeyPair,
    Outcome,
    Status,
    TrustStore,
    verify,
    verify_credential,
    verify_presentation,
)
from verifier.issuing import (
    issue_jwt,
    issue_ldp,
    sign_presentation,
    status_entry,
    status_list_credential,
)
from verifier.suites.sd_jwt import issue_sd_jwt
from verifier.trust import TrustedIssuer

DID_WEB = "did:web:uni.example"
DID_DOC_URL = "https://uni.example/.well-known/did.json"
STATUS_URL = "https://uni.example/status/1"
CHALLENGE, DOMAIN = "fresh-challenge-4f1a", "https://employer.example"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_json(value: Any) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


@dataclass
class World:
    """Keys, a trust store naming the genuine issuer, and a cache with its DID document."""

    issuer: KeyPair  # did:web, trusted, key published in the cached DID document
    rsa_issuer: KeyPair  # did:jwk with an RSA key, trusted
    other_issuer: KeyPair  # did:key, trusted: another genuine issuer, not the victim
    attacker: KeyPair  # did:key, not trusted
    holder: KeyPair
    other_holder: KeyPair
    trust: TrustStore
    cache: DocumentCache

    def credential(self, key: KeyPair | None = None, **overrides: Any) -> dict[str, Any]:
        """A credential signed by ``key`` (the trusted issuer by default) for the holder."""
        signer = key or self.issuer
        doc = ob3_credential(signer.controller, **overrides)
        doc["credentialSubject"]["id"] = self.holder.controller
        return issue_ldp(doc, signer, created=NOW - timedelta(days=10))


@pytest.fixture(scope="module")
def world() -> World:
    issuer = KeyPair.generate("Ed25519", controller=DID_WEB)
    rsa_issuer = KeyPair.generate("RSA")
    other_issuer = KeyPair.generate("Ed25519")
    trust = TrustStore.empty()
    for key, name in (
        (issuer, "Demo University"),
        (rsa_issuer, "RSA College"),
        (other_issuer, "Other Academy"),
    ):
        trust.add(
            TrustedIssuer(
                id=key.controller,
                name=name,
                registry="test",
                keys=(),
                added_at=NOW - timedelta(days=1),
            )
        )
    cache = DocumentCache.in_memory()
    cache.put_json(DID_DOC_URL, issuer.controller_document(), fetched_at=NOW - timedelta(hours=1))
    return World(
        issuer=issuer,
        rsa_issuer=rsa_issuer,
        other_issuer=other_issuer,
        attacker=KeyPair.generate("Ed25519"),
        holder=KeyPair.generate("Ed25519"),
        other_holder=KeyPair.generate("Ed25519"),
        trust=trust,
        cache=cache,
    )


def check_credential(world: World, document: Any, cache: DocumentCache | None = None):
    return verify_credential(document, now=NOW, trust=world.trust, cache=cache or world.cache)


def check_presentation(world: World, document: Any):
    return verify_presentation(
        document, challenge=CHALLENGE, domain=DOMAIN, now=NOW, trust=world.trust, cache=world.cache
    )


# -- the attacks: each returns (genuine report, forged report) ---------------------------------
def swapped_key_same_did(world: World):
    """The attacker signs with their own key but names the issuer's DID and key id."""
    genuine = world.credential()
    impostor = dataclasses.replace(
        world.attacker,
        verification_method=world.issuer.verification_method,
        controller=world.issuer.controller,
    )
    forged = world.credential(impostor)
    return check_credential(world, genuine), check_credential(world, forged)


def swapped_key_same_did_key(world: World):
    """The same with a did:key: the key id claims the victim's did:key, another key signed."""
    victim = KeyPair.generate("Ed25519")
    genuine = world.credential(victim)
    impostor = dataclasses.replace(
        world.attacker, verification_method=victim.verification_method, controller=victim.controller
    )
    forged = world.credential(impostor)
    report = check_credential(world, genuine)
    return report, check_credential(world, forged)


def issuer_changed_to_trusted_issuer(world: World):
    """The attacker signs a credential with their own key whose issuer is the trusted DID."""
    genuine = world.credential()
    doc = ob3_credential(world.issuer.controller)
    doc["credentialSubject"]["id"] = world.holder.controller
    forged = issue_ldp(doc, world.attacker, created=NOW - timedelta(days=1))
    return check_credential(world, genuine), check_credential(world, forged)


def issuer_changed_after_signing(world: World):
    """An attacker's genuine credential whose issuer is edited to the trusted DID afterwards."""
    own = world.credential(world.attacker)
    forged = copy.deepcopy(own)
    forged["issuer"]["id"] = world.issuer.controller
    forged["issuer"]["name"] = "Demo University"
    return check_credential(world, world.credential()), check_credential(world, forged)


def proof_copied_from_another_credential(world: World):
    """The proof of a genuine credential is pasted onto another one of the same issuer."""
    genuine = world.credential()
    other = ob3_credential(world.issuer.controller, name="Brain Surgery", id="urn:uuid:other")
    other["credentialSubject"]["id"] = world.holder.controller
    other["proof"] = copy.deepcopy(genuine["proof"])
    return check_credential(world, genuine), check_credential(world, other)


def jwt_alg_none(world: World):
    """A JWT credential whose header says ``alg: none`` and whose signature is empty."""
    doc = ob3_credential(world.issuer.controller)
    doc["credentialSubject"]["id"] = world.holder.controller
    genuine = issue_jwt(doc, world.issuer)
    header = {"alg": "none", "typ": "vc+jwt", "kid": world.issuer.verification_method}
    forged = f"{b64url_json(header)}.{genuine.split('.')[1]}."
    return check_credential(world, genuine), check_credential(world, forged)


def jwt_alg_none_keeping_the_signature(world: World):
    """``alg: none`` with the genuine signature still attached."""
    doc = ob3_credential(world.issuer.controller)
    genuine = issue_jwt(doc, world.issuer)
    _, payload, signature = genuine.split(".")
    header = {"alg": "none", "typ": "vc+jwt", "kid": world.issuer.verification_method}
    forged = f"{b64url_json(header)}.{payload}.{signature}"
    return check_credential(world, genuine), check_credential(world, forged)


def _hs256_with_public_key(world: World, secret: bytes):
    doc = ob3_credential(world.rsa_issuer.controller, name="Forged by HMAC")
    genuine = issue_jwt(ob3_credential(world.rsa_issuer.controller), world.rsa_issuer)
    header = {"alg": "HS256", "typ": "vc+jwt", "kid": world.rsa_issuer.verification_method}
    signing_input = f"{b64url_json(header)}.{b64url_json(doc)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return check_credential(world, genuine), check_credential(
        world, f"{signing_input}.{b64url(mac)}"
    )


def algorithm_confusion_rs_hs_pem(world: World):
    """HS256 "signed" with the issuer's RSA public key (PEM) as the shared secret."""
    pem = world.rsa_issuer.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return _hs256_with_public_key(world, pem)


def algorithm_confusion_rs_hs_der(world: World):
    """HS256 with the RSA public key's DER bytes as the secret."""
    der = world.rsa_issuer.public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return _hs256_with_public_key(world, der)


def sd_jwt_disclosure_swapped(world: World):
    """An SD-JWT whose disclosure is replaced by one the issuer never signed."""
    genuine = issue_sd_jwt(
        {"name": "Welding Safety", "given_name": "Ada"},
        disclose=["given_name"],
        issuer_key=world.issuer,
        vct="https://credentials.example.org/micro-credential",
        iss=world.issuer.controller,
        iat=NOW - timedelta(days=2),
    )
    jwt, disclosure, *rest = genuine.split("~")
    fake = b64url(json.dumps(["c2FsdHNhbHQ", "given_name", "Mallory"]).encode())
    assert disclosure != fake
    forged = "~".join([jwt, fake, *rest])
    return check_credential(world, genuine), check_credential(world, forged)


def jades_payload_reserialised(world: World):
    """A JAdES-sealed EDC whose unencoded JSON payload is re-serialised (same data, other bytes)."""
    genuine = seal_edc(elm_payload(), make_pki())
    outer = json.loads(genuine)
    outer["payload"] = json.dumps(json.loads(outer["payload"]), indent=2, sort_keys=True)
    forged = json.dumps(outer)
    return (
        verify(genuine, now=NOW, trust=world.trust, cache=world.cache),
        verify(forged, now=NOW, trust=world.trust, cache=world.cache),
    )


def _revocable(world: World) -> tuple[dict[str, Any], DocumentCache]:
    cred = world.credential(credentialStatus=status_entry(STATUS_URL, 7))
    cache = DocumentCache.in_memory()
    cache.put_json(
        DID_DOC_URL, world.issuer.controller_document(), fetched_at=NOW - timedelta(hours=1)
    )
    return cred, cache


def status_list_replaced_by_unsigned(world: World):
    """The revoking status list in the cache is replaced by an unsigned list with no bit set."""
    cred, cache = _revocable(world)
    revoking = status_list_credential(
        STATUS_URL, world.issuer, set_indices=(7,), created=NOW - timedelta(days=1)
    )
    cache.put_json(STATUS_URL, revoking, fetched_at=NOW - timedelta(hours=2))
    genuine = check_credential(world, cred, cache)
    assert genuine.check("status").status is Status.FAILED  # revoked, as published
    clean = status_list_credential(STATUS_URL, world.issuer, created=NOW - timedelta(days=1))
    del clean["proof"]
    cache.put_json(STATUS_URL, clean, fetched_at=NOW - timedelta(hours=1))
    return None, check_credential(world, cred, cache)


def status_list_signed_by_untrusted_key(world: World):
    """The status list is replaced by a clean one signed by the attacker's key."""
    cred, cache = _revocable(world)
    doc = status_list_credential(STATUS_URL, world.attacker, created=NOW - timedelta(days=1))
    cache.put_json(STATUS_URL, doc, fetched_at=NOW - timedelta(hours=1))
    return None, check_credential(world, cred, cache)


def status_list_bits_cleared_after_signing(world: World):
    """The issuer's signed status list with the revoked bit cleared after signing."""
    cred, cache = _revocable(world)
    revoking = status_list_credential(
        STATUS_URL, world.issuer, set_indices=(7,), created=NOW - timedelta(days=1)
    )
    clean = status_list_credential(STATUS_URL, world.issuer, created=NOW - timedelta(days=1))
    revoking["credentialSubject"]["encodedList"] = clean["credentialSubject"]["encodedList"]
    cache.put_json(STATUS_URL, revoking, fetched_at=NOW - timedelta(hours=1))
    return None, check_credential(world, cred, cache)


def _list_by(world: World, publisher: KeyPair, *, revoked: bool):
    """The credential checked first against its issuer's clean list, then against a list
    ``publisher`` signed and put at the same URL (a forged cache entry or a shared host)."""
    cred, cache = _revocable(world)
    own = status_list_credential(STATUS_URL, world.issuer, created=NOW - timedelta(days=1))
    cache.put_json(STATUS_URL, own, fetched_at=NOW - timedelta(hours=2))
    genuine = check_credential(world, cred, cache)
    other = status_list_credential(
        STATUS_URL,
        publisher,
        set_indices=(7,) if revoked else (),
        created=NOW - timedelta(days=1),
    )
    cache.put_json(STATUS_URL, other, fetched_at=NOW - timedelta(hours=1))
    return genuine, check_credential(world, cred, cache)


def status_list_from_another_trusted_issuer(world: World):
    """A clean list signed by another issuer the verifier trusts decides nothing ("not
    revoked" would let any trusted issuer clear another's revocations)."""
    return _list_by(world, world.other_issuer, revoked=False)


def status_list_from_another_trusted_issuer_revoking(world: World):
    """Nor does its "revoked": the credential's own issuer never said so."""
    return _list_by(world, world.other_issuer, revoked=True)


def _presentation(world: World, holder: KeyPair, cred: Any, challenge: str = CHALLENGE):
    return sign_presentation(
        [cred], holder, created=NOW - timedelta(minutes=5), challenge=challenge, domain=DOMAIN
    )


def presentation_replayed_with_old_challenge(world: World):
    """A presentation made for an earlier request is sent again for a new challenge."""
    cred = world.credential()
    genuine = _presentation(world, world.holder, cred)
    old = _presentation(world, world.holder, cred, challenge="yesterdays-challenge")
    return check_presentation(world, genuine), check_presentation(world, old)


def presentation_challenge_edited(world: World):
    """The old presentation's challenge is edited to the new one (the holder proof breaks)."""
    cred = world.credential()
    old = _presentation(world, world.holder, cred, challenge="yesterdays-challenge")
    old["proof"]["challenge"] = CHALLENGE
    return check_presentation(world, _presentation(world, world.holder, cred)), check_presentation(
        world, old
    )


def credential_of_another_holder(world: World):
    """Someone presents, under their own signature, a credential issued to another holder."""
    cred = world.credential()  # issued to world.holder
    genuine = _presentation(world, world.holder, cred)
    forged = _presentation(world, world.other_holder, cred)
    return check_presentation(world, genuine), check_presentation(world, forged)


def presentation_holder_field_swapped(world: World):
    """The thief signs but writes the rightful holder's DID in ``holder``."""
    cred = world.credential()
    thief = dataclasses.replace(world.other_holder, controller=world.holder.controller)
    forged = sign_presentation(
        [cred], thief, created=NOW - timedelta(minutes=5), challenge=CHALLENGE, domain=DOMAIN
    )
    forged["proof"]["verificationMethod"] = world.other_holder.verification_method
    return check_presentation(world, _presentation(world, world.holder, cred)), check_presentation(
        world, forged
    )


Attack = Callable[[World], tuple[Any, Any]]
F, U = Status.FAILED, Status.UNKNOWN
#: attack -> (the check that must not pass, its status). Rows with ``unknown`` are where the
#: verifier cannot tell forged from "cannot check"; the report is never ``verified``.
ATTACKS: dict[str, tuple[Attack, str, Status]] = {
    "swapped_key_same_did_web": (swapped_key_same_did, "proof", F),
    "swapped_key_same_did_key": (swapped_key_same_did_key, "proof", F),
    "issuer_changed_to_trusted_issuer": (issuer_changed_to_trusted_issuer, "issuer_binding", F),
    "issuer_changed_after_signing": (issuer_changed_after_signing, "proof", F),
    "proof_copied_from_another_credential": (proof_copied_from_another_credential, "proof", F),
    "jwt_alg_none": (jwt_alg_none, "proof", F),
    "jwt_alg_none_keeping_the_signature": (jwt_alg_none_keeping_the_signature, "proof", F),
    "algorithm_confusion_rs_hs_pem": (algorithm_confusion_rs_hs_pem, "proof", F),
    "algorithm_confusion_rs_hs_der": (algorithm_confusion_rs_hs_der, "proof", F),
    # A disclosure no digest covers makes the SD-JWT unreadable: the format check fails.
    "sd_jwt_disclosure_swapped": (sd_jwt_disclosure_swapped, "format", F),
    "jades_payload_reserialised": (jades_payload_reserialised, "proof", F),
    "status_list_replaced_by_unsigned": (status_list_replaced_by_unsigned, "status", F),
    "status_list_bits_cleared_after_signing": (status_list_bits_cleared_after_signing, "status", F),
    # Published lists (DCC fixtures) are signed by another DID than the credential's issuer,
    # so a list by an untrusted signer is "could not be verified", never "not revoked".
    "status_list_signed_by_untrusted_key": (status_list_signed_by_untrusted_key, "status", U),
    # Only the credential's own issuer decides its status: another trusted issuer's list,
    # clean or revoking, leaves it "could not check" (neither "not revoked" nor "revoked").
    "status_list_from_another_trusted_issuer": (
        status_list_from_another_trusted_issuer,
        "status",
        U,
    ),
    "status_list_from_another_trusted_issuer_revoking": (
        status_list_from_another_trusted_issuer_revoking,
        "status",
        U,
    ),
    "presentation_replayed_with_old_challenge": (
        presentation_replayed_with_old_challenge,
        "challenge",
        F,
    ),
    "presentation_challenge_edited": (presentation_challenge_edited, "holder_proof", F),
    "credential_of_another_holder": (credential_of_another_holder, "holder_binding", F),
    "presentation_holder_field_swapped": (presentation_holder_field_swapped, "holder_proof", F),
}


@pytest.mark.parametrize("name", ATTACKS)
def test_attack_fails_the_right_check(world, name):
    attack, check, status = ATTACKS[name]
    genuine, forged = attack(world)
    if genuine is not None:  # the same check passes on the genuine document
        assert genuine.check(check).status is Status.PASSED, genuine.to_json()
    assert forged.check(check).status is status, forged.to_json()
    assert not forged.verified
    expected = Outcome.CANNOT_CHECK if status is U else Outcome.NOT_GENUINE
    assert forged.outcome is expected


def test_a_presentation_report_names_the_forged_credential(world):
    """The holder binding failure is reported on the presentation, the credentials stay genuine."""
    _, report = credential_of_another_holder(world)
    assert report.check("holder_proof").status is Status.PASSED
    assert report.credentials[0].check("proof").status is Status.PASSED


def test_a_list_from_another_issuer_names_both_issuers(world):
    """The employer is told whose list it was and whose credential, in one sentence."""
    _, report = status_list_from_another_trusted_issuer(world)
    status = report.check("status")
    assert status.reason == "other_issuer"
    assert status.message == (
        f"The status list at {STATUS_URL} was published by {world.other_issuer.controller}, "
        f"not by the credential's issuer {world.issuer.controller}, so it cannot decide this "
        "credential's status."
    )
    assert report.check("proof").status is Status.PASSED
