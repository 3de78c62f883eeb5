"""QR codes of shares: self-contained when the presentation fits, else the link; round trips
through a PNG read by zxing-cpp into the verifier; tampering; SVG and the printable card."""

from __future__ import annotations

import json
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest

from tests.wallet.factories import new_key
from tests.wallet.sharing_support import give_credentials, link_on, read_qr
from verifier import Report, Status, verify_presentation
from wallet.db import db, utcnow
from wallet.importers.qr import decode_presentation, encode_presentation
from wallet.sharing import links, qr
from wallet.sharing.models import Share
from wallet.verification import stores

FORM = {"title": "Application: data analyst", "hours": "24", "action": "share"}
ORIGIN = "http://localhost"


def share_of(client, learner, ids) -> tuple[int, str]:
    data = {**FORM, "password": learner.password, "credential": ids}
    response = client.post("/shares/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    share_id = int(response.headers["Location"].rsplit("/", 1)[1])
    link = link_on(client.get(f"/shares/{share_id}").get_data(as_text=True))
    return share_id, urlsplit(link).path.rsplit("/", 1)[1]


def verify(app, document: bytes, token: str) -> Report:
    """Verify as an offline verifier that knows the link's token and the wallet's origin."""
    with app.app_context():
        held = stores()
        return verify_presentation(
            document,
            challenge=links.share_challenge(token),
            domain=ORIGIN,
            now=utcnow(),
            trust=held.trust,
            cache=held.cache,
        )


def assert_all_passed(report: Report) -> None:
    assert report.verified, report.to_json()
    for check in report.checks:
        assert check.status is Status.PASSED, check
    for inner in report.credentials:
        assert inner.verified
        for check in inner.checks:
            assert check.status in (Status.PASSED, Status.NOT_APPLICABLE), check


@pytest.fixture
def single(app, user, auth):
    """Ada, logged in, with one small credential (it fits a self-contained code)."""
    ada = user()
    ada.ids = give_credentials(app, ada.id, new_key(), ("SQL",), compact=True)
    auth.login()
    return ada


def test_self_contained_qr_round_trip_verifies_offline(app, client, single):
    share_id, token = share_of(client, single, single.ids)
    page = client.get(f"/shares/{share_id}").get_data(as_text=True)
    assert "Self-contained QR code." in page
    png = client.get(f"/shares/{share_id}/qr.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    text = read_qr(png.data)
    assert text.startswith("VP1:")
    document = decode_presentation(text)
    with app.app_context():
        assert document == db.session.get(Share, share_id).presentation
    assert_all_passed(verify(app, document, token))
    assert links.share_challenge(token) in document.decode() and token not in text


def test_any_changed_byte_fails(app, client, single):
    share_id, token = share_of(client, single, single.ids)
    document = decode_presentation(read_qr(client.get(f"/shares/{share_id}/qr.png").data))
    for position in range(len(document)):
        tampered = bytearray(document)
        tampered[position] ^= 0x01
        report = verify(app, bytes(tampered), token)
        assert not report.verified, f"byte {position} changed and it still verified"


def test_replayed_into_another_share_fails_the_challenge(app, client, single):
    share_id, _token = share_of(client, single, single.ids)
    _other_id, other_token = share_of(client, single, single.ids)
    with app.app_context():
        document = db.session.get(Share, share_id).presentation
    report = verify(app, document, other_token)
    assert report.check("challenge").status is Status.FAILED
    assert not report.verified


def test_a_bundle_gets_a_link_code_and_says_why(app, client, user, auth):
    ada = user()
    names = ("Statistics", "Python", "Machine Learning")
    ids = give_credentials(app, ada.id, new_key(), names)
    auth.login()
    share_id, token = share_of(client, ada, ids)
    page = client.get(f"/shares/{share_id}").get_data(as_text=True)
    assert "Link QR code." in page
    assert "larger than version 22" in page or "too large for any QR code" in page
    text = read_qr(client.get(f"/shares/{share_id}/qr.png").data)
    assert text == f"{ORIGIN}/s/{token}"
    employer = app.test_client()
    opened = employer.get(urlsplit(text).path)
    assert opened.status_code == 200 and "Verified" in opened.get_data(as_text=True)
    assert_all_passed(verify(app, employer.get(f"/s/{token}/presentation").data, token))


def test_the_choice_follows_the_version_limit():
    document = json.dumps({"a": "b" * 400}).encode()
    fits = qr.choose(document, "https://w.example/s/t", max_version=22)
    assert fits.kind == qr.SELF_CONTAINED and fits.text == encode_presentation(document)
    assert fits.version is not None and fits.version <= 22
    too_small = qr.choose(document, "https://w.example/s/t", max_version=1)
    assert too_small.kind == qr.LINK and too_small.text == "https://w.example/s/t"
    assert too_small.presentation_version == fits.version
    forgotten = qr.choose(document, None, max_version=1)
    assert forgotten.kind == qr.LINK and forgotten.text is None


def test_svg_download_and_printable_card(app, client, single):
    share_id, _token = share_of(client, single, single.ids)
    svg = client.get(f"/shares/{share_id}/qr.svg?download=1")
    assert svg.mimetype == "image/svg+xml"
    assert svg.headers["Content-Disposition"] == f'attachment; filename="share-{share_id}.svg"'
    root = ElementTree.fromstring(svg.data)
    assert root.tag.endswith("svg") and any(e.tag.endswith("path") for e in root.iter())
    card = client.get(f"/shares/{share_id}/card").get_data(as_text=True)
    assert "Application: data analyst" in card and "Ada" in card
    assert f"/shares/{share_id}/qr.svg" in card


def test_a_new_session_cannot_draw_the_link_code(app, client, user, auth):
    ada = user()
    ids = give_credentials(app, ada.id, new_key(), ("Statistics", "Python", "Machine Learning"))
    auth.login()
    share_id, _token = share_of(client, ada, ids)
    auth.logout()
    auth.login()
    page = client.get(f"/shares/{share_id}").get_data(as_text=True)
    assert "cannot show it again" in page and 'id="share-link"' not in page
    assert "Make a new link" in page
    assert client.get(f"/shares/{share_id}/qr.png").status_code == 404
    assert client.get(f"/shares/{share_id}/card").status_code == 404
