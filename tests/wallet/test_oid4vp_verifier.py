"""The employer's OpenID4VP pages on their own: the form and its mistakes, the request object the
wallet fetches, and answers the verifier cannot read (refused without using up the request)."""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tests.wallet.oid4vp_support import redis_store_url, verifier_app

FORM = {
    "verifier_name": "Acme Analytics",
    "purpose": "To check your application",
    "preset": "ects",
    "min_ects": "5",
    "topic": "data analysis",
}


@pytest.fixture(params=["sqlite", "redis"])
def client(request, tmp_path):
    """The standalone verifier, its requests in SQLite in its home, or in Redis."""
    if request.param == "sqlite":
        yield verifier_app(tmp_path / "employer").test_client()
        return
    with redis_store_url() as url:
        yield verifier_app(tmp_path / "employer", OID4VP_STORE_URL=url).test_client()


def create(client, **fields):
    """Make a request; the employer page's path and the request object's claims."""
    response = client.post("/verify/requests/", data={**FORM, **fields})
    assert response.status_code == 303
    page = response.headers["Location"]
    text = client.get(page).get_data(as_text=True)
    link = re.search(r'<code id="oid4vp-link"[^>]*>([^<]+)</code>', text).group(1)
    params = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
    request_uri = params["request_uri"][0]
    jwt = client.get(urlsplit(request_uri).path)
    assert jwt.mimetype == "application/oauth-authz-req+jwt"
    header, claims, signature = jwt.get_data(as_text=True).split(".")
    assert json.loads(base64.urlsafe_b64decode(header + "==")) == {
        "alg": "none",
        "typ": "oauth-authz-req+jwt",
    }
    assert signature == ""
    claims = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    assert params["client_id"] == [claims["client_id"]]
    return page, claims


def test_request_object_is_oid4vp(client):
    _page, claims = create(client)
    assert claims["response_type"] == "vp_token"
    assert claims["response_mode"] == "direct_post"
    assert claims["client_id"] == "redirect_uri:" + claims["response_uri"]
    assert len(base64.urlsafe_b64decode(claims["nonce"] + "=")) == 32  # 256 bits
    assert claims["exp"] - claims["iat"] == 600
    assert claims["client_metadata"]["client_name"] == "Acme Analytics"
    sets = claims["dcql_query"]["credential_sets"]
    assert sets == [
        {
            "options": [["credential"], ["credential_jwt"]],
            "required": True,
            "purpose": "To check your application",
        }
    ]


def test_every_request_has_its_own_nonce(client):
    nonces = {create(client)[1]["nonce"] for _ in range(3)}
    assert len(nonces) == 3


def test_page_without_javascript_has_a_check_again_button(client):
    page, _claims = create(client)
    text = client.get(page).get_data(as_text=True)
    assert "Check again" in text
    assert "<script src=" in text and "oid4vp.js" in text
    assert "<script>" not in text  # no inline script (CSP)
    status = client.get(page + "/status")
    assert status.json == {"status": "pending"}
    assert status.headers["Cache-Control"] == "no-store"


def test_request_id_does_not_open_the_employer_page(client):
    _page, claims = create(client)
    request_id = urlsplit(claims["response_uri"]).path.split("/")[-2]
    assert client.get(f"/verify/requests/{request_id}").status_code == 404
    assert client.get("/verify/requests/r/unknown").status_code == 404


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"verifier_name": ""}, "Give your organisation&#39;s name"),
        ({"min_ects": "many"}, "Give a number of ECTS credits"),
        ({"min_ects": "0"}, "Give a number of ECTS credits"),
        ({"preset": "achievement", "achievement": ""}, "Give the achievement&#39;s exact name."),
        ({"preset": "custom", "dcql": ""}, "Paste a DCQL query"),
        ({"preset": "custom", "dcql": "{"}, "not valid JSON"),
        ({"preset": "nothing"}, "Choose what to ask for."),
    ],
)
def test_form_mistakes_are_explained(client, fields, message):
    response = client.post("/verify/requests/", data={**FORM, **fields})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def answer_path(claims) -> str:
    return urlsplit(claims["response_uri"]).path


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"state": "wrong", "vp_token": "{}"}, "The state does not match the request."),
        ({}, "The response has no vp_token."),
        ({"vp_token": "[not json"}, "The vp_token is not a JSON object."),
        ({"vp_token": "[]"}, "must be a JSON object keyed by credential query id"),
        ({"vp_token": '{"other": [{}]}'}, "which the request did not ask for"),
        ({"vp_token": '{"credential": []}'}, "must be a non-empty array"),
        ({"vp_token": '{"credential": [1]}'}, "neither JSON nor a token"),
    ],
)
def test_unreadable_answers_are_refused_and_the_request_stays_open(client, form, message):
    page, claims = create(client)
    data = {"state": claims["state"], **form}
    response = client.post(answer_path(claims), data=data)
    assert response.status_code == 400
    assert response.json["error"] == "invalid_request"
    assert message in response.json["error_description"]
    assert client.get(page + "/status").json == {"status": "pending"}


def test_decline_needs_the_state(client):
    page, claims = create(client)
    refused = client.post(answer_path(claims), data={"error": "access_denied", "state": "x"})
    assert refused.status_code == 400
    assert client.get(page + "/status").json == {"status": "pending"}
    accepted = client.post(
        answer_path(claims), data={"error": "access_denied", "state": claims["state"]}
    )
    assert accepted.status_code == 200
    assert client.get(page + "/status").json == {"status": "declined"}
    # Answered once: the request object is gone for wallets.
    assert (
        client.get(urlsplit(unquote(claims["response_uri"])).path[: -len("/response")]).json[
            "error"
        ]
        == "invalid_request_uri"
    )
