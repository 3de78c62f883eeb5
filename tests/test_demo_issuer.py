"""The demo OID4VCI issuer on its own: metadata, offers, the token endpoint's grants, the
proof of possession checks, the credential and deferred endpoints, and its pages."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from verifier import KeyPair, TrustStore
from verifier.keys import public_key_to_jwk
from verifier.suites.jose import sign_jws
from wallet.demo_issuer import REGISTRY, create_app, start_demo_issuer, trust_issuer
from wallet.demo_issuer.credentials import CONFIGURATIONS

BASE = "http://localhost"
PRE = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
LDP = "OpenBadgeCredential_ldp_vc"


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(clock):
    return create_app({"TESTING": True, "CLOCK": clock, "DEFERRED_DELAY": 30}).test_client()


@pytest.fixture
def holder() -> KeyPair:
    return KeyPair.generate("Ed25519")


def offer(client, **options) -> dict:
    answer = client.post("/api/offers", json=options)
    assert answer.status_code == 200
    return answer.json


def pre_code(made: dict) -> str:
    return made["offer"]["grants"][PRE]["pre-authorized_code"]


def token(client, made: dict, **extra) -> str:
    data = {"grant_type": PRE, "pre-authorized_code": pre_code(made), **extra}
    answer = client.post("/token", data=data)
    assert answer.status_code == 200, answer.json
    return answer.json["access_token"]


def nonce(client) -> str:
    return client.post("/nonce").json["c_nonce"]


def proof(holder: KeyPair, client=None, *, header=None, **claims) -> str:
    body = {"aud": BASE, "iat": int(time.time())}
    if client is not None:
        body["nonce"] = nonce(client)
    body.update(claims)
    head = {"typ": "openid4vci-proof+jwt", "kid": holder.verification_method, **(header or {})}
    return sign_jws({k: v for k, v in head.items() if v is not None}, body, holder)


def ask(client, access: str, jwt: str, config: str = LDP):
    return client.post(
        "/credential",
        json={"credential_configuration_id": config, "proofs": {"jwt": [jwt]}},
        headers={"Authorization": f"Bearer {access}"},
    )


# -- metadata ---------------------------------------------------------------------------------
def test_issuer_metadata_describes_three_formats_and_the_endpoints(client):
    data = client.get("/.well-known/openid-credential-issuer").json
    assert data["credential_issuer"] == BASE
    assert data["credential_endpoint"] == f"{BASE}/credential"
    assert data["nonce_endpoint"] == f"{BASE}/nonce"
    assert data["deferred_credential_endpoint"] == f"{BASE}/deferred_credential"
    formats = {c["format"] for c in data["credential_configurations_supported"].values()}
    assert formats == {"ldp_vc", "jwt_vc_json", "dc+sd-jwt"}


def test_authorization_server_metadata_offers_pkce_and_the_pre_authorized_grant(client):
    data = client.get("/.well-known/oauth-authorization-server").json
    assert data["issuer"] == BASE and data["token_endpoint"] == f"{BASE}/token"
    assert data["code_challenge_methods_supported"] == ["S256"]
    assert PRE in data["grant_types_supported"]


# -- offers -----------------------------------------------------------------------------------
def test_an_offer_by_reference_is_served_until_it_is_used_or_expires(client, clock):
    made = offer(client)
    uri = parse_qs(urlsplit(made["links"]["by_reference"]).query)["credential_offer_uri"][0]
    path = urlsplit(uri).path
    assert client.get(path).json == made["offer"]
    assert set(made["offer"]["credential_configuration_ids"]) == set(CONFIGURATIONS)
    clock.now += timedelta(minutes=11)
    assert client.get(path).status_code == 404


def test_an_unknown_configuration_or_flow_makes_no_offer(client):
    assert client.post("/api/offers", json={"configurations": ["nope"]}).status_code == 400
    assert client.post("/api/offers", json={"flow": "implicit"}).status_code == 400


def test_the_offer_pages_show_a_qr_code_and_the_transaction_code(client):
    assert "Offer a credential" in client.get("/").text
    answer = client.post("/offers", data={"configuration": [LDP], "flow": "pre-authorized-tx"})
    assert answer.status_code == 303
    page = client.get(answer.headers["Location"]).text
    assert 'src="data:image/png;base64,' in page
    assert 'id="tx-code"' in page
    assert "openid-credential-offer://?credential_offer_uri=" in page
    assert client.post("/offers", data={"flow": "pre-authorized"}).status_code == 400


def test_the_wallet_link_is_offered_when_the_wallet_is_known(clock):
    app = create_app({"WALLET_URL": "http://127.0.0.1:5000/", "CLOCK": clock})
    made = app.test_client().post("/api/offers", json={}).json
    assert made["links"]["wallet"].startswith(
        "http://127.0.0.1:5000/oid4vc/offer?credential_offer_uri=http"
    )


# -- token ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("case", "description"),
    [
        ("unknown", "The pre-authorized code is unknown."),
        ("wrong_tx", "The transaction code is wrong."),
        ("missing_tx", "The transaction code is wrong."),
        ("expired", "This offer has expired."),
        ("used", "This offer has already been used."),
    ],
)
def test_pre_authorized_code_refusals(client, clock, case, description):
    made = offer(client, flow="pre-authorized-tx")
    data = {"grant_type": PRE, "pre-authorized_code": pre_code(made), "tx_code": made["tx_code"]}
    if case == "unknown":
        data["pre-authorized_code"] = "guess"
    elif case == "wrong_tx":
        data["tx_code"] = "x" + made["tx_code"]
    elif case == "missing_tx":
        del data["tx_code"]
    elif case == "expired":
        clock.now += timedelta(minutes=11)
    elif case == "used":
        assert client.post("/token", data=data).status_code == 200

    answer = client.post("/token", data=data)

    assert answer.status_code == 400
    assert answer.json == {"error": "invalid_grant", "error_description": description}


def test_an_unsupported_grant_is_refused(client):
    answer = client.post("/token", data={"grant_type": "password"})
    assert answer.json["error"] == "unsupported_grant_type"


def authorize(client, made: dict, verifier: str = "v" * 50, **overrides) -> dict:
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    params = {
        "response_type": "code",
        "client_id": "learner-wallet",
        "redirect_uri": "http://127.0.0.1:5000/oid4vc/callback",
        "code_challenge": challenge.rstrip(b"=").decode(),
        "code_challenge_method": "S256",
        "state": "s1",
        "issuer_state": made["offer"]["grants"]["authorization_code"]["issuer_state"],
        **overrides,
    }
    return params


def test_authorization_code_with_pkce(client):
    made = offer(client, flow="authorization-code", configurations=[LDP])
    params = authorize(client, made)
    page = client.get("/authorize", query_string=params)
    assert page.status_code == 200 and "127.0.0.1:5000" in page.text
    back = client.post("/authorize", data={**params, "decision": "approve"})
    assert back.status_code == 303
    query = parse_qs(urlsplit(back.headers["Location"]).query)
    assert query["state"] == ["s1"] and query["iss"] == [BASE]
    exchange = {
        "grant_type": "authorization_code",
        "code": query["code"][0],
        "redirect_uri": params["redirect_uri"],
        "client_id": "learner-wallet",
    }

    wrong = client.post("/token", data={**exchange, "code_verifier": "w" * 50})
    assert wrong.json["error_description"] == "The PKCE code verifier does not match."
    # A code is good for one try: the failed one spent it.
    again = client.post("/token", data={**exchange, "code_verifier": "v" * 50})
    assert again.json["error"] == "invalid_grant"


def test_authorization_code_is_exchanged_once_with_the_right_verifier(client):
    made = offer(client, flow="authorization-code", configurations=[LDP])
    params = authorize(client, made)
    back = client.post("/authorize", data={**params, "decision": "approve"})
    code = parse_qs(urlsplit(back.headers["Location"]).query)["code"][0]
    exchange = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": params["redirect_uri"],
        "code_verifier": "v" * 50,
    }
    assert client.post("/token", data=exchange).status_code == 200
    assert client.post("/token", data=exchange).status_code == 400


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"code_challenge_method": "plain"}, "PKCE with S256"),
        ({"redirect_uri": "http://evil.example/cb"}, "must use https"),
        ({"issuer_state": "forged"}, "does not belong to a current offer"),
        ({"response_type": "token"}, "Only the authorization code flow"),
    ],
)
def test_bad_authorization_requests_are_refused_on_a_page(client, override, message):
    made = offer(client, flow="authorization-code")
    answer = client.get("/authorize", query_string=authorize(client, made, **override))
    assert answer.status_code == 400
    assert message in answer.text


def test_refusing_sends_access_denied_back(client):
    made = offer(client, flow="authorization-code")
    params = authorize(client, made)
    back = client.post("/authorize", data={**params, "decision": "deny"})
    assert parse_qs(urlsplit(back.headers["Location"]).query)["error"] == ["access_denied"]


# -- credential -------------------------------------------------------------------------------
@pytest.mark.parametrize("config", sorted(CONFIGURATIONS))
def test_each_format_is_issued_to_the_holder(client, holder, config):
    access = token(client, offer(client))
    answer = ask(client, access, proof(holder, client), config)
    assert answer.status_code == 200
    [item] = answer.json["credentials"]
    credential = item["credential"]
    if CONFIGURATIONS[config] == "ldp_vc":
        assert credential["credentialSubject"]["id"] == holder.controller
    elif CONFIGURATIONS[config] == "jwt_vc_json":
        assert (
            holder.controller in base64.urlsafe_b64decode(credential.split(".")[1] + "==").decode()
        )
    else:
        claims = json.loads(base64.urlsafe_b64decode(credential.split(".")[1] + "=="))
        assert claims["cnf"]["jwk"] == public_key_to_jwk(holder.public_key)


def test_a_replayed_proof_is_refused(client, holder):
    access = token(client, offer(client))
    jwt = proof(holder, client)
    assert ask(client, access, jwt).status_code == 200
    replay = ask(client, access, jwt)
    assert replay.status_code == 400
    assert replay.json["error"] == "invalid_nonce"


def bad_signature(holder: KeyPair, client) -> str:
    head, body, _ = proof(holder, client).split(".")
    other = proof(KeyPair.generate("Ed25519"), client).split(".")[2]
    return f"{head}.{body}.{other}"


@pytest.mark.parametrize(
    ("make", "error", "fragment"),
    [
        (lambda h, c: proof(h, c, header={"typ": "JWT"}), "invalid_proof", "typed"),
        (lambda h, c: proof(h, c, aud="https://other.example"), "invalid_proof", "meant for"),
        (lambda h, c: proof(h, c, iat=int(time.time()) - 3600), "invalid_proof", "just now"),
        (lambda h, c: proof(h, c, iat="now"), "invalid_proof", "no issue time"),
        (lambda h, c: proof(h), "invalid_nonce", "nonce"),
        (lambda h, c: proof(h, nonce="made-up"), "invalid_nonce", "nonce"),
        (bad_signature, "invalid_proof", "signature"),
        (lambda h, c: proof(h, c, header={"kid": "did:web:example.com#1"}), "invalid_proof", "kid"),
        (lambda h, c: proof(h, c, header={"kid": None}), "invalid_proof", "kid or jwk"),
        (lambda h, c: "not a jwt", "invalid_proof", "cannot be read"),
    ],
)
def test_bad_proofs_are_refused(client, holder, make, error, fragment):
    access = token(client, offer(client))
    answer = ask(client, access, make(holder, client))
    assert answer.status_code == 400
    assert answer.json["error"] == error
    assert fragment in answer.json["error_description"]


def test_a_proof_with_an_embedded_jwk_binds_a_did_jwk(client, holder):
    access = token(client, offer(client))
    jwk = public_key_to_jwk(holder.public_key)
    answer = ask(client, access, proof(holder, client, header={"kid": None, "jwk": jwk}))
    assert answer.status_code == 200
    subject = answer.json["credentials"][0]["credential"]["credentialSubject"]["id"]
    assert subject.startswith("did:jwk:")


def test_the_credential_endpoint_needs_a_valid_token_and_request(client, holder, clock):
    access = token(client, offer(client, configurations=[LDP]))
    assert ask(client, "guess", proof(holder, client)).status_code == 401
    other = ask(client, access, proof(holder, client), "OpenBadgeCredential_sd_jwt")
    assert other.json["error"] == "invalid_credential_request"
    unknown = ask(client, access, proof(holder, client), "Passport_mdoc")
    assert unknown.json["error"] == "unknown_credential_configuration"
    empty = client.post(
        "/credential",
        json={"credential_configuration_id": LDP},
        headers={"Authorization": f"Bearer {access}"},
    )
    assert empty.json["error"] == "invalid_proof"
    clock.now += timedelta(hours=2)
    assert ask(client, access, proof(holder, client)).status_code == 401


def test_deferred_issuance(client, holder, clock):
    access = token(client, offer(client, configurations=[LDP], deferred=True))
    first = ask(client, access, proof(holder, client))
    assert first.status_code == 202
    transaction = first.json["transaction_id"]
    assert first.json["interval"] == 30
    headers = {"Authorization": f"Bearer {access}"}

    early = client.post(
        "/deferred_credential", json={"transaction_id": transaction}, headers=headers
    )
    assert early.status_code == 202

    clock.now += timedelta(seconds=31)
    wrong = client.post("/deferred_credential", json={"transaction_id": "x"}, headers=headers)
    assert wrong.json["error"] == "invalid_transaction_id"
    ready = client.post(
        "/deferred_credential", json={"transaction_id": transaction}, headers=headers
    )
    assert ready.status_code == 200
    assert (
        ready.json["credentials"][0]["credential"]["credentialSubject"]["id"] == holder.controller
    )
    gone = client.post(
        "/deferred_credential", json={"transaction_id": transaction}, headers=headers
    )
    assert gone.json["error"] == "invalid_transaction_id"


# -- running it -------------------------------------------------------------------------------
def test_trusting_the_issuer_replaces_an_earlier_start(tmp_path):
    first, second = create_app(), create_app()
    now = datetime.now(UTC)
    trust_issuer(first, tmp_path, now=now)
    trust_issuer(second, tmp_path, now=now)
    trusted = [
        i for i in TrustStore.from_file(tmp_path / "trust.json").issuers() if i.registry == REGISTRY
    ]
    assert [i.id for i in trusted] == [second.config["SIGNING_KEY"].controller]


def test_start_demo_issuer_serves_over_http(tmp_path):
    server = start_demo_issuer(trust_home=tmp_path)
    try:
        data = requests.get(f"{server.url}/.well-known/openid-credential-issuer", timeout=10).json()
        assert data["credential_issuer"] == server.url
        assert (tmp_path / "trust.json").exists()
    finally:
        server.stop()


def test_the_command_serves_the_issuer_and_trusts_it(tmp_path, monkeypatch, capsys):
    from wallet.demo_issuer import __main__ as command

    served = {}
    monkeypatch.setattr(
        command,
        "run_simple",
        lambda host, port, app, **kw: served.update(host=host, port=port, app=app),
    )

    command.main(
        [
            "--port",
            "5999",
            "--wallet-url",
            "http://127.0.0.1:5000",
            "--trust-home",
            str(tmp_path),
            "--deferred-delay",
            "3",
        ]
    )

    app = served["app"]
    assert (served["host"], served["port"]) == ("127.0.0.1", 5999)
    assert app.config["WALLET_URL"] == "http://127.0.0.1:5000"
    assert app.config["DEFERRED_DELAY"] == 3
    signer = app.config["SIGNING_KEY"].controller
    assert signer in capsys.readouterr().out
    assert [i.id for i in TrustStore.from_file(tmp_path / "trust.json").issuers()] == [signer]


def test_start_for_wallet_links_offers_to_the_wallet_and_is_trusted_there(tmp_path):
    from flask import Flask

    from wallet.demo_issuer import start_for_wallet

    wallet = Flask("wallet")
    wallet.config["VERIFIER_HOME"] = str(tmp_path)
    server = start_for_wallet(wallet, wallet_url="http://127.0.0.1:5000", port=0)
    try:
        made = requests.post(f"{server.url}/api/offers", json={}, timeout=10).json()
        assert made["links"]["wallet"].startswith("http://127.0.0.1:5000/oid4vc/offer?")
        trusted = TrustStore.from_file(tmp_path / "trust.json").issuers()
        assert [i.id for i in trusted] == [server.app.config["SIGNING_KEY"].controller]
    finally:
        server.stop()
