"""The portfolio pages: the list (sort, filters, search, pages, empty states), one credential
(everything it says, its checks with their dates, the EU standard elements), downloading,
checking again, the note, deleting, and what another learner or a hostile credential cannot do.

Credentials are signed in this module with the project's own issuer code and verified by the
real verifier; rows are filled from the report by ``wallet.verification.apply_report``, as an
import fills them.
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from sqlalchemy import select

from tests.conftest import ob3_credential
from verifier import DocumentCache, KeyPair, Report, TrustedIssuer, TrustStore, verify
from verifier.annex1 import with_eu_standard
from verifier.issuing import issue_ldp
from verifier.summary import (
    Concept,
    Credits,
    Duration,
    Endorsement,
    Evidence,
    LangText,
    Learner,
    Outcome,
    Party,
    Ref,
    Result,
    Stackability,
    Summary,
)
from wallet import create_app, verification
from wallet.db import db
from wallet.i18n import TRANSLATIONS, babel
from wallet.models import Credential

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=3)
SPREADSHEETS = "http://data.europa.eu/esco/skill/1973c966-f236-40c9-b2d4-5d71a89019be"
STATISTICS = "http://data.europa.eu/esco/skill/6b6e8b6c-2b9e-4c52-8a8e-000000000001"
PART = TRANSLATIONS / "pl" / "portfolio.po.part"


# -- signed credentials ------------------------------------------------------------------------
@dataclass(frozen=True)
class Signed:
    """A credential as the issuer handed it out, and the verifier's report on it."""

    data: bytes
    report: Report


def badge_document(issuer: KeyPair) -> dict[str, Any]:
    """An Open Badge with a description, an ESCO skill, an EQF level, ECTS and an image."""
    achievement = {
        "id": "https://demo.example/achievements/data-analysis",
        "type": ["Achievement"],
        "name": "Data Analysis Basics",
        "description": "Cleans, explores and visualises tabular data.",
        "criteria": {"narrative": "Passed the final project."},
        "creditsAvailable": 5,
        "fieldOfStudy": "Data science (ECTS)",
        "alignment": [
            {
                "type": ["Alignment"],
                "targetName": "use spreadsheets software",
                "targetUrl": SPREADSHEETS,
                "targetFramework": "ESCO",
                "targetType": "ceasn:Competency",
            },
            {
                "type": ["Alignment"],
                "targetName": "EQF level 5",
                "targetUrl": "http://data.europa.eu/snb/eqf/5",
                "targetFramework": "EQF",
            },
        ],
        "image": {"id": "https://demo.example/badge.png", "type": "Image"},
    }
    subject = {"id": "did:example:learner", "type": ["AchievementSubject"]}
    return ob3_credential(
        issuer.controller, credentialSubject={**subject, "achievement": achievement}
    )


def clr_document(issuer: KeyPair, inner: dict[str, Any]) -> dict[str, Any]:
    """A CLR 2.0 transcript holding one signed badge."""
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:4a3c7b61-4f3e-4d7b-9b0f-0d5c5a1e2f10",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": issuer.controller, "type": ["Profile"], "name": "Demo University"},
        "validFrom": "2025-02-01T00:00:00Z",
        "name": "Transcript",
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["ClrSubject"],
            "verifiableCredential": [inner],
        },
    }


def trust_for(key: KeyPair) -> TrustStore:
    store = TrustStore.empty()
    store.add(
        TrustedIssuer(
            id=key.controller,
            name="Demo University",
            registry="test",
            keys=(),
            added_at=NOW - timedelta(days=1),
        )
    )
    return store


@pytest.fixture(scope="module")
def issuer() -> KeyPair:
    return KeyPair.generate("Ed25519")


@pytest.fixture(scope="module")
def signed(issuer) -> dict[str, Signed]:
    """A badge and a CLR, signed and verified once for the module (signing takes time)."""
    created = NOW - timedelta(days=30)
    badge = issue_ldp(badge_document(issuer), issuer, created=created)
    inner = issue_ldp(ob3_credential(issuer.controller), issuer, created=created)
    clr = issue_ldp(clr_document(issuer, inner), issuer, created=created)
    found = {}
    # the badge's issuer is trusted; the transcript is checked without trust data
    for name, document, trust in (
        ("badge", badge, trust_for(issuer)),
        ("clr", clr, TrustStore.empty()),
    ):
        data = json.dumps(document, indent=2).encode()
        report = verify(data, now=NOW, trust=trust, cache=DocumentCache.in_memory())
        found[name] = Signed(data, report)
    assert found["badge"].report.outcome.value == "verified"
    assert found["clr"].report.outcome.value == "cannot_check"
    return found


