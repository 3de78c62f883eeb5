"""OpenID4VP between live servers on 127.0.0.1: the employer's verifier makes a request, the
learner's wallet fetches it, shows it, and answers; the verifier checks and shows the result.
Then everything that must go wrong clearly: replays, expiry, another audience, a tampered
presentation, credentials the learner does not have, a wrong password, declining."""

from __future__ import annotations

import io
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
import sqlalchemy as sa

from tests.conftest import ob3_credential
from tests.wallet.factories import plain_jpeg, qr_photo, qr_png
from tests.wallet.oid4vp_support import (
    badge,
    checked_picks,
    give,
    hidden_fields,
    learner_session,
    make_request,
    redis_store_url,
    serve,
    status,
    trust_everywhere,
    verifier_app,
)
from verifier import KeyPair, Presentation
from verifier.issuing import issue_jwt
from verifier.keys import multikey_decode, public_key_to_jwk
from verifier.suites.sd_jwt import SdJwt, issue_sd_jwt
from verifier.web.oid4vp_store import RequestStore, requests_table
from wallet.db import db
from wallet.models import User
from wallet.sharing.presentations import build_presentation

MICRO = "https://credentials.example.org/micro-credential"


@pytest.fixture
def oid4vp_app(app):
    """The wallet, allowed to talk plain HTTP to 127.0.0.1 (the tests' servers); the setting
    is read on each request, so it can be set on the app already made."""
    app.config["OID4VP_ALLOW_HTTP_LOCALHOST"] = True
    return app


@pytest.fixture
def live(oid4vp_app, tmp_path):
    """The wallet and the standalone verifier, each on its own port."""
    with serve(oid4vp_app) as wallet, serve(verifier_app(tmp_path / "employer")) as verifier:
        yield wallet, verifier


@pytest.fixture
def issuer(live):
    """An issuer both sides trust."""
    wallet, verifier = live
    key = KeyPair.generate("Ed25519")
    trust_everywhere(key, wallet.app.config["VERIFIER_HOME"], verifier.app.config["VERIFIER_HOME"])
    return key


@pytest.fixture
def learner(live, user, issuer):
    """Ada, holding a 6-ECTS data analysis badge bound to her holder key, logged in."""
    wallet, _verifier = live
    ada = user()
    ada.credential_id = give(wallet.app, ada.id, badge(issuer, ada.holder_did))
    ada.session = learner_session(wallet, ada.email, ada.password)
    ada.issuer, ada.wallet = issuer, wallet
    return ada


def open_request(wallet, learner, employer_request):
    """The learner's wallet opens the link; the consent page."""
    response = learner.session.get(
        wallet.url + "/oid4vp/authorize", params=employer_request.params, timeout=10
    )
    return response


def share(wallet, learner, page: str, *, password: str | None = None, picks=None):
    """The learner presses "Share" with the pre-selected credentials."""
    form = {**hidden_fields(page), "action": "share", "password": password or learner.password}
    form.update(picks if picks is not None else checked_picks(page))
    return learner.session.post(wallet.url + "/oid4vp/answer", data=form, timeout=30)


# -- the whole flow -------------------------------------------------------------------------------
def test_employer_asks_learner_consents_verifier_shows_verified_result(live, learner):
    wallet, verifier = live
    asked = make_request(verifier)
    assert asked.link.startswith("openid4vp://?client_id=redirect_uri%3Ahttp")
    assert status(asked) == "pending"

    consent = open_request(wallet, learner, asked)
    assert consent.status_code == 200
    page = consent.text
    assert "“Acme Analytics” asks to see credentials from your wallet." in page
    assert "To check your application" in page
    assert f"127.0.0.1:{verifier.url.rsplit(':', 1)[1]}" in page  # where the answer goes
    assert checked_picks(page) == {"pick-credential": [str(learner.credential_id)]}
    assert status(asked) == "pending"  # opening is not consenting: nothing sent yet

    sent = share(wallet, learner, page)
    assert sent.status_code == 200
    assert "received your signed presentation and accepted it" in sent.text
    assert status(asked) == "answered"

    result = requests.get(asked.page_url, timeout=10).text
    assert "nonce matches; audience matches; query satisfied" in result
    assert "at least 5 ECTS about “data analysis”: yes" in result
    assert "Data Analysis Basics" in result


