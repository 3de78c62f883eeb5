"""Sharing a pathway: the credentials that count towards it are ticked, its title offered."""

from __future__ import annotations

import pytest

from tests.wallet.factories import new_key
from tests.wallet.sharing_support import give_credentials
from wallet.db import db
from wallet.models import User

service = pytest.importorskip("wallet.pathways.service")
support = pytest.importorskip("tests.wallet.pathways_support")


def test_share_a_pathway_ticks_its_credentials(app, user, auth, client):
    learner = user()
    key = support.trusted_key(app)
    counted = support.import_credential(app, learner.id, support.badge(key, "Statistics"))
    other = give_credentials(app, learner.id, new_key(), ("Unrelated",))[0]
    text = support.pathway_text(
        support.all_of(support.achievement("statistics")), title="Data analyst"
    )
    with app.app_context():
        record = service.save(db.session.get(User, learner.id), text, source="file")
        db.session.commit()
        pathway_id = record.id
    auth.login()
    page = client.get("/shares/new").get_data(as_text=True)
    assert "Share a pathway" in page and "Data analyst" in page
    page = client.get(f"/shares/new?pathway={pathway_id}").get_data(as_text=True)
    assert f'value="{counted}" checked>' in page
    assert f'value="{other}">' in page
    assert 'id="title" name="title" type="text" value="Data analyst"' in page
    # the pathway's badge names did:example:learner, not the wallet's DID: the form says so
    assert f'id="credential-{counted}-subject"' in page
    assert f'id="credential-{other}-subject"' not in page


def test_another_learners_pathway_is_404(app, user, auth, client):
    ada, bob = user(), user(email="bob@example.org")
    text = support.pathway_text(support.all_of(support.achievement("statistics")))
    with app.app_context():
        record = service.save(db.session.get(User, bob.id), text, source="file")
        db.session.commit()
        pathway_id = record.id
    del ada
    auth.login()
    assert client.get(f"/shares/new?pathway={pathway_id}").status_code == 404
