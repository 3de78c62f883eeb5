"""Benchmark: verify the official sealed micro-credential (150 KB, JAdES B-LTA: the seal, three
timestamps, the certificate path, OCSP/CRL, the ELM profile, the summary and its Annex I
report) repeatedly and print the median and 95th percentile; the target is a median of 20 ms.

Run:  .venv/bin/python benchmarks/bench_edc.py [--rounds N] [--file PATH]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from verifier.cache import DocumentCache
from verifier.checks import Options
from verifier.edc import verify_edc
from verifier.trust import TrustStore

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT.parent / "shared" / "corpus" / "edc" / "elm3-mc-annex1-signed.jsonld"
NOW = datetime(2026, 11, 25, tzinfo=UTC)
TARGET_MS = 20.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--file", type=Path, default=SAMPLE)
    args = parser.parse_args()
    if not args.file.exists():
        print(f"{args.file} is absent (the shared corpus is not on this machine)")
        return 0
    data = args.file.read_bytes()
    opts = Options(now=NOW, trust=TrustStore.empty(), cache=DocumentCache.in_memory())
    report = verify_edc(data, opts)  # warm up, and check it is the result we time
    assert report.check("proof").status.value == "passed", report.to_json()
    annex = "with" if "eu_standard" in report.summary else "without"
    times = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        verify_edc(data, opts)
        times.append((time.perf_counter() - start) * 1000)
    median = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 20 else max(times)
    print(
        f"{args.file.name} ({len(data) // 1024} KB, {report.summary['seal']['level']}, "
        f"{annex} Annex I): median {median:.1f} ms, p95 {p95:.1f} ms over {args.rounds} "
        f"rounds (target {TARGET_MS:.0f} ms)"
    )
    return 0 if median <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
