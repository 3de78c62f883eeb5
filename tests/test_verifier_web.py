"""The employer's verifier pages: every way in, the results page, the kept report, bad input."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.formparser import FormDataParser
from werkzeug.test import encode_multipart

from tests.ob2_factory import LEARNER, Ob2Issuer
from tests.verifier_web_support import (
    compressed,
    credential,
    fake_wallet,
    jwt_credential,
    presentation,
    qr_png,
    verifier_app,
)
from verifier import DocumentCache, KeyPair
from verifier.baking import bake_png
from verifier.web.export import sign
from verifier.web.forms import FormParser

VERIFIED = "Verified: every check passed."
NOT_GENUINE = "Not genuine: this document was altered or was not issued as it claims."


@pytest.fixture
def issuer() -> KeyPair:
    return KeyPair.generate("Ed25519")


@pytest.fixture
def holder() -> KeyPair:
    return KeyPair.generate("Ed25519")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "verifier"


@pytest.fixture
def app(home: Path, issuer: KeyPair) -> Flask:
    return verifier_app(home, issuer)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def text_of(response) -> str:
    """The page's text without tags, whitespace collapsed."""
    html = response.get_data(as_text=True)
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#39;", "'").split())


def verdict(response) -> str:
    found = re.search(r'data-verdict="([a-z_]+)"', response.get_data(as_text=True))
    assert found, text_of(response)[:500]
    return found.group(1)


def upload(client: FlaskClient, url: str, field: str, data: bytes, name: str = "file"):
    # Encoded here: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart({field: FileStorage(io.BytesIO(data), name)})
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