def add(app, user_id: int, sample: Signed, *, summary: dict | None = None, **columns) -> int:
    """Store ``sample`` for the learner as an import would, then change ``columns``."""
    with app.app_context():
        row = Credential(
            user_id=user_id,
            original=sample.data,
            media_type="application/vc+ld+json",
            filename="badge.json",
            # the same bytes may be stored several times here, as different credentials
            sha256=hashlib.sha256(sample.data + secrets.token_bytes(8)).hexdigest(),
            channel="file",
        )
        verification.apply_report(row, sample.report, now=NOW)
        row.imported_at = NOW
        if summary is not None:
            row.summary = summary
        for name, value in columns.items():
            setattr(row, name, value)
        db.session.add(row)
        db.session.commit()
        return row.id


def changed(sample: Signed, *, issuer: str | None = None, **fields: Any) -> dict:
    """The sample's summary with some fields replaced (``issuer``: the issuer's name)."""
    summary = copy.deepcopy(dict(sample.report.summary))
    summary.update(fields)
    if issuer is not None:
        summary["issuer"] = {**summary["issuer"], "name": {"": issuer}}
    return summary


def row(app, credential_id: int) -> Credential | None:
    with app.app_context():
        found = db.session.get(Credential, credential_id)
        if found is not None:
            db.session.expunge(found)
        return found


def cards_text(response) -> str:
    """The part of the list page that holds the cards."""
    text = response.text
    return text[text.index('class="cred-grid"') :] if 'class="cred-grid"' in text else ""


def in_order(text: str, *titles: str) -> bool:
    positions = [text.index(t) for t in titles]
    return positions == sorted(positions)


# -- Polish ------------------------------------------------------------------------------------
@pytest.fixture
def wallet_config(wallet_config, tmp_path) -> dict:
    """The test configuration, with this module's Polish strings compiled beside the app's
    (until ``portfolio.po.part`` is merged into ``messages.po`` and removed)."""
    if not PART.exists():
        return wallet_config
    folder = tmp_path / "translations" / "pl" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with PART.open("rb") as source:
        catalog = read_po(source, locale="pl")
    with (folder / "messages.mo").open("wb") as target:
        write_mo(target, catalog)
    return {
        **wallet_config,
        "BABEL_TRANSLATION_DIRECTORIES": f"translations;{tmp_path / 'translations'}",
    }


@pytest.fixture(autouse=True)
def _fresh_translations(app):
    """Flask-Babel caches translations per process, not per app: start and end empty."""
    with app.app_context():
        babel.domain_instance.cache.clear()
    yield
    with app.app_context():
        babel.domain_instance.cache.clear()


POLISH = {"Accept-Language": "pl"}


