"""Benchmark: the standalone verifier under gunicorn (2 sync workers) checking a presentation
of 3 Open Badges 3.0 credentials (eddsa-rdfc-2022, holder-signed) posted to ``/verify/paste``,
the page an employer gets; prints verified presentations per second and the latency.

Run:  PYTHONPATH=. .venv/bin/python benchmarks/bench_verifier_load.py [--seconds 20]
      [--clients 4] [--workers 2]

Needs gunicorn in the virtual environment (``.venv/bin/pip install gunicorn``). The load
generator runs on the same machine (threads, ``http.client``, one connection per request as
gunicorn's sync workers close each one), so it takes a share of the same cores. Each client
first opens the form once for its session cookie and CSRF token, as a browser would. Every
answer is checked: a page that does not say "verified" counts as an error.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from tests.verifier_web_support import presentation, trust
from verifier import KeyPair

PROJECT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/verify/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def session(port: int) -> tuple[str, str]:
    """A session cookie and the CSRF token of the form, as a browser would have them."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/verify/")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if not cookie or token is None:
        raise SystemExit("the form carried no session cookie or CSRF token")
    return cookie, token.group(1)


def client(
    port: int, body_text: str, stop_at: float, latencies: list[float], errors: list[str]
) -> None:
    cookie, token = session(port)
    body = urlencode({"csrf_token": token, "text": body_text}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    while time.monotonic() < stop_at:
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("POST", "/verify/paste", body=body, headers=headers)
            response = connection.getresponse()
            page = response.read()
            connection.close()
        except OSError as exc:
            errors.append(str(exc))
            continue
        elapsed = time.perf_counter() - started
        if response.status != 200 or b'data-verdict="verified"' not in page:
            errors.append(f"HTTP {response.status}")
            continue
        latencies.append(elapsed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="measured time")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    args = parser.parse_args()
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    if gunicorn is None:
        raise SystemExit("gunicorn is not installed: .venv/bin/pip install gunicorn")

    issuer, holder = KeyPair.generate("Ed25519"), KeyPair.generate("Ed25519")
    document = presentation(issuer, holder, 3)
    text = json.dumps(document)
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "verifier"
        trust(home, issuer)
        port = free_port()
        env = {**os.environ, "VERIFIER_HOME": str(home), "PYTHONPATH": str(PROJECT)}
        server = subprocess.Popen(
            [
                gunicorn,
                "--workers",
                str(args.workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "verifier.web:create_app()",
            ],
            env=env,
            cwd=PROJECT,
        )
        try:
            wait_until_up(port)
            warm: list[float] = []
            client(port, text, time.monotonic() + 2, warm, [])  # warm both workers' caches
            latencies: list[float] = []
            errors: list[str] = []
            stop_at = time.monotonic() + args.seconds
            threads = [
                threading.Thread(target=client, args=(port, text, stop_at, latencies, errors))
                for _ in range(args.clients)
            ]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    done = len(latencies)
    print(
        f"verifier under gunicorn: {args.workers} workers, {args.clients} clients, "
        f"{os.cpu_count()} CPUs, {len(text)} bytes per presentation of 3 credentials"
    )
    print(f"verified presentations: {done} in {elapsed:.1f} s = {done / elapsed:.1f} per second")
    if latencies:
        ordered = sorted(latencies)
        p95 = ordered[int(0.95 * (len(ordered) - 1))]
        print(
            f"latency: median {statistics.median(latencies) * 1000:.1f} ms, "
            f"95th percentile {p95 * 1000:.1f} ms"
        )
    print(f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    return 0 if done and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
