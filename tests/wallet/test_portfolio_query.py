"""The portfolio's list query on SQLite and PostgreSQL: what each filter matches and does not,
pages that never overlap, counts, and the JSON text layout the LIKE patterns rely on.

Rows carry summaries made by the verifier's own summarizer from unsigned documents (nothing
here depends on a signature), so they look exactly like an import's.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.conftest import ob3_credential
from verifier.ob_summary import summarize_w3c
from verifier.summary import Summary
from wallet.db import db
from wallet.models import Credential
from wallet.portfolio import query, search
from wallet.portfolio.query import PER_PAGE, Filters

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ISSUER = "did:key:z6MkqGSX4EuEd9EHnWm6dVXzrw1JmKwXeUyVgbLaSrWMPGLZ"
ESCO = "http://data.europa.eu/esco/skill/"


def summary_of(
    title: str, description: str = "", skills: tuple[tuple[str, str], ...] = (), **extra
) -> dict:
    """What the verifier's summarizer makes of an Open Badge with these texts and skills."""
    achievement = {
        "id": "https://demo.example/achievements/x",
        "type": ["Achievement"],
        "name": title,
        "criteria": {"narrative": "Passed."},
        "alignment": [
            {
                "type": ["Alignment"],
                "targetName": label,
                "targetUrl": uri,
                "targetFramework": "ESCO",
            }
            for label, uri in skills
        ],
        **extra,
    }
    if description:
        achievement["description"] = description
    document = ob3_credential(
        ISSUER,
        name=title,
        credentialSubject={
            "id": "did:example:learner",
            "type": ["AchievementSubject"],
            "achievement": achievement,
        },
    )
    return summarize_w3c(document)


def add(session, user_id: int, title: str, *, summary: dict | None = None, **columns) -> int:
    """A credential row for ``title``; ``columns`` replace the defaults."""
    original = json.dumps({"name": title, "n": columns.get("imported_at", NOW).isoformat()})
    row = Credential(
        user_id=user_id,
        original=original.encode(),
        media_type="application/vc+ld+json",
        sha256=secrets.token_hex(32),  # rows here may share their bytes
        format="ldp_vc",
        title=title,
        issuer_name="Demo University",
        issued_at=datetime(2026, 1, 15, tzinfo=UTC),
        types=["VerifiableCredential", "OpenBadgeCredential"],
        summary=summary if summary is not None else summary_of(title),
        report={"outcome": "verified", "checks": []},
        outcome="verified",
        checked_at=NOW,
        imported_at=NOW,
        channel="file",
    )
    for name, value in columns.items():
        setattr(row, name, value)
    session.add(row)
    session.flush()
    return row.id


def titles(user_id: int, **args: str) -> list[str]:
    """The titles on the first page for these query-string arguments, in order."""
    page = query.fetch(db.session, user_id, Filters.from_args(args))
    return [r.title for r in page.rows]


@pytest.fixture
def learner(app, user):
    """A learner, and an app context to query in."""
    account = user()
    with app.app_context():
        yield account.id
        db.session.rollback()


# -- the query string ----------------------------------------------------------------------
def test_filters_from_args_drop_what_is_not_offered():
    f = Filters.from_args(
        {"sort": "evil", "type": "x", "status": "ok", "year": "20x6", "page": "0", "q": " a "}
    )
    assert f == Filters(q="a")
    assert not Filters().active and Filters(year=2024).active
    assert Filters.from_args({"page": "9" * 20}).page == 1


def test_filters_args_leave_out_defaults():
    f = Filters(q="data", sort="title", year=2025, page=3)
    assert f.args() == {"q": "data", "year": 2025, "sort": "title", "page": 3}
    assert f.args(page=1) == {"q": "data", "year": 2025, "sort": "title"}
    assert Filters.from_args({k: str(v) for k, v in f.args().items()}) == f


def test_like_escape_makes_wildcards_literal():
    assert search.like_escape("100%_!") == "100!%!_!!"
    assert search.json_fragments("Łódź") == ("\\u0141\\u00f3d\\u017a", "Łódź")
    assert search.json_fragments("plain") == ("plain",)


