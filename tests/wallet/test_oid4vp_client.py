"""The wallet's OpenID4VP network code against a small live server that serves whatever request
object a test wants: what it accepts, and every request it refuses, with the reason."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest
from flask import Flask, Response

from tests.wallet.oid4vp_support import serve
from wallet.oid4vp.client import Link, RequestProblem, fetch_request, parse_link

DCQL = {
    "credentials": [
        {"id": "c", "format": "ldp_vc", "meta": {"type_values": [["VerifiableCredential"]]}}
    ]
}


def part(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


class Verifier:
    """Serves ``body`` at ``/r`` with ``status``; the response URI is ``/answer``."""

    def __init__(self) -> None:
        self.body = ""
        self.status = 200
        self.app = Flask(__name__)
        self.app.add_url_rule("/r", "r", lambda: Response(self.body, status=self.status))
        self.url = ""

    def claims(self, **changes) -> dict:
        client_id = f"redirect_uri:{self.url}/answer"
        claims = {
            "response_type": "vp_token",
            "response_mode": "direct_post",
            "client_id": client_id,
            "response_uri": f"{self.url}/answer",
            "nonce": "n" * 43,
            "state": "s1",
            "dcql_query": DCQL,
            "client_metadata": {"client_name": "Acme"},
        }
        claims.update(changes)
        return {k: v for k, v in claims.items() if v is not None}

    def serve_claims(self, header=None, signature="", **changes) -> None:
        header = header or {"alg": "none", "typ": "oauth-authz-req+jwt"}
        self.body = f"{part(header)}.{part(self.claims(**changes))}.{signature}"


@pytest.fixture
def verifier() -> Iterator[Verifier]:
    fake = Verifier()
    with serve(fake.app) as live:
        fake.url = live.url
        yield fake


@pytest.fixture
def wallet() -> Iterator[Flask]:
    app = Flask(__name__)
    app.config["OID4VP_ALLOW_HTTP_LOCALHOST"] = True
    with app.app_context():
        yield app


def fetch(verifier: Verifier, client_id: str | None = None):
    return fetch_request(Link(client_id, f"{verifier.url}/r"))


def test_a_good_request_is_read(wallet, verifier):
    verifier.serve_claims()
    request = fetch(verifier, f"redirect_uri:{verifier.url}/answer")
    assert request.verifier_name == "Acme"
    assert request.nonce == "n" * 43
    assert request.response_host == verifier.url.removeprefix("http://")
    assert [q.id for q in request.query.credentials] == ["c"]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"header": {"alg": "ES256"}, "signature": "c2ln"}, "signed"),
        ({"response_type": "code"}, "malformed"),
        ({"response_mode": "fragment"}, "malformed"),
        ({"nonce": "short"}, "malformed"),
        ({"client_id": "x509_san_dns:acme.example"}, "client_id"),
        ({"response_uri": "http://127.0.0.1:1/elsewhere"}, "client_id"),
        ({"dcql_query": {"credentials": []}}, "query"),
        ({"exp": 1000}, "gone"),
    ],
    ids=[
        "signed",
        "not-vp-token",
        "not-direct-post",
        "short-nonce",
        "other-prefix",
        "answer-elsewhere",
        "bad-query",
        "expired",
    ],
)
def test_requests_the_wallet_refuses(wallet, verifier, changes, code):
    verifier.serve_claims(**changes)
    with pytest.raises(RequestProblem) as problem:
        fetch(verifier)
    assert problem.value.code == code


def test_link_and_request_must_name_the_same_verifier(wallet, verifier):
    verifier.serve_claims()
    with pytest.raises(RequestProblem, match="different verifiers"):
        fetch(verifier, "redirect_uri:https://evil.example/answer")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("not a jwt", 200, "malformed"),
        ('{"error": "invalid_request_uri", "error_description": "expired"}', 410, "gone"),
        ("", 500, "unreachable"),
        ("x" * 200_000, 200, "too_large"),
    ],
)
def test_what_the_server_answers(wallet, verifier, body, status, code):
    verifier.body, verifier.status = body, status
    with pytest.raises(RequestProblem) as problem:
        fetch(verifier)
    assert problem.value.code == code


def test_plain_http_is_refused_unless_allowed_for_this_machine(wallet, verifier):
    verifier.serve_claims()
    wallet.config["OID4VP_ALLOW_HTTP_LOCALHOST"] = False
    with pytest.raises(RequestProblem) as problem:
        fetch(verifier)
    assert problem.value.code == "insecure"
    wallet.config["DEMO"] = True  # the demo wallet serves on http://localhost
    assert fetch(verifier).verifier_name == "Acme"


def test_private_addresses_are_not_contacted(wallet):
    with pytest.raises(RequestProblem) as problem:
        fetch_request(Link(None, "https://10.0.0.1/r"))
    assert problem.value.code == "private_address"


def test_parse_link():
    link = parse_link(
        " openid4vp://?client_id=redirect_uri%3Ahttps%3A%2F%2Fv.example%2Fa"
        "&request_uri=https%3A%2F%2Fv.example%2Fr "
    )
    assert link == Link("redirect_uri:https://v.example/a", "https://v.example/r")
    with pytest.raises(RequestProblem) as by_value:
        parse_link("openid4vp://?client_id=x&dcql_query=%7B%7D")
    assert by_value.value.code == "by_value"
    with pytest.raises(RequestProblem) as nothing:
        parse_link("hello")
    assert nothing.value.code == "not_a_request"


def test_unreachable_verifier(wallet):
    with pytest.raises(RequestProblem) as problem:
        fetch_request(Link(None, "http://127.0.0.1:1/r"))
    assert problem.value.code == "unreachable"
