"""The demo's share, and credentials the share form cannot offer."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import NOW
from tests.wallet.factories import new_key
from tests.wallet.sharing_support import add_row, give_credentials
from wallet.db import db, utcnow
from wallet.sharing.demo import DEMO_TITLE, seed_demo
from wallet.sharing.models import Share


def test_seed_demo_shares_the_verified_credentials(app, user, client):
    learner = user()
    give_credentials(app, learner.id, new_key(), ("Statistics", "Python"))
    add_row(app, learner.id, "ldp_vc", "Old badge", outcome="expired")
    add_row(app, learner.id, "edc_xml", "Diploma")
    path = seed_demo(app, learner.id, learner.password, utcnow(), origin="http://localhost/")
    assert path is not None and path.startswith("/s/")
    with app.app_context():
        share = db.session.scalars(select(Share)).one()
        assert share.title == DEMO_TITLE
        assert sorted(share.credential_titles) == ["Python", "Statistics"]
        assert share.domain == "http://localhost"
    page = client.get(path)
    assert page.status_code == 200
    assert "Verified: every check passed." in page.get_data(as_text=True)


def test_seed_demo_without_shareable_credentials_makes_nothing(app, user):
    learner = user()
    add_row(app, learner.id, "ob2_hosted", "Old badge")
    assert seed_demo(app, learner.id, learner.password, NOW) is None
    with app.app_context():
        assert db.session.scalars(select(Share)).first() is None


def test_form_offers_only_what_can_be_shared(app, user, auth, client):
    learner = user()
    good = give_credentials(app, learner.id, new_key(), ("Statistics",))[0]
    sealed = add_row(app, learner.id, "edc_jades", "Sealed diploma")
    badge = add_row(app, learner.id, "ob2_hosted", "Old badge")
    auth.login()
    page = client.get(f"/shares/new?credential={good}").get_data(as_text=True)
    assert f'id="credential-{good}" name="credential" value="{good}" checked>' in page
    # An e-sealed EDC goes in under its own seal; an Open Badges 2.0 badge cannot.
    assert f'value="{sealed}" disabled' not in page
    assert f'value="{badge}" disabled' in page
    data = {
        "title": "t",
        "hours": "24",
        "password": learner.password,
        "credential": [good, badge],
        "action": "share",
    }
    response = client.post("/shares/new", data=data)
    assert response.status_code == 400
    assert "cannot be shared this way yet" in response.get_data(as_text=True)