# -- the list ----------------------------------------------------------------------------------
def test_portfolio_needs_login(client):
    response = client.get("/portfolio/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?next=/portfolio/"


def test_home_page_leads_to_the_portfolio(client, auth, user):
    user()
    auth.login()
    assert client.get("/").headers["Location"] == "/portfolio/"


@pytest.fixture
def four(app, user, auth, signed) -> dict[str, int]:
    """Four credentials of different kinds, issuers, years, credits, statuses and skills."""
    learner = user()
    auth.login()
    badge, clr = signed["badge"], signed["clr"]
    ids = {
        "data": add(app, learner.id, badge, imported_at=NOW - timedelta(days=3)),
        "welding": add(
            app,
            learner.id,
            badge,
            summary=changed(
                badge,
                title={"en": "Welding Safety"},
                issuer="Northern Trade School",
                description={"": "Safe welding practice in the workshop."},
                skills=[],
                outcomes=[],
            ),
            title="Welding Safety",
            issuer_name="Northern Trade School",
            issued_at=datetime(2024, 5, 10, tzinfo=UTC),
            ects=Decimal(2),
            outcome="expired",
            imported_at=NOW - timedelta(days=2),
        ),
        "transcript": add(app, learner.id, clr, imported_at=NOW - timedelta(days=1)),
        "statistics": add(
            app,
            learner.id,
            badge,
            summary=changed(
                badge,
                title={"": "Advanced Statistics"},
                issuer="Open Academy",
                description={"": "Regression and inference."},
                outcomes=[],
                skills=[
                    {
                        "label": {"en": "apply statistical analysis techniques"},
                        "uri": STATISTICS,
                        "code": None,
                        "framework": "ESCO",
                    }
                ],
            ),
            title="Advanced Statistics",
            issuer_name="Open Academy",
            issued_at=None,
            ects=Decimal(10),
            outcome="revoked",
            format="jwt_vc",
            types=["VerifiableCredential"],
        ),
    }
    return ids


def test_list_shows_each_credential_as_a_card(client, four):
    response = client.get("/portfolio/")
    assert response.status_code == 200
    cards = cards_text(response)
    for title in ("Data Analysis Basics", "Welding Safety", "Transcript", "Advanced Statistics"):
        assert title in cards
    assert "Showing 1–4 of 4 credentials" in response.text
    assert "Northern Trade School" in cards
    assert "Jan 15, 2026" in cards and "5 ECTS" in cards and "10 ECTS" in cards
    for label in ("Verified", "Expired", "Revoked", "Could not check"):
        assert label in cards
    assert "Learning record (CLR)" in cards and "Open Badge" in cards
    assert f'href="/portfolio/{four["data"]}"' in cards
    # an https image is shown as it is; the others get the placeholder alone
    assert '<img src="https://demo.example/badge.png"' in cards


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("", ("Advanced Statistics", "Transcript", "Welding Safety", "Data Analysis Basics")),
        ("imported", ("Advanced Statistics", "Transcript", "Welding Safety", "Data Analysis")),
        ("issued", ("Data Analysis Basics", "Transcript", "Welding Safety", "Advanced Statistics")),
        ("title", ("Advanced Statistics", "Data Analysis Basics", "Transcript", "Welding Safety")),
        ("issuer", ("Data Analysis Basics", "Transcript", "Welding Safety", "Advanced Statistics")),
        ("ects", ("Advanced Statistics", "Data Analysis Basics", "Welding Safety", "Transcript")),
    ],
)
def test_sorts(client, four, sort, order):
    response = client.get("/portfolio/", query_string={"sort": sort})
    assert response.status_code == 200
    assert in_order(cards_text(response), *order)
    if sort:
        assert f'<option value="{sort}" selected>' in response.text


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        ({"issuer": "Demo University"}, {"data", "transcript"}),
        ({"type": "open_badge"}, {"data", "welding"}),
        ({"type": "clr"}, {"transcript"}),
        ({"type": "other"}, {"statistics"}),
        ({"status": "expired"}, {"welding"}),
        ({"status": "verified"}, {"data"}),
        ({"skill": "spreadsheets"}, {"data"}),
        ({"skill": "STATISTICAL analysis"}, {"statistics"}),
        ({"skill": STATISTICS}, {"statistics"}),
        ({"skill": SPREADSHEETS}, {"data"}),
        ({"year": "2024"}, {"welding"}),
        ({"year": "2026"}, {"data"}),
        ({"issuer": "Demo University", "type": "clr"}, {"transcript"}),
    ],
)
def test_filters(client, four, args, shown):
    titles = {
        "data": "Data Analysis Basics",
        "welding": "Welding Safety",
        "transcript": "Transcript",
        "statistics": "Advanced Statistics",
    }
    response = client.get("/portfolio/", query_string=args)
    assert response.status_code == 200
    cards = cards_text(response)
    assert {key for key, title in titles.items() if title in cards} == shown
    assert "Clear filters" in response.text


@pytest.mark.parametrize(
    ("q", "shown"),
    [
        ("statistics", {"Advanced Statistics"}),  # title, any case
        ("northern", {"Welding Safety"}),  # issuer
        ("workshop", {"Welding Safety"}),  # description
        # the description of a CLR's part counts too
        ("visualises", {"Data Analysis Basics", "Transcript"}),
        ("spreadsheets", set()),  # a skill is not the description
    ],
)
def test_search(client, four, q, shown):
    response = client.get("/portfolio/", query_string={"q": q})
    assert response.status_code == 200
    cards = cards_text(response)
    every = {"Data Analysis Basics", "Welding Safety", "Transcript", "Advanced Statistics"}
    assert {title for title in every if title in cards} == shown
    assert f'value="{q}"' in response.text  # the search box keeps the words


