"""How long receiving one credential with OID4VCI takes, end to end over HTTP on this machine:
the learner pastes an offer (offer and metadata fetched), consents (token, nonce, proof,
credential request, verification, storage). The wallet and the demo issuer run in threads on
127.0.0.1, on SQLite; the holder key uses the production Argon2 settings unless ``--fast-kdf``.
Prints the median and slowest time of each step per format.

Run: ``PYTHONPATH=. .venv/bin/python benchmarks/bench_oid4vc.py [--rounds 10] [--fast-kdf]``
"""

from __future__ import annotations

import argparse
import html
import re
import statistics
import tempfile
import threading
import time
from pathlib import Path

import requests
from werkzeug.serving import make_server

from wallet import create_app
from wallet.auth import register_user
from wallet.db import db
from wallet.demo_issuer import start_demo_issuer
from wallet.demo_issuer.credentials import CONFIGURATIONS

PASSWORD = "correct horse battery"
FAST_ARGON2 = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8, "ARGON2_PARALLELISM": 1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--fast-kdf", action="store_true", help="cheap Argon2 (as the tests)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-oid4vc-"))
    config = {
        "SECRET_KEY": "bench",
        "TESTING": True,
        "INSTANCE_PATH": str(folder),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'wallet.sqlite3'}",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "OID4VCI_ALLOW_HTTP_LOCALHOST": True,
        **(FAST_ARGON2 if args.fast_kdf else {}),
    }
    app = create_app(config)
    with app.app_context():
        db.create_all()
        register_user("bench@example.org", PASSWORD, "Bench")
        db.session.commit()
    issuer = start_demo_issuer(trust_home=Path(app.config["VERIFIER_HOME"]))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    wallet = f"http://127.0.0.1:{server.port}"
    http = requests.Session()
    http.post(f"{wallet}/auth/login", data={"email": "bench@example.org", "password": PASSWORD})
    kdf = "fast test Argon2" if args.fast_kdf else "production Argon2 (64 MiB, 3 passes)"
    print(f"OID4VCI pre-authorized flow, {args.rounds} rounds per format, {kdf}")
    print(f"{'format':<36}{'open offer (ms)':>22}{'consent to stored (ms)':>28}")
    try:
        for config_id in CONFIGURATIONS:
            opened, received = [], []
            for _ in range(args.rounds):
                made = requests.post(
                    f"{issuer.url}/api/offers", json={"configurations": [config_id]}, timeout=30
                ).json()
                start = time.perf_counter()
                page = http.post(
                    f"{wallet}/oid4vc/offer", data={"offer": made["links"]["by_reference"]}
                )
                middle = time.perf_counter()
                offer = html.unescape(
                    re.search(r'name="offer" value="([^"]*)"', page.text).group(1)
                )
                done = http.post(
                    f"{wallet}/oid4vc/accept", data={"offer": offer, "password": PASSWORD}
                )
                end = time.perf_counter()
                assert "Added to your wallet." in done.text, done.text[:500]
                opened.append((middle - start) * 1000)
                received.append((end - middle) * 1000)
            print(f"{config_id:<36}{_figures(opened):>22}{_figures(received):>28}")
    finally:
        server.shutdown()
        issuer.stop()


def _figures(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} (max {max(values):.0f})"


if __name__ == "__main__":
    main()
