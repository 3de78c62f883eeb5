"""Importing credentials: files (several at once), pasted text and QR codes, in every format.

Each test asserts what the learner sees (status, text on the page) and the rows afterwards.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.wallet import factories as f
from wallet.db import db
from wallet.importers.qr import (
    b45decode,
    b45encode,
    decode_presentation,
    encode_presentation,
    image_type,
    read_qr_codes,
)
from wallet.importers.service import ImportOutcome, import_bytes
from wallet.models import Credential, User

MB = 1024 * 1024


@pytest.fixture
def learner(user, auth):
    """A learner who is logged in."""
    person = user()
    auth.login()
    return person


@pytest.fixture
def home(app) -> Path:
    return Path(app.config["VERIFIER_HOME"])


def upload(client, *files: tuple[str, bytes], url: str = "/import/files", field: str = "files"):
    """Send files through one of the import forms, as a browser does."""
    values = MultiDict([(field, FileStorage(io.BytesIO(c), filename=n)) for n, c in files])
    # Encoded in memory: the test client spools large bodies to a file it never closes.
    boundary, body = encode_multipart(values)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def scan(client, content: bytes, name: str = "qr.png"):
    """Send a picture through the QR form."""
    return upload(client, (name, content), url="/import/qr", field="image")


def paste(client, text: str):
    return client.post("/import/paste", data={"text": text})


def stored(app, user_id: int | None = None) -> list[Credential]:
    """The credential rows, oldest first (detached, with their columns loaded)."""
    with app.app_context():
        query = select(Credential).order_by(Credential.id)
        if user_id is not None:
            query = query.where(Credential.user_id == user_id)
        rows = list(db.session.scalars(query))
        db.session.expunge_all()
        return rows


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Credential))


def still_logged_in(client) -> bool:
    return client.get("/import/").status_code == 200


# --- the page -------------------------------------------------------------------------------


def test_import_needs_login(client):
    response = client.get("/import/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?next=/import/"
    response = upload(client, ("badge.json", b"{}"))
    assert response.headers["Location"] == "/auth/login?next=/import/files"


def test_import_page_offers_three_ways_in(client, learner):
    response = client.get("/import/")
    assert response.status_code == 200
    page = response.text
    assert "Upload files" in page and "Paste text" in page and "Scan a QR code" in page
    assert re.search(r'<input id="files" name="files" type="file" multiple required', page)
    assert 'accept="image/*" capture="environment"' in page
    assert page.count('enctype="multipart/form-data"') == 2
    assert 'aria-current="page">Import</a>' in page
    assert "<script>" not in page.split("</head>")[1]  # no inline scripts


def test_every_form_carries_a_csrf_token(app, client, learner):
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/import/").text
    forms = re.findall(r"<form.*?</form>", page, re.S)
    assert len(forms) >= 3
    assert all('name="csrf_token"' in form for form in forms)
    response = paste(client, f.jwt_credential(f.new_key()))
    assert response.status_code == 400
    assert "This form has expired or was not sent from the wallet." in response.text
    assert count(app) == 0


# --- formats, by content --------------------------------------------------------------------

FORMATS = {
    "ob3_json_ld": (lambda k: f.ldp_bytes(k), "ldp_vc", "application/vc+ld+json"),
    "vc_jwt": (lambda k: f.jwt_credential(k).encode(), "jwt_vc", "application/vc+jwt"),
    "sd_jwt": (lambda k: f.sd_jwt_credential(k).encode(), "sd_jwt_vc", "application/dc+sd-jwt"),
    "baked_png": (lambda k: f.baked_png(f.ldp_bytes(k).decode()), "ldp_vc", "image/png"),
    "baked_svg": (lambda k: f.baked_svg(f.ldp_bytes(k).decode()), "ldp_vc", "image/svg+xml"),
    "baked_png_jwt": (lambda k: f.baked_png(f.jwt_credential(k)), "jwt_vc", "image/png"),
}


@pytest.mark.parametrize("kind", FORMATS)
def test_upload_each_format(app, client, learner, home, kind):
    make, fmt, media_type = FORMATS[kind]
    key = f.new_key()
    f.trust_issuer(home, key)
    data = make(key)
    response = upload(client, ("credential.bin", data))  # the name says nothing
    assert response.status_code == 200
    assert "Import results" in response.text
    assert "1 credential was added to your wallet." in response.text
    assert "Added to your wallet." in response.text
    assert "Verified" in response.text
    [row] = stored(app)
    assert row.user_id == learner.id
    assert row.original == data
    assert row.sha256 == hashlib.sha256(data).hexdigest()
    assert (row.format, row.media_type, row.channel) == (fmt, media_type, "file")
    assert row.filename == "credential.bin"
    assert row.outcome == "verified"
    assert row.title in response.text
    if fmt != "sd_jwt_vc":
        assert row.title == "Data Analysis Basics"
        assert row.issuer_name == "Demo University"
    assert row.issuer_id == key.controller
    assert row.report["checks"][0]["id"] == "format"


def test_file_name_does_not_decide_the_format(app, client, learner):
    key = f.new_key()
    upload(
        client, ("photo.png", f.ldp_bytes(key)), ("badge.json", f.baked_png(f.jwt_credential(key)))
    )
    assert [(r.filename, r.format, r.media_type) for r in stored(app)] == [
        ("photo.png", "ldp_vc", "application/vc+ld+json"),
        ("badge.json", "jwt_vc", "image/png"),
    ]


def test_open_badges_2_signed_and_baked(app, client, learner, home):
    issuer = f.ob2_issuer(home)
    data = f.baked_png(issuer.signed(), ob3=False)
    response = upload(client, ("robot.png", data))
    assert response.status_code == 200
    assert "Robot Builder" in response.text
    [row] = stored(app)
    assert (row.format, row.media_type, row.original) == ("ob2_signed", "image/png", data)
    assert row.title == "Robot Builder"
    assert row.issuer_name == "Demo Robotics Club"


@pytest.mark.parametrize(
    ("make", "outcome", "badge"),
    [
        (lambda k, h: f.tampered_bytes(k), "not_genuine", "Not genuine"),
        (lambda k, h: f.ldp_bytes(k, validUntil="2026-03-01T00:00:00Z"), "expired", "Expired"),
        (lambda k, h: f.revocable_bytes(k, 5), "revoked", "Revoked"),
        (lambda k, h: f.ldp_bytes(f.new_key()), "cannot_check", "Could not check"),
    ],
    ids=["not_genuine", "expired", "revoked", "untrusted_issuer"],
)
def test_a_credential_is_kept_whatever_its_status(app, client, learner, home, make, outcome, badge):
    key = f.new_key()
    f.trust_issuer(home, key)
    f.publish_status_list(home, key, revoked=(5,))
    data = make(key, home)
    response = upload(client, ("badge.json", data))
    assert response.status_code == 200
    assert badge in response.text
    assert "Added to your wallet." in response.text
    [row] = stored(app)
    assert (row.outcome, row.original) == (outcome, data)


# --- QR codes -------------------------------------------------------------------------------


@pytest.mark.parametrize("picture", [f.qr_png, f.qr_photo], ids=["screenshot", "photo"])
def test_qr_code_holding_a_credential(app, client, learner, home, picture):
    key = f.new_key()
    f.trust_issuer(home, key)
    token = f.jwt_credential(key)
    response = scan(client, picture(token), name="IMG_0042.jpg")
    assert response.status_code == 200
    assert "Data Analysis Basics" in response.text
    assert "Verified" in response.text
    [row] = stored(app)
    assert row.original == token.encode()  # the code's text, not the picture
    assert (row.channel, row.format, row.filename) == ("qr", "jwt_vc", "IMG_0042.jpg")


def test_qr_picture_uploaded_as_a_file_is_read_too(app, client, learner):
    token = f.jwt_credential(f.new_key())
    assert upload(client, ("scan.png", f.qr_png(token))).status_code == 200
    [row] = stored(app)
    assert (row.original, row.channel) == (token.encode(), "qr")


def test_qr_code_holding_a_link(app, client, learner):
    response = scan(client, f.qr_png("https://issuer.example.org/badges/42?lang=en"))
    assert response.status_code == 200
    assert (
        "This QR code holds a link to issuer.example.org; open it in your browser." in response.text
    )
    assert "Upload files" in response.text  # the form again
    assert count(app) == 0


def test_qr_code_holding_an_offer(app, client, learner):
    offer = "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fissuer.example%2Fo%2F1"
    response = scan(client, f.qr_png(offer))
    # Nothing is stored: the learner is sent to the offer page, which asks for consent.
    assert response.status_code == 303
    assert response.headers["Location"] == (
        "/oid4vc/offer?credential_offer_uri=https%3A%2F%2Fissuer.example%2Fo%2F1"
    )
    assert count(app) == 0


def test_qr_code_holding_a_compressed_presentation(app, client, learner, home):
    key, holder = f.new_key(), f.new_key()
    f.trust_issuer(home, key)
    badge = f.ldp_credential(key)
    token = f.jwt_credential(key, name="Statistics")
    text = f.compressed(f.presentation([badge, token], holder))
    assert text.startswith("VP1:")
    response = scan(client, f.qr_png(text))
    assert response.status_code == 200
    assert "This presentation holds 2 credentials." in response.text
    assert "2 credentials were added to your wallet." in response.text
    first, second = stored(app)
    # JSON-LD re-serialised (its proof covers the RDF, not the text); a JWT exactly as issued.
    assert json.loads(first.original) == badge
    assert first.original == json.dumps(badge, ensure_ascii=False, indent=2).encode()
    assert second.original == token.encode()
    assert [(r.channel, r.format, r.outcome) for r in (first, second)] == [
        ("qr", "ldp_vc", "verified"),
        ("qr", "jwt_vc", "verified"),
    ]


@pytest.mark.parametrize(
    ("image_format", "transparent"),
    [("PNG", False), ("PNG", True), ("JPEG", False), ("GIF", False), ("WEBP", False)],
    ids=["png", "transparent_png", "jpeg", "gif", "webp"],
)
def test_qr_codes_are_read_from_every_picture_format(image_format, transparent):
    text = "https://issuer.example.org/badges/42"
    assert image_type(f.qr_picture(text, image_format)) == image_format.lower()
    assert read_qr_codes(f.qr_picture(text, image_format, transparent=transparent)) == [text]


def test_picture_without_a_code(app, client, learner):
    response = scan(client, f.plain_jpeg(), name="cat.jpg")
    assert response.status_code == 400
    assert "No badge and no QR code found in this image." in response.text
    response = upload(client, ("blank.png", f.tiny_png()), ("blank.svg", f.TINY_SVG))
    assert response.status_code == 200
    assert response.text.count("No badge and no QR code found in this image.") == 2
    assert count(app) == 0


@pytest.mark.parametrize("side", [7_000, 10_000, 20_000], ids=["49MP", "100MP", "400MP"])
def test_decompression_bomb_is_refused(app, client, learner, side):
    bomb = f.decompression_bomb_png(side)
    assert len(bomb) < MB
    response = scan(client, bomb)
    assert response.status_code == 400
    assert "This picture is too large to read safely" in response.text
    response = upload(client, ("bomb.png", bomb))
    assert response.status_code == 200
    assert "This picture is too large to read safely" in response.text
    assert count(app) == 0
    assert still_logged_in(client)
    with client.session_transaction() as session:
        assert session["user_id"] == learner.id


def test_damaged_picture(app, client, learner):
    response = scan(client, b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x13" * 200, name="x.jpg")
    assert response.status_code == 400
    assert "This picture cannot be read" in response.text
    assert count(app) == 0


def test_qr_form_wants_a_picture(app, client, learner):
    response = scan(client, f.ldp_bytes(f.new_key()), name="badge.json")
    assert response.status_code == 400
    assert "This file is not a picture." in response.text
    response = client.post("/import/qr", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a photo or a screenshot of a QR code." in response.text
    assert count(app) == 0


# --- pasted text ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "fmt"),
    [
        (lambda k: f.ldp_bytes(k).decode(), "ldp_vc"),
        (f.jwt_credential, "jwt_vc"),
        (f.sd_jwt_credential, "sd_jwt_vc"),
    ],
    ids=["json_ld", "jwt", "sd_jwt"],
)
def test_paste_a_credential(app, client, learner, make, fmt):
    text = make(f.new_key())
    response = paste(client, f"\n  {text}\n\n")  # a copy brings white space along
    assert response.status_code == 200
    assert "Added to your wallet." in response.text
    [row] = stored(app)
    assert f'<h2 id="result-1">{row.title}</h2>' in response.text
    assert (row.original, row.format, row.channel, row.filename) == (
        text.encode(),
        fmt,
        "paste",
        None,
    )


def test_paste_a_compressed_presentation(app, client, learner):
    key, holder = f.new_key(), f.new_key()
    text = f.compressed(f.presentation([f.jwt_credential(key)], holder))
    response = paste(client, text)
    assert response.status_code == 200
    assert "This presentation holds 1 credential." in response.text
    [row] = stored(app)
    assert (row.channel, row.format) == ("paste", "jwt_vc")


def test_sd_jwt_presentation_keeps_the_sd_jwt_without_key_binding(app, client, learner):
    presented, without_binding = f.sd_jwt_presentation(f.new_key(), f.new_key())
    response = paste(client, presented)
    assert response.status_code == 200
    [row] = stored(app)
    assert row.original == without_binding.encode()
    assert row.format == "sd_jwt_vc"


def test_paste_text_that_is_not_a_credential(app, client, learner):
    response = paste(client, "Dear Ada, your certificate is attached.")
    assert response.status_code == 400
    assert "This is not a credential the wallet can read: The document is not valid JSON" in (
        response.text
    )
    assert ">Dear Ada, your certificate is attached.</textarea>" in response.text
    assert 'aria-invalid="true"' in response.text
    assert count(app) == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"name": "not a credential"}', "The credential has no @context."),
        ("[1, 2, 3]", "The document is JSON but not an object."),
        ("<html><body>Hello</body></html>", "This XML document is not a European Digital"),
        ("VP1:%%%", "it is damaged or incomplete"),
        ("VP1:" + b45encode(zlib.compress(b"\0" * (20 * MB))), "it is damaged or incomplete"),
    ],
    ids=["json_object", "json_array", "html", "bad_base45", "zlib_bomb"],
)
def test_paste_refusals_say_why(app, client, learner, text, message):
    response = paste(client, text)
    assert response.status_code == 400
    assert message in response.text
    assert count(app) == 0


def test_paste_an_offer_or_a_link(app, client, learner):
    offer = "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fissuer.example%2Fo%2F1"
    response = paste(client, offer)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/oid4vc/offer?credential_offer_uri=")
    request = "openid4vp://?client_id=redirect_uri%3Ahttps%3A%2F%2Fv.example%2Fr&request_uri=https%3A%2F%2Fv.example%2Freq%2F1"
    response = paste(client, request)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/oid4vp/authorize?request_uri=")
    response = paste(client, "https://badges.example.org/assertions/1.json")
    assert "This is a link to badges.example.org; open it in your browser." in response.text
    assert count(app) == 0


def test_paste_nothing(app, client, learner):
    response = paste(client, "   ")
    assert response.status_code == 400
    assert "Paste a credential or a credential offer into the box first." in response.text


# --- several files, duplicates, limits ------------------------------------------------------


def test_several_files_at_once_each_with_its_result(app, client, learner):
    key = f.new_key()
    badge = f.ldp_bytes(key)
    response = upload(
        client,
        ("badge.json", badge),
        ("notes.txt", b"Remember to ask for the transcript."),
        ("copy of badge.json", badge),
        ("statistics.jwt", f.jwt_credential(key, name="Statistics").encode()),
    )
    assert response.status_code == 200
    page = response.text
    for name in ("badge.json", "notes.txt", "copy of badge.json", "statistics.jwt"):
        assert f"<dd>{name}</dd>" in page
    assert page.count("Added to your wallet.") == 2
    assert page.count("This credential is already in your wallet.") == 1
    assert page.count("This is not a credential the wallet can read") == 1
    assert "2 credentials were added to your wallet." in page
    assert [(r.filename, r.title) for r in stored(app)] == [
        ("badge.json", "Data Analysis Basics"),
        ("statistics.jwt", "Data Analysis Basics"),
    ]


def test_duplicate_is_recognised_and_linked(app, client, user, auth):
    if "portfolio.detail" not in app.view_functions:  # links wait for the portfolio's page
        app.add_url_rule("/portfolio/<int:credential_id>", "portfolio.detail", lambda **_: "")
    user()
    auth.login()
    data = f.ldp_bytes(f.new_key())
    upload(client, ("badge.json", data))
    response = upload(client, ("again.json", data))
    assert response.status_code == 200
    assert "This credential is already in your wallet." in response.text
    assert "0 credentials were added to your wallet." in response.text
    [row] = stored(app)
    assert f'<a href="/portfolio/{row.id}">Open this credential</a>' in response.text
    assert row.filename == "badge.json"


def test_another_learner_does_not_see_it(app, client, user, auth):
    ada = user()
    bob = user(email="bob@example.org", display_name="Bob")
    data = f.ldp_bytes(f.new_key())
    auth.login()
    upload(client, ("badge.json", data))
    auth.logout()
    auth.login(email="bob@example.org")
    response = upload(client, ("badge.json", data))
    assert "Added to your wallet." in response.text  # his own copy, not "already in"
    assert "already in your wallet" not in response.text
    [adas] = stored(app, ada.id)
    [bobs] = stored(app, bob.id)
    assert adas.id != bobs.id
    assert f"/portfolio/{adas.id}" not in response.text
    assert "<dd>1</dd>" in client.get("/account/").text  # his count: one credential


def test_no_file_chosen(app, client, learner):
    response = client.post("/import/files", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose at least one file to import." in response.text
    response = upload(client, ("", b""))  # what a browser sends when nothing was chosen
    assert response.status_code == 400


def test_empty_file(app, client, learner):
    response = upload(client, ("empty.json", b""))
    assert response.status_code == 200
    assert "This is empty: there is nothing in it to import." in response.text
    assert count(app) == 0


def test_upload_larger_than_the_request_limit(app, client, learner):
    response = upload(client, ("huge.json", b"{" + b" " * (31 * MB)))
    assert response.status_code == 413
    assert "Too large" in response.text
    assert count(app) == 0
    assert still_logged_in(client)


def test_file_larger_than_the_import_limit(app, client, learner):
    app.config["IMPORT_MAX_BYTES"] = 1 * MB
    response = upload(
        client, ("big.json", b"{" + b" " * (MB + 10)), ("badge.json", f.ldp_bytes(f.new_key()))
    )
    assert response.status_code == 200
    assert "This is larger than 1 MB, so it was not imported." in response.text
    assert [r.filename for r in stored(app)] == ["badge.json"]


def test_unreadable_bytes_store_nothing(app, client, learner):
    before = count(app)
    response = upload(client, ("data.bin", bytes(range(256)) * 4), ("x.pdf", b"%PDF-1.7\n\xe2\xe3"))
    assert response.status_code == 200
    assert response.text.count("This is not a credential the wallet can read") == 2
    assert "The document is not UTF-8 text." in response.text
    assert count(app) == before


def test_title_with_markup_is_kept_and_shown_as_text(app, client, learner):
    title = "<script>alert(1)</script>"
    subject = f.ob3_document(f.new_key())["credentialSubject"]
    subject["achievement"]["name"] = title
    response = upload(
        client, ("x.json", f.ldp_bytes(f.new_key(), name=title, credentialSubject=subject))
    )
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert title not in response.text
    [row] = stored(app)
    assert row.title == title


def test_database_error_loses_that_file_only(app, client, learner, monkeypatch):
    real_commit = db.session.commit
    calls = []

    def commit():
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("INSERT", {}, Exception("disk full"))
        real_commit()

    monkeypatch.setattr(db.session, "commit", commit)
    key = f.new_key()
    response = upload(
        client, ("first.json", f.ldp_bytes(key)), ("second.jwt", f.jwt_credential(key).encode())
    )
    assert response.status_code == 200
    assert "This could not be saved, so nothing from it was stored." in response.text
    assert "1 credential was added to your wallet." in response.text
    assert [r.filename for r in stored(app)] == ["second.jwt"]


# --- the domain function and the QR text format ---------------------------------------------


def test_import_bytes_reports_a_frozen_outcome(app, user):
    learner = user()
    data = f.ldp_bytes(f.new_key())
    with app.test_request_context():
        owner = db.session.get(User, learner.id)
        outcome = import_bytes(owner, data, filename="a.json", channel="file", now=f.NOW)
        again = import_bytes(owner, data, filename="b.json", channel="file", now=f.NOW)
    assert isinstance(outcome, ImportOutcome)
    assert (outcome.ok, outcome.duplicate, outcome.outcome) == (True, False, "cannot_check")
    assert (again.ok, again.duplicate, again.credential_id) == (False, True, outcome.credential_id)
    with pytest.raises(AttributeError):
        outcome.ok = False  # type: ignore[misc]
    [row] = stored(app)
    assert (row.imported_at, row.checked_at) == (f.NOW, f.NOW)


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        (b"AB", "BB8"),
        (b"Hello!!", "%69 VD92EX0"),
        (b"base-45", "UJCLQE7W581"),
        (b"ietf!", "QED8WEX0"),
    ],
)
def test_base45_vectors_of_rfc_9285(raw, encoded):
    assert b45encode(raw) == encoded
    assert b45decode(encoded) == raw


@pytest.mark.parametrize("text", ["GGW", "A", "ABCD", "ab", "::::"])
def test_base45_refuses_what_the_rfc_forbids(text):
    with pytest.raises(ValueError):
        b45decode(text)


@given(st.binary(max_size=300))
def test_base45_round_trip(data):
    assert b45decode(b45encode(data)) == data


@given(st.binary(min_size=1, max_size=2000))
def test_compressed_presentation_round_trip(data):
    text = encode_presentation(data)
    assert text.startswith("VP1:")
    assert set(text[4:]) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
    assert decode_presentation(text) == data
    assert decode_presentation("vp:" + text[4:]) == data