def test_filters_offer_the_learners_issuers_and_years(client, four):
    page = client.get("/portfolio/").text
    for issuer in ("Demo University", "Northern Trade School", "Open Academy"):
        assert f'<option value="{issuer}">{issuer}</option>' in page
    for year in ("2024", "2025", "2026"):
        assert f'<option value="{year}">{year}</option>' in page


def test_unknown_filter_values_are_ignored(client, four):
    response = client.get("/portfolio/?sort=evil&status=hacked&type=x&year=abc&page=-3")
    assert response.status_code == 200
    assert "Showing 1–4 of 4 credentials" in response.text


@pytest.fixture
def thirty(app, user, auth, signed) -> list[int]:
    learner = user()
    auth.login()
    return [
        add(
            app,
            learner.id,
            signed["badge"],
            title=f"Course {n:02d}",
            summary=changed(signed["badge"], title={"": f"Course {n:02d}"}),
            imported_at=NOW + timedelta(minutes=n),
        )
        for n in range(1, 31)
    ]


def test_pagination(client, thirty):
    first = client.get("/portfolio/")
    assert "Showing 1–24 of 30 credentials" in first.text
    assert cards_text(first).count('class="cred-card"') == 24
    assert "Course 30" in first.text and "Course 06" not in first.text
    assert '<a href="/portfolio/?page=2" rel="next">' in first.text
    assert 'aria-current="page"><span class="visually-hidden">Page </span>1</a>' in first.text
    second = client.get("/portfolio/?page=2")
    assert "Showing 25–30 of 30 credentials" in second.text
    assert cards_text(second).count('class="cred-card"') == 6
    assert "Course 06" in second.text and "Course 07" not in second.text
    assert '<a href="/portfolio/" rel="prev">' in second.text


def test_pagination_keeps_the_filters(client, thirty):
    response = client.get("/portfolio/?q=course&sort=title")
    assert "Showing 1–24 of 30 credentials" in response.text
    assert in_order(cards_text(response), "Course 01", "Course 24")
    assert 'href="/portfolio/?q=course&amp;sort=title&amp;page=2" rel="next"' in response.text


def test_a_page_past_the_end_goes_to_the_last(client, thirty):
    response = client.get("/portfolio/?page=9&q=course")
    assert response.status_code == 302
    assert response.headers["Location"] == "/portfolio/?q=course&page=2"


def test_new_learner_sees_what_to_do(client, auth, user):
    user()
    auth.login()
    response = client.get("/portfolio/")
    assert response.status_code == 200
    assert "Your portfolio is empty" in response.text
    assert 'href="/import/"' in response.text
    assert "Open Badges 3.0 and 2.0" in response.text
    assert "European Digital Credentials (EDC)" in response.text
    assert 'class="filters' not in response.text


def test_new_learner_sees_what_to_do_in_polish(client, auth, user):
    user()
    auth.login()
    response = client.get("/portfolio/", headers=POLISH)
    assert "Twoje portfolio jest puste" in response.text
    assert "Zaimportuj pierwsze poświadczenie" in response.text
    assert "Europejskie Poświadczenia Cyfrowe (EDC)" in response.text


def test_no_match_offers_to_clear_the_filters(client, four):
    response = client.get("/portfolio/?q=underwater+basket+weaving")
    assert response.status_code == 200
    assert "No credential matches" in response.text
    assert "None of your credentials matches these filters." in response.text
    assert (
        '<a class="button button--secondary" href="/portfolio/">Clear filters</a>' in response.text
    )
    polish = client.get("/portfolio/?q=underwater", headers=POLISH)
    assert "Brak pasujących poświadczeń" in polish.text
    assert "Wyczyść filtry" in polish.text


def test_filters_for_a_learner_with_nothing_show_the_empty_state(client, auth, user):
    user()
    auth.login()
    assert "Your portfolio is empty" in client.get("/portfolio/?status=revoked").text