# -- the form ----------------------------------------------------------------------------------
def test_the_front_page_offers_every_way_in(client):
    assert client.get("/").headers["Location"].endswith("/verify/")
    page = client.get("/verify/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for action in ("/verify/paste", "/verify/upload", "/verify/qr", "/verify/link"):
        assert f'action="{action}"' in html
    assert "jsQR.js" in html and "verifier-camera.js" in html
    assert "data-camera hidden" in html  # shown by the script only where a camera can work


def test_pages_carry_the_wallets_security_headers(client):
    headers = client.get("/verify/").headers
    csp = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp
    from wallet.security import CONTENT_SECURITY_POLICY as WALLET_POLICY

    assert csp == WALLET_POLICY  # one policy for the wallet and the standalone verifier
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Permissions-Policy"].startswith("camera=(self)")


def test_forms_need_their_csrf_token(home, issuer):
    app = verifier_app(home, issuer, WTF_CSRF_ENABLED=True)
    response = app.test_client().post("/verify/paste", data={"text": "{}"})
    assert response.status_code == 400
    assert "form has expired" in text_of(response)


# -- ways in -----------------------------------------------------------------------------------
def test_a_pasted_presentation_is_verified_with_its_holder_binding(client, issuer, holder):
    vp = presentation(issuer, holder, 3)
    response = client.post("/verify/paste", data={"text": json.dumps(vp)})
    assert response.status_code == 200
    assert verdict(response) == "verified"
    page = text_of(response)
    assert VERIFIED in page
    assert "A presentation holding 3 credentials, from pasted text" in page
    for title in ("Course 1", "Course 2", "Course 3"):
        assert title in page
    assert "Holder's signature ✓ Passed" in page
    assert "Holder is the subject ✓ Passed" in page
    assert "No challenge was requested." in page
    assert "Demo University" in page


def test_a_pasted_credential_shows_its_summary(client, issuer):
    doc = credential(issuer)
    page = text_of(client.post("/verify/paste", data={"text": json.dumps(doc)}))
    assert "A single credential, from pasted text" in page
    assert "Data Analysis Basics" in page and VERIFIED in page
    assert "EU standard elements of a micro-credential" in page
    assert "ECTS credits" in page and "Skills" in page


def test_a_pasted_jwt_credential_is_verified(client, issuer):
    response = client.post("/verify/paste", data={"text": jwt_credential(issuer)})
    assert verdict(response) == "verified"


def test_a_pasted_compressed_qr_payload_is_inflated_and_verified(client, issuer, holder):
    vp = json.dumps(presentation(issuer, holder, 1)).encode()
    response = client.post("/verify/paste", data={"text": compressed(vp)})
    assert verdict(response) == "verified"


def test_an_uploaded_file_is_verified(client, issuer, holder):
    vp = json.dumps(presentation(issuer, holder, 2)).encode()
    response = upload(client, "/verify/upload", "document", vp, "share.json")
    assert verdict(response) == "verified"
    assert "from an uploaded file" in text_of(response)


def test_an_uploaded_baked_badge_image_is_verified(client, issuer):
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(picture, format="PNG")
    baked = bake_png(picture.getvalue(), json.dumps(credential(issuer)), ob3=True)
    response = upload(client, "/verify/upload", "document", baked, "badge.png")
    assert verdict(response) == "verified"


def test_an_uploaded_picture_of_a_qr_code_is_read(client, issuer):
    text = compressed(json.dumps(credential(issuer)).encode())
    response = upload(client, "/verify/upload", "document", qr_png(text), "photo.png")
    assert verdict(response) == "verified"
    assert "from a picture of a QR code" in text_of(response)


def test_a_qr_image_holding_a_presentation_is_verified(client, issuer, holder):
    text = compressed(json.dumps(presentation(issuer, holder, 1)).encode())
    response = upload(client, "/verify/qr", "image", qr_png(text), "qr.png")
    assert verdict(response) == "verified"


def test_a_camera_scan_is_named_as_such(client, issuer):
    text = compressed(json.dumps(credential(issuer)).encode())
    response = client.post("/verify/paste", data={"text": text, "source": "camera"})
    assert verdict(response) == "verified"
    assert "from a QR code scanned with the camera" in text_of(response)


# -- share links -------------------------------------------------------------------------------
def test_a_share_link_is_opened_and_bound_to_its_challenge_and_origin(client, issuer, holder):
    with fake_wallet() as wallet:
        link = wallet.share("A" * 43, holder, issuer)
        response = client.post("/verify/link", data={"url": link})
    assert verdict(response) == "verified", text_of(response)
    page = text_of(response)
    assert "Challenge ✓ Passed" in page and "Domain ✓ Passed" in page
    assert "from a share link" in page
    assert wallet.hits == [f"/s/{'A' * 43}/presentation"]


def test_a_share_link_with_a_pin_needs_the_right_pin(client, issuer, holder):
    with fake_wallet() as wallet:
        link = wallet.share("B" * 43, holder, issuer, pin="4711")
        missing = client.post("/verify/link", data={"url": link})
        wrong = client.post("/verify/link", data={"url": link, "pin": "1234"})
        right = client.post("/verify/link", data={"url": link, "pin": "4711"})
    assert missing.status_code == 400
    assert "This link has a PIN" in text_of(missing)
    assert "The PIN is not right" in text_of(wrong)
    assert verdict(right) == "verified"


def test_a_presentation_replayed_under_another_link_fails_its_challenge(client, issuer, holder):
    with fake_wallet() as wallet:
        link = wallet.share("C" * 43, holder, issuer, challenge="made-for-another-link")
        response = client.post("/verify/link", data={"url": link})
    assert verdict(response) == "not_genuine"
    assert "Challenge ✗ Failed" in text_of(response)


def test_an_expired_or_unknown_link_says_it_does_not_work(client):
    with fake_wallet() as wallet:
        response = client.post("/verify/link", data={"url": wallet.link("D" * 43)})
    assert response.status_code == 400
    assert "This link does not work" in text_of(response)


def test_a_share_link_pasted_or_in_a_qr_code_is_opened(client, issuer, holder):
    with fake_wallet() as wallet:
        link = wallet.share("E" * 43, holder, issuer)
        pasted = client.post("/verify/paste", data={"text": link})
        scanned = upload(client, "/verify/qr", "image", qr_png(link), "qr.png")
    assert verdict(pasted) == "verified" and verdict(scanned) == "verified"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://wallet.example/s/" + "F" * 43, "Only https links are opened"),
        ("https://wallet.example/portfolio/3", "This is not a wallet share link"),
        ("ftp://wallet.example/s/" + "F" * 43, "A share link starts with https://"),
        ("https://user:pw@wallet.example/s/" + "F" * 43, "user name or password"),
        ("https://127.0.0.1:1/s/" + "F" * 43, "cannot be reached"),
    ],
)
def test_links_the_verifier_will_not_or_cannot_open(client, url, message):
    response = client.post("/verify/link", data={"url": url})
    assert response.status_code == 400
    assert message in text_of(response)


