"""The adviser journey through the pages: the learner grants access, the adviser reviews the
portfolio with every credential checked again, comments, the learner replies, revokes, and the
adviser loses access at once. Also the grant form's mistakes and invitation links."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from tests.wallet.advisers_support import ESCO_SKILL, PASSWORD, grant, make_adviser, portfolio
from wallet.advisers.models import Access, Comment, Grant
from wallet.db import db


def login(app, email):
    client = app.test_client()
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def in_days(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def test_the_whole_journey(app, user):
    setup = portfolio(app, user)
    learner = login(app, "ada@example.org")
    adviser = login(app, "ben@uni.example")

    # The learner grants the adviser access by email, for everything, with comments.
    page = learner.get("/advisers/")
    assert "Give an adviser access" in page.text
    response = learner.post(
        "/advisers/",
        data={
            "how": "email",
            "email": "BEN@uni.example ",
            "scope": "all",
            "expires_on": in_days(30),
            "may_comment": "yes",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        row = db.session.scalars(select(Grant)).one()
        grant_id = row.id
        assert (row.adviser_id, row.scope_all, row.may_comment) == (setup.adviser_id, True, True)
        assert row.expires_at.date() == date.fromisoformat(in_days(31))
    assert "Ben Adviser can now see your portfolio." in learner.get(response.location).text

    # The adviser's home page is the list of learners, with Ada in it.
    assert adviser.get("/").location == "/advisers/learners"
    page = adviser.get("/advisers/learners")
    assert "Ada Learner" in page.text
    assert f'href="/advisers/learners/{grant_id}"' in page.text

    # The review: both credentials verified now, their checks, ECTS, skills, EU gaps.
    page = adviser.get(f"/advisers/learners/{grant_id}")
    assert page.status_code == 200
    text = page.text
    assert "Portfolio of Ada Learner" in text
    assert "Data Analysis Basics" in text and "Statistics II" in text
    assert text.count("badge--verified") >= 2
    assert "Signature or seal" in text
    assert "8 ECTS in total" in text
    assert "analyse big data" in text and "2 credentials" in text
    assert re.search(r"<h3>ESCO</h3>", text)
    assert re.search(r"\d+ mandatory EU standard elements not stated", text)
    assert "Type of assessment" in text and "not stated by 2 credentials" in text
    assert "This wallet does not keep pathways" in text or 'id="pathways-heading"' in text

    # One credential, with its checks and EU elements.
    first = setup.credential_ids[0]
    page = adviser.get(f"/advisers/learners/{grant_id}/credentials/{first}")
    assert page.status_code == 200
    assert "Data Analysis Basics" in page.text and "Mandatory elements" in page.text

    # The adviser comments on the portfolio and recommends on a credential.
    response = adviser.post(
        f"/advisers/learners/{grant_id}/comments",
        data={"target": "portfolio", "kind": "comment", "body": "A strong start in data."},
    )
    assert response.status_code == 302
    response = adviser.post(
        f"/advisers/learners/{grant_id}/comments",
        data={
            "target": "credential",
            "target_id": str(first),
            "kind": "recommendation",
            "body": "Add the advanced module next.",
        },
    )
    assert response.location == f"/advisers/learners/{grant_id}/credentials/{first}"
    response = adviser.post(
        f"/advisers/learners/{grant_id}/discussed", data={"discussed_on": in_days(0)}
    )
    assert response.status_code == 302
    assert "Discussed on" in adviser.get(f"/advisers/learners/{grant_id}").text

    # The learner sees the comments, the access log, and replies.
    page = learner.get(f"/advisers/grants/{grant_id}")
    assert "A strong start in data." in page.text
    assert "Add the advanced module next." in page.text
    assert "Credential: Data Analysis Basics" in page.text
    assert "The portfolio review" in page.text
    assert "Discussed on" in page.text
    with app.app_context():
        comment = db.session.scalar(select(Comment).where(Comment.kind == "comment"))
        comment_id = comment.id
        assert db.session.scalar(select(db.func.count(Access.id))) == 3
        # Nothing was written to the learner's credentials.
    response = learner.post(
        f"/advisers/grants/{grant_id}/comments/{comment_id}/reply",
        data={"body": "Thank you, let us talk on Monday."},
    )
    assert response.status_code == 302
    assert "Thank you, let us talk on Monday." in adviser.get(f"/advisers/learners/{grant_id}").text

    # The learner revokes: the adviser's next page is a 404, and Ada leaves the list.
    response = learner.post(f"/advisers/grants/{grant_id}/revoke")
    assert response.status_code == 302
    assert "Access has been revoked." in learner.get(response.location).text
    assert adviser.get(f"/advisers/learners/{grant_id}").status_code == 404
    assert adviser.get(f"/advisers/learners/{grant_id}/credentials/{first}").status_code == 404
    assert "Ada Learner" not in adviser.get("/advisers/learners").text
    # The learner keeps the comments and the log.
    page = learner.get(f"/advisers/grants/{grant_id}")
    assert "A strong start in data." in page.text and "Revoked" in page.text


def test_the_review_writes_nothing_to_the_learners_credentials(app, user):
    setup = portfolio(app, user)
    grant_id = grant(app, setup.learner_id, setup.adviser_id)
    with app.app_context():
        from wallet.models import Credential

        before = {c.id: c.checked_at for c in db.session.scalars(select(Credential))}
    adviser = login(app, "ben@uni.example")
    assert adviser.get(f"/advisers/learners/{grant_id}").status_code == 200
    with app.app_context():
        after = {c.id: c.checked_at for c in db.session.scalars(select(Credential))}
    assert after == before


def test_grant_form_mistakes_change_nothing(app, user):
    setup = portfolio(app, user)
    other = user("eve@example.org", display_name="Eve")
    learner = login(app, "ada@example.org")
    cases = [
        ({"how": "email", "email": "nobody@example.org"}, "There is no adviser account"),
        ({"how": "email", "email": "eve@example.org"}, "There is no adviser account"),
        ({"how": "email", "email": ""}, "Enter the adviser&#39;s email address."),
        ({"how": "link", "expires_on": "yesterday"}, "Enter the last day of access as a date"),
        ({"how": "link", "expires_on": in_days(-1)}, "cannot be in the past"),
        ({"how": "link", "expires_on": in_days(400)}, "at most a year"),
        ({"how": "link", "scope": "chosen"}, "Choose at least one credential or pathway"),
        ({"how": "link", "scope": "chosen", "credential": "x"}, "Choose credentials and pathways"),
        ({"how": "link", "scope": "chosen", "credential": "99999"}, "Choose credentials"),
        ({"how": "link", "scope": "chosen", "pathway": "1"}, "Choose credentials and pathways"),
        ({"how": "post"}, "Choose how to reach the adviser."),
    ]
    for fields, message in cases:
        data = {"scope": "all", "expires_on": in_days(10), **fields}
        response = learner.post("/advisers/", data=data)
        assert response.status_code == 400, fields
        assert message in response.text, fields
    assert other.id != setup.learner_id
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Grant.id))) == 0


def test_a_chosen_scope_shows_only_the_chosen_credentials(app, user):
    setup = portfolio(app, user)
    learner = login(app, "ada@example.org")
    first, second = setup.credential_ids
    response = learner.post(
        "/advisers/",
        data={
            "how": "email",
            "email": "ben@uni.example",
            "scope": "chosen",
            "credential": str(first),
            "expires_on": in_days(5),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        row = db.session.scalars(select(Grant)).one()
        grant_id, may_comment = row.id, row.may_comment
        assert [c.id for c in row.credentials] == [first]
    assert may_comment is False
    adviser = login(app, "ben@uni.example")
    page = adviser.get(f"/advisers/learners/{grant_id}")
    assert "Data Analysis Basics" in page.text and "Statistics II" not in page.text
    assert "The learner has not allowed comments." in page.text
    assert adviser.get(f"/advisers/learners/{grant_id}/credentials/{second}").status_code == 404
    response = adviser.post(
        f"/advisers/learners/{grant_id}/comments", data={"kind": "comment", "body": "Hi"}
    )
    assert response.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Comment.id))) == 0


def test_an_invitation_link_works_once(app, user):
    portfolio(app, user)
    make_adviser(app, "cleo@uni.example", "Cleo")
    learner = login(app, "ada@example.org")
    response = learner.post(
        "/advisers/",
        data={"how": "link", "scope": "all", "expires_on": in_days(20), "may_comment": "yes"},
    )
    assert response.status_code == 200
    link = re.search(r'value="(http://localhost/advisers/invitations/[^"]+)"', response.text)
    assert link is not None
    path = link.group(1).removeprefix("http://localhost")
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 43  # 32 random bytes, base64url
    with app.app_context():
        row = db.session.scalars(select(Grant)).one()
        assert row.adviser_id is None and token not in (row.invitation_hash or "")
        assert row.invitation_hash and len(row.invitation_hash) == 64

    # A visitor is sent to log in; a learner account cannot accept.
    assert learner.get(path).status_code == 404
    anonymous = app.test_client()
    assert anonymous.get(path).location.startswith("/auth/login?next=")

    adviser = login(app, "ben@uni.example")
    page = adviser.get(path)
    assert "Ada Learner invites you to review their portfolio" in page.text
    response = adviser.post(path)
    assert response.status_code == 302
    assert "Ada Learner" in adviser.get("/advisers/learners").text

    # Used once: the same link does nothing for another adviser.
    cleo = login(app, "cleo@uni.example")
    page = cleo.get(path)
    assert page.status_code == 404 and "This invitation cannot be used" in page.text
    assert cleo.post(path).status_code == 404
    assert adviser.get("/advisers/invitations/" + "A" * 43).status_code == 404


def test_a_revoked_or_old_invitation_cannot_be_used(app, user):
    setup = portfolio(app, user)
    from wallet.advisers.access import token_hash

    revoked = grant(
        app, setup.learner_id, None, invitation_hash=token_hash("r" * 43), accepted_at=None
    )
    grant(
        app,
        setup.learner_id,
        None,
        invitation_hash=token_hash("o" * 43),
        invitation_expires_at=datetime.now(UTC) - timedelta(minutes=1),
        accepted_at=None,
    )
    learner = login(app, "ada@example.org")
    learner.post(f"/advisers/grants/{revoked}/revoke")
    adviser = login(app, "ben@uni.example")
    for token in ("r" * 43, "o" * 43):
        assert adviser.post(f"/advisers/invitations/{token}").status_code == 404
    with app.app_context():
        assert all(g.adviser_id is None for g in db.session.scalars(select(Grant)))


def test_comment_mistakes_are_shown_and_change_nothing(app, user):
    setup = portfolio(app, user)
    grant_id = grant(app, setup.learner_id, setup.adviser_id)
    adviser = login(app, "ben@uni.example")
    for data, message in (
        ({"kind": "comment", "body": "   "}, "Write something before sending."),
        ({"kind": "reply", "body": "x"}, "Choose a comment or a recommendation."),
        ({"kind": "comment", "body": "x" * 4001}, "at most 4000 characters"),
    ):
        response = adviser.post(
            f"/advisers/learners/{grant_id}/comments", data=data, follow_redirects=True
        )
        assert message in response.text
    assert (
        adviser.post(
            f"/advisers/learners/{grant_id}/discussed",
            data={"discussed_on": in_days(3)},
            follow_redirects=True,
        ).text.count("cannot be in the future")
        == 1
    )
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Comment.id))) == 0
        assert db.session.get(Grant, grant_id).discussed_on is None


def test_learners_and_advisers_see_their_own_links(app, user):
    setup = portfolio(app, user)
    assert setup.adviser_id
    learner = login(app, "ada@example.org")
    adviser = login(app, "ben@uni.example")
    nav = re.compile(r'<nav class="site-nav".*?</nav>', re.S)
    learner_nav = nav.search(learner.get("/advisers/").text).group(0)
    adviser_nav = nav.search(adviser.get("/advisers/learners").text).group(0)
    assert 'href="/advisers/"' in learner_nav and "/advisers/learners" not in learner_nav
    assert "/advisers/learners" in adviser_nav and 'href="/advisers/"' not in adviser_nav
    assert "/portfolio" not in adviser_nav
    # Each side's pages are a 404 for the other.
    assert adviser.get("/advisers/").status_code == 404
    assert learner.get("/advisers/learners").status_code == 404


PATHWAY = {
    "format": "learner-wallet-pathway/1",
    "target": {"title": "Data Science Certificate", "total_ects": 20},
    "requirements": {
        "kind": "all_of",
        "title": "Certificate requirements",
        "requirements": [
            {"kind": "skills", "title": "Big data", "skills": [ESCO_SKILL]},
            {
                "kind": "skills",
                "title": "Machine learning",
                "skills": ["http://data.europa.eu/esco/skill/00000000-0000-0000-0000-000000000001"],
            },
        ],
    },
}


def save_pathway(app, learner_id: int, document: dict) -> int:
    from wallet.models import User
    from wallet.pathways.service import save

    with app.app_context():
        record = save(db.session.get(User, learner_id), json.dumps(document), source="file")
        db.session.commit()
        return record.id


def test_a_pathway_grant_shows_its_credentials_ects_and_gaps(app, user):
    setup = portfolio(app, user)
    pathway_id = save_pathway(app, setup.learner_id, PATHWAY)
    other = save_pathway(
        app, setup.learner_id, {**PATHWAY, "target": {"title": "Secret Pathway", "total_ects": 5}}
    )
    learner = login(app, "ada@example.org")
    assert "Data Science Certificate" in learner.get("/advisers/").text
    response = learner.post(
        "/advisers/",
        data={
            "how": "email",
            "email": "ben@uni.example",
            "scope": "chosen",
            "pathway": str(pathway_id),
            "expires_on": in_days(5),
            "may_comment": "yes",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        grant_id = db.session.scalars(select(Grant)).one().id
    assert "Pathway: Data Science Certificate" in learner.get(response.location).text

    adviser = login(app, "ben@uni.example")
    text = adviser.get(f"/advisers/learners/{grant_id}").text
    assert "Data Science Certificate" in text and "Secret Pathway" not in text
    assert "8 ECTS of 20 ECTS" in text
    assert "Machine learning" in text  # the gaps
    assert "12 ECTS more towards the total of 20 ECTS" in text
    assert "Data Analysis Basics" in text and "Statistics II" in text  # they count towards it
    response = adviser.post(
        f"/advisers/learners/{grant_id}/comments",
        data={"target": "pathway", "target_id": str(pathway_id), "body": "Take ML next term."},
    )
    assert response.status_code == 302
    response = adviser.post(
        f"/advisers/learners/{grant_id}/comments",
        data={"target": "pathway", "target_id": str(other), "body": "Peek."},
    )
    assert response.status_code == 404
    page = learner.get(f"/advisers/grants/{grant_id}")
    assert "Pathway: Data Science Certificate" in page.text and "Take ML next term." in page.text


def test_seed_demo_makes_an_adviser_with_a_grant(app, user):
    from wallet.advisers import seed_demo
    from wallet.models import User

    setup = portfolio(app, user)
    with app.app_context():
        learner = db.session.get(User, setup.learner_id)
        email, password = seed_demo(app, learner, datetime.now(UTC))
        email, password = seed_demo(app, learner, datetime.now(UTC))  # again: replaced
    assert email == "adviser@wallet.example"
    client = app.test_client()
    client.post("/auth/login", data={"email": email, "password": password})
    page = client.get("/advisers/learners")
    assert "Ada Learner" in page.text
    grant_id = re.search(r'href="/advisers/learners/(\d+)"', page.text).group(1)
    review = client.get(f"/advisers/learners/{grant_id}").text
    assert "Data Analysis Basics" in review and "let us look at the pathways together" in review


def test_personal_data_holds_grants_comments_and_the_access_log(app, user):
    from wallet.advisers.export import personal_data
    from wallet.models import User

    setup = portfolio(app, user)
    grant_id = grant(app, setup.learner_id, setup.adviser_id, invitation_hash="f" * 64)
    adviser = login(app, "ben@uni.example")
    adviser.get(f"/advisers/learners/{grant_id}")
    adviser.post(
        f"/advisers/learners/{grant_id}/comments", data={"kind": "comment", "body": "Well done."}
    )
    with app.app_context():
        learner_data = personal_data(db.session.get(User, setup.learner_id))
        adviser_data = personal_data(db.session.get(User, setup.adviser_id))
    json.dumps(learner_data)  # plain JSON
    assert learner_data["role"] == "learner" and adviser_data["role"] == "adviser"
    (exported,) = learner_data["adviser_grants"]
    assert exported == adviser_data["adviser_grants"][0]
    assert exported["adviser"] == "ben@uni.example" and exported["scope"] == "everything"
    assert [c["text"] for c in exported["comments"]] == ["Well done."]
    assert [a["page"] for a in exported["access_log"]] == ["portfolio"]
    assert "f" * 64 not in json.dumps(learner_data)


def test_a_credential_that_fails_now_shows_so_and_adds_no_skills_or_ects(app, user):
    from tests.wallet.advisers_support import import_credential, skilled_credential
    from tests.wallet.factories import new_key, trust_issuer

    learner = user("ada@example.org", display_name="Ada Learner")
    adviser_id = make_adviser(app)
    stranger = new_key()
    trust_issuer(app.config["VERIFIER_HOME"], stranger)
    genuine = skilled_credential(stranger, "Genuine Module", ects=4)
    document = json.loads(skilled_credential(stranger, "Forged Module", ects=30))
    document["credentialSubject"]["achievement"]["creditsAvailable"] = 60  # after signing
    import_credential(app, learner.id, genuine, "g.json")
    forged_id = import_credential(app, learner.id, json.dumps(document).encode(), "f.json")
    grant_id = grant(app, learner.id, adviser_id)
    adviser = login(app, "ben@uni.example")
    text = adviser.get(f"/advisers/learners/{grant_id}").text
    forged = text[text.index(f'id="credential-{forged_id}"') :]
    assert "Not genuine" in forged[: forged.index("</li>")]
    assert "4 ECTS in total" in text
    skills = text[text.index('id="skills-heading"') :]
    skills = skills[: skills.index("</section>")]
    assert "1 credential: Genuine Module" in skills and "Forged Module" not in skills