# -- one credential ----------------------------------------------------------------------------
def test_detail_shows_what_the_credential_says(client, four):
    response = client.get(f"/portfolio/{four['data']}")
    assert response.status_code == 200
    page = response.text
    assert "<h1" in page and "Data Analysis Basics</h1>" in page
    assert "Cleans, explores and visualises tabular data." in page
    assert (
        f'<a href="{SPREADSHEETS}" rel="noopener noreferrer nofollow">use spreadsheets software'
        in (page)
    )
    assert "EQF level 5" in page and "5 ECTS" in page
    assert "Demo University" in page and "Passed the final project." in page
    assert "Data science (ECTS)" in page


def test_detail_shows_every_check_with_the_date_of_its_trust_data(client, four):
    page = client.get(f"/portfolio/{four['data']}").text
    assert "Verified: every check passed." in page
    assert "Last checked: Jun 1, 2026, 12:00:00\u202fPM" in page
    for name in ("Signature or seal", "Recognised issuer", "Validity period", "Schema"):
        assert f'<th scope="row">{name}</th>' in page
    assert "The signature (eddsa-rdfc-2022) matches the contents." in page
    assert "Demo University is a recognised issuer in test." in page
    assert "May 31, 2026, 12:00:00\u202fPM" in page  # when the issuer was added to the trust store


def test_detail_shows_the_eu_standard_elements(client, four):
    page = client.get(f"/portfolio/{four['data']}").text
    assert "EU standard elements" in page
    assert "7 of 11 mandatory elements are present." in page
    assert "0 of 5 optional elements are present." in page
    assert '<th scope="row">Identification of the learner</th>' in page
    assert "<code>credentialSubject.id</code>" in page
    assert "Not stated" in page and "Stated" in page


def test_detail_in_polish(client, four):
    page = client.get(f"/portfolio/{four['data']}", headers=POLISH).text
    assert "Elementy standardu UE" in page
    assert "Podano 7 z 11 elementów obowiązkowych." in page
    assert "Identyfikacja osoby uczącej się" in page
    assert "Jak zostało sprawdzone" in page and "Ostatnio sprawdzono: 1 cze 2026" in page
    assert "Poziom ERK 5" in page
    # the verifier's sentences are English, and say so to screen readers
    assert '<span lang="en">The signature (eddsa-rdfc-2022) matches the contents.</span>' in page
    # ... after the same result in plain Polish, worded as the employer's view words it
    assert "Podpis wystawcy zgadza się z treścią: nic nie zostało zmienione.<br>" in page


def test_detail_in_english_shows_the_verifier_sentence_only(client, four):
    page = client.get(f"/portfolio/{four['data']}").text
    assert "The issuer's signature matches the contents: nothing was changed." not in page


def test_language_maps_follow_the_reader(app, client, user, auth, signed):
    learner = user()
    auth.login()
    title = {"en": "Data Analysis Basics", "pl": "Podstawy analizy danych"}
    credential_id = add(
        app, learner.id, signed["badge"], summary=changed(signed["badge"], title=title)
    )
    english_only = add(
        app,
        learner.id,
        signed["badge"],
        summary=changed(signed["badge"], title={"en": "Welding Safety"}),
    )
    assert "Data Analysis Basics</h1>" in client.get(f"/portfolio/{credential_id}").text
    polish = client.get(f"/portfolio/{credential_id}", headers=POLISH).text
    assert '<h1 id="credential-title">Podstawy analizy danych</h1>' in polish
    listing = client.get("/portfolio/", headers=POLISH).text
    assert "Podstawy analizy danych" in listing
    assert f'<a href="/portfolio/{english_only}" lang="en">Welding Safety</a>' in listing


