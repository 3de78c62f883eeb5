"""Reference figure for ``bench_verify.py``: verify an eddsa-rdfc-2022 credential with plain
pyld (stock ``jsonld.normalize``, pyld's own context handling) and ``cryptography``, in a
process that imports nothing of this project, so none of the verifier's caches apply.

The issue that set the engine's targets measured plain pyld at about 1.8 ms per credential on
its reference machine; printing the same measurement here tells how this machine compares.

Run:  .venv/bin/python benchmarks/plain_pyld.py CREDENTIAL.json [--rounds N]
Prints one line: ``plain pyld: median X ms, p95 Y ms``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import time
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pyld import jsonld

CONTEXTS = Path(__file__).resolve().parent.parent / "verifier" / "contexts"
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + BASE58.index(char)
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + raw


def loader() -> Any:
    files = {
        entry["url"]: entry["file"] for entry in json.loads((CONTEXTS / "index.json").read_text())
    }

    documents: dict[str, Any] = {}  # in memory after the first read, as a server keeps them

    def load(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        if url not in documents:
            documents[url] = json.loads((CONTEXTS / files[url]).read_text())
        return {"contextUrl": None, "documentUrl": url, "document": documents[url]}

    return load


def verify(credential: dict[str, Any], options: dict[str, Any]) -> bool:
    """eddsa-rdfc-2022 verification as the W3C specification writes it."""
    document = dict(credential)
    proof = dict(document.pop("proof"))
    signature = b58decode(proof.pop("proofValue")[1:])
    proof["@context"] = document["@context"]
    hashes = [
        hashlib.sha256(jsonld.normalize(item, options).encode()).digest()
        for item in (proof, document)
    ]
    multikey = b58decode(proof["verificationMethod"].split("#", 1)[1][1:])
    key = Ed25519PublicKey.from_public_bytes(multikey[2:])
    key.verify(signature, hashes[0] + hashes[1])
    return True


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("credential", type=Path)
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    credential = json.loads(args.credential.read_text())
    options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": loader(),
    }
    for _ in range(20):
        verify(credential, options)
    times = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        verify(credential, options)
        times.append(time.perf_counter() - start)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"plain pyld: median {statistics.median(times) * 1000:.3f} ms, p95 {p95 * 1000:.3f} ms")


if __name__ == "__main__":
    main()