# -- the JSON text layout the patterns rely on ------------------------------------------------
def test_summary_fields_are_in_the_order_the_patterns_expect():
    names = list(Summary._fields)
    assert names[names.index("description") + 1] == "achievement_type"
    assert names[names.index("skills") + 1] == "credits"
    text = json.dumps(summary_of("T", "Words.", (("use spreadsheets software", ESCO + "1"),)))
    assert search.DESCRIPTION_START + '"": "Words."' + search.DESCRIPTION_END in text
    start = text.index(search.SKILLS_START, text.index('"outcomes"') + 20)
    assert text.index("use spreadsheets software", start) < text.index(search.SKILLS_END, start)


# -- what each filter matches --------------------------------------------------------------
def test_search_treats_wildcards_as_text(learner):
    add(db.session, learner, "100% Python")
    add(db.session, learner, "1000 Python")
    add(db.session, learner, "Snake_case style")
    assert titles(learner, q="100%") == ["100% Python"]
    assert titles(learner, q="e_c") == ["Snake_case style"]
    assert titles(learner, q="%") == ["100% Python"]


def test_search_reads_the_description_not_the_rest_of_the_summary(learner):
    add(
        db.session,
        learner,
        "Welding",
        summary=summary_of("Welding", "Safe practice.", (("weld metal", ESCO + "w"),)),
    )
    add(db.session, learner, "Cooking", summary=summary_of("Cooking", "Knife skills."))
    assert titles(learner, q="practice") == ["Welding"]
    assert titles(learner, q="KNIFE") == ["Cooking"]
    assert titles(learner, q="weld metal") == []  # a skill, not the description
    assert titles(learner, q="criteria") == []  # a property name of the summary
    assert titles(learner, q="Passed") == []  # the criteria, after the description


def test_skill_filter_reads_the_skills_not_the_description(learner):
    add(
        db.session,
        learner,
        "Welding",
        summary=summary_of("Welding", "Uses spreadsheets daily.", (("weld metal", ESCO + "w"),)),
    )
    add(
        db.session,
        learner,
        "Data",
        summary=summary_of("Data", "", (("use spreadsheets software", ESCO + "s"),)),
    )
    assert titles(learner, skill="spreadsheets") == ["Data"]
    assert titles(learner, skill="Weld") == ["Welding"]
    assert titles(learner, skill="Welding") == []  # the title is not a skill


def test_skill_by_uri_must_be_the_whole_uri(learner):
    uri = ESCO + "1973c966-f236-40c9-b2d4-5d71a89019be"
    add(db.session, learner, "Data", summary=summary_of("Data", "", (("use spreadsheets", uri),)))
    assert titles(learner, skill=uri) == ["Data"]
    assert titles(learner, skill=uri[:-4]) == []
    assert titles(learner, skill=ESCO) == []


def test_skill_labels_outside_ascii_match(learner):
    label = "obsługa arkuszy kalkulacyjnych"
    add(db.session, learner, "Arkusze", summary=summary_of("Arkusze", "", ((label, ESCO + "a"),)))
    add(db.session, learner, "Other", summary=summary_of("Other", "", (("weld", ESCO + "w"),)))
    assert titles(learner, skill="obsługa arkuszy") == ["Arkusze"]
    assert titles(learner, skill="kalkulacyjnych") == ["Arkusze"]


@pytest.mark.parametrize(
    ("fmt", "types", "kind"),
    [
        ("ldp_vc", ["VerifiableCredential", "OpenBadgeCredential"], "open_badge"),
        ("jwt_vc", ["VerifiableCredential", "AchievementCredential"], "open_badge"),
        ("ob2_hosted", ["Assertion"], "open_badge"),
        ("ldp_vc", ["VerifiableCredential", "ClrCredential"], "clr"),
        ("edc_jades", ["VerifiableCredential", "EuropeanDigitalCredential"], "edc"),
        ("edc_xml", [], "edc"),
        ("ldp_vc", ["VerifiableCredential", "EuropeanDigitalCredential"], "edc"),
        ("sd_jwt_vc", ["https://credentials.example.org/micro-credential"], "other"),
        ("ldp_vc", ["VerifiableCredential", "OpenBadgeCredentialX"], "other"),
    ],
)
def test_type_filter_agrees_with_the_cards(learner, fmt, types, kind):
    add(db.session, learner, "Target", format=fmt, types=types)
    add(db.session, learner, "Plain", format="jwt_vc", types=["VerifiableCredential"])
    assert query.kind_of(fmt, types) == kind
    shown = titles(learner, type=kind)
    assert "Target" in shown
    assert ("Plain" in shown) == (kind == "other")


