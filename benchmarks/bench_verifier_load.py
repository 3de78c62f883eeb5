"""Benchmark: the standalone verifier under gunicorn (2 sync workers by default) checking a
presentation of 3 Open Badges 3.0 credentials (eddsa-rdfc-2022, holder-signed) posted to
``/verify/paste``, the page an employer gets; prints verified presentations per second, the
latency, and the CPU time each verified presentation cost the server and the load generator.

Run:  PYTHONPATH=. .venv/bin/python benchmarks/bench_verifier_load.py [--seconds 20]
      [--connections 4] [--workers 2] [--worker-class sync|gthread] [--threads 1]
      [--generator auto|wrk|python]

Needs gunicorn in the virtual environment (``.venv/bin/pip install gunicorn``).

How it measures. The load generator runs on the same machine, so it takes a share of the same
cores; it is kept cheap so that the figure is the server's:

- ``wrk`` (Debian package ``wrk``), used when it is on PATH: one thread, ``--connections``
  open at once, every request the same pre-built POST. A Lua ``response`` function checks each
  answer: a status other than 200 or a page without ``data-verdict="verified"`` counts as an
  error. wrk reconnects when the server closes the connection, as gunicorn's sync workers do
  after each answer (gthread workers keep it open); it times from sending the request to the
  end of the answer, so connecting is not in the latency.
- otherwise a single-process asyncio client with the raw request bytes built once, one
  connection per request (``Connection: close``), timed from connecting to the end of the
  answer, each answer checked the same way.

Both first open the form once for a session cookie and its CSRF token, as a browser would, and
every request carries them. Two seconds of the same load, not counted, warm both workers first.
The server's CPU time (user and system) is read from ``/proc`` for the gunicorn workers over
the measured run; the generator's is its own (wrk: its rusage as a child process; Python: this
process's CPU time). Both are divided by the verified presentations. On a shared machine the
requests per second follow whatever else runs; the CPU time per presentation follows it less.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import http.client
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from tests.conftest import NOW, ob3_credential
from tests.verifier_web_support import trust
from verifier import KeyPair
from verifier.issuing import issue_ldp, sign_presentation

PROJECT = Path(__file__).resolve().parent.parent
MARKER = b'data-verdict="verified"'
WARM_UP = 2.0

# The wrk script: the request comes from wrk.method/body/headers, set once per thread; each
# answer is checked; done() prints one line for this script to read.
WRK_SCRIPT = """
local f = assert(io.open(os.getenv("BENCH_BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")

local threads = {}
function setup(thread) table.insert(threads, thread) end

function init(args) bad = 0; first_bad = "" end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, 'data-verdict="verified"', 1, true) then
    bad = bad + 1
    if first_bad == "" then first_bad = "HTTP " .. status end
  end
end

function done(summary, latency, requests)
  local errors, first = 0, ""
  for _, thread in ipairs(threads) do
    errors = errors + thread:get("bad")
    if first == "" then first = thread:get("first_bad") end
  end
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d %d %d %s\\n",
    summary.requests, summary.duration, errors, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency.min, latency.max, e.status,
    first ~= "" and first or "-"))
end
"""


@dataclass
class Run:
    """What one measured run saw."""

    generator: str
    elapsed: float  # seconds
    verified: int
    latencies_ms: tuple[float, float]  # median, 95th percentile
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    generator_cpu: float = 0.0  # seconds


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


# -- wrk -----------------------------------------------------------------------------------------
def run_wrk(wrk: str, port: int, body: bytes, cookie: str, seconds: float, connections: int) -> Run:
    """One wrk run; its CPU time is its rusage as a child process."""
    with tempfile.TemporaryDirectory() as folder:
        script, body_file = Path(folder) / "post.lua", Path(folder) / "body"
        script.write_text(WRK_SCRIPT)
        body_file.write_bytes(body)
        env = {**os.environ, "BENCH_BODY_FILE": str(body_file), "BENCH_COOKIE": cookie}
        command = [
            wrk,
            "--threads",
            "1",
            "--connections",
            str(connections),
            "--duration",
            f"{max(1, round(seconds))}s",
            "--timeout",
            "30s",
            "--script",
            str(script),
            f"http://127.0.0.1:{port}/verify/paste",
        ]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next((x for x in out.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no result:\n{out}")
    fields = line.split()
    requests, duration_us, bad, socket_errors = (int(x) for x in fields[1:5])
    median_us, p95_us = int(fields[5]), int(fields[6])
    first = fields[10]
    errors = [first] if bad else []
    errors += [f"{socket_errors} socket errors"] if socket_errors else []
    return Run(
        generator="wrk",
        elapsed=duration_us / 1e6,
        verified=requests - bad,
        latencies_ms=(median_us / 1000, p95_us / 1000),
        errors=errors,
        error_count=bad + socket_errors,
        generator_cpu=(after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
    )


# -- the Python fallback -------------------------------------------------------------------------
class _Exchange(asyncio.Protocol):
    """One request on its own connection: send the bytes, keep the answer until the server
    closes the connection."""

    def __init__(self, request: bytes, answer: asyncio.Future[bytes]) -> None:
        self.request, self.answer, self.chunks = request, answer, []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.write(self.request)  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        self.chunks.append(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.answer.done():
            if exc is None:
                self.answer.set_result(b"".join(self.chunks))
            else:
                self.answer.set_exception(exc)


async def _client(
    port: int, request: bytes, stop_at: float, latencies: list[float], errors: list[str]
) -> None:
    loop = asyncio.get_running_loop()
    while time.perf_counter() < stop_at:
        started = time.perf_counter()
        answer: asyncio.Future[bytes] = loop.create_future()
        try:
            exchange = functools.partial(_Exchange, request, answer)
            await loop.create_connection(exchange, "127.0.0.1", port)
            page = await asyncio.wait_for(answer, 30)
        except (TimeoutError, OSError) as exc:
            errors.append(repr(exc))
            continue
        elapsed = time.perf_counter() - started
        if not page.startswith((b"HTTP/1.1 200 ", b"HTTP/1.0 200 ")) or MARKER not in page:
            errors.append(page[:15].decode("latin-1") or "no answer")
            continue
        latencies.append(elapsed)


def run_python(port: int, body: bytes, cookie: str, seconds: float, connections: int) -> Run:
    """One run of the asyncio client; its CPU time is this process's."""
    request = (
        f"POST /verify/paste HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
    ).encode("latin-1") + body
    latencies: list[float] = []
    errors: list[str] = []

    async def clients() -> None:
        stop_at = time.perf_counter() + seconds
        await asyncio.gather(
            *(_client(port, request, stop_at, latencies, errors) for _ in range(connections))
        )

    cpu, started = time.process_time(), time.perf_counter()
    asyncio.run(clients())
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    ordered = sorted(latencies) or [0.0]
    return Run(
        generator="python",
        elapsed=elapsed,
        verified=len(latencies),
        latencies_ms=(
            statistics.median(ordered) * 1000,
            ordered[int(0.95 * (len(ordered) - 1))] * 1000,
        ),
        errors=errors[:1],
        error_count=len(errors),
        generator_cpu=cpu,
    )


