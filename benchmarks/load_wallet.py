"""Load test: the wallet under gunicorn on PostgreSQL + Redis, 200 concurrent clients.

For each worker count (2 and 4 by default) it makes a fresh PostgreSQL schema, learners with a
few credentials each, and starts ``gunicorn -c wallet/gunicorn_conf.py`` on a free loopback
port with Redis as the rate-limit store, CSRF on and production Argon2. Then ``--clients``
clients (asyncio, keep-alive HTTP/1.1 over loopback) log in (one login per learner; ten
clients share each learner's session) and, for ``--duration`` seconds, each loops over a mix:
the portfolio page (3 in 5), a new signed credential pasted into the import form (1 in 5), a
3-credential presentation pasted into the verifier view at ``/verify`` (3 in 20), and a share
link of three credentials created with the password (1 in 20; production Argon2 unlocks the
holder key, so a share costs far more than a page).

It prints requests per second, p50/p95/p99 per kind, errors, and checks that no write was
lost: the credentials in the database equal those seeded plus every import the server
acknowledged ("Added to your wallet.").

Run (PostgreSQL at 127.0.0.1:5432 database ``test``, Redis at 127.0.0.1:6379)::

    .venv/bin/python benchmarks/load_wallet.py               # 2 and 4 workers, 60 s each
    .venv/bin/python benchmarks/load_wallet.py --duration 10 --workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from tests.wallet.factories import (  # noqa: E402
    jwt_credential,
    ldp_bytes,
    ldp_credential,
    new_key,
    presentation,
    trust_issuer,
)
from wallet import create_app  # noqa: E402
from wallet.auth import register_user  # noqa: E402
from wallet.db import db  # noqa: E402
from wallet.importers.service import import_bytes  # noqa: E402
from wallet.models import Credential  # noqa: E402

POSTGRES = os.environ.get(
    "WALLET_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1/test"
)
PASSWORD = "load test password"
ADDED = b"Added to your wallet."
VERIFIED = b"Verified"
CLIENTS_PER_LEARNER = 10
SEEDED_PER_LEARNER = 5


@dataclass
class Stats:
    """Latencies by kind, errors, and acknowledged writes."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    acknowledged: int = 0


class Connection:
    """A minimal keep-alive HTTP/1.1 client for loopback (Content-Length bodies only)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, *, cookie: str = "", body: bytes = b""
    ) -> tuple[int, dict[str, str], bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        if cookie:
            head.append(f"Cookie: {cookie}")
        if body or method == "POST":
            head += [
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(body)}",
            ]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        assert self.reader is not None
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection")
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        cookies = []
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "set-cookie":
                cookies.append(value.strip())
            headers[name.lower()] = value.strip()
        headers["set-cookie"] = "\n".join(cookies)
        content = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, headers, content

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def session_cookie(headers: dict[str, str], current: str) -> str:
    """The wallet's session cookie from a response, else the current one."""
    for line in headers.get("set-cookie", "").splitlines():
        if line.startswith("wallet="):
            return line.split(";", 1)[0]
    return current


def csrf_token(page: bytes) -> str:
    match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
    if match is None:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1).decode()


@dataclass(frozen=True)
class Login:
    """A learner's session cookie, a form token for it, and the ids of their credentials."""

    cookie: str
    token: str
    credentials: list[str]


async def log_in(port: int, email: str, credentials: list[str]) -> Login:
    """Log in through the pages (CSRF on); the session cookie and a form token for it."""
    conn = Connection(port)
    _, headers, page = await conn.request("GET", "/auth/login")
    cookie = session_cookie(headers, "")
    body = urlencode({"email": email, "password": PASSWORD, "csrf_token": csrf_token(page)})
    status, headers, _ = await conn.request(
        "POST", "/auth/login", cookie=cookie, body=body.encode()
    )
    if status != 302:
        raise RuntimeError(f"login of {email} answered {status}")
    cookie = session_cookie(headers, cookie)
    _, headers, page = await conn.request("GET", "/import/", cookie=cookie)
    cookie = session_cookie(headers, cookie)  # the session now holds the form token
    await conn.close()
    return Login(cookie, csrf_token(page), credentials)


def kind_of(turn: int) -> str:
    """The request a client makes on its ``turn``-th round (see the module's mix)."""
    if turn % 20 == 0:
        return "share"
    if turn % 5 == 0:
        return "import"
    if turn % 20 in (2, 9, 16):
        return "verify"
    return "portfolio"


async def client(
    port: int, login: Login, issuer, vp: str, stop: float, stats: Stats, number: int
) -> None:
    """One client's loop until ``stop`` over the mix of :func:`kind_of`."""
    cookie, token = login.cookie, login.token
    conn = Connection(port)
    turn = number
    while time.monotonic() < stop:
        turn += 1
        kind = kind_of(turn)
        started = time.monotonic()
        try:
            if kind == "portfolio":
                status, _, page = await conn.request("GET", "/portfolio/", cookie=cookie)
                ok = status == 200
            elif kind == "verify":
                body = urlencode({"text": vp, "csrf_token": token}).encode()
                status, _, page = await conn.request(
                    "POST", "/verify/paste", cookie=cookie, body=body
                )
                ok = status == 200 and VERIFIED in page
            elif kind == "share":
                fields = {
                    "title": f"Load {number}-{turn}",
                    "hours": "24",
                    "password": PASSWORD,
                    "credential": login.credentials[:3],
                    "action": "share",
                    "csrf_token": token,
                }
                body = urlencode(fields, doseq=True).encode()
                status, _, page = await conn.request(
                    "POST", "/shares/new", cookie=cookie, body=body
                )
                ok = status in (302, 303)
            else:
                text = jwt_credential(issuer, name=f"Load {number}-{turn}-{secrets.token_hex(4)}")
                body = urlencode({"text": text, "csrf_token": token}).encode()
                status, _, page = await conn.request(
                    "POST", "/import/paste", cookie=cookie, body=body
                )
                ok = status == 200 and ADDED in page
                if ok:
                    stats.acknowledged += 1
        except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as exc:
            ok, status = False, type(exc).__name__
            await conn.close()
            conn = Connection(port)
        stats.latencies[kind].append(time.monotonic() - started)
        if not ok:
            stats.errors[f"{kind} {status}"] += 1
    await conn.close()


