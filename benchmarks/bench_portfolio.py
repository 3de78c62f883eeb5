"""How fast the portfolio list answers for a learner with thousands of credentials.

Creates a learner with 5,000 credentials in a fresh SQLite database (and, when
``WALLET_BENCH_DATABASE_URL`` names a PostgreSQL database, in a fresh schema there, dropped
afterwards), then times the list page through the Flask test client: the first page sorted by
issue date, filtered by status, by issuer, by skill, a search, and a deep page. Prints the median
and 95th percentile of each; the target is a median of at most 150 ms.

The rows are realistic: one credential signed and verified by the project's own code, its bytes
reused with a different title, issuer, dates, outcome, credits, description and skills per row,
each row's summary rebuilt to match, inserted in bulk.

Run: ``PYTHONPATH=. .venv/bin/python benchmarks/bench_portfolio.py [--rows 5000] [--requests 30]``
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa

from tests.conftest import ob3_credential
from verifier import DocumentCache, KeyPair, TrustedIssuer, TrustStore, verify
from verifier.issuing import issue_ldp
from wallet import create_app
from wallet.auth import register_user
from wallet.db import db
from wallet.models import Credential
from wallet.portfolio.query import PER_PAGE
from wallet.verification import apply_report

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
PASSWORD = "benchmark password"
TARGET_MS = 150
ESCO = "http://data.europa.eu/esco/skill/"
SUBJECTS = (
    "Data Analysis", "Welding Safety", "Project Management", "Cloud Computing", "First Aid",
    "Public Speaking", "Machine Learning", "Accounting", "Polish for Beginners", "Cybersecurity",
    "Carpentry", "Digital Marketing", "Statistics", "Nursing Care", "Web Accessibility",
    "Renewable Energy", "Logistics", "Graphic Design", "Bookkeeping", "Team Leadership",
)  # fmt: skip
LEVELS = ("Basics", "Foundations", "Intermediate", "Advanced", "Masterclass", "Practice")
ISSUERS = tuple(
    f"{town} {kind}"
    for town in ("Kraków", "Gdańsk", "Lyon", "Porto", "Tartu", "Graz", "Ghent", "Turku")
    for kind in ("University", "Technical College", "Academy", "Training Centre", "Open School")
)
SKILLS = tuple(
    (f"skill number {n}", f"{ESCO}{n:08x}-0000-4000-8000-000000000000") for n in range(300)
)
OUTCOMES = ("verified",) * 14 + ("expired",) * 3 + ("revoked", "cannot_check", "not_genuine")


def badge(issuer: KeyPair) -> dict[str, Any]:
    """An Open Badge with a description, two ESCO skills, an EQF level, ECTS and an image."""
    document = ob3_credential(issuer.controller)
    document["credentialSubject"]["achievement"].update({
        "creditsAvailable": 5,
        "fieldOfStudy": "Data science (ECTS)",
        "alignment": [
            {"type": ["Alignment"], "targetName": label, "targetUrl": uri,
             "targetFramework": "ESCO", "targetType": "ceasn:Competency"}
            for label, uri in SKILLS[:2]
        ] + [{"type": ["Alignment"], "targetName": "EQF level 5",
              "targetUrl": "http://data.europa.eu/snb/eqf/5", "targetFramework": "EQF"}],
        "image": {"id": "https://demo.example/badge.png", "type": "Image"},
    })
    return document


def template_row() -> dict[str, Any]:
    """The columns of one signed, verified credential, as an import stores them."""
    issuer = KeyPair.generate("Ed25519")
    signed = issue_ldp(badge(issuer), issuer, created=NOW - timedelta(days=30))
    data = json.dumps(signed, indent=2).encode()
    trust = TrustStore.empty()
    trust.add(
        TrustedIssuer(
            id=issuer.controller, name="Demo University", registry="bench", keys=(), added_at=NOW
        )
    )
    report = verify(data, now=NOW, trust=trust, cache=DocumentCache.in_memory())
    row = Credential(original=data, media_type="application/vc+ld+json", channel="file")
    apply_report(row, report, now=NOW)
    columns = ("original", "media_type", "channel", "format", "types", "summary", "report")
    columns += ("checked_at",)
    return {name: getattr(row, name) for name in columns}


def rows(user_id: int, count: int, seed: int = 7) -> list[dict[str, Any]]:
    """``count`` credentials varied from the template: titles, issuers, dates, skills, ..."""
    rng = random.Random(seed)
    base = template_row()
    out = []
    for n in range(count):
        title = f"{rng.choice(SUBJECTS)} {rng.choice(LEVELS)} {n}"
        issuer = rng.choice(ISSUERS)
        issued = NOW - timedelta(days=rng.randrange(0, 11 * 365), minutes=rng.randrange(1440))
        ects = Decimal(rng.choice((1, 2, 2.5, 3, 4, 5, 6, 10))) if rng.random() < 0.8 else None
        skills = rng.sample(SKILLS, rng.randrange(1, 6))
        summary = copy.deepcopy(base["summary"])
        summary["title"] = {"en": title}
        summary["description"] = {"en": f"{title}: {rng.choice(LEVELS).lower()} course, {n}."}
        summary["issuer"]["name"] = {"": issuer}
        concepts = [
            {"label": {"": label}, "uri": uri, "code": None, "framework": "ESCO"}
            for label, uri in skills
        ]
        summary["skills"] = concepts
        summary["outcomes"] = [{"text": c["label"], "skills": [c]} for c in concepts]
        summary["issued"] = issued.isoformat()
        out.append(
            {
                **base,
                "user_id": user_id,
                "sha256": secrets.token_hex(32),
                "filename": f"credential-{n}.json",
                "title": title,
                "issuer_name": issuer,
                "issued_at": issued,
                "ects": ects,
                "image": "https://demo.example/badge.png",
                "summary": summary,
                "outcome": rng.choice(OUTCOMES),
                "imported_at": NOW - timedelta(minutes=count - n),
                "note": "",
            }
        )
    return out


def measure(client: Any, url: str, requests: int) -> tuple[float, float]:
    """Median and 95th percentile of ``requests`` GETs of ``url``, in milliseconds."""
    for _ in range(2):  # warm caches and the template cache
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * len(times)) - 1)]


def run(database_url: str, label: str, count: int, requests: int, instance: Path) -> bool:
    """Fill ``database_url`` and time the list; say whether every median met the target."""
    app = create_app(
        {
            "SECRET_KEY": "benchmark",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_PATH": str(instance),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 8,
            "ARGON2_PARALLELISM": 1,
        }
    )
    with app.app_context():
        db.create_all()
        user = register_user("bench@example.org", PASSWORD, "Bench")
        db.session.commit()
        start = time.perf_counter()
        batch = rows(user.id, count)
        made = time.perf_counter() - start
        start = time.perf_counter()
        for first in range(0, len(batch), 500):
            db.session.execute(sa.insert(Credential), batch[first : first + 500])
        db.session.commit()
        inserted = time.perf_counter() - start
        if db.engine.dialect.name == "sqlite":
            db.session.execute(sa.text("ANALYZE"))
        else:
            db.session.execute(sa.text("ANALYZE credentials"))
        db.session.commit()
        probe = batch[count // 2]
    print(
        f"\n{label}: {count} credentials (rows built in {made:.1f} s, inserted in {inserted:.1f} s)"
    )
    client = app.test_client()
    login = client.post("/auth/login", data={"email": "bench@example.org", "password": PASSWORD})
    assert login.status_code == 302, "login failed"
    skill = probe["summary"]["skills"][0]
    word = probe["title"].split()[0].lower()
    middle = max(count // PER_PAGE // 2, 1)
    cases = [
        ("first page, newest added", "/portfolio/"),
        ("first page by issue date", "/portfolio/?sort=issued"),
        ("filtered by status (revoked)", "/portfolio/?status=revoked&sort=issued"),
        ("filtered by issuer", f"/portfolio/?issuer={quote(probe['issuer_name'])}&sort=issued"),
        ("search (title/issuer/description)", f"/portfolio/?q={quote(word)}"),
        ("search, one match", f"/portfolio/?q={quote(probe['title'])}"),
        ("skill by label", f"/portfolio/?skill={quote(skill['label'][''])}"),
        ("skill by ESCO URI", f"/portfolio/?skill={quote(skill['uri'])}"),
        (f"sorted by title, page {middle}", f"/portfolio/?sort=title&page={middle}"),
    ]
    print(f"{'request':<36}{'median ms':>10}{'p95 ms':>9}  target {TARGET_MS} ms")
    met = True
    for name, url in cases:
        median, p95 = measure(client, url, requests)
        met &= median <= TARGET_MS
        mark = "ok" if median <= TARGET_MS else "SLOW"
        print(f"{name:<36}{median:>10.1f}{p95:>9.1f}  {mark}")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return met


def main() -> int:
    """Run the benchmark on SQLite, and on PostgreSQL when a URL is given; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        met = run(f"sqlite:///{path}", "SQLite", args.rows, args.requests, Path(folder))
        print(f"database file: {path.stat().st_size / 1e6:.0f} MB")
        url = os.environ.get("WALLET_BENCH_DATABASE_URL")
        if url:
            schema = f"bench_portfolio_{secrets.token_hex(4)}"
            engine = sa.create_engine(url)
            with engine.begin() as connection:
                connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            try:
                scoped = (
                    f"{url}{'&' if '?' in url else '?'}options={quote(f'-csearch_path={schema}')}"
                )
                run(scoped, "PostgreSQL", args.rows, args.requests, Path(folder))
            finally:
                with engine.begin() as connection:
                    connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
                engine.dispose()
    print(
        f"\nSQLite target (median <= {TARGET_MS} ms on every request): {'met' if met else 'MISSED'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