# -- tampering ---------------------------------------------------------------------------------
def test_a_tampered_credential_in_a_presentation_fails(client, issuer, holder):
    vp = presentation(issuer, holder, 3)
    vp["verifiableCredential"][1]["credentialSubject"]["achievement"]["name"] = "Course 9"
    response = client.post("/verify/paste", data={"text": json.dumps(vp)})
    assert verdict(response) == "not_genuine"
    html = response.get_data(as_text=True)
    sections = html.split('data-credential="')[1:]
    assert "Course 9" in sections[1] and NOT_GENUINE in sections[1]
    assert 'class="check check--failed" data-check="proof"' in sections[1]
    assert VERIFIED in sections[0] and VERIFIED in sections[2]  # the others are genuine
    assert "At least one credential presented did not pass" not in html  # English: exact words
    assert "Credentials presented" in html


def test_changing_any_byte_of_a_compressed_payload_never_verifies(client, issuer):
    text = compressed(json.dumps(credential(issuer)).encode())
    for position in (10, len(text) // 2, len(text) - 3):
        swapped = "0" if text[position] != "0" else "1"
        tampered = text[:position] + swapped + text[position + 1 :]
        response = client.post("/verify/paste", data={"text": tampered})
        assert VERIFIED not in text_of(response)
        assert response.status_code in (200, 400, 422)


# -- results: downloads, recipient, languages --------------------------------------------------
def _token(response) -> str:
    return re.search(r'name="report" value="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_the_report_downloads_as_json_with_elm_verification_checks(client, issuer, holder):
    vp = json.dumps(presentation(issuer, holder, 2)).encode()
    token = _token(client.post("/verify/paste", data={"text": vp.decode()}))
    response = client.post("/verify/report", data={"report": token, "format": "json"})
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    report = response.get_json()
    assert report["verified"] is True and report["source"] == "paste"
    assert len(report["credentials"]) == 2
    checks = report["credentials"][0]["verificationChecks"]
    assert {c["type"] for c in checks} == {"VerificationCheck"}
    seal = next(c for c in checks if c["checkId"] == "proof")
    assert seal["dcType"]["id"] == "http://data.europa.eu/snb/verification/f9c2016fe9"
    assert seal["verificationStatus"]["prefLabel"] == {"en": "OK"}
    owner = [c for c in report["verificationChecks"] if c["checkId"] == "holder_binding"]
    assert owner[0]["dcType"]["prefLabel"] == {"en": "Owner"}


def test_the_downloaded_checks_are_described_in_the_language_of_the_page(client, issuer):
    doc = json.dumps(credential(issuer))
    page = client.post("/verify/paste", data={"text": doc}, headers={"Accept-Language": "pl"})
    # Downloaded from a browser that now prefers English: the page it came from was Polish.
    response = client.post("/verify/report", data={"report": _token(page), "format": "json"})
    seal = next(c for c in response.get_json()["verificationChecks"] if c["checkId"] == "proof")
    assert seal["description"]["en"].startswith("The signature (eddsa-rdfc-2022) matches")
    assert seal["description"]["pl"] and seal["description"]["pl"] != seal["description"]["en"]


def test_the_report_downloads_as_a_printable_page(client, issuer):
    token = _token(client.post("/verify/paste", data={"text": json.dumps(credential(issuer))}))
    response = client.post("/verify/report", data={"report": token, "format": "html"})
    assert response.mimetype == "text/html"
    page = text_of(response)
    assert "Verification report" in page and VERIFIED in page and "Data Analysis Basics" in page


def test_the_report_downloads_over_https_from_a_page_sent_without_referrer(home, issuer):
    """A share page is served with ``Referrer-Policy: no-referrer``; its download form still
    works over HTTPS with CSRF on, because the download changes nothing (the report is
    signed by this server), while the forms that verify keep their CSRF protection."""
    app = verifier_app(home, issuer, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    https = {"base_url": "https://verifier.example"}
    page = client.get("/verify/", **https).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    document = json.dumps(credential(issuer))
    answer = client.post(
        "/verify/paste",
        data={"text": document, "csrf_token": csrf},
        headers={"Referer": "https://verifier.example/verify/"},
        **https,
    )
    token = _token(answer)
    response = client.post("/verify/report", data={"report": token, "format": "json"}, **https)
    assert response.status_code == 200 and response.get_json()["verified"] is True
    refused = client.post("/verify/paste", data={"text": document, "csrf_token": csrf}, **https)
    assert refused.status_code == 400


def test_a_forged_report_is_not_downloaded(client, app):
    with app.test_request_context():
        forged = sign({"kind": "credential", "verified": True}) + "x"
    response = client.post("/verify/report", data={"report": forged, "format": "json"})
    assert response.status_code == 400
    assert "expired or was not made here" in text_of(response)


def test_a_hashed_recipient_is_compared_with_a_typed_address(home, issuer):
    badges = Ob2Issuer(DocumentCache.open(home / "cache"))
    app = verifier_app(home, issuer)
    client = app.test_client()
    response = client.post("/verify/paste", data={"text": badges.signed()})
    assert "Is this badge issued to the person in front of you?" in text_of(response)
    token = _token(response)
    yes = client.post("/verify/recipient", data={"report": token, "index": 0, "email": LEARNER})
    no = client.post(
        "/verify/recipient", data={"report": token, "index": 0, "email": "someone@example.org"}
    )
    assert f"Issued to a hashed e-mail that matches {LEARNER}." in text_of(yes)
    assert "Issued to a hashed e-mail that does not match someone@example.org." in text_of(no)


def test_the_page_speaks_polish_and_keeps_the_english_message(client, issuer):
    doc = json.dumps(credential(issuer))
    response = client.post("/verify/paste", data={"text": doc}, headers={"Accept-Language": "pl"})
    html = response.get_data(as_text=True)
    assert '<html lang="pl">' in html
    assert 'class="check-english" lang="en">The signature (eddsa-rdfc-2022) matches' in html


def test_pages_in_turn_in_each_language_keep_their_own_words(client, issuer):
    """The check tables are rendered once per language and kept: each page still gets its own."""
    doc = json.dumps(credential(issuer))
    for language, passed in (("en", "✓ Passed"), ("pl", "✓ Pomyślnie"), ("en", "✓ Passed")):
        page = text_of(
            client.post("/verify/paste", data={"text": doc}, headers={"Accept-Language": language})
        )
        assert passed in page
        assert ("✓ Pomyślnie" in page) is (language == "pl")


def test_an_outcome_with_an_unmade_check_never_says_verified(client, holder):
    stranger = KeyPair.generate("Ed25519")  # not in the trust store
    vp = presentation(stranger, holder, 2)
    response = client.post("/verify/paste", data={"text": json.dumps(vp)})
    assert verdict(response) == "cannot_check"
    page = text_of(response)
    assert "Not verified" in page and VERIFIED not in page
    assert "Issuer is trusted ? Could not check" in page


# -- bad input ---------------------------------------------------------------------------------
def test_a_qr_code_of_random_text_is_explained(client):
    response = upload(client, "/verify/qr", "image", qr_png("hello, this is lunch"), "qr.png")
    assert response.status_code == 422
    assert "not a credential or a presentation the verifier can read" in text_of(response)


def test_a_picture_without_a_qr_code_is_explained(client):
    blank = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(blank, format="PNG")
    response = upload(client, "/verify/qr", "image", blank.getvalue(), "blank.png")
    assert response.status_code == 400
    assert "No QR code was found" in text_of(response)


def test_a_file_that_is_not_a_picture_is_refused_as_a_qr_image(client):
    response = upload(client, "/verify/qr", "image", b"%PDF-1.7 nothing", "scan.pdf")
    assert "This file is not a picture" in text_of(response)


def test_a_presentation_of_ten_thousand_credentials_is_refused_at_once(client, issuer, holder):
    vp = presentation(issuer, holder, 1)
    vp["verifiableCredential"] = [
        {"id": f"urn:uuid:{i}", "type": ["VerifiableCredential"]} for i in range(10_000)
    ]
    response = client.post("/verify/paste", data={"text": json.dumps(vp)})
    assert response.status_code == 400
    assert "carries 10000 credentials; this page checks at most 100" in text_of(response)
    vp["verifiableCredential"] = [credential(issuer, holder)] * 10_000  # over 10 MB as well
    response = upload(client, "/verify/upload", "document", json.dumps(vp).encode(), "x.json")
    assert response.status_code == 400
    assert "larger than 10 MB" in text_of(response)


def test_an_oversized_upload_is_refused(home, issuer):
    app = verifier_app(home, issuer, MAX_CONTENT_LENGTH=40 * 1024 * 1024)
    response = upload(
        app.test_client(),
        "/verify/upload",
        "document",
        b"{" + b" " * (11 * 1024 * 1024) + b"}",
        "big.json",
    )
    assert response.status_code == 400
    assert "larger than 10 MB" in text_of(response)


def test_a_request_over_the_size_cap_gets_a_plain_page(client, app):
    body = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/verify/paste", data=body, content_type="text/plain")
    assert response.status_code == 413
    assert "larger than the verifier accepts" in text_of(response)


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe\x00garbage\x80\x81",
        b"",
        b'{"@context": [',
        b"a.b.c",
        b"<?xml version='1.0'?><x/>",
        b"[" * 5000 + b"]" * 5000,
    ],
)
def test_unreadable_uploads_are_explained_without_a_traceback(client, data):
    response = upload(client, "/verify/upload", "document", data, "odd.bin")
    assert response.status_code in (400, 422)
    page = text_of(response)
    assert "Traceback" not in page
    assert "Choose a file" in page or "not a credential or a presentation" in page


def test_empty_paste_and_missing_files_are_explained(client):
    assert "Paste a credential" in text_of(client.post("/verify/paste", data={"text": "  "}))
    assert "Choose a file" in text_of(client.post("/verify/upload", data={}))
    assert "Choose a photo" in text_of(client.post("/verify/qr", data={}))
    assert "Paste the share link" in text_of(client.post("/verify/link", data={"url": ""}))


# -- the app -----------------------------------------------------------------------------------
def test_the_secret_is_made_once_and_shared_by_every_worker(home):
    first = verifier_app(home, SECRET_KEY=None).config["SECRET_KEY"]
    second = verifier_app(home, SECRET_KEY=None).config["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert (home / "secret_key").stat().st_mode & 0o777 == 0o600


def test_the_trust_store_is_read_again_when_it_changes(home, issuer):
    app = verifier_app(home)
    client = app.test_client()
    doc = json.dumps(credential(issuer))
    assert verdict(client.post("/verify/paste", data={"text": doc})) == "cannot_check"
    from tests.verifier_web_support import trust

    trust(home, issuer)
    assert verdict(client.post("/verify/paste", data={"text": doc})) == "verified"


def test_the_wallet_mounts_the_same_pages_at_verify(tmp_path, monkeypatch, issuer, holder):
    import wallet

    monkeypatch.setattr(
        wallet, "BLUEPRINTS", ("wallet.auth", "wallet.account", "wallet.i18n", "verifier.web")
    )
    instance = tmp_path / "instance"
    app = wallet.create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "WTF_CSRF_ENABLED": False,
            "INSTANCE_PATH": str(instance),
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
        }
    )
    from tests.verifier_web_support import trust

    trust(Path(app.config["VERIFIER_HOME"]), issuer)
    client = app.test_client()
    page = client.get("/verify/")
    assert page.status_code == 200 and "Learner Wallet" in text_of(page)
    vp = json.dumps(presentation(issuer, holder, 1))
    assert verdict(client.post("/verify/paste", data={"text": vp})) == "verified"


