"""Bad input while receiving credentials with OID4VCI: each gives the learner a clear message,
and nothing is stored (no credential, no issuance in progress)."""

from __future__ import annotations

import html
import io
import json
import re
import socket
from datetime import timedelta
from urllib.parse import quote, urlencode

import pytest
import qrcode
import requests
from sqlalchemy import select

import wallet.demo_issuer.credentials as issuer_credentials
from tests.wallet import oid4vc_support as live
from tests.wallet.oid4vc_support import make_offer, pending_count, serve, stored, text_of
from verifier import KeyPair
from wallet.db import db
from wallet.demo_issuer import create_app as create_issuer
from wallet.oid4vc import flow
from wallet.oid4vc.models import PendingIssuance

LDP, JWT = "OpenBadgeCredential_ldp_vc", "OpenBadgeCredential_jwt_vc_json"

# The live servers' fixtures, used by name in the tests below.
clock = live.clock
issuer = live.issuer
learner = live.learner
wallet_config = live.wallet_config
wallet_url = live.wallet_url


def by_value(offer: dict) -> str:
    return "openid-credential-offer://?" + urlencode({"credential_offer": json.dumps(offer)})


def assert_nothing_stored(app, learner) -> None:
    assert stored(app, learner.id) == []
    assert pending_count(app, learner.id) == 0


def test_an_issuer_whose_metadata_names_another_issuer_is_refused(app, learner):
    impostor = create_issuer({"ISSUER_URL": "https://university.example"})
    for url in serve(impostor):
        offer = {
            "credential_issuer": url,
            "credential_configuration_ids": [LDP],
            "grants": {
                "urn:ietf:params:oauth:grant-type:pre-authorized_code": {
                    "pre-authorized_code": "abc"
                }
            },
        }
        answer = learner.open_offer(by_value(offer))

    assert answer.status_code == 400
    assert (
        f"The offer says it comes from {url}, but that issuer's own description names "
        "https://university.example. The offer may be forged, so the wallet refuses it."
    ) in text_of(answer.text)
    assert_nothing_stored(app, learner)


def test_accepting_a_forged_offer_is_refused_too(app, issuer, learner):
    """The consent form's offer is checked again: another issuer cannot be slipped in."""
    offer = make_offer(issuer, configurations=[LDP])["offer"]
    impostor = create_issuer({"ISSUER_URL": "https://university.example"})
    for url in serve(impostor):
        forged = json.dumps({**offer, "credential_issuer": url})
        answer = learner.post("/oid4vc/accept", {"offer": forged, "password": learner.password})
    assert answer.status_code == 400
    assert "The offer may be forged" in text_of(answer.text)
    assert_nothing_stored(app, learner)


def test_a_replayed_proof_is_refused_by_the_issuer(app, issuer, learner, monkeypatch):
    made: list[str] = []

    def replaying(*args, **kwargs) -> str:
        made.append(made[0] if made else flow_make_proof(*args, **kwargs))
        return made[-1]

    flow_make_proof = flow.make_proof
    monkeypatch.setattr(flow, "make_proof", replaying)
    offer = make_offer(issuer, configurations=[LDP, JWT])

    received = learner.accept(
        learner.open_offer(offer["links"]["by_reference"]), password=learner.password
    )

    page = text_of(received.text)
    assert "Added to your wallet." in page  # the first proof was fresh
    assert (
        "The issuer refused the wallet's proof: its nonce was already used or has expired "
        "(The proof's nonce is unknown, expired or already used.). Nothing was stored"
    ) in page
    assert [c.format for c in stored(app, learner.id)] == ["ldp_vc"]


@pytest.mark.parametrize("link", ["by_reference", "by_value"])
def test_an_expired_offer_is_refused(app, issuer, learner, clock, link):
    offer = make_offer(issuer, configurations=[LDP])
    clock.advance(minutes=11)

    answer = learner.open_offer(offer["links"][link])
    if link == "by_value":  # the offer itself opens; the issuer refuses its code
        assert answer.status_code == 200
        answer = learner.accept(answer, password=learner.password)

    assert answer.status_code == 400
    expected = {
        "by_reference": "The issuer no longer has this offer: it has expired or has already "
        "been used. Ask the issuer for a new one.",
        "by_value": "The issuer refused to hand over the credential: This offer has expired.",
    }[link]
    assert expected in text_of(answer.text)
    assert_nothing_stored(app, learner)