def test_whole_flow_with_requests_kept_in_redis(learner, tmp_path):
    """Workers sharing a Redis instead of the SQLite file: the same flow, replay refused."""
    with redis_store_url() as url:
        employer = verifier_app(tmp_path / "redis-employer", OID4VP_STORE_URL=url)
        trust_everywhere(learner.issuer, employer.config["VERIFIER_HOME"])
        with serve(employer) as verifier:
            asked = make_request(verifier)
            page = open_request(learner.wallet, learner, asked).text
            assert "accepted it" in share(learner.wallet, learner, page).text
            assert status(asked) == "answered"
            result = requests.get(asked.page_url, timeout=10).text
            assert "nonce matches; audience matches; query satisfied" in result
            assert "no longer open" in open_request(learner.wallet, learner, asked).text


def test_request_is_shared_between_worker_processes(live, learner, tmp_path):
    """A second app on the same verifier home (another gunicorn worker) serves the request."""
    wallet, verifier = live
    asked = make_request(verifier)
    other_worker = verifier_app(verifier.app.config["VERIFIER_HOME"]).test_client()
    request_path = asked.params["request_uri"].split(verifier.url, 1)[1]
    response = other_worker.get(request_path)
    assert response.status_code == 200
    assert response.mimetype == "application/oauth-authz-req+jwt"


# -- bad input ------------------------------------------------------------------------------------
def test_replayed_answer_is_refused(live, learner):
    wallet, verifier = live
    asked = make_request(verifier)
    page = open_request(wallet, learner, asked).text
    # Capture what the wallet posts by answering once, then replay the stored answer.
    assert share(wallet, learner, page).status_code == 200
    with verifier.app.app_context():
        store = RequestStore.for_config(verifier.app.config)
        with store.engine.connect() as connection:
            row = connection.execute(sa.select(requests_table)).one()
    items = json.loads(row.answer)["items"]
    token = {items[0]["query_id"]: [json.loads(items[0]["document"])]}
    replay = requests.post(
        row.client_id.removeprefix("redirect_uri:"),
        data={"vp_token": json.dumps(token), "state": row.state},
        timeout=10,
    )
    assert replay.status_code == 400
    assert "already answered" in replay.json()["error_description"]
    # The wallet cannot open it again either.
    again = open_request(wallet, learner, asked)
    assert again.status_code == 400
    assert "no longer open" in again.text


def expire_all(verifier) -> None:
    with verifier.app.app_context():
        store = RequestStore.for_config(verifier.app.config)
        with store.engine.begin() as connection:
            connection.execute(requests_table.update().values(expires_at=time.time() - 1))


def test_expired_request_clear_on_both_sides(live, learner):
    wallet, verifier = live
    asked = make_request(verifier)
    page = open_request(wallet, learner, asked).text
    expire_all(verifier)
    # The wallet re-fetches the request when the learner answers: it is gone, nothing is sent.
    answer = share(wallet, learner, page)
    assert answer.status_code == 400
    assert "This request is no longer open" in answer.text
    assert "Nothing was shared." in answer.text
    assert status(asked) == "expired"
    assert "This request has expired." in requests.get(asked.page_url, timeout=10).text
    # A presentation posted straight to the expired request is refused too.
    late = direct_post(verifier, wallet.app, learner)
    assert late.status_code == 400
    assert late.json()["error_description"] == "This request has expired."


