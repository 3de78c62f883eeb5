"""Reading credential offers and issuer metadata, without a network: which texts are offers,
which offers are well formed, and where the metadata lives (OID4VCI 1.0 §4.1, §12.2.2)."""

from __future__ import annotations

import json

import pytest

from wallet.oid4vc import offer_page_url
from wallet.oid4vc.http import IssuanceError, check_url
from wallet.oid4vc.metadata import ISSUER_WELL_KNOWN, SERVER_WELL_KNOWN, well_known
from wallet.oid4vc.offers import CredentialOffer, offer_parameters

PRE = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
ISSUER = "https://issuer.example"


def offer(**grants) -> dict:
    return {"credential_issuer": ISSUER, "credential_configuration_ids": ["a"], "grants": grants}


@pytest.fixture
def context(app):
    with app.test_request_context("/"):
        yield


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fi.example%2Fo",
            {"credential_offer_uri": "https://i.example/o"},
        ),
        ("  haip://?credential_offer=%7B%7D \n", {"credential_offer": "{}"}),
        ("https://wallet.example/oid4vc/offer?credential_offer=%7B%7D", {"credential_offer": "{}"}),
        ('{"credential_issuer": "x"}', {"credential_offer": '{"credential_issuer": "x"}'}),
    ],
)
def test_offer_texts_give_their_parameters(context, text, expected):
    assert offer_parameters(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "openid-credential-offer://?nothing=1",
        "https://example.org/",
        "openid-credential-offer://?credential_offer=1&credential_offer_uri=2",
        "x" * 70_000,
    ],
)
def test_texts_without_exactly_one_offer_are_refused(context, text):
    with pytest.raises(IssuanceError):
        offer_parameters(text)
    assert offer_page_url(text) is None


def test_the_offer_page_address_carries_the_offer(context):
    url = offer_page_url("openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fi.ex%2Fo")
    assert url == "/oid4vc/offer?credential_offer_uri=https%3A%2F%2Fi.ex%2Fo"


def test_a_pre_authorized_offer_with_a_transaction_code(context):
    parsed = CredentialOffer.from_json(
        offer(
            **{
                PRE: {
                    "pre-authorized_code": "c",
                    "tx_code": {
                        "length": 6,
                        "input_mode": "numeric",
                        "description": "From the email",
                    },
                }
            }
        )
    )
    assert parsed.pre_authorized_code == "c" and not parsed.authorization_code
    assert parsed.tx_code is not None
    assert (parsed.tx_code.length, parsed.tx_code.input_mode) == (6, "numeric")
    assert parsed.tx_code.description == "From the email"


def test_an_offer_with_both_grants_prefers_the_pre_authorized_code(context):
    parsed = CredentialOffer.from_json(
        offer(authorization_code={"issuer_state": "s"}, **{PRE: {"pre-authorized_code": "c"}})
    )
    assert not parsed.authorization_code and parsed.issuer_state == "s"


def test_an_offer_without_grants_uses_the_authorization_code(context):
    parsed = CredentialOffer.from_json({**offer(), "grants": {}})
    assert parsed.authorization_code and parsed.pre_authorized_code is None


def test_odd_transaction_code_fields_are_tamed(context):
    parsed = CredentialOffer.from_json(
        offer(
            **{
                PRE: {
                    "pre-authorized_code": "c",
                    "tx_code": {"length": 10_000, "input_mode": "emoji"},
                }
            }
        )
    )
    assert parsed.tx_code is not None
    assert (parsed.tx_code.length, parsed.tx_code.input_mode) == (None, "text")


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"credential_issuer": ISSUER},
        {"credential_issuer": ISSUER, "credential_configuration_ids": []},
        {"credential_issuer": ISSUER, "credential_configuration_ids": [1]},
        {"credential_issuer": "", "credential_configuration_ids": ["a"]},
        offer(**{PRE: {"pre-authorized_code": ""}}),
        offer(**{PRE: {"pre-authorized_code": "c", "tx_code": "123"}}),
        {**offer(), "grants": ["x"]},
    ],
)
def test_malformed_offers_are_refused(context, data):
    with pytest.raises(IssuanceError, match="not a valid credential offer"):
        CredentialOffer.from_json(data)


def test_an_offer_with_only_unknown_grants_is_refused(context):
    with pytest.raises(IssuanceError, match="does not support"):
        CredentialOffer.from_json(offer(**{"urn:example:grant": {}}))


def test_the_offer_round_trips_through_the_consent_form(context):
    data = offer(**{PRE: {"pre-authorized_code": "c"}})
    assert json.loads(CredentialOffer.from_json(data).to_json()) == data


@pytest.mark.parametrize(
    ("identifier", "suffix", "expected"),
    [
        (
            "https://issuer.example",
            ISSUER_WELL_KNOWN,
            "https://issuer.example/.well-known/openid-credential-issuer",
        ),
        (
            "https://issuer.example/tenant/",
            ISSUER_WELL_KNOWN,
            "https://issuer.example/.well-known/openid-credential-issuer/tenant",
        ),
        (
            "https://as.example/realms/x",
            SERVER_WELL_KNOWN,
            "https://as.example/.well-known/oauth-authorization-server/realms/x",
        ),
    ],
)
def test_metadata_lives_between_the_host_and_the_path(identifier, suffix, expected):
    assert well_known(identifier, suffix) == expected


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:5001/x", True),
        ("http://localhost/x", True),
        ("http://issuer.example/x", False),
        ("https://user:pw@issuer.example/x", False),
        ("https://169.254.169.254/latest", False),
        ("https://[::1]/x", True),
        ("https://192.168.1.1/", False),
        ("file:///etc/passwd", False),
    ],
)
def test_which_addresses_the_wallet_calls(app, context, url, allowed):
    app.config["OID4VCI_ALLOW_HTTP_LOCALHOST"] = True
    if allowed:
        assert check_url(url) == url
    else:
        with pytest.raises(IssuanceError):
            check_url(url)


def test_loopback_is_refused_when_http_to_localhost_is_not_allowed(app, context):
    app.config["OID4VCI_ALLOW_HTTP_LOCALHOST"] = False
    for url in ("http://127.0.0.1:5001/x", "https://127.0.0.1/x", "https://[::1]/x"):
        with pytest.raises(IssuanceError):
            check_url(url)
