"""Share links: making one, what the employer sees, expiry, withdrawal, PINs, guessing, the
access log, and other learners."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from tests.wallet.factories import new_key
from tests.wallet.sharing_support import give_credentials, link_on
from verifier import verify_presentation
from wallet.db import db, utcnow
from wallet.sharing import links
from wallet.sharing.models import Share, ShareAccess

FORM = {"title": "Application: data analyst", "hours": "168", "action": "share"}


@pytest.fixture
def learner(app, user, auth):
    """Ada, logged in, with two credentials from a trusted issuer."""
    ada = user()
    ada.credential_ids = give_credentials(app, ada.id, new_key(), ("Statistics", "Python"))
    auth.login()
    return ada


def make_share(client, learner, **fields):
    """Create a share through the form; return (share id, token)."""
    data = {**FORM, "password": learner.password, "credential": learner.credential_ids, **fields}
    response = client.post("/shares/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    share_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    page = client.get(f"/shares/{share_id}").get_data(as_text=True)
    return share_id, urlsplit(link_on(page)).path.rsplit("/", 1)[1]


def without_csrf(page: str) -> str:
    """A page without its CSRF tokens (each rendering signs a new one)."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", page)


def shares_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Share))


def accesses(app, share_id):
    with app.app_context():
        query = select(ShareAccess).where(ShareAccess.share_id == share_id).order_by(ShareAccess.id)
        return [(a.what, a.result, a.network) for a in db.session.scalars(query)]