def direct_post(verifier, app, learner, *, nonce=None, domain=None, tamper=False):
    """Post a presentation of the learner's badge built by the test, not by the wallet."""
    with verifier.app.app_context():
        store = RequestStore.for_config(verifier.app.config)
        with store.engine.connect() as connection:
            row = connection.execute(sa.select(requests_table)).one()
    with app.app_context():
        user = db.session.get(User, learner.id)
        credentials = list(user.credentials)
        signed = build_presentation(
            user,
            credentials,
            learner.password,
            challenge=nonce or row.nonce,
            domain=domain or row.client_id,
        )
    document = json.loads(signed)
    if tamper:
        document["verifiableCredential"][0]["name"] = "Advanced Data Analysis"
    return requests.post(
        row.client_id.removeprefix("redirect_uri:"),
        data={"vp_token": json.dumps({"credential": [document]}), "state": row.state},
        timeout=10,
    )


@pytest.mark.parametrize(
    ("change", "message", "shown"),
    [
        (
            {"domain": "redirect_uri:https://other.example/answer"},
            "audience does not match",
            "audience does not match",
        ),
        ({"nonce": "a-nonce-from-another-request"}, "nonce does not match", "nonce does not match"),
        ({"tamper": True}, "did not pass verification", "nonce matches; audience matches"),
    ],
    ids=["wrong-audience", "wrong-nonce", "tampered"],
)
def test_bad_presentation_is_refused_and_shown(live, learner, change, message, shown):
    wallet, verifier = live
    asked = make_request(verifier)
    response = direct_post(verifier, wallet.app, learner, **change)
    assert response.status_code == 400
    assert message in response.json()["error_description"]
    page = requests.get(asked.page_url, timeout=10).text
    assert shown in page
    if change.get("tamper"):
        assert "Not genuine" in page


def test_request_for_credentials_the_learner_lacks(live, learner):
    wallet, verifier = live
    asked = make_request(verifier, preset="achievement", achievement="Quantum Welding")
    page = open_request(wallet, learner, asked).text
    assert "You have no credential that answers this request" in page
    assert "Quantum Welding" in page  # what was asked, in words
    assert 'value="share"' not in page  # no way to send anything
    assert status(asked) == "pending"


def test_wrong_password_sends_nothing(live, learner):
    wallet, verifier = live
    asked = make_request(verifier)
    page = open_request(wallet, learner, asked).text
    answer = share(wallet, learner, page, password="not my password")
    assert answer.status_code == 400
    assert "That password is not right. Nothing was sent." in answer.text
    assert status(asked) == "pending"


def test_a_pick_that_does_not_answer_is_refused(live, learner):
    wallet, verifier = live
    asked = make_request(verifier)
    page = open_request(wallet, learner, asked).text
    answer = share(wallet, learner, page, picks={"pick-credential": ["999999"]})
    assert answer.status_code == 400
    assert "Choose credentials that answer the request. Nothing was sent." in answer.text
    assert status(asked) == "pending"


def test_decline_tells_the_verifier(live, learner):
    wallet, verifier = live
    asked = make_request(verifier)
    page = open_request(wallet, learner, asked).text
    form = {**hidden_fields(page), "action": "decline"}
    declined = learner.session.post(wallet.url + "/oid4vp/answer", data=form, timeout=10)
    assert declined.status_code == 200
    assert "Nothing was shared with" in declined.text
    assert status(asked) == "declined"
    assert "The learner declined this request." in requests.get(asked.page_url, timeout=10).text


def test_employer_form_explains_a_bad_query(live):
    _wallet, verifier = live
    response = requests.post(
        verifier.url + "/verify/requests/",
        data={"verifier_name": "Acme", "preset": "custom", "dcql": '{"credentials": []}'},
        timeout=10,
    )
    assert response.status_code == 400
    assert "This query cannot be used: The query needs a non-empty" in response.text