def test_an_offer_used_once_cannot_be_used_again(app, issuer, learner):
    offer = make_offer(issuer, configurations=[LDP])
    consent = learner.open_offer(offer["links"]["by_value"])
    assert learner.accept(consent, password=learner.password).status_code == 200

    again = learner.accept(consent, password=learner.password)

    assert again.status_code == 400
    assert "This offer has already been used." in text_of(again.text)
    assert len(stored(app, learner.id)) == 1


def test_a_wrong_password_stores_nothing_and_leaves_the_offer_usable(app, issuer, learner):
    offer = make_offer(issuer, configurations=[LDP])
    consent = learner.open_offer(offer["links"]["by_reference"])

    refused = learner.accept(consent, password="not my password")

    assert refused.status_code == 400
    assert "That is not your password. Nothing was received." in text_of(refused.text)
    assert_nothing_stored(app, learner)
    assert learner.accept(refused, password=learner.password).status_code == 200


def test_a_credential_whose_signature_fails_is_not_stored(app, issuer, learner, monkeypatch):
    genuine = issuer_credentials.issue

    def tampered(*args, **kwargs):
        credential = genuine(*args, **kwargs)
        credential["name"] = "Advanced Data Analysis"  # changed after signing
        return credential

    monkeypatch.setattr(issuer_credentials, "issue", tampered)
    offer = make_offer(issuer, configurations=[LDP])

    answer = learner.accept(
        learner.open_offer(offer["links"]["by_reference"]), password=learner.password
    )

    assert answer.status_code == 400
    assert (
        "Demo OpenID University sent a credential whose signature does not check out, so it "
        "was not stored."
    ) in text_of(answer.text)
    assert_nothing_stored(app, learner)


def test_a_credential_issued_to_someone_else_is_not_stored(app, issuer, learner, monkeypatch):
    genuine = issuer_credentials.issue
    stranger = KeyPair.generate("Ed25519")

    def misdirected(config_id, key, **kwargs):
        return genuine(config_id, key, **{**kwargs, "holder": stranger.controller})

    monkeypatch.setattr(issuer_credentials, "issue", misdirected)
    offer = make_offer(issuer, configurations=[LDP])

    answer = learner.accept(
        learner.open_offer(offer["links"]["by_reference"]), password=learner.password
    )

    assert answer.status_code == 400
    assert "sent a credential issued to someone else, so it was not stored." in text_of(answer.text)
    assert_nothing_stored(app, learner)


def test_an_offer_for_a_credential_the_issuer_does_not_describe(app, issuer, learner):
    offer = make_offer(issuer, configurations=[LDP])["offer"]
    offer["credential_configuration_ids"] = ["UniversityDegree_mso_mdoc"]

    answer = learner.open_offer(by_value(offer))

    assert answer.status_code == 400
    assert "The issuer offers a credential (UniversityDegree_mso_mdoc) it does not describe" in (
        text_of(answer.text)
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hello", "This is not a credential offer."),
        (
            "openid-credential-offer://?credential_offer=%7Bnot+json",
            "This is not a valid credential offer",
        ),
        (
            "openid-credential-offer://?credential_offer=" + json.dumps({"credential_issuer": 5}),
            "This is not a valid credential offer",
        ),
        (
            "openid-credential-offer://?credential_offer_uri=ftp://files.example/offer",
            "does not use https, so the wallet will not use it.",
        ),
        (
            "openid-credential-offer://?credential_offer_uri=https://10.1.2.3/offer",
            "is on a private network",
        ),
    ],
)
def test_text_that_is_not_a_usable_offer(app, learner, text, message):
    answer = learner.open_offer(text)

    assert answer.status_code == 400
    assert message in text_of(answer.text)
    assert text_of(answer.text).count("Credential offers") >= 1  # back on the Offers page


def test_http_issuers_are_refused_unless_allowed(app, issuer, learner):
    offer = make_offer(issuer, configurations=[LDP])
    app.config["OID4VCI_ALLOW_HTTP_LOCALHOST"] = False

    answer = learner.open_offer(offer["links"]["by_reference"])

    assert answer.status_code == 400
    assert f"The issuer's address {issuer.url}/offers/" in text_of(answer.text)
    assert "does not use https" in text_of(answer.text)


def test_an_issuer_that_does_not_answer(app, learner):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    offer = f"openid-credential-offer://?credential_offer_uri=http://127.0.0.1:{port}/offers/1"

    answer = learner.open_offer(offer)

    assert answer.status_code == 400
    assert f"The issuer at 127.0.0.1:{port} did not answer." in text_of(answer.text)