def test_inside_the_wallet_opening_share_links_is_rate_limited_too(tmp_path, monkeypatch):
    import wallet

    monkeypatch.setattr(wallet, "BLUEPRINTS", ("wallet.auth", "wallet.i18n", "verifier.web"))
    app = wallet.create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "WTF_CSRF_ENABLED": False,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "LINK_RATE_LIMIT": "2/minute",
        }
    )
    # An address of its own: the wallet's limiter counts per address across the test session.
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "192.0.2.77"
    url = {"url": "https://wallet.example/not-a-share"}
    assert [client.post("/verify/link", data=url).status_code for _ in range(3)] == [
        400,
        400,
        429,
    ]


def test_render_results_takes_a_heading_and_a_notice(app, issuer):
    from verifier.web.results import render_results
    from verifier.web.views import check

    with app.test_request_context("/verify/"):
        report = check(json.dumps(credential(issuer)).encode())
        html = render_results(
            report, source="oid4vp", heading="Answer to your request", notice="Sent by Ada's wallet"
        )
    assert "Answer to your request" in html and "Sent by Ada&#39;s wallet" in html
    assert "a presentation request (OpenID4VP)" in html


def test_verifier_serve_runs_the_app_over_its_home(tmp_path, monkeypatch):
    from verifier import cli

    served = {}
    monkeypatch.setattr(Flask, "run", lambda app, **kw: served.update(app=app, **kw))
    assert cli.main(["serve", "--home", str(tmp_path / "v"), "--port", "5099"]) == 0
    assert served["port"] == 5099 and served["host"] == "127.0.0.1"
    assert served["app"].config["VERIFIER_HOME"] == str(tmp_path / "v")
    assert "verify.index" in served["app"].view_functions


