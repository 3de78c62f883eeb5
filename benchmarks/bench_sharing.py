"""Sharing figures: presentation and QR sizes for 1–5 credentials, and how long signing,
drawing, reading and opening a share take (not timed tests: it prints figures).

    $ .venv/bin/python benchmarks/bench_sharing.py

Uses a throw-away wallet (SQLite in a temporary folder) with the production Argon2 parameters,
because unlocking the holder key is what signing a share costs.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import ob3_credential  # noqa: E402
from tests.wallet.factories import trust_issuer  # noqa: E402
from tests.wallet.sharing_support import compact_document, read_qr  # noqa: E402
from verifier import KeyPair  # noqa: E402
from verifier.issuing import issue_ldp  # noqa: E402
from wallet import create_app  # noqa: E402
from wallet.auth import register_user  # noqa: E402
from wallet.db import db  # noqa: E402
from wallet.importers.qr import decode_presentation, encode_presentation  # noqa: E402
from wallet.importers.service import import_bytes  # noqa: E402
from wallet.sharing import links, qr  # noqa: E402
from wallet.sharing.presentations import build_presentation  # noqa: E402

PASSWORD = "benchmark password"
NOW = datetime.now(UTC).replace(microsecond=0)


def timed(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and 90th percentile of ``repeat`` runs, in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.9) - 1]


def main() -> None:
    folder = tempfile.mkdtemp(prefix="bench-sharing-")
    app = create_app({"SECRET_KEY": "bench", "INSTANCE_PATH": folder, "RATELIMIT_ENABLED": False})
    issuer = KeyPair.generate("Ed25519")
    trust_issuer(app.config["VERIFIER_HOME"], issuer)
    with app.test_request_context("/"):
        db.create_all()
        user = register_user("bench@example.org", PASSWORD, "Bench")
        db.session.commit()
        rows = []
        for n in range(5):
            document = ob3_credential(issuer.controller, name=f"Course {n}")
            document["id"] = f"urn:uuid:00000000-0000-4000-8000-00000000000{n}"
            document["credentialSubject"]["id"] = user.holder_did
            signed = issue_ldp(document, issuer, created=NOW - timedelta(days=1))
            data = json.dumps(signed).encode()
            outcome = import_bytes(user, data, filename=f"{n}.json", channel="file", now=NOW)
            rows.append(outcome.credential_id)
        small = issue_ldp(compact_document(issuer, user.holder_did, "SQL"), issuer, created=NOW)
        outcome = import_bytes(
            user, json.dumps(small).encode(), filename="small.json", channel="file", now=NOW
        )
        db.session.commit()
        from wallet.models import Credential

        credentials = [db.session.get(Credential, i) for i in rows]
        compact = db.session.get(Credential, outcome.credential_id)

        print("Presentation and QR sizes (share presentation: challenge, domain, expires)")
        print(f"{'credentials':>28} {'JSON bytes':>10} {'VP1 chars':>9} {'QR version (M)':>14}")
        token = links.new_token()
        for label, chosen in [("1 minimal OB 3.0", [compact])] + [
            (f"{n} usual OB 3.0", credentials[:n]) for n in (1, 2, 3, 5)
        ]:
            document = build_presentation(
                user,
                chosen,
                PASSWORD,
                challenge=links.share_challenge(token),
                domain="https://wallet.example.org",
                expires=NOW + timedelta(days=30),
            )
            packed = encode_presentation(document)
            version = qr.fitting_version(packed, alphanumeric=True)
            print(f"{label:>28} {len(document):>10} {len(packed):>9} {version or '>40':>14}")

        print()
        print("Timings (median / p90, ms)")
        sign = timed(
            lambda: build_presentation(
                user, credentials[:3], PASSWORD, challenge="c", domain="https://w.example"
            ),
            5,
        )
        print(
            "  sign a 3-credential presentation (Argon2 unlock included): "
            f"{sign[0]:.0f} / {sign[1]:.0f}"
        )
        document = build_presentation(
            user, [compact], PASSWORD, challenge="c", domain="https://w.example"
        )
        code = qr.choose(document, None, max_version=qr.DEFAULT_MAX_VERSION)
        png = qr.png(code)
        draw = timed(lambda: qr.png(code), 10)
        print(
            f"  draw the self-contained QR as PNG ({len(png)} bytes): {draw[0]:.0f} / {draw[1]:.0f}"
        )
        read = timed(lambda: decode_presentation(read_qr(png)), 10)
        print(f"  read it back with zxing-cpp and inflate: {read[0]:.0f} / {read[1]:.0f}")

    client = app.test_client()
    with app.test_request_context("/"):
        share, token = links.create_share(
            db.session.get(type(user), user.id),
            [db.session.get(Credential, i) for i in rows[:3]],
            PASSWORD,
            title="bench",
            expires_at=NOW + timedelta(days=1),
            pin=None,
            origin="http://localhost",
            now=NOW,
        )
        db.session.commit()
    opened = timed(lambda: client.get(f"/s/{token}"), 20)
    print(
        "  open a 3-credential share link (verify + results page): "
        f"{opened[0]:.0f} / {opened[1]:.0f}"
    )
    raw = timed(lambda: client.get(f"/s/{token}/presentation"), 50)
    print(f"  fetch its raw presentation: {raw[0]:.1f} / {raw[1]:.1f}")
    missing = timed(lambda: client.get(f"/s/{links.new_token()}"), 50)
    print(f"  an unknown token's page: {missing[0]:.1f} / {missing[1]:.1f}")


if __name__ == "__main__":
    main()