async def run_load(
    port: int, learners: dict[str, list[str]], vp: str, clients: int, duration: float
) -> tuple[Stats, float]:
    """Log every learner in, then run the clients; the stats and the seconds they ran."""
    stats = Stats()
    logins = [await log_in(port, email, ids) for email, ids in learners.items()]
    issuer = new_key()
    started = time.monotonic()
    stop = started + duration
    await asyncio.gather(
        *(
            client(port, logins[n // CLIENTS_PER_LEARNER % len(logins)], issuer, vp, stop, stats, n)
            for n in range(clients)
        )
    )
    return stats, time.monotonic() - started


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(url: str, instance: Path, learners: int) -> tuple[dict[str, list[str]], str]:
    """Tables, learners and their first credentials, in-process (as an operator would seed);
    each learner's credential ids, and a 3-credential presentation of a trusted issuer."""
    app = create_app(
        {"SECRET_KEY": "seed", "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(instance)}
    )
    key = new_key()
    trust_issuer(app.config["VERIFIER_HOME"], key)
    holder = new_key()
    subject = {
        "id": holder.controller,
        "type": ["AchievementSubject"],
        "achievement": {
            "id": "https://demo.example/achievements/data-analysis",
            "type": ["Achievement"],
            "name": "Data Analysis Basics",
            "description": "Cleans, explores and visualises tabular data.",
            "criteria": {"narrative": "Passed the final project."},
        },
    }
    vp = presentation([ldp_credential(key, credentialSubject=subject) for _ in range(3)], holder)
    emails = [f"learner{n}@load.example" for n in range(learners)]
    held: dict[str, list[str]] = {}
    with app.test_request_context("/"):
        db.create_all()
        for email in emails:
            user = register_user(email, PASSWORD, email.split("@")[0])
            db.session.commit()
            held[email] = []
            for i in range(SEEDED_PER_LEARNER):
                outcome = import_bytes(
                    user,
                    ldp_bytes(key, id=f"urn:uuid:{secrets.token_hex(8)}-{i}"),
                    filename=f"seed{i}.json",
                    channel="file",
                    now=_now(),
                )
                held[email].append(str(outcome.credential_id))
            db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return held, json.dumps(vp)


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


def count_credentials(url: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        found = connection.execute(sa.select(sa.func.count()).select_from(Credential)).scalar_one()
    engine.dispose()
    return int(found)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def one_run(workers: int, args: argparse.Namespace) -> None:
    schema = f"load_{secrets.token_hex(4)}"
    admin = sa.create_engine(POSTGRES)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = f"{POSTGRES}?options=-csearch_path%3D{schema}"
    learners = max(1, args.clients // CLIENTS_PER_LEARNER)
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        instance = Path(folder) / "instance"
        learners_held, vp = prepare(url, instance, learners)
        env = {
            **os.environ,
            "WALLET_SECRET_KEY": secrets.token_hex(32),
            "WALLET_DATABASE_URL": url,
            "WALLET_INSTANCE_PATH": str(instance),
            "WALLET_RATELIMIT_STORAGE_URI": args.redis,
            "WALLET_RATELIMIT_KEY_PREFIX": schema,
            "WALLET_SQLALCHEMY_ENGINE_OPTIONS": '{"pool_pre_ping": true, "pool_size": 10}',
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_THREADS": str(args.threads),
            "GUNICORN_ACCESS_LOG": "/dev/null",
            "GUNICORN_LOG_LEVEL": "warning",
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "wallet/gunicorn_conf.py"],
            cwd=PROJECT,
            env=env,
        )
        try:
            wait_until_listening(port)
            seeded = count_credentials(url)
            stats, elapsed = asyncio.run(
                run_load(port, learners_held, vp, args.clients, args.duration)
            )
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
        stored = count_credentials(url)
    with admin.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()
    report(workers, args, stats, elapsed, seeded, stored)


def wait_until_listening(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def report(
    workers: int, args: argparse.Namespace, stats: Stats, elapsed: float, seeded: int, stored: int
) -> None:
    total = sum(len(v) for v in stats.latencies.values())
    print(
        f"\n== {workers} workers x {args.threads} threads, {args.clients} clients, "
        f"{args.duration:.0f} s =="
    )
    print(
        f"requests: {total}  ({total / elapsed:.1f}/s)   errors: {sum(stats.errors.values())}"
        + (f"  {dict(stats.errors)}" if stats.errors else "")
    )
    for kind, values in sorted(stats.latencies.items()):
        print(
            f"  {kind:<10} {len(values):>6} req  {len(values) / elapsed:7.1f}/s  "
            f"p50 {statistics.median(values) * 1000:7.0f} ms  "
            f"p95 {percentile(values, 0.95) * 1000:7.0f} ms  "
            f"p99 {percentile(values, 0.99) * 1000:7.0f} ms"
        )
    lost = seeded + stats.acknowledged - stored
    print(
        f"writes: {stats.acknowledged} acknowledged, {stored - seeded} stored, "
        f"{'no write lost' if lost == 0 else f'{lost} LOST'}"
    )
    if lost:
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    for workers in args.workers:
        one_run(workers, args)


if __name__ == "__main__":
    main()
