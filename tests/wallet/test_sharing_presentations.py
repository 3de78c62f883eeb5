"""Signed presentations: what goes in (exactly as issued), the holder's signature, wrong
passwords, other learners' credentials, formats a presentation cannot carry."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest

from tests.conftest import NOW
from tests.wallet.factories import new_key
from tests.wallet.sharing_support import give_credentials
from verifier import Status, verify_presentation
from wallet.db import db
from wallet.keys import WrongPassword
from wallet.models import Credential, User
from wallet.sharing.presentations import (
    NotPresentable,
    build_presentation,
    can_present,
    presentation_item,
)
from wallet.verification import stores

CHALLENGE, DOMAIN = "n-0S6_WzA2Mj", "https://employer.example"


def credentials_of(ids: list[int]) -> list[Credential]:
    return [db.session.get(Credential, i) for i in ids]


def verify(document: bytes, **expected):
    held = stores()
    return verify_presentation(
        document, now=datetime.now(UTC), trust=held.trust, cache=held.cache, **expected
    )


def test_presentation_of_json_ld_and_jwt_credentials_verifies(app, user):
    learner = user()
    issuer = new_key()
    ids = give_credentials(app, learner.id, issuer, ("Statistics", "Python"))
    ids += give_credentials(app, learner.id, issuer, ("SQL",), jwt=True)
    with app.test_request_context("/"):
        account = db.session.get(User, learner.id)
        chosen = credentials_of(ids)
        document = build_presentation(
            account, chosen, learner.password, challenge=CHALLENGE, domain=DOMAIN, now=NOW
        )
        report = verify(document, challenge=CHALLENGE, domain=DOMAIN)
        assert report.verified, report.to_json()
        assert report.check("holder_proof").status is Status.PASSED
        assert report.check("holder_binding").status is Status.PASSED
        assert len(report.credentials) == 3
        vp = json.loads(document)
        assert vp["holder"] == learner.holder_did
        assert vp["proof"]["challenge"] == CHALLENGE and vp["proof"]["domain"] == DOMAIN
        assert vp["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
        assert vp["proof"]["proofPurpose"] == "authentication"
        # exactly as issued: the JSON-LD credential is the original, the JWT is the token
        assert vp["verifiableCredential"][0] == json.loads(chosen[0].original)
        enveloped = vp["verifiableCredential"][2]
        assert enveloped["type"] == "EnvelopedVerifiableCredential"
        assert enveloped["id"] == "data:application/vc+jwt," + chosen[2].original.decode()


def test_a_baked_badge_image_goes_in_as_the_credential_baked_into_it(app, user):
    learner = user()
    issuer = new_key()
    (badge,) = give_credentials(app, learner.id, issuer, ("Statistics",), baked=True)
    with app.test_request_context("/"):
        account = db.session.get(User, learner.id)
        chosen = credentials_of([badge])
        assert chosen[0].original.startswith(b"\x89PNG") and chosen[0].format == "ldp_vc"
        document = build_presentation(
            account, chosen, learner.password, challenge=CHALLENGE, domain=DOMAIN, now=NOW
        )
        report = verify(document, challenge=CHALLENGE, domain=DOMAIN)
        assert report.verified, report.to_json()
        item = json.loads(document)["verifiableCredential"][0]
        assert item["credentialSubject"]["id"] == learner.holder_did


def test_another_challenge_fails(app, user):
    learner = user()
    ids = give_credentials(app, learner.id, new_key())
    with app.test_request_context("/"):
        account = db.session.get(User, learner.id)
        document = build_presentation(
            account, credentials_of(ids), learner.password, challenge=CHALLENGE, domain=DOMAIN
        )
        report = verify(document, challenge="another", domain=DOMAIN)
        assert report.check("challenge").status is Status.FAILED
        assert not report.verified


def test_wrong_password_raises_and_signs_nothing(app, user):
    learner = user()
    ids = give_credentials(app, learner.id, new_key())
    with app.test_request_context("/"):
        account = db.session.get(User, learner.id)
        with pytest.raises(WrongPassword):
            build_presentation(
                account, credentials_of(ids), "not my password", challenge=None, domain=None
            )


def test_credentials_of_another_learner_are_refused(app, user):
    ada, bob = user(), user(email="bob@example.org")
    ids = give_credentials(app, bob.id, new_key())
    with app.test_request_context("/"):
        account = db.session.get(User, ada.id)
        with pytest.raises(ValueError, match="does not belong"):
            build_presentation(
                account, credentials_of(ids), ada.password, challenge=None, domain=None
            )
        with pytest.raises(ValueError, match="at least one"):
            build_presentation(account, [], ada.password, challenge=None, domain=None)


def test_e_sealed_credential_goes_in_enveloped_byte_for_byte():
    original = b'{"payload":"eyJhIjoxfQ","signatures":[{"protected":"e30","signature":"AA"}]}'
    row = Credential(id=7, user_id=1, original=original, format="edc_jades")
    item = presentation_item(row)
    assert item["type"] == "EnvelopedVerifiableCredential"
    prefix = "data:application/jose+json;base64,"
    assert item["id"].startswith(prefix)
    assert base64.b64decode(item["id"][len(prefix) :]) == original


@pytest.mark.parametrize("fmt", ["edc_xml", "ob2_hosted", "ob2_signed", "unknown"])
def test_formats_a_presentation_cannot_carry(fmt):
    row = Credential(id=3, user_id=1, original=b"<xml/>", format=fmt)
    assert not can_present(row)
    with pytest.raises(NotPresentable):
        presentation_item(row)