def test_free_dcql_query_is_used_as_written(live, learner):
    wallet, verifier = live
    query = {
        "credentials": [
            {
                "id": "badge",
                "format": "ldp_vc",
                "meta": {"type_values": [["OpenBadgeCredential"]]},
                "claims": [
                    {
                        "path": ["credentialSubject", "achievement", "name"],
                        "values": ["Data Analysis Basics"],
                    }
                ],
            }
        ]
    }
    asked = make_request(verifier, preset="custom", dcql=json.dumps(query))
    page = open_request(wallet, learner, asked).text
    assert checked_picks(page) == {"pick-badge": [str(learner.credential_id)]}
    assert share(wallet, learner, page).status_code == 200
    result = requests.get(asked.page_url, timeout=10).text
    assert "nonce matches; audience matches; query satisfied" in result


# -- the wallet's own pages -----------------------------------------------------------------------
def test_verifier_inside_the_wallet_opens_the_wallet_on_the_same_device(oid4vp_app):
    client = oid4vp_app.test_client()
    created = client.post(
        "/verify/requests/", data={"verifier_name": "Acme", "preset": "any", "purpose": ""}
    )
    assert created.status_code == 303
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    assert 'href="/oid4vp/authorize?client_id=redirect_uri%3Ahttp' in page


def test_pasted_link_opens_the_request(oid4vp_app, user):
    ada = user()
    client = oid4vp_app.test_client()
    client.post("/auth/login", data={"email": ada.email, "password": ada.password})
    link = "openid4vp://?client_id=redirect_uri%3Ahttps%3A%2F%2Fv.example%2Fa&request_uri=https%3A%2F%2Fv.example%2Fr"
    opened = client.post("/oid4vp/", data={"link": link})
    assert opened.status_code == 303
    assert opened.headers["Location"] == (
        "/oid4vp/authorize?request_uri=https%3A%2F%2Fv.example%2Fr"
        "&client_id=redirect_uri%3Ahttps%3A%2F%2Fv.example%2Fa"
    )
    refused = client.post("/oid4vp/", data={"link": "hello"})
    assert refused.status_code == 400
    assert "This is not a presentation request link." in refused.get_data(as_text=True)


def test_wallet_pages_need_a_login(oid4vp_app):
    client = oid4vp_app.test_client()
    response = client.get("/oid4vp/authorize?request_uri=https%3A%2F%2Fv.example%2Fr")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_sd_jwt_is_presented_with_key_binding_disclosing_only_what_was_asked(live, learner):
    wallet, verifier = live
    issuer = KeyPair.generate("Ed25519")
    trust_everywhere(
        issuer, wallet.app.config["VERIFIER_HOME"], verifier.app.config["VERIFIER_HOME"]
    )
    holder = multikey_decode(learner.holder_did.removeprefix("did:key:"))
    token = issue_sd_jwt(
        {"name": "Welding Safety", "given_name": "Ada", "family_name": "Lovelace"},
        disclose=["given_name", "family_name"],
        issuer_key=issuer,
        vct=MICRO,
        iss=issuer.controller,
        iat=datetime.now(UTC) - timedelta(days=1),
        holder_jwk=public_key_to_jwk(holder),
    )
    sd_id = give(wallet.app, learner.id, token.encode())
    query = {
        "credentials": [
            {
                "id": "micro",
                "format": "dc+sd-jwt",
                "meta": {"vct_values": [MICRO]},
                "claims": [{"path": ["given_name"]}],
            }
        ]
    }
    asked = make_request(verifier, preset="custom", dcql=json.dumps(query))
    page = open_request(wallet, learner, asked).text
    assert checked_picks(page) == {"pick-micro": [str(sd_id)]}
    assert "your given name" in page
    assert "From an SD-JWT credential, only the details asked for are shown." in page
    assert "received your signed presentation and accepted it" in share(wallet, learner, page).text
    result = requests.get(asked.page_url, timeout=10).text
    assert "nonce matches; audience matches; query satisfied" in result
    with verifier.app.app_context():
        store = RequestStore.for_config(verifier.app.config)
        with store.engine.connect() as connection:
            row = connection.execute(sa.select(requests_table)).one()
    (item,) = json.loads(row.answer)["items"]
    presented = SdJwt.parse(item["document"])
    assert presented.kb_jwt is not None
    assert presented.claims["given_name"] == "Ada"
    assert "family_name" not in presented.claims


