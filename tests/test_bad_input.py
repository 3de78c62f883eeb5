"""Bad input gives a failed check or a clear message naming the problem, never a traceback,
and verification never opens a socket."""

from __future__ import annotations

import json
import socket

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import NOW, ob3_credential
from verifier import Outcome, Status, verify, verify_credential
from verifier.issuing import issue_ldp


def format_message(report) -> str:
    check = report.check("format")
    assert check.status is Status.FAILED, report.to_json()
    return check.message


@pytest.mark.parametrize(
    "data,needle",
    [
        (b"not json at all {", "not valid JSON"),
        (b"[1, 2, 3]", "not an object"),
        (b'"just a string"', "JWS"),
        (
            json.dumps({"@context": ["https://example.org/ctx"], "type": ["X"]}).encode(),
            "not the W3C Verifiable Credentials context",
        ),
        (
            json.dumps(
                {
                    "@context": ["https://www.w3.org/ns/credentials/v2"],
                    "type": ["VerifiableCredential"],
                    "credentialSubject": {},
                }
            ).encode(),
            "names no issuer",
        ),
        (
            json.dumps(
                {
                    "@context": ["https://www.w3.org/ns/credentials/v2"],
                    "type": "Diploma",
                    "issuer": "did:example:1",
                    "credentialSubject": {},
                }
            ).encode(),
            "VerifiableCredential",
        ),
        (b"\xff\xfe\x00garbage", "UTF-8"),
        (b"[" * 10_000 + b"]" * 10_000, "nests more than"),
        (b"eyJhbGciOiJFUzI1NiJ9.bm90IGpzb24.c2ln", "JSON"),
    ],
)
def test_unreadable_documents_fail_format_with_a_reason(data, needle):
    report = verify(data, now=NOW)
    assert needle in format_message(report)
    assert report.outcome is Outcome.NOT_GENUINE


def test_fifty_megabytes_is_refused():
    report = verify(b" " * (50 * 1024 * 1024) + b"{}", now=NOW)
    assert "MB" in format_message(report)


def test_wrong_curve_key_fails(issuer_key, trust):
    from verifier import KeyPair

    p256 = KeyPair.generate("P-256")
    cred = issue_ldp(
        ob3_credential(p256.controller), p256, cryptosuite="ecdsa-rdfc-2019", created=NOW
    )
    # claim the P-384 suite variant by swapping the key for one of another curve
    p384 = KeyPair.generate("P-384")
    cred["issuer"]["id"] = p384.controller
    cred["proof"]["verificationMethod"] = p384.verification_method
    report = verify_credential(cred, now=NOW, trust=trust)
    assert report.check("proof").status is Status.FAILED


def test_naive_now_is_a_programming_error():
    from datetime import datetime

    with pytest.raises(ValueError):
        verify(b"{}", now=datetime(2026, 1, 1))


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("verification tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_verification_opens_no_socket(no_network, issue_credential, trust):
    from verifier.issuing import status_entry

    cred = issue_credential(
        credentialStatus=status_entry("https://unknown.example/list", 3),
        credentialSchema=[{"id": "https://unknown.example/schema.json", "type": "JsonSchema"}],
    )
    cred_web = dict(cred)
    report = verify_credential(cred_web, now=NOW, trust=trust)
    assert report.check("status").status is Status.UNKNOWN
    unknown_context = {
        **ob3_credential("did:web:nowhere.example"),
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://nowhere.example/context.json",
        ],
    }
    assert verify(unknown_context, now=NOW).check("format").status is Status.FAILED
    web = {
        **cred,
        "proof": {**cred["proof"], "verificationMethod": "did:web:nowhere.example#key-1"},
    }
    assert verify(web, now=NOW).check("proof").status is Status.UNKNOWN


LEAVES = st.sampled_from(
    [
        "name",
        "validFrom",
        "issuer.name",
        "credentialSubject.id",
        "credentialSubject.achievement.name",
        "credentialSubject.achievement.description",
        "credentialSubject.achievement.criteria.narrative",
        "proof.created",
        "proof.proofValue",
    ]
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=LEAVES, suffix=st.text(min_size=1, max_size=5))
def test_changing_any_leaf_of_a_signed_credential_fails(issue_credential, trust, path, suffix):
    cred = issue_credential()
    node = cred
    *parents, leaf = path.split(".")
    for p in parents:
        node = node[p]
    original = node[leaf]
    if leaf in ("validFrom", "created"):
        node[leaf] = original.replace("2026", "2025")
    else:
        node[leaf] = original + suffix
    report = verify_credential(cred, now=NOW, trust=trust)
    assert report.outcome is Outcome.NOT_GENUINE, (path, report.to_json())


def test_too_deep_at_counts_brackets_exactly_at_the_limit():
    from verifier.credential import too_deep_at

    assert too_deep_at("[" * 5 + "]" * 5, 5) is None
    assert too_deep_at("[" * 6 + "]" * 6, 5) == (1, 6)
    assert too_deep_at('{"a": "[[[[[[[["}', 2) is None  # brackets in strings do not nest
    assert too_deep_at("[[],[],[],[]]", 2) is None  # many brackets, shallow
    assert too_deep_at("[\n [\n  [\n", 2) == (3, 3)