def test_an_uploaded_edc_xml_is_read_and_its_seal_checked(client):
    from lxml import etree

    from tests.tl_factory import elm2_presentation

    unsealed = etree.tostring(elm2_presentation(), xml_declaration=True, encoding="UTF-8")
    response = upload(client, "/verify/upload", "document", unsealed, "diploma.xml")
    assert response.status_code == 200
    assert verdict(response) == "not_genuine"
    html = response.get_data(as_text=True)
    assert 'class="check check--failed" data-check="proof"' in html
    assert "Diploma in Testing" in html


def test_verifying_a_qr_payload_needs_no_network(client, issuer, holder, monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("the verifier tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    text = compressed(json.dumps(presentation(issuer, holder, 3)).encode())
    assert verdict(client.post("/verify/paste", data={"text": text})) == "verified"


def test_opening_share_links_is_rate_limited_per_address(home, issuer):
    app = verifier_app(home, issuer, LINK_RATE_LIMIT="2/minute")
    client = app.test_client()
    url = {"url": "https://wallet.example/not-a-share"}
    assert client.post("/verify/link", data=url).status_code == 400
    assert client.post("/verify/link", data=url).status_code == 400
    third = client.post("/verify/link", data=url)
    assert third.status_code == 429
    assert "You have tried too many times" in text_of(third)
    assert client.post("/verify/paste", data={"text": "x"}).status_code != 429  # only links


def test_a_jwt_or_compressed_presentation_of_many_credentials_is_refused(client):
    import base64

    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    claims = {"vp": {"type": "VerifiablePresentation", "verifiableCredential": ["x.y.z"] * 500}}
    token = f"{part({'alg': 'EdDSA'})}.{part(claims)}.c2ln"
    for text in (token, compressed(token.encode())):
        response = client.post("/verify/paste", data={"text": text})
        assert response.status_code == 400
        assert "carries 500 credentials" in text_of(response)


def test_a_compressed_payload_that_inflates_too_far_is_refused(client):
    bomb = compressed(b"{" + b" " * (11 * 1024 * 1024) + b"}")
    response = client.post("/verify/paste", data={"text": bomb})
    assert response.status_code == 400
    assert "Unpacked, this QR code text is larger than 10 MB" in text_of(response)


def test_an_expired_credential_is_genuine_but_never_verified(client, issuer):
    doc = credential(issuer, validUntil="2026-02-01T00:00:00Z")
    response = client.post("/verify/paste", data={"text": json.dumps(doc)})
    assert verdict(response) == "expired"
    page = text_of(response)
    assert "Genuine, but it has expired." in page and VERIFIED not in page


def test_a_schema_not_held_offline_is_not_called_verified(client, issuer):
    schema = [{"id": "https://schemas.example/ob3.json", "type": "JsonSchema"}]
    doc = credential(issuer, credentialSchema=schema)
    response = client.post("/verify/paste", data={"text": json.dumps(doc)})
    assert verdict(response) == "verified_with_notes", text_of(response)
    page = text_of(response)
    assert "Genuine and valid, but not every check could be made" in page
    assert VERIFIED not in page


# -- forms ---------------------------------------------------------------------------------------
#: Pieces of URL-encoded bodies, well and badly formed: escapes, stray "%", raw line breaks.
FORM_PIECES = ("%", "=", "+", "&", "a", "F", "f", "3", "D", "0", "g", " ", "\n", "\r", "\x00")
FORM_ESCAPES = ("%3D", "%41", "%2b", "%c3%a9", "%ff", "%e2%82", "%3", "%=", "=3D", "%%", "\xe9")


def _form(parser: type[FormDataParser], body: bytes) -> list[tuple[str, str]] | str:
    try:
        _, form, _ = parser(cls=MultiDict).parse(
            io.BytesIO(body), "application/x-www-form-urlencoded", len(body), {}
        )
    except ValueError as error:
        return type(error).__name__
    return list(form.items(multi=True))


@given(st.lists(st.sampled_from(FORM_PIECES + FORM_ESCAPES), max_size=24).map("".join))
def test_a_form_reads_exactly_as_werkzeug_reads_it(text):
    body = text.encode("utf-8") + text.encode("latin-1", "replace")
    assert _form(FormParser, body) == _form(FormDataParser, body)


def test_gunicorn_settings_serve_the_verifier_and_freeze_the_loaded_app(monkeypatch):
    import gc
    import importlib.util

    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    monkeypatch.setenv("GUNICORN_ACCESS_LOG", "")
    path = Path(__file__).parents[1] / "verifier" / "web" / "gunicorn_conf.py"
    spec = importlib.util.spec_from_file_location("verifier_gunicorn_conf", path)
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    assert conf.wsgi_app == "verifier.web:create_app()"
    assert (conf.workers, conf.worker_class, conf.accesslog) == (3, "sync", None)
    try:
        conf.post_worker_init(None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