def test_verifier_refusal_is_shown_to_the_learner(live, learner):
    """A badge the wallet trusts but the employer's verifier does not: refused, and said so."""
    wallet, verifier = live
    stranger = KeyPair.generate("Ed25519")
    trust_everywhere(stranger, wallet.app.config["VERIFIER_HOME"])  # the wallet only
    give(wallet.app, learner.id, badge(stranger, learner.holder_did, name="Statistics"))
    asked = make_request(verifier, preset="achievement", achievement="Statistics")
    page = open_request(wallet, learner, asked).text
    sent = share(wallet, learner, page)
    assert "received your presentation but did not accept it" in sent.text
    assert "did not pass verification" in sent.text
    assert status(asked) == "answered"
    result = requests.get(asked.page_url, timeout=10).text
    assert "nonce matches; audience matches; query satisfied" in result


def test_photo_of_the_qr_code_opens_the_request(oid4vp_app, user):
    ada = user()
    client = oid4vp_app.test_client()
    client.post("/auth/login", data={"email": ada.email, "password": ada.password})
    link = "openid4vp://?client_id=redirect_uri%3Ahttps%3A%2F%2Fv.example%2Fa&request_uri=https%3A%2F%2Fv.example%2Fr"

    def scan(data: bytes):
        return client.post(
            "/oid4vp/scan",
            data={"image": (io.BytesIO(data), "photo.jpg")},
            content_type="multipart/form-data",
        )

    opened = scan(qr_photo(link))
    assert opened.status_code == 303
    assert opened.headers["Location"].startswith(
        "/oid4vp/authorize?request_uri=https%3A%2F%2Fv.example%2Fr"
    )
    for data, message in (
        (plain_jpeg(), "There is no request QR code in this picture."),
        (qr_png("https://example.org/not-a-request"), "There is no request QR code"),
        (b"\xff\xd8\xff not really a jpeg", "This picture cannot be read."),
        (b"", "Choose a photo or screenshot"),
    ):
        refused = scan(data)
        assert refused.status_code == 400
        assert message in refused.get_data(as_text=True)


def test_jwt_credential_is_presented_as_a_jwt_presentation(live, learner):
    wallet, verifier = live
    document = ob3_credential(learner.issuer.controller, name="Statistics")
    document["credentialSubject"]["id"] = learner.holder_did
    jwt_id = give(wallet.app, learner.id, issue_jwt(document, learner.issuer).encode())
    query = {
        "credentials": [
            {
                "id": "jwt",
                "format": "jwt_vc_json",
                "meta": {"type_values": [["OpenBadgeCredential"]]},
                "claims": [{"path": ["credentialSubject", "achievement", "name"]}],
            }
        ]
    }
    asked = make_request(verifier, preset="custom", dcql=json.dumps(query))
    page = open_request(wallet, learner, asked).text
    assert checked_picks(page) == {"pick-jwt": [str(jwt_id)]}
    assert "accepted it" in share(wallet, learner, page).text
    assert (
        "nonce matches; audience matches; query satisfied"
        in requests.get(asked.page_url, timeout=10).text
    )
    with verifier.app.app_context():
        store = RequestStore.for_config(verifier.app.config)
        with store.engine.connect() as connection:
            row = connection.execute(sa.select(requests_table)).one()
    (item,) = json.loads(row.answer)["items"]
    presentation = Presentation.from_json(item["document"])
    assert presentation.format == "jwt_vp"
    assert presentation.jwt_claims["nonce"] == row.nonce
    assert presentation.jwt_claims["aud"] == row.client_id