def test_share_link_shows_every_check_passed(app, client, learner):
    share_id, token = make_share(client, learner)
    assert len(token) >= 43  # 256 bits in Base64url
    with app.app_context():
        share = db.session.get(Share, share_id)
        assert share.token_hash == links.hash_token(token) and token not in share.token_hash
        assert sorted(share.credential_titles) == ["Python", "Statistics"]
        assert share.expires_at - share.created_at == timedelta(hours=168)
    client.post("/auth/logout")
    response = client.get(f"/s/{token}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Verified: every check passed." in page
    for check in ("Holder&#39;s signature", "Challenge", "Domain", "Statistics", "Python"):
        assert check in page
    assert accesses(app, share_id) == [("page", "verified", "127.0.0.0/24")]


def test_raw_presentation_verifies_with_the_links_challenge_and_origin(app, client, learner):
    share_id, token = make_share(client, learner)
    response = client.get(f"/s/{token}/presentation", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    with app.app_context():
        assert response.data == db.session.get(Share, share_id).presentation
    with app.test_request_context("/"):
        from wallet.verification import stores

        held = stores()
        report = verify_presentation(
            response.data,
            challenge=links.share_challenge(token),
            domain="http://localhost",
            now=utcnow(),
            trust=held.trust,
            cache=held.cache,
        )
    assert report.verified, report.to_json()
    assert json.loads(response.data)["proof"]["domain"] == "http://localhost"
    assert accesses(app, share_id)[-1][:2] == ("presentation", "downloaded")


def test_wrong_password_makes_no_share(app, client, learner):
    data = {**FORM, "password": "wrong password", "credential": learner.credential_ids}
    response = client.post("/shares/new", data=data)
    assert response.status_code == 400
    assert "That is not your password" in response.get_data(as_text=True)
    assert shares_count(app) == 0


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"credential": []}, "Choose at least one credential"),
        ({"title": " "}, "Give the share a title"),
        ({"title": "x" * 201}, "at most 200 characters"),
        ({"hours": "5"}, "Choose how long the link works"),
        ({"hours": "soon"}, "Choose how long the link works"),
        ({"pin": "12ab"}, "A PIN is 4 to 12 digits"),
        ({"pin": "123"}, "A PIN is 4 to 12 digits"),
        ({"password": ""}, "Enter your password"),
        ({"credential": ["999999"]}, "not in your wallet"),
        ({"credential": [str(i) for i in range(1, 102)]}, "at most 100 credentials"),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(app, client, learner, fields, message):
    data = {**FORM, "password": learner.password, "credential": learner.credential_ids, **fields}
    response = client.post("/shares/new", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert shares_count(app) == 0


def test_download_only_gives_a_signed_presentation(app, client, learner):
    data = {
        "action": "download",
        "password": learner.password,
        "credential": learner.credential_ids,
    }
    response = client.post("/shares/new", data=data)
    assert response.status_code == 200
    assert response.mimetype == "application/vp+ld+json"
    assert "attachment" in response.headers["Content-Disposition"]
    vp = json.loads(response.data)
    assert len(vp["verifiableCredential"]) == 2 and "challenge" not in vp["proof"]
    assert shares_count(app) == 0


def test_withdrawn_link_shows_the_same_plain_page_as_an_unknown_one(app, client, learner):
    share_id, token = make_share(client, learner)
    assert client.post(f"/shares/{share_id}/revoke").status_code == 302
    employer = app.test_client()
    guess = links.new_token()
    unknown = employer.get(f"/s/{guess}")
    withdrawn = employer.get(f"/s/{token}")
    assert withdrawn.status_code == unknown.status_code == 404
    assert without_csrf(withdrawn.get_data(as_text=True).replace(token, "T")) == without_csrf(
        unknown.get_data(as_text=True).replace(guess, "T")
    )
    assert "This link is not available" in withdrawn.get_data(as_text=True)
    assert "Statistics" not in withdrawn.get_data(as_text=True)
    assert withdrawn.headers["Referrer-Policy"] == "no-referrer"
    assert client.get(f"/s/{token}/presentation").status_code == 404
    assert client.get(f"/shares/{share_id}/qr.png").status_code == 404
    assert [r for _w, r, _n in accesses(app, share_id)] == ["share_revoked", "share_revoked"]


def test_expired_link_shows_nothing(app, client, learner):
    share_id, token = make_share(client, learner)
    with app.app_context():
        share = db.session.get(Share, share_id)
        share.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    response = client.get(f"/s/{token}")
    assert response.status_code == 404
    assert "This link is not available" in response.get_data(as_text=True)
    assert accesses(app, share_id) == [("page", "share_expired", "127.0.0.0/24")]
    assert "Expired" in client.get("/shares/").get_data(as_text=True)


def test_pin_is_asked_checked_and_guesses_are_limited(app, client, learner):
    share_id, token = make_share(client, learner, pin="4821")
    client.post("/auth/logout")
    asked = client.get(f"/s/{token}")
    assert asked.status_code == 403 and "Enter the PIN" in asked.get_data(as_text=True)
    assert "Statistics" not in asked.get_data(as_text=True)
    right = client.post(f"/s/{token}", data={"pin": "4821"})
    assert right.status_code == 200 and "Verified" in right.get_data(as_text=True)
    for _ in range(5):
        wrong = client.post(f"/s/{token}", data={"pin": "0000"})
        assert wrong.status_code == 403
        assert "That PIN is not right" in wrong.get_data(as_text=True)
    # the sixth guess is refused before the PIN is even looked at, the right PIN included
    assert client.post(f"/s/{token}", data={"pin": "4821"}).status_code == 429
    assert (
        client.get(f"/s/{token}/presentation", headers={"X-Share-PIN": "4821"}).status_code == 429
    )
    results = [r for _w, r, _n in accesses(app, share_id)]
    assert results == ["pin_required", "verified"] + ["wrong_pin"] * 5


def test_presentation_needs_the_pin_in_a_header(app, client, learner):
    _share_id, token = make_share(client, learner, pin="4821")
    assert client.get(f"/s/{token}/presentation").status_code == 403
    assert client.get(f"/s/{token}/presentation", headers={"X-Share-PIN": "1"}).status_code == 403
    found = client.get(f"/s/{token}/presentation", headers={"X-Share-PIN": "4821"})
    assert found.status_code == 200 and json.loads(found.data)["type"] == ["VerifiablePresentation"]


def test_a_thousand_guessed_tokens_are_rate_limited(app, client, learner):
    _share_id, token = make_share(client, learner)
    statuses = [client.get(f"/s/{links.new_token()}").status_code for _ in range(1000)]
    assert statuses[:20] == [404] * 20
    assert set(statuses[20:]) == {429}
    # the guesser learns nothing, not even about a real link, until the limit lifts
    assert client.get(f"/s/{token}").status_code == 429


def test_other_learner_gets_404_everywhere(app, client, learner, user, auth):
    share_id, _token = make_share(client, learner)
    client.post("/auth/logout")
    user(email="bob@example.org")
    auth.login(email="bob@example.org")
    for url in ("", "/qr.png", "/qr.svg", "/card", "/presentation"):
        assert client.get(f"/shares/{share_id}{url}").status_code == 404, url
    assert client.post(f"/shares/{share_id}/revoke").status_code == 404
    renewing = client.post(f"/shares/{share_id}/renew", data={"password": "correct horse battery"})
    assert renewing.status_code == 404
    assert "Application: data analyst" not in client.get("/shares/").get_data(as_text=True)
    # nor can Bob put Ada's credentials into a share of his
    data = {**FORM, "password": "correct horse battery", "credential": learner.credential_ids}
    response = client.post("/shares/new", data=data)
    assert response.status_code == 400 and "not in your wallet" in response.get_data(as_text=True)
    with app.app_context():
        share = db.session.get(Share, share_id)
        assert share.revoked_at is None and share.token_hash == links.hash_token(_token)


def test_pages_need_a_login(client, app):
    for url in ("/shares/", "/shares/new", "/shares/1", "/shares/1/qr.png"):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_list_and_detail_show_the_share_and_its_log(app, client, learner):
    share_id, token = make_share(client, learner, pin="123456")
    client.get(f"/s/{token}")
    listing = client.get("/shares/").get_data(as_text=True)
    assert "Application: data analyst" in listing and "Opened 1 time" in listing
    page = client.get(f"/shares/{share_id}").get_data(as_text=True)
    assert "Asked for the PIN" in page and "127.0.0.0/24" in page
    assert "Withdraw this share now" in page


@pytest.mark.parametrize(
    "address,network",
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("2001:db8:abcd:12::1", "2001:db8:abcd::/48"),
        ("::ffff:198.51.100.9", "198.51.100.0/24"),
        ("not an address", "unknown"),
        (None, "unknown"),
    ],
)
def test_access_log_keeps_only_the_network(address, network):
    assert links.network_of(address) == network


