"""The pathway pages: the overview with its progress bars, a pathway as a tree, importing a file
(upload or address), the editor, copying and deleting, and what another learner cannot see."""

from __future__ import annotations

import io
import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.wallet.pathways_support import (
    achievement,
    all_of,
    badge,
    import_credential,
    pathway,
    pathway_text,
    trusted_key,
)
from wallet.db import db
from wallet.models import User
from wallet.pathways import fetch as fetch_module
from wallet.pathways import service
from wallet.pathways.demo import EXAMPLE, seed_demo
from wallet.pathways.models import PathwayRecord

TWO_COURSES = pathway_text(
    all_of(achievement("databases", "Databases"), achievement("web", "Web")), total_ects=10
)


@pytest.fixture
def learner(user, auth):
    """A learner who is logged in."""
    person = user()
    auth.login()
    return person


def upload(client, text: str | bytes, name: str = "pathway.json"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        "/pathways/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(PathwayRecord))


def progress_value(page: str, bar: str) -> tuple[int, int]:
    """The (value, max) of the progress bar with this id."""
    found = re.search(rf'<progress id="{bar}"[^>]*max="(\d+)" value="(\d+)"', page)
    assert found, page
    return int(found.group(2)), int(found.group(1))


def test_overview_without_pathways_says_how_to_add_one(client, learner):
    page = client.get("/pathways/").get_data(as_text=True)
    assert "No pathways yet" in page
    assert "recognising your learning is always up to the institution" in page


def test_visitors_are_sent_to_log_in(client):
    response = client.get("/pathways/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_importing_the_example_file_shows_its_tree(app, client, learner):
    response = upload(client, EXAMPLE.read_bytes())
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Progress towards “Certificate in Applied Computing”" in page
    assert "Computing Foundations" in page  # the sub-pathway, inlined
    assert "Missing" in page
    assert count(app) == 1


def test_progress_moves_when_a_credential_is_imported(app, client, learner):
    record_url = upload(client, TWO_COURSES).headers["Location"]
    page = client.get(record_url).get_data(as_text=True)
    assert progress_value(page, "req-bar") == (0, 2)
    assert progress_value(page, "ects-bar") == (0, 1000)
    key = trusted_key(app)
    import_credential(app, learner.id, badge(key, "Databases", ects=6))
    page = client.get(record_url).get_data(as_text=True)
    assert progress_value(page, "req-bar") == (1, 2)
    assert progress_value(page, "ects-bar") == (600, 1000)
    assert "Databases" in page and "What would meet it:" in page
    overview = client.get("/pathways/").get_data(as_text=True)
    assert "ECTS: 6 of 10" in overview
    assert "Requirements: 1 of 2 met" in overview


def test_a_credential_that_is_not_genuine_is_listed_apart_with_the_reason(app, client, learner):
    record_url = upload(client, TWO_COURSES).headers["Location"]
    key = trusted_key(app)
    import_credential(app, learner.id, badge(key, "Databases", ects=6))
    bad = json.loads(badge(key, "Web", ects=4))
    bad["credentialSubject"]["achievement"]["name"] = "Web (changed)"  # breaks the proof
    import_credential(app, learner.id, json.dumps(bad).encode())
    page = client.get(record_url).get_data(as_text=True)
    assert "Not counted: the credential is not genuine." in page
    assert progress_value(page, "req-bar") == (1, 2)
    assert progress_value(page, "ects-bar") == (600, 1000)


@pytest.mark.parametrize(
    ("name", "document", "place", "words"),
    [
        (
            "cycle",
            {
                **pathway({"kind": "pathway", "ref": "a"}),
                "subpathways": {
                    "a": {
                        "target": {"title": "A"},
                        "requirements": {"kind": "pathway", "ref": "b"},
                    },
                    "b": {
                        "target": {"title": "B"},
                        "requirements": all_of({"kind": "pathway", "ref": "a"}),
                    },
                },
            },
            "$.subpathways.",
            "cycle: a → b → a",
        ),
        (
            "unknown_kind",
            pathway(all_of({"kind": "some_of", "requirements": []})),
            "$.requirements.requirements[0].kind",
            "Unknown requirement kind &#34;some_of&#34;",
        ),
        (
            "negative_ects",
            pathway({"kind": "ects_from", "ects": -5}),
            "$.requirements.ects",
            "-5 is too small here",
        ),
        (
            "negative_total",
            pathway(all_of(achievement("x")), total_ects=-1),
            "$.target.total_ects",
            "too small",
        ),
        (
            "n_too_large",
            pathway({"kind": "n_of", "n": 3, "requirements": [achievement("x")]}),
            "$.requirements.n",
            "n is 3 but only 1 requirements follow",
        ),
        (
            "unknown_subpathway",
            pathway({"kind": "pathway", "ref": "nowhere"}),
            "$.requirements.ref",
            "There is no sub-pathway",
        ),
    ],
)
def test_a_bad_file_is_refused_naming_the_place(app, client, learner, name, document, place, words):
    response = upload(client, json.dumps(document))
    page = response.get_data(as_text=True)
    assert response.status_code == 400, name
    assert "Nothing was saved" in page
    assert place in page
    assert words in page
    assert count(app) == 0


def test_ten_thousand_nested_levels_are_refused_without_recursion(app, client, learner):
    nested = '{"kind":"all_of","requirements":[' * 10_000 + "{}" + "]}" * 10_000
    text = (
        '{"format": "learner-wallet-pathway/1", "target": {"title": "Deep"}, '
        f'"requirements": {nested}}}'
    )
    response = upload(client, text)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "nests more than 64 levels deep at line 1, column" in page
    assert count(app) == 0


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\xff\xfe not utf-8", "not UTF-8 text"),
        (b"{not json", "This is not valid JSON"),
        (b'{"format": "something-else"}', "$.format"),
    ],
)
def test_unreadable_files_are_refused(app, client, learner, content, words):
    response = upload(client, content)
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)
    assert count(app) == 0