# -- the server ----------------------------------------------------------------------------------
def worker_cpu(master: int) -> tuple[float, float]:
    """CPU seconds (user, system) used so far by the gunicorn master's worker processes."""
    user = system = 0
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return 0.0, 0.0
    for pid in children:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        user, system = user + int(fields[11]), system + int(fields[12])
    ticks = os.sysconf("SC_CLK_TCK")
    return user / ticks, system / ticks


def three_credentials(issuer: KeyPair, holder: KeyPair) -> dict:
    """A holder-signed presentation of 3 Open Badges 3.0 credentials issued on different days
    (as a learner's would be), so no two proofs canonicalize the same configuration."""
    creds = []
    for i in range(3):
        doc = ob3_credential(issuer.controller)
        doc["credentialSubject"] = {**doc["credentialSubject"], "id": holder.controller}
        doc["credentialSubject"]["achievement"] = {**doc["credentialSubject"]["achievement"],
                                                   "name": f"Course {i + 1}"}
        creds.append(issue_ldp(doc, issuer, created=NOW - timedelta(days=30 * (i + 1))))
    return sign_presentation(creds, holder, created=NOW)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="measured time")
    parser.add_argument("--connections", "--clients", type=int, default=4, help="at once")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class")
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
    parser.add_argument("--generator", choices=("auto", "wrk", "python"), default="auto")
    args = parser.parse_args()
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    if gunicorn is None:
        raise SystemExit("gunicorn is not installed: .venv/bin/pip install gunicorn")
    wrk = shutil.which("wrk") if args.generator != "python" else None
    if args.generator == "wrk" and wrk is None:
        raise SystemExit("wrk is not on PATH (Debian: apt-get install wrk)")

    issuer, holder = KeyPair.generate("Ed25519"), KeyPair.generate("Ed25519")
    text = json.dumps(three_credentials(issuer, holder))
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "verifier"
        trust(home, issuer)
        port = free_port()
        env = {**os.environ, "VERIFIER_HOME": str(home), "PYTHONPATH": str(PROJECT),
               "GUNICORN_ACCESS_LOG": ""}
        server = subprocess.Popen(
            [
                gunicorn,
                "--config",
                str(PROJECT / "verifier" / "web" / "gunicorn_conf.py"),
                "--workers",
                str(args.workers),
                "--worker-class",
                args.worker_class,
                "--threads",
                str(args.threads),
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
            cookie, token = session(port)
            body = urlencode({"csrf_token": token, "text": text}).encode()

            def measure(seconds: float) -> Run:
                if wrk is not None:
                    return run_wrk(wrk, port, body, cookie, seconds, args.connections)
                return run_python(port, body, cookie, seconds, args.connections)

            warm = measure(WARM_UP)  # both workers' caches
            if warm.error_count:
                raise SystemExit(f"the warm-up run failed: {warm.errors}")
            user, system = worker_cpu(server.pid)
            run = measure(args.seconds)
            user_after, system_after = worker_cpu(server.pid)
            user, system = user_after - user, system_after - system
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)

    threads = f" x {args.threads} threads" if args.worker_class == "gthread" else ""
    load = "wrk (1 thread)" if run.generator == "wrk" else "an asyncio client (1 process)"
    print(
        f"verifier under gunicorn: {args.workers} {args.worker_class} workers{threads}, "
        f"load from {load} with {args.connections} connections, {os.cpu_count()} CPUs, "
        f"{len(text)} bytes per presentation of 3 credentials"
    )
    per_second = run.verified / run.elapsed if run.elapsed else 0.0
    print(
        f"verified presentations: {run.verified} in {run.elapsed:.1f} s = "
        f"{per_second:.1f} per second"
    )
    median, p95 = run.latencies_ms
    print(f"latency: median {median:.1f} ms, 95th percentile {p95:.1f} ms")
    print(f"errors: {run.error_count}" + (f" (first: {run.errors[0]})" if run.errors else ""))
    if run.verified:
        ms = 1000 / run.verified
        print(
            f"CPU per verified presentation: server {(user + system) * ms:.2f} ms (gunicorn "
            f"workers: {user * ms:.2f} user, {system * ms:.2f} system), load generator "
            f"{run.generator_cpu * ms:.2f} ms"
        )
    return 0 if run.verified and not run.error_count else 1


if __name__ == "__main__":
    sys.exit(main())