def test_status_issuer_and_year_use_the_columns(learner):
    add(db.session, learner, "A", outcome="revoked", issuer_name="Northern Trade School")
    add(db.session, learner, "B", issued_at=datetime(2024, 12, 31, 23, 59, tzinfo=UTC))
    add(db.session, learner, "C", issued_at=datetime(2025, 1, 1, tzinfo=UTC))
    add(db.session, learner, "D", issued_at=None)
    assert titles(learner, status="revoked") == ["A"]
    assert titles(learner, issuer="Northern Trade School") == ["A"]
    assert titles(learner, issuer="northern trade school") == []  # the exact name, as offered
    assert titles(learner, year="2024") == ["B"]
    assert titles(learner, year="2025") == ["C"]


def test_other_learners_rows_never_show(app, user, learner):
    other = user("other@example.org")
    add(db.session, other.id, "Theirs")
    add(db.session, learner, "Mine")
    assert titles(learner) == ["Mine"]
    assert titles(learner, q="Theirs") == []
    assert db.session.scalars(query.issuers_query(learner)).all() == ["Demo University"]


# -- sorting, pages, counts --------------------------------------------------------------------
def test_pages_never_overlap_even_with_equal_sort_keys(learner):
    for n in range(PER_PAGE * 2 + 5):
        add(
            db.session,
            learner,
            f"Same title {n % 3}",
            imported_at=NOW + timedelta(seconds=n % 2),
            ects=Decimal(n % 4) if n % 5 else None,
        )
    for sort in query.SORTS:
        seen: list[int] = []
        for number in (1, 2, 3):
            page = query.fetch(db.session, learner, Filters(sort=sort, page=number))
            assert page.total == PER_PAGE * 2 + 5
            seen += [r.id for r in page.rows]
        assert len(seen) == len(set(seen)) == PER_PAGE * 2 + 5, sort


def test_missing_values_sort_last(learner):
    add(db.session, learner, "No date", issued_at=None, ects=None, issuer_name=None)
    add(db.session, learner, "Old", issued_at=datetime(2020, 1, 1, tzinfo=UTC), ects=Decimal(1))
    add(db.session, learner, "New", issued_at=datetime(2026, 1, 1, tzinfo=UTC), ects=Decimal(3))
    assert titles(learner, sort="issued") == ["New", "Old", "No date"]
    assert titles(learner, sort="ects") == ["New", "Old", "No date"]
    assert titles(learner, sort="issuer") == ["New", "Old", "No date"]
    assert titles(learner, sort="title") == ["New", "No date", "Old"]


def test_page_numbers(learner):
    for n in range(PER_PAGE + 1):
        add(db.session, learner, f"Course {n:02d}", imported_at=NOW + timedelta(minutes=n))
    first = query.fetch(db.session, learner, Filters())
    last = query.fetch(db.session, learner, Filters(page=2))
    beyond = query.fetch(db.session, learner, Filters(page=7))
    assert (first.total, first.pages, first.first, first.last) == (25, 2, 1, 24)
    assert (last.total, last.first, last.last, [r.title for r in last.rows]) == (
        25,
        25,
        25,
        ["Course 00"],
    )
    assert beyond.rows == [] and beyond.total == 25 and beyond.pages == 2


def test_years_and_issuers_for_the_form(learner):
    add(db.session, learner, "A", issued_at=datetime(2021, 3, 1, tzinfo=UTC), issuer_name="B U")
    add(db.session, learner, "B", issued_at=datetime(2025, 3, 1, tzinfo=UTC), issuer_name="A U")
    add(db.session, learner, "C", issued_at=datetime(2023, 3, 1, tzinfo=UTC), issuer_name="A U")
    first, last = db.session.execute(query.years_query(learner)).one()
    assert (first, last) == (datetime(2021, 3, 1, tzinfo=UTC), datetime(2025, 3, 1, tzinfo=UTC))
    assert db.session.scalars(query.issuers_query(learner)).all() == ["A U", "B U"]


def test_cards_read_no_heavy_columns(learner):
    big = "data:image/png;base64," + "A" * 100_000
    add(db.session, learner, "Pictured", image=big)
    row = query.fetch(db.session, learner, Filters()).rows[0]
    assert row.image.startswith("data:image/png;base64,") and len(row.image) == query.IMAGE_PREFIX
    assert row.title_map == {"": "Pictured"}
    assert row.issuer_map == {"": "Demo University"}
    assert not hasattr(row, "original") and not hasattr(row, "report")
