"""How long an adviser's portfolio review takes: every credential in the grant is verified again
when the page opens, so the time grows with the portfolio. Prints the median and the slowest
answer for portfolios of several sizes (signed OB 3.0 credentials of a trusted issuer, SQLite).

Run: ``PYTHONPATH=. .venv/bin/python benchmarks/bench_advisers.py [--sizes 10 50] [--requests 5]``
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from tests.wallet.advisers_support import (
    PASSWORD,
    grant,
    import_credential,
    make_adviser,
    skilled_credential,
)
from tests.wallet.factories import new_key, trust_issuer
from wallet import create_app
from wallet.auth import register_user
from wallet.db import db

FAST_ARGON2 = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8, "ARGON2_PARALLELISM": 1}


def measure(size: int, requests: int, folder: Path) -> tuple[float, float]:
    """Median and slowest review time (ms) for a portfolio of ``size`` credentials."""
    instance = folder / f"instance-{size}"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "INSTANCE_PATH": str(instance),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'wallet.sqlite3'}",
            **FAST_ARGON2,
        }
    )
    with app.app_context():
        db.create_all()
        learner_id = register_user("ada@example.org", PASSWORD, "Ada").id
        db.session.commit()
    key = new_key()
    trust_issuer(app.config["VERIFIER_HOME"], key)
    for n in range(size):
        import_credential(app, learner_id, skilled_credential(key, f"Module {n}"), f"{n}.json")
    grant_id = grant(app, learner_id, make_adviser(app))
    client = app.test_client()
    client.post("/auth/login", data={"email": "ben@uni.example", "password": PASSWORD})
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(f"/advisers/learners/{grant_id}")
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        assert response.text.count("badge--verified") >= size, response.text.count(
            "badge--verified"
        )
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--requests", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            median, slowest = measure(size, args.requests, Path(folder))
            print(
                f"review of {size:>4} credentials: median {median:7.1f} ms, "
                f"slowest {slowest:7.1f} ms ({median / size:.1f} ms per credential)"
            )


if __name__ == "__main__":
    main()
