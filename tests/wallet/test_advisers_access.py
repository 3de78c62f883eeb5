"""Advisers never see anything outside a grant: every adviser URL is tried with another
learner's ids, another adviser's grant, an expired, revoked or unused grant and a credential
outside the scope; each is a 404 that names nothing, and nothing is logged or written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.wallet.advisers_support import (
    PASSWORD,
    grant,
    import_credential,
    make_adviser,
    portfolio,
    skilled_credential,
)
from tests.wallet.factories import new_key, trust_issuer
from wallet.advisers.models import Access, Comment, Grant
from wallet.db import db

SECRET_TITLE = "Confidential Forensics"


def login(app, email):
    client = app.test_client()
    assert client.post("/auth/login", data={"email": email, "password": PASSWORD}).status == (
        "302 FOUND"
    )
    return client


def adviser_urls(grant_id: int, credential_id: int) -> list[tuple[str, str, dict]]:
    """Every adviser page under a grant, as (method, path, form)."""
    base = f"/advisers/learners/{grant_id}"
    return [
        ("GET", base, {}),
        ("GET", f"{base}/credentials/{credential_id}", {}),
        ("POST", f"{base}/comments", {"kind": "comment", "body": "x"}),
        (
            "POST",
            f"{base}/comments",
            {"target": "credential", "target_id": str(credential_id), "body": "x"},
        ),
        ("POST", f"{base}/discussed", {"discussed_on": "2026-01-01"}),
        ("POST", f"{base}/discussed", {"clear": "yes"}),
    ]


@pytest.fixture
def world(app, user):
    """Ada (two credentials) grants Ben everything; Eve, another learner, holds a secret
    credential and grants Cleo, another adviser, access to it."""
    setup = portfolio(app, user)
    eve = user("eve@example.org", display_name="Eve Other")
    key = new_key()
    trust_issuer(app.config["VERIFIER_HOME"], key)
    secret = import_credential(app, eve.id, skilled_credential(key, SECRET_TITLE), "s.json")
    cleo = make_adviser(app, "cleo@uni.example", "Cleo")
    return {
        "ada": setup,
        "ben_grant": grant(app, setup.learner_id, setup.adviser_id),
        "eve_id": eve.id,
        "secret": secret,
        "cleo_grant": grant(app, eve.id, cleo),
    }


def assert_refused(client, app, cases):
    with app.app_context():
        logged = db.session.scalar(select(db.func.count(Access.id)))
        comments = db.session.scalar(select(db.func.count(Comment.id)))
    for method, path, form in cases:
        response = client.open(path, method=method, data=form)
        assert response.status_code == 404, (method, path, form)
        for leak in (SECRET_TITLE, "Eve Other", "eve@example.org", "Data Analysis Basics"):
            assert leak not in response.text, (method, path, leak)
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Access.id))) == logged
        assert db.session.scalar(select(db.func.count(Comment.id))) == comments
        assert all(g.discussed_on is None for g in db.session.scalars(select(Grant)))


def test_another_advisers_grant(app, world):
    ben = login(app, "ben@uni.example")
    assert_refused(ben, app, adviser_urls(world["cleo_grant"], world["secret"]))


def test_another_learners_credential_under_ones_own_grant(app, world):
    ben = login(app, "ben@uni.example")
    cases = [
        ("GET", f"/advisers/learners/{world['ben_grant']}/credentials/{world['secret']}", {}),
        (
            "POST",
            f"/advisers/learners/{world['ben_grant']}/comments",
            {"target": "credential", "target_id": str(world["secret"]), "body": "x"},
        ),
        (
            "POST",
            f"/advisers/learners/{world['ben_grant']}/comments",
            {"target": "pathway", "target_id": "1", "body": "x"},
        ),
        (
            "POST",
            f"/advisers/learners/{world['ben_grant']}/comments",
            {"target": "elsewhere", "body": "x"},
        ),
    ]
    assert_refused(ben, app, cases)


@pytest.mark.parametrize("state", ["expired", "revoked", "unused invitation", "missing"])
def test_grants_not_in_force(app, world, state):
    grant_id = world["ben_grant"]
    with app.app_context():
        row = db.session.get(Grant, grant_id)
        if state == "expired":
            row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        elif state == "revoked":
            row.revoked_at = datetime.now(UTC)
        elif state == "unused invitation":
            row.adviser_id = None
        db.session.commit()
    if state == "missing":
        grant_id = 999_999
    ben = login(app, "ben@uni.example")
    credential_id = world["ada"].credential_ids[0]
    assert_refused(ben, app, adviser_urls(grant_id, credential_id))
    listed = "Ada Learner" in ben.get("/advisers/learners").text
    assert listed == (state == "missing")  # a grant not in force leaves the list at once


def test_a_credential_outside_the_scope(app, world):
    first, second = world["ada"].credential_ids
    with app.app_context():
        row = db.session.get(Grant, world["ben_grant"])
        from wallet.models import Credential

        row.scope_all = False
        row.credentials = [db.session.get(Credential, first)]
        db.session.commit()
    ben = login(app, "ben@uni.example")
    assert (
        ben.get(f"/advisers/learners/{world['ben_grant']}/credentials/{first}").status_code == 200
    )
    with app.app_context():
        title = db.session.get(Credential, second).title
    response = ben.get(f"/advisers/learners/{world['ben_grant']}/credentials/{second}")
    assert response.status_code == 404 and title not in response.text
    assert title not in ben.get(f"/advisers/learners/{world['ben_grant']}").text


def test_learners_and_visitors_cannot_use_adviser_pages(app, world):
    ada = login(app, "ada@example.org")
    assert_refused(ada, app, adviser_urls(world["ben_grant"], world["ada"].credential_ids[0]))
    visitor = app.test_client()
    for method, path, form in adviser_urls(world["ben_grant"], world["secret"]):
        response = visitor.open(path, method=method, data=form)
        assert response.status_code == 302 and response.location.startswith("/auth/login")


def test_another_learners_grants_are_404_for_a_learner(app, world):
    ada = login(app, "ada@example.org")
    cleo_grant = world["cleo_grant"]
    with app.app_context():
        comment = Comment(
            grant_id=cleo_grant, author_name="Cleo", body="For Eve only", kind="comment"
        )
        db.session.add(comment)
        db.session.commit()
        comment_id = comment.id
    for method, path in (
        ("GET", f"/advisers/grants/{cleo_grant}"),
        ("POST", f"/advisers/grants/{cleo_grant}/revoke"),
        ("POST", f"/advisers/grants/{cleo_grant}/comments/{comment_id}/reply"),
        ("POST", f"/advisers/grants/{world['ben_grant']}/comments/{comment_id}/reply"),
    ):
        response = ada.open(path, method=method, data={"body": "hello"})
        assert response.status_code == 404, path
        assert "For Eve only" not in response.text and "Cleo" not in response.text
    with app.app_context():
        assert db.session.get(Grant, cleo_grant).revoked_at is None
        assert db.session.scalar(select(db.func.count(Comment.id))) == 1