def rich_summary() -> dict:
    """A summary holding every element the EU standard names, as the ELM mapper fills it."""
    esco = Concept(
        LangText({"en": "use spreadsheets software", "pl": "obsługa arkuszy"}), SPREADSHEETS
    )
    summary = Summary(
        data_model="elm",
        kind="achievement",
        types=("VerifiableCredential", "EuropeanDigitalCredential"),
        title=LangText({"en": "Data analysis", "pl": "Analiza danych"}),
        description=LangText.plain("Cleaning and exploring data."),
        issuer=Party(
            LangText.plain("Universidad Demo"),
            "urn:epass:org:1",
            (Concept(LangText({"en": "Spain", "pl": "Hiszpania"}), code="ESP"),),
            "https://uni.example",
            "office@uni.example",
        ),
        awarding_bodies=(Party(LangText.plain("Faculty of Data")),),
        issued="2026-01-15T09:00:00Z",
        valid_until="2030-01-15",
        learner=Learner(LangText.plain("Ana Prueba"), "urn:epass:person:1"),
        outcomes=(Outcome(LangText.plain("Builds pivot tables."), (esco,)),),
        skills=(esco,),
        credits=(
            Credits("5", 5, "ECTS", LangText.plain("ECTS")),
            Credits("2.5", 2.5, None, LangText.plain("Local credit points")),
        ),
        volume_of_learning=Duration("PT60H", 60),
        eqf=Concept(LangText.plain("Level 5"), "http://data.europa.eu/snb/eqf/5"),
        eqf_level=5,
        assessment=(Concept(LangText.plain("Written exam")),),
        participation=(Concept(LangText.plain("Blended learning")),),
        quality_assurance=(Concept(LangText.plain("Accredited by ANECA")),),
        grades=(Result(LangText.plain("Final exam"), LangText.plain("9/10")),),
        prerequisites=(LangText.plain("Basic algebra"),),
        supervision=(Concept(LangText.plain("Supervised online with identity verification")),),
        stackability=Stackability(
            True, (Ref("https://uni.example/master", LangText.plain("Master")),)
        ),
        evidence=(
            Evidence(
                LangText.plain("Final project"), LangText.plain("A report."), "https://e.example/p"
            ),
        ),
        endorsements=(
            Endorsement(LangText.plain("Data Guild"), None, LangText.plain("Solid work.")),
        ),
        further_information=(LangText.plain("See the course page."),),
    )
    return with_eu_standard(summary)


def test_detail_shows_every_element_of_a_rich_summary(app, client, user, auth, signed):
    learner = user()
    auth.login()
    credential_id = add(app, learner.id, signed["badge"], summary=rich_summary())
    page = client.get(f"/portfolio/{credential_id}").text
    for text in (
        "Cleaning and exploring data.",
        '<a href="https://uni.example" rel="noopener noreferrer nofollow">Universidad Demo</a>',
        "Spain",
        "office@uni.example",
        "Faculty of Data",
        "Jan 15, 2030",
        "Ana Prueba",
        "Builds pivot tables.",
        "5 ECTS",
        "2.5 credits (Local credit points)",
        "60 hours",
        "EQF level 5",
        "Written exam",
        "Blended learning",
        "Accredited by ANECA",
        "Final exam: 9/10",
        "Basic algebra",
        "Supervised online with identity verification",
        "<dt>Partial qualification</dt>",
        '<a href="https://uni.example/master" rel="noopener noreferrer nofollow">Master</a>',
        '<a href="https://e.example/p" rel="noopener noreferrer nofollow">Final project</a>',
        "A report.",
        "Data Guild",
        "Solid work.",
        "See the course page.",
        "All 11 mandatory elements are present.",
        "5 of 5 optional elements are present.",
    ):
        assert text in page, text
    polish = client.get(f"/portfolio/{credential_id}", headers=POLISH).text
    for text in ("Analiza danych", "Hiszpania", "obsługa arkuszy", "60 godzin", "2,5", "Tak"):
        assert text in polish, text
    assert "Podano wszystkie elementy obowiązkowe (11)." in polish


def test_detail_of_a_learning_record_shows_its_parts(client, four):
    page = client.get(f"/portfolio/{four['transcript']}").text
    assert "Credentials inside this one" in page
    assert "<strong>Data Analysis Basics</strong>" in page
    assert "Contained credentials" in page


# -- download, check again, note, delete ---------------------------------------------------------
def test_download_returns_the_original_bytes(client, four, signed):
    response = client.get(f"/portfolio/{four['data']}/download")
    assert response.status_code == 200
    assert response.data == signed["badge"].data
    assert response.mimetype == "application/vc+ld+json"
    assert response.headers["Content-Disposition"] == "attachment; filename=badge.json"
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    ("filename", "media_type", "disposition"),
    [
        ("../../etc/passwd", "application/json", "attachment; filename=passwd"),
        ('C:\\Users\\ada\\"badge".json', "application/json", "attachment; filename=badge.json"),
        (None, "application/vc+jwt", "attachment; filename=Data_Analysis_Basics.jwt"),
        (
            "świadectwo.json",
            "application/json",
            "attachment; filename=swiadectwo.json; filename*=UTF-8''%C5%9Bwiadectwo.json",
        ),
    ],
)
def test_download_names_are_safe(
    app, client, user, auth, signed, filename, media_type, disposition
):
    learner = user()
    auth.login()
    credential_id = add(app, learner.id, signed["badge"], filename=filename, media_type=media_type)
    response = client.get(f"/portfolio/{credential_id}/download")
    assert response.headers["Content-Disposition"] == disposition
    assert response.mimetype == media_type


