"""Receiving credentials with OID4VCI: the whole flow between the live wallet and the live demo
issuer over HTTP (pre-authorized with and without a transaction code, authorization code with
PKCE, deferred), each format stored and verified, and what the learner sees."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.wallet import oid4vc_support as live
from tests.wallet.oid4vc_support import make_offer, pending_count, stored, text_of
from wallet.oid4vc.receive import bound_to

LDP, JWT, SD_JWT = (
    "OpenBadgeCredential_ldp_vc",
    "OpenBadgeCredential_jwt_vc_json",
    "OpenBadgeCredential_sd_jwt",
)
#: Offer configuration -> the verifier's name of the format stored.
FORMATS = {LDP: "ldp_vc", JWT: "jwt_vc", SD_JWT: "sd_jwt_vc"}

# The live servers' fixtures, used by name in the tests below.
clock = live.clock
issuer = live.issuer
learner = live.learner
wallet_config = live.wallet_config
wallet_url = live.wallet_url


@pytest.mark.parametrize("configuration", [LDP, JWT, SD_JWT])
def test_pre_authorized_offer_stores_a_verified_credential_of_each_format(
    app, issuer, learner, configuration
):
    offer = make_offer(issuer, configurations=[configuration])
    consent = learner.open_offer(offer["links"]["by_reference"])
    assert consent.status_code == 200
    page = text_of(consent.text)
    assert "Demo OpenID University offers you a credential" in page
    assert "Data Analysis Basics" in page
    assert "Transaction code" not in page

    received = learner.accept(consent, password=learner.password)

    assert received.status_code == 200, text_of(received.text)
    assert "Added to your wallet." in text_of(received.text)
    [credential] = stored(app, learner.id)
    assert credential.channel == "offer"
    assert credential.format == FORMATS[configuration]
    assert credential.outcome == "verified", credential.report
    assert credential.title == "Data Analysis Basics"
    assert credential.issuer_name == "Demo OpenID University"
    assert bound_to(credential.original, learner.did)  # issued to the learner's holder key
    assert pending_count(app, learner.id) == 0


def test_one_offer_of_three_formats_stores_three_credentials(app, issuer, learner):
    offer = make_offer(issuer, configurations=[LDP, JWT, SD_JWT])
    consent = learner.open_offer(offer["links"]["by_value"])
    page = text_of(consent.text)
    for label in ("(JSON-LD)", "(JWT)", "(SD-JWT)"):
        assert f"Data Analysis Basics {label}" in page

    received = learner.accept(consent, password=learner.password)

    assert text_of(received.text).count("Added to your wallet.") == 3
    credentials = stored(app, learner.id)
    assert sorted(c.format for c in credentials) == ["jwt_vc", "ldp_vc", "sd_jwt_vc"]
    assert {c.outcome for c in credentials} == {"verified"}


def test_transaction_code_is_asked_for_and_a_wrong_one_stores_nothing(app, issuer, learner):
    offer = make_offer(issuer, configurations=[LDP], flow="pre-authorized-tx")
    consent = learner.open_offer(offer["links"]["by_reference"])
    assert "Transaction code" in text_of(consent.text)
    assert 'inputmode="numeric"' in consent.text and 'maxlength="6"' in consent.text
    wrong = "000000" if offer["tx_code"] != "000000" else "111111"

    refused = learner.accept(consent, password=learner.password, tx_code=wrong)

    assert refused.status_code == 400
    assert "The issuer refused to hand over the credential: The transaction code is wrong." in (
        text_of(refused.text)
    )
    assert stored(app, learner.id) == []
    assert pending_count(app, learner.id) == 0

    missing = learner.accept(consent, password=learner.password)
    assert missing.status_code == 400
    assert "Enter the transaction code the issuer gave you." in text_of(missing.text)

    # The consent page comes back with the offer, so the learner can type the right code.
    received = learner.accept(refused, password=learner.password, tx_code=offer["tx_code"])
    assert received.status_code == 200
    [credential] = stored(app, learner.id)
    assert credential.outcome == "verified"


def test_authorization_code_flow_with_pkce(app, issuer, learner):
    offer = make_offer(issuer, configurations=[JWT], flow="authorization-code")
    consent = learner.open_offer(offer["links"]["by_reference"])
    assert "you will sign in at Demo OpenID University" in text_of(consent.text)

    onward = learner.accept(consent)  # no password yet: the learner signs in at the issuer first
    assert onward.status_code == 200
    link = re.search(r'id="sign-in" href="([^"]+)"', onward.text)
    assert link
    authorize_url = html.unescape(link.group(1))
    query = parse_qs(urlsplit(authorize_url).query)
    assert authorize_url.startswith(f"{issuer.url}/authorize?")
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["issuer_state"] == [offer["offer"]["grants"]["authorization_code"]["issuer_state"]]
    assert stored(app, learner.id) == []

    sign_in = learner.get(authorize_url)
    assert "Sign in to collect your credential" in text_of(sign_in.text)
    fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', sign_in.text))
    fields = {k: html.unescape(v) for k, v in fields.items()}
    back = learner.post(f"{issuer.url}/authorize", {**fields, "decision": "approve"})

    # The issuer sends the browser back; the wallet swaps the code and asks for the password.
    assert back.status_code == 200
    assert back.url.startswith(f"{learner.wallet}/oid4vc/pending/")
    assert "The issuer has authorized the wallet" in text_of(back.text)
    assert stored(app, learner.id) == []
    finish = urlsplit(back.url).path + "/finish"

    received = learner.post(finish, {"password": learner.password})

    assert received.status_code == 200, text_of(received.text)
    [credential] = stored(app, learner.id)
    assert credential.format == "jwt_vc" and credential.outcome == "verified"
    assert pending_count(app, learner.id) == 0


def test_refusing_at_the_issuer_stores_nothing(app, issuer, learner):
    offer = make_offer(issuer, configurations=[LDP], flow="authorization-code")
    onward = learner.accept(learner.open_offer(offer["links"]["by_reference"]))
    authorize_url = html.unescape(re.search(r'id="sign-in" href="([^"]+)"', onward.text).group(1))
    sign_in = learner.get(authorize_url)
    fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', sign_in.text))

    back = learner.post(
        f"{issuer.url}/authorize",
        {**{k: html.unescape(v) for k, v in fields.items()}, "decision": "deny"},
    )

    assert back.url == f"{learner.wallet}/oid4vc/"
    assert "The issuer did not authorize the wallet" in text_of(back.text)
    assert stored(app, learner.id) == []
    assert pending_count(app, learner.id) == 0


def test_deferred_credential_waits_and_is_collected_on_check_again(app, issuer, learner, clock):
    offer = make_offer(issuer, configurations=[SD_JWT], deferred=True)
    consent = learner.open_offer(offer["links"]["by_reference"])

    received = learner.accept(consent, password=learner.password)

    assert received.status_code == 200
    assert "Coming later" in text_of(received.text)
    assert stored(app, learner.id) == []
    assert pending_count(app, learner.id) == 1
    offers_page = learner.get("/oid4vc/")
    assert "Data Analysis Basics (SD-JWT)" in text_of(offers_page.text)
    check = re.search(r'action="(/oid4vc/pending/\d+/check)"', offers_page.text).group(1)

    early = learner.post(check)
    assert "is not ready yet" in text_of(early.text)
    assert stored(app, learner.id) == []

    clock.advance(seconds=61)
    ready = learner.post(check)

    assert ready.status_code == 200
    assert "Added to your wallet." in text_of(ready.text)
    [credential] = stored(app, learner.id)
    assert credential.format == "sd_jwt_vc" and credential.outcome == "verified"
    assert pending_count(app, learner.id) == 0