def test_an_upload_without_a_file_is_refused(client, learner):
    response = client.post("/pathways/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a pathway file" in response.get_data(as_text=True)


class Answer(io.BytesIO):
    """A response body, as ``urlopen`` gives it (a context manager)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.fixture
def public_dns(monkeypatch):
    """Every host name resolves to a public address (the suite runs offline)."""
    monkeypatch.setattr(fetch_module, "resolve", lambda host: ["93.184.216.34"])


def test_import_from_an_address(app, client, learner, monkeypatch, public_dns):
    seen = {}

    def open_url(request, timeout):
        seen["url"], seen["timeout"] = request.full_url, timeout
        return Answer(TWO_COURSES.encode())

    monkeypatch.setattr(fetch_module, "open_url", open_url)
    response = client.post("/pathways/import-url", data={"url": "https://uni.example/p.json"})
    assert response.status_code == 302
    assert seen == {"url": "https://uni.example/p.json", "timeout": 5}
    with app.app_context():
        record = db.session.scalar(select(PathwayRecord))
        assert (record.source, record.source_url) == ("url", "https://uni.example/p.json")


def test_import_from_an_address_offline_says_so(app, client, learner, monkeypatch, public_dns):
    def offline(request, timeout):
        raise urllib.error.URLError("Network is unreachable")

    monkeypatch.setattr(fetch_module, "open_url", offline)
    response = client.post("/pathways/import-url", data={"url": "https://uni.example/p.json"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "could not reach uni.example: it may be offline" in page
    assert 'value="https://uni.example/p.json"' in page
    assert count(app) == 0


def test_a_name_that_does_not_resolve_is_reported_as_offline(monkeypatch):
    def no_dns(host):
        raise OSError("Temporary failure in name resolution")

    monkeypatch.setattr(fetch_module, "resolve", no_dns)
    with pytest.raises(fetch_module.FetchError, match="could not reach uni.example"):
        fetch_module.fetch("https://uni.example/p.json")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:5000/pathways/example.json",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/p.json",
        "http://10.1.2.3/p.json",
        "http://localhost/p.json",
    ],
)
def test_addresses_on_private_networks_are_not_fetched(app, client, learner, monkeypatch, url):
    def never(request, timeout):
        raise AssertionError("fetched a private address")

    monkeypatch.setattr(fetch_module, "open_url", never)
    response = client.post("/pathways/import-url", data={"url": url})
    assert response.status_code == 400
    assert "is not a public address" in response.get_data(as_text=True)
    assert count(app) == 0


def test_a_redirect_to_a_private_address_is_not_followed():
    handler = fetch_module._PublicRedirects()
    request = urllib.request.Request("https://uni.example/p.json")
    with pytest.raises(fetch_module.FetchError, match="not a public address"):
        handler.redirect_request(request, None, 302, "Found", {}, "http://127.0.0.1/admin")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://uni.example/p.json", "nothing"])
def test_import_from_an_address_only_takes_web_addresses(app, client, learner, url):
    response = client.post("/pathways/import-url", data={"url": url})
    assert response.status_code == 400
    assert "starting with https://" in response.get_data(as_text=True)


def test_an_address_with_a_too_large_file_is_refused(monkeypatch, public_dns):
    monkeypatch.setattr(fetch_module, "open_url", lambda request, timeout: Answer(b" " * 600_000))
    with pytest.raises(fetch_module.FetchError, match="larger than 512 KB"):
        fetch_module.fetch("https://uni.example/big.json")


def test_the_editor_shows_problems_inline_and_saves_nothing(app, client, learner):
    bad = pathway_text({"kind": "ects_from", "ects": -1})
    response = client.post("/pathways/new", data={"definition": bad})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'aria-invalid="true"' in page
    assert "<code>$.requirements.ects</code>" in page
    assert "&#34;ects&#34;: -1" in page  # the text is kept for correcting
    assert count(app) == 0


def test_the_editor_saves_a_good_definition_and_edits_it(app, client, learner):
    assert "learner-wallet-pathway/1" in client.get("/pathways/new").get_data(as_text=True)
    response = client.post("/pathways/new", data={"definition": TWO_COURSES})
    assert response.status_code == 302
    with app.app_context():
        record = db.session.scalar(select(PathwayRecord))
        assert (record.title, record.source) == ("Test pathway", "editor")
        pathway_id = record.id
    changed = pathway_text(achievement("databases"), title="Renamed")
    response = client.post(f"/pathways/{pathway_id}/edit", data={"definition": changed})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(PathwayRecord, pathway_id).title == "Renamed"
    bad = client.post(f"/pathways/{pathway_id}/edit", data={"definition": "[]"})
    assert bad.status_code == 400
    with app.app_context():
        assert db.session.get(PathwayRecord, pathway_id).definition == changed


def test_copy_to_adapt(app, client, learner):
    record_url = upload(client, EXAMPLE.read_bytes()).headers["Location"]
    pathway_id = int(record_url.rstrip("/").rsplit("/", 1)[-1])
    response = client.post(f"/pathways/{pathway_id}/copy")
    assert response.status_code == 302 and response.headers["Location"].endswith("/edit")
    with app.app_context():
        titles = sorted(db.session.scalars(select(PathwayRecord.title)))
    assert titles == [
        "Certificate in Applied Computing",
        "Copy of Certificate in Applied Computing",
    ]


def test_delete_asks_then_deletes(app, client, learner):
    pathway_id = int(upload(client, TWO_COURSES).headers["Location"].rsplit("/", 1)[-1])
    assert "Delete this pathway?" in client.get(f"/pathways/{pathway_id}/delete").get_data(
        as_text=True
    )
    response = client.post(f"/pathways/{pathway_id}/delete")
    assert response.status_code == 302
    assert count(app) == 0


def test_another_learner_gets_404(app, client, auth, user, learner):
    pathway_id = int(upload(client, TWO_COURSES).headers["Location"].rsplit("/", 1)[-1])
    auth.logout()
    user(email="eve@example.org")
    auth.login(email="eve@example.org")
    for url in ("", "/edit", "/delete"):
        assert client.get(f"/pathways/{pathway_id}{url}").status_code == 404
    for url in ("/edit", "/delete", "/copy"):
        assert (
            client.post(
                f"/pathways/{pathway_id}{url}", data={"definition": TWO_COURSES}
            ).status_code
            == 404
        )
    assert count(app) == 1
    assert "No pathways yet" in client.get("/pathways/").get_data(as_text=True)


def test_the_example_file_downloads(client, learner):
    response = client.get("/pathways/example.json")
    assert response.status_code == 200
    assert json.loads(response.data)["format"] == "learner-wallet-pathway/1"


def test_service_api(app, user):
    ada, eve = user(), user(email="eve@example.org")
    key = trusted_key(app)
    databases = import_credential(app, ada.id, badge(key, "Databases", ects=6))
    import_credential(app, ada.id, badge(key, "Unrelated", ects=3, eqf=4))
    with app.test_request_context("/"):
        owner = db.session.get(User, ada.id)
        other = db.session.get(User, eve.id)
        record = service.save(owner, TWO_COURSES, source="file")
        db.session.commit()
        (progress,) = service.user_progress(owner)
        assert progress.pathway_id == record.id
        assert (progress.requirements_met, progress.requirements_needed) == (1, 2)
        assert progress.ects_counted == 900  # 6 for Databases, 3 towards the total
        found, rows, again = service.pathway_credentials(owner, record.id)
        assert found.target.title == "Test pathway"
        assert {row.title for row in rows} == {"Databases", "Unrelated"}
        assert again.assignments
        assert service.suggestions(owner, [databases])[databases] == [
            (record.id, "Test pathway", True)
        ]
        assert service.user_progress(other) == []
        with pytest.raises(service.PathwayNotFound):
            service.pathway_credentials(other, record.id)


def test_seed_demo_gives_pathways_the_demo_credentials_fill_in_part(app, user):
    from tests.wallet.factories import NOW
    from wallet.demo.issuers import build
    from wallet.importers.service import import_bytes

    learner = user()
    with app.test_request_context("/"):
        owner = db.session.get(User, learner.id)
        for item in build(
            Path(app.config["VERIFIER_HOME"]),
            holder=learner.holder_did,
            learner_name="Ada",
            now=NOW,
        ):
            import_bytes(owner, item.content, filename=item.filename, channel="demo", now=NOW)
        db.session.commit()
        seed_demo(app, owner, NOW)
        seed_demo(app, owner, NOW)  # again: replaces, does not add
        progress = {p.pathway.target.title: p for p in service.user_progress(owner, now=NOW)}
    assert set(progress) == {"Certificate in Applied Computing", "My data and web skills"}
    certificate = progress["Certificate in Applied Computing"]
    assert certificate.ects_counted == 1800  # 5 + 6 + 4 + 3, not the expired or revoked ones
    assert (certificate.requirements_met, certificate.requirements_needed) == (3, 5)
    assert not certificate.complete
    reasons = {certificate.facts[f].title: str(r) for f, r in certificate.set_apart}
    assert reasons["Spreadsheet Skills"] == "Not counted: the credential has expired."
    assert reasons["Project Management Basics"] == (
        "Not counted: the issuer has revoked the credential."
    )
    assert reasons["Science Communication"] == (
        "Not counted: the wallet could not check this credential."
    )
    own = progress["My data and web skills"]
    assert (own.requirements_met, own.requirements_needed) == (3, 3)
    assert own.complete


def test_import_results_name_the_pathways_a_credential_counts_towards(app, client, learner):
    pathway_id = int(upload(client, TWO_COURSES).headers["Location"].rsplit("/", 1)[-1])
    key = trusted_key(app)
    response = client.post(
        "/import/files",
        data={
            "files": [
                (io.BytesIO(badge(key, "Databases", ects=6)), "databases.json"),
                (io.BytesIO(badge(key, "Other", ects=2)), "other.json"),
            ]
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("Counts towards your pathways:") == 2
    assert f'href="/pathways/{pathway_id}">Test pathway</a> (meets a requirement)' in page
    assert f'href="/pathways/{pathway_id}">Test pathway</a> (adds to the total ECTS)' in page


def test_import_results_without_pathways_say_nothing_of_them(app, client, learner):
    key = trusted_key(app)
    response = client.post(
        "/import/files",
        data={"files": [(io.BytesIO(badge(key, "Databases", ects=6)), "databases.json")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "Counts towards" not in response.get_data(as_text=True)


def test_a_definition_saved_under_older_rules_opens_in_the_editor(app, client, learner):
    pathway_id = int(upload(client, TWO_COURSES).headers["Location"].rsplit("/", 1)[-1])
    with app.app_context():
        record = db.session.get(PathwayRecord, pathway_id)
        record.definition = TWO_COURSES.replace('"kind": "achievement"', '"kind": "retired"', 1)
        db.session.commit()
    overview = client.get("/pathways/").get_data(as_text=True)
    assert "Pathways that need correcting" in overview  # not a crash
    assert f'href="/pathways/{pathway_id}/edit">Test pathway</a>' in overview
    page = client.get(f"/pathways/{pathway_id}").get_data(as_text=True)
    assert "Unknown requirement kind &#34;retired&#34;" in page
    assert 'name="definition"' in page