def test_download_of_an_odd_media_type_is_a_plain_download(app, client, user, auth, signed):
    learner = user()
    auth.login()
    credential_id = add(app, learner.id, signed["badge"], media_type="text/html; x=<y>")
    response = client.get(f"/portfolio/{credential_id}/download")
    assert response.mimetype == "application/octet-stream"
    assert response.data == signed["badge"].data


def test_check_again_updates_the_report(app, client, four, issuer, monkeypatch):
    # The wallet's own trust store knows the issuer; the clock is three days later.
    store = verification.open_stores(app.config["VERIFIER_HOME"]).trust
    for trusted in trust_for(issuer).issuers():
        store.add(trusted)
    store.save()
    monkeypatch.setattr(
        verification, "reverify", functools.partial(verification.reverify, now=LATER)
    )
    credential_id = four["welding"]  # stored as expired; the signed badge is in fact valid
    response = client.post(f"/portfolio/{credential_id}/reverify")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/portfolio/{credential_id}"
    stored = row(app, credential_id)
    assert stored.checked_at == LATER
    assert stored.outcome == "verified"
    page = client.get(response.headers["Location"]).text
    assert "Checked again. Verified: every check passed." in page
    assert "Last checked: Jun 4, 2026, 12:00:00\u202fPM" in page


def test_check_again_needs_a_post(client, four):
    assert client.get(f"/portfolio/{four['data']}/reverify").status_code == 405


