"""Benchmark: the verifier's side of OpenID4VP without the network. Prints the median and 95th
percentile of (1) matching a DCQL query against a wallet of N credentials, (2) storing,
reading and answering a request in the SQLite request store, and (3) checking one answer
(verifying the presentation, its nonce and audience, the query and the ECTS condition).

Run:  PYTHONPATH=. .venv/bin/python benchmarks/bench_oid4vp.py [--rounds N] [--wallet N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.conftest import ob3_credential
from verifier import Credential, DocumentCache, KeyPair, TrustedIssuer, TrustStore
from verifier.dcql import Candidate, DcqlQuery
from verifier.issuing import issue_ldp, sign_presentation
from verifier.web import oid4vp_answers as answers
from verifier.web import oid4vp_requests as flow
from verifier.web.oid4vp_store import ANSWERED, RequestStore

NOW = datetime.now(UTC)


def timed(rounds: int, work: Callable[[int], object]) -> tuple[float, float]:
    """Median and 95th percentile of ``work`` in milliseconds."""
    times = []
    for n in range(rounds):
        start = time.perf_counter()
        work(n)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--wallet", type=int, default=500, help="credentials in the wallet")
    args = parser.parse_args()

    issuer, holder = KeyPair.generate("Ed25519"), KeyPair.generate("Ed25519")
    document = ob3_credential(issuer.controller)
    document["credentialSubject"]["id"] = holder.controller
    document["credentialSubject"]["achievement"].update(creditsAvailable=6, tag=["ECTS"])
    signed = issue_ldp(document, issuer, created=NOW - timedelta(days=1))
    candidate = Candidate.of(Credential.from_json(signed))
    held = {n: candidate for n in range(args.wallet)}
    query = DcqlQuery.from_json(flow.preset_query("ects"))
    median, p95 = timed(args.rounds, lambda _n: query.satisfied_by(query.match(held)))
    print(f"DCQL match, {args.wallet} credentials: median {median:.2f} ms, p95 {p95:.2f} ms")

    with tempfile.TemporaryDirectory() as home:
        store = RequestStore(f"sqlite:///{Path(home) / 'oid4vp.sqlite3'}")

        def new(_n: int) -> flow.StoredRequest:
            return flow.new_request(
                response_uri_for=lambda rid: f"https://verifier.example/r/{rid}/response",
                verifier_name="Acme",
                purpose="benchmark",
                query=flow.with_purpose(query, "benchmark"),
                post_check={"min_ects": 5, "min_ects_text": "5", "topic": "data analysis"},
                now=NOW,
            )

        def round_trip(n: int) -> None:
            stored = new(n)
            store.add(stored)
            store.get(stored.id)
            store.finish(stored.id, ANSWERED, {"items": []}, now=NOW)

        median, p95 = timed(args.rounds, round_trip)
        print(
            f"Request store add + get + finish (SQLite): median {median:.2f} ms, p95 {p95:.2f} ms"
        )

        trust = TrustStore.empty()
        trust.add(TrustedIssuer(id=issuer.controller, name="Demo", registry="bench", added_at=NOW))
        stores = type(
            "Stores",
            (),
            {"trust": trust, "cache": DocumentCache.in_memory(), "trusted_lists": None},
        )()
        stored = new(0)
        vp = sign_presentation(
            [signed], holder, created=NOW, challenge=stored.nonce, domain=stored.client_id
        )
        items = [{"query_id": "credential", "document": json.dumps(vp)}]
        evaluation = answers.evaluate(stored, items, now=NOW, stores=stores)
        if not evaluation.accepted:
            print("the benchmark's answer was not accepted", file=sys.stderr)
            return 1
        median, p95 = timed(
            args.rounds, lambda _n: answers.evaluate(stored, items, now=NOW, stores=stores)
        )
        print(f"Check one answer (1 credential): median {median:.2f} ms, p95 {p95:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
