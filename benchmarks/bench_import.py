"""How long importing 1,000 credentials takes, each verified on the way in.

Creates a learner in a fresh SQLite database, signs 1,000 distinct Open Badges 3.0 credentials
with the project's own code (half with a revocation entry read from the cached status list),
and imports each through ``wallet.importers.service.import_bytes``, the same path the import
page uses: format recognition, verification, storage. Prints the total and the median per
credential; the target is at most 30 s for the 1,000.

Run: ``.venv/bin/python benchmarks/bench_import.py [--count 1000]``
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime

from tests.wallet.factories import (
    STATUS_URL,
    ldp_bytes,
    new_key,
    publish_status_list,
    trust_issuer,
)
from verifier.issuing import status_entry
from wallet import create_app
from wallet.auth import register_user
from wallet.db import db
from wallet.importers.service import import_bytes

NOW = datetime.now(UTC)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "INSTANCE_PATH": tmp,
                          "VERIFIER_HOME": f"{tmp}/verifier"})
        with app.app_context():
            from flask_migrate import upgrade

            upgrade(directory=str(app.extensions["migrate"].directory))
            key = new_key()
            trust_issuer(f"{tmp}/verifier", key)
            publish_status_list(f"{tmp}/verifier", key, revoked=(3,))
            user = register_user("bench@wallet.example", "benchmark password", "Bench")
            db.session.commit()
            files = []
            for i in range(args.count):
                extra = {"credentialStatus": status_entry(STATUS_URL, i % 50)} if i % 2 else {}
                files.append(ldp_bytes(key, name=f"Micro-credential {i}", **extra))
            times = []
            start = time.perf_counter()
            for i, data in enumerate(files):
                t0 = time.perf_counter()
                outcome = import_bytes(user, data, filename=f"c{i}.json", channel="file",
                                       now=NOW)
                times.append(time.perf_counter() - t0)
                assert outcome.ok, outcome.message
            total = time.perf_counter() - start
    print(f"imported {args.count} credentials (verified, stored) in {total:.1f} s; "
          f"median {statistics.median(times) * 1000:.1f} ms, "
          f"p95 {sorted(times)[int(len(times) * 0.95) - 1] * 1000:.1f} ms per credential "
          f"(target: 30 s for 1,000)")


if __name__ == "__main__":
    main()