def test_note_is_saved(app, client, four):
    credential_id = four["data"]
    response = client.post(
        f"/portfolio/{credential_id}/note", data={"note": "  Ask about the advanced course.\r\n"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/portfolio/{credential_id}#note"
    assert row(app, credential_id).note == "Ask about the advanced course."
    page = client.get(f"/portfolio/{credential_id}").text
    assert "Your note has been saved." in page
    assert ">Ask about the advanced course.</textarea>" in page


def test_a_note_too_long_is_refused(app, client, four):
    credential_id = four["data"]
    response = client.post(f"/portfolio/{credential_id}/note", data={"note": "x" * 2001})
    assert response.status_code == 400
    assert "The note can be at most 2000 characters long." in response.text
    assert 'aria-invalid="true"' in response.text
    assert row(app, credential_id).note == ""


def test_delete_asks_first(client, four):
    response = client.get(f"/portfolio/{four['data']}/delete")
    assert response.status_code == 200
    assert "Delete this credential?" in response.text
    assert "Data Analysis Basics" in response.text


def test_delete_removes_the_row(app, client, four):
    credential_id = four["data"]
    response = client.post(f"/portfolio/{credential_id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == "/portfolio/"
    assert row(app, credential_id) is None
    page = client.get("/portfolio/").text
    assert "“Data Analysis Basics” has been deleted from your wallet." in page
    assert "Showing 1–3 of 3 credentials" in page
    with app.app_context():
        assert len(db.session.scalars(select(Credential.id)).all()) == 3


@pytest.fixture
def guarded(app, wallet_config):
    """A second app on the same database, with CSRF protection on as in production."""
    guarded = create_app({**wallet_config, "WTF_CSRF_ENABLED": True})
    yield guarded
    with guarded.app_context():
        db.session.remove()
        db.engine.dispose()


def test_forms_need_the_csrf_token(app, guarded, user, signed):
    learner = user()
    credential_id = add(app, learner.id, signed["badge"])
    client = guarded.test_client()
    page = client.get("/auth/login").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    client.post(
        "/auth/login",
        data={"email": learner.email, "password": learner.password, "csrf_token": token},
    )
    response = client.post(f"/portfolio/{credential_id}/delete")
    assert response.status_code == 400
    assert "This form has expired" in response.text
    assert row(app, credential_id) is not None
    detail = client.get(f"/portfolio/{credential_id}").text
    assert detail.count('name="csrf_token"') >= 3  # check again, note, and the header's forms


# -- another learner, hostile content -------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/portfolio/{id}"),
        ("get", "/portfolio/{id}/image"),
        ("get", "/portfolio/{id}/download"),
        ("post", "/portfolio/{id}/reverify"),
        ("post", "/portfolio/{id}/note"),
        ("get", "/portfolio/{id}/delete"),
        ("post", "/portfolio/{id}/delete"),
    ],
)
def test_another_learners_credential_is_not_found(app, client, auth, user, signed, method, path):
    owner = user("owner@example.org")
    user("other@example.org")
    credential_id = add(app, owner.id, signed["badge"], image="data:image/png;base64,iVBORw0KGgo=")
    auth.login("other@example.org")
    response = getattr(client, method)(path.format(id=credential_id), data={"note": "mine"})
    assert response.status_code == 404
    assert "Page not found" in response.text
    stored = row(app, credential_id)
    assert stored is not None and stored.note == "" and stored.checked_at == NOW
    assert "Data Analysis Basics" not in client.get("/portfolio/").text
    missing = getattr(client, method)(path.format(id=credential_id + 1000))
    assert missing.status_code == 404  # the same answer as for an id that does not exist


def test_script_in_a_title_is_shown_as_text(app, client, user, auth, signed):
    learner = user()
    auth.login()
    evil = "<script>alert(1)</script>"
    credential_id = add(
        app,
        learner.id,
        signed["badge"],
        title=evil,
        issuer_name="<b>Bold</b> University",
        summary=changed(
            signed["badge"], title={"": evil}, description={"": '<img src=x onerror="alert(2)">'}
        ),
    )
    for page in (
        client.get("/portfolio/").text,
        client.get(f"/portfolio/{credential_id}").text,
        client.get(f"/portfolio/{credential_id}/delete").text,
    ):
        assert "<script>alert(1)" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    detail = client.get(f"/portfolio/{credential_id}").text
    assert "<img src=x" not in detail and "&lt;img src=x" in detail
    listing = client.get("/portfolio/").text
    assert "<b>Bold</b>" not in listing and "&lt;b&gt;Bold&lt;/b&gt; University" in listing


def test_javascript_urls_are_not_links(app, client, user, auth, signed):
    learner = user()
    auth.login()
    summary = changed(
        signed["badge"],
        image="javascript:alert(1)",
        issuer={
            "name": {"": "Demo University"},
            "id": "javascript:alert(2)",
            "countries": [],
            "homepage": "javascript:alert(3)",
            "email": None,
        },
        skills=[{"label": {"": "hacking"}, "uri": "javascript:alert(4)"}],
        evidence=[{"name": {"": "Portfolio"}, "description": {}, "url": "JavaScript:alert(5)"}],
        criteria_url=" javascript:alert(6)",
    )
    credential_id = add(
        app, learner.id, signed["badge"], summary=summary, image="javascript:alert(1)"
    )
    for page in (client.get("/portfolio/").text, client.get(f"/portfolio/{credential_id}").text):
        lowered = page.lower()
        assert 'href="javascript' not in lowered and "href=' javascript" not in lowered
        assert 'src="javascript' not in lowered
        assert '<div class="cred-picture' in page and "<img" not in page  # the placeholder
    detail = client.get(f"/portfolio/{credential_id}").text
    assert "<dd>hacking</dd>" in detail  # the skill is shown, as text


def test_embedded_images_are_served_from_the_wallet(app, client, user, auth, signed):
    learner = user()
    auth.login()
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    image = "data:image/png;base64," + base64.b64encode(png).decode()
    credential_id = add(app, learner.id, signed["badge"], image=image)
    listing = client.get("/portfolio/").text
    assert f'<img src="/portfolio/{credential_id}/image"' in listing
    response = client.get(f"/portfolio/{credential_id}/image")
    assert response.status_code == 200
    assert response.data == png and response.mimetype == "image/png"
    assert "sandbox" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "image",
    [
        "data:text/html;base64,PHNjcmlwdD4=",
        "data:image/png;base64,not base64!",
        "http://x.example/a.png",
    ],
)
def test_other_images_show_the_placeholder(app, client, user, auth, signed, image):
    learner = user()
    auth.login()
    credential_id = add(app, learner.id, signed["badge"], image=image)
    assert "<img" not in client.get(f"/portfolio/{credential_id}").text  # decoded to be sure
    assert client.get(f"/portfolio/{credential_id}/image").status_code == 404