def test_an_answer_larger_than_the_cap_is_refused(app, issuer, learner):
    app.config["OID4VCI_MAX_RESPONSE_BYTES"] = 200
    offer = make_offer(issuer, configurations=[LDP])

    answer = learner.open_offer(offer["links"]["by_value"])  # the metadata is > 200 bytes

    assert answer.status_code == 400
    assert "The issuer sent more than the wallet accepts." in text_of(answer.text)


def test_another_learners_issuance_in_progress_is_not_found(app, issuer, learner, user):
    offer = make_offer(issuer, configurations=[LDP], deferred=True)
    learner.accept(learner.open_offer(offer["links"]["by_reference"]), password=learner.password)
    check = re.search(r'action="(/oid4vc/pending/(\d+))/check"', learner.get("/oid4vc/").text)
    other = user(email="eve@example.org")
    with requests.Session() as eve:
        logged_in = eve.post(
            f"{learner.wallet}/auth/login",
            data={"email": other.email, "password": other.password},
            timeout=30,
        )
        assert logged_in.url.endswith("/portfolio/")
        for path, method in (
            (check.group(1), "get"),
            (check.group(1) + "/check", "post"),
            (check.group(1) + "/delete", "post"),
            (check.group(1) + "/finish", "post"),
        ):
            assert getattr(eve, method)(learner.wallet + path, timeout=30).status_code == 404
    assert pending_count(app, learner.id) == 1


def test_a_scanned_offer_opens_the_offer_page(app, issuer, learner):
    offer = make_offer(issuer, configurations=[LDP])
    image = io.BytesIO()
    qrcode.make(offer["links"]["by_reference"]).save(image)

    answer = learner.post(
        "/import/qr", files={"image": ("offer.png", image.getvalue(), "image/png")}
    )

    assert answer.status_code == 200
    assert answer.url.startswith(f"{learner.wallet}/oid4vc/offer?credential_offer_uri=")
    assert "Demo OpenID University offers you a credential" in text_of(answer.text)
    assert_nothing_stored(app, learner)


def test_a_pasted_offer_link_on_the_import_page_is_not_stored(app, issuer, learner):
    offer = make_offer(issuer, configurations=[LDP])
    wallet_link = f"https://wallet.example/oid4vc/offer?credential_offer_uri={issuer.url}/offers/1"
    # The import page sends an offer to the offer page, which asks before storing anything
    # (and says so when the issuer does not know the offer: /offers/1 was never made).
    for text, status in ((offer["links"]["by_value"], 200), (wallet_link, 400)):
        answer = learner.post("/import/paste", {"text": text})
        assert answer.status_code == status
        assert answer.url.startswith(f"{learner.wallet}/oid4vc/offer?")
    assert_nothing_stored(app, learner)


def start_sign_in(issuer, learner) -> str:
    """Open an authorization code offer, consent, approve at the issuer: the address the issuer
    sends the browser back to (not followed)."""
    offer = make_offer(issuer, configurations=[LDP], flow="authorization-code")
    onward = learner.accept(learner.open_offer(offer["links"]["by_reference"]))
    authorize_url = html.unescape(re.search(r'id="sign-in" href="([^"]+)"', onward.text).group(1))
    sign_in = learner.get(authorize_url)
    fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', sign_in.text))
    fields = {k: html.unescape(v) for k, v in fields.items()}
    back = learner.post(
        f"{issuer.url}/authorize", {**fields, "decision": "approve"}, allow_redirects=False
    )
    assert back.status_code == 303
    return back.headers["Location"]


def test_a_sign_in_answer_from_another_server_is_refused(app, issuer, learner):
    back = start_sign_in(issuer, learner)
    mixed_up = back.replace(quote(issuer.url, safe=""), quote("https://other.example", safe=""))
    assert mixed_up != back

    answer = learner.get(mixed_up)

    assert answer.url == f"{learner.wallet}/oid4vc/"
    assert "The sign-in answer came from another server than the issuer's." in text_of(answer.text)
    assert_nothing_stored(app, learner)


def test_a_sign_in_that_took_too_long_is_refused(app, issuer, learner):
    back = start_sign_in(issuer, learner)
    with app.app_context():
        for row in db.session.scalars(select(PendingIssuance)):
            row.created_at = row.created_at - timedelta(hours=2)
        db.session.commit()

    answer = learner.get(back)

    assert "Signing in at the issuer took too long. Please open the offer again." in text_of(
        answer.text
    )
    assert_nothing_stored(app, learner)


def test_an_unknown_sign_in_answer_is_not_found(app, learner):
    assert learner.get("/oid4vc/callback?code=abc&state=guessed").status_code == 404
    assert learner.get("/oid4vc/callback?code=abc").status_code == 404