def test_deleting_the_account_deletes_its_shares_and_log(app, client, learner):
    share_id, token = make_share(client, learner)
    app.test_client().get(f"/s/{token}")
    response = client.post("/account/delete", data={"current_password": learner.password})
    assert response.status_code == 302
    assert shares_count(app) == 0 and accesses(app, share_id) == []
    assert app.test_client().get(f"/s/{token}").status_code == 404


def test_the_verifier_app_derives_the_same_challenge():
    """The standalone verifier (``verifier.web.links``) checks a share link's presentation with
    its own copy of the challenge rule (it never imports the wallet): the two must agree."""
    web_links = pytest.importorskip("verifier.web.links")
    token = links.new_token()
    assert web_links.share_challenge(token) == links.share_challenge(token)


def test_a_new_link_replaces_the_old_one(app, client, learner, auth):
    share_id, old = make_share(client, learner)
    auth.logout()
    auth.login()  # a new session: the wallet cannot show the link any more
    assert 'id="share-link"' not in client.get(f"/shares/{share_id}").get_data(as_text=True)
    response = client.post(f"/shares/{share_id}/renew", data={"password": learner.password})
    assert response.status_code == 302
    page = client.get(f"/shares/{share_id}").get_data(as_text=True)
    assert "The share has a new link." in page
    new = urlsplit(link_on(page)).path.rsplit("/", 1)[1]
    assert new != old
    employer = app.test_client()
    assert employer.get(f"/s/{old}").status_code == 404
    opened = employer.get(f"/s/{new}")
    assert opened.status_code == 200 and "Verified: every check passed." in opened.get_data(
        as_text=True
    )
    with app.app_context():
        share = db.session.get(Share, share_id)
        vp = json.loads(share.presentation)
        assert vp["proof"]["challenge"] == links.share_challenge(new)
        assert vp["proof"]["expires"] == share.expires_at.isoformat().replace("+00:00", "Z")
        assert len(vp["verifiableCredential"]) == 2


def test_a_new_link_needs_the_password_and_an_active_share(app, client, learner):
    share_id, token = make_share(client, learner)
    response = client.post(f"/shares/{share_id}/renew", data={"password": "wrong password"})
    assert response.status_code == 400
    assert "the link was not changed" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Share, share_id).token_hash == links.hash_token(token)
    client.post(f"/shares/{share_id}/revoke")
    response = client.post(f"/shares/{share_id}/renew", data={"password": learner.password})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Share, share_id).token_hash == links.hash_token(token)
