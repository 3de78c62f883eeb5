"""Data safety with real server processes: a server killed (SIGKILL) in the middle of an import
leaves no partial record and loses no credential; two server processes importing at the same
time lose nothing. Both on SQLite and on PostgreSQL.

The servers are ``python -m tests.security.serve`` subprocesses on the test's database; the
test talks to them over HTTP like a browser, and reads the database directly afterwards.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy import select

from tests.wallet import factories as f
from tests.wallet.conftest import FAST_ARGON2, PASSWORD
from wallet.db import db
from wallet.models import Credential, User

PROJECT = Path(__file__).resolve().parents[2]
ADDED = "Added to your wallet."
EMAIL = "kill@example.org"


@dataclass
class Server:
    """A wallet server subprocess and its address."""

    process: subprocess.Popen
    url: str

    def kill(self) -> None:
        """SIGKILL: no handler, no flush, no rollback from the process itself."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def start_server(app, database_url: str, tmp_path: Path) -> Iterator:
    """Factory: start a server process on the test's database (tables made by ``app``)."""
    started: list[Server] = []

    def start(**extra: str) -> Server:
        env = {
            **os.environ,
            "WALLET_DATABASE_URL": database_url,
            "WALLET_INSTANCE_PATH": app.instance_path,
            "WALLET_SECRET_KEY": "data safety secret",
            "WALLET_WTF_CSRF_ENABLED": "false",
            "WALLET_RATELIMIT_ENABLED": "false",
            **{f"WALLET_{k}": str(v) for k, v in FAST_ARGON2.items()},
            **extra,
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.security.serve"],
            cwd=PROJECT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        port = process.stdout.readline().strip()
        assert port.isdigit(), "the server did not start"
        server = Server(process, f"http://127.0.0.1:{port}")
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
        server.process.stdout.close()


def browser(server: Server, *, register: bool = False, email: str = EMAIL) -> requests.Session:
    """A logged-in HTTP session (registering the learner first when asked)."""
    session = requests.Session()
    if register:
        data = {"email": email, "password": PASSWORD, "confirm": PASSWORD}
        assert session.post(f"{server.url}/auth/register", data=data, allow_redirects=False)
    data = {"email": email, "password": PASSWORD}
    response = session.post(f"{server.url}/auth/login", data=data, allow_redirects=False)
    assert response.status_code == 302, response.text[:300]
    return session


def upload(session: requests.Session, server: Server, name: str, content: bytes) -> str:
    response = session.post(
        f"{server.url}/import/files", files=[("files", (name, content))], timeout=60
    )
    assert response.status_code == 200, (response.status_code, response.text[:500])
    return response.text


def credential(key, title: str) -> bytes:
    return f.ldp_bytes(key, id=f"urn:uuid:{uuid.uuid4()}", name=title)


def rows(app, email: str | None = None) -> list[tuple[str | None, str, bytes]]:
    """(filename, title, original) of every credential, or of one learner's."""
    with app.app_context():
        query = select(Credential.filename, Credential.title, Credential.original)
        if email is not None:
            query = query.join(User).where(User.email == email)
        found = [tuple(row) for row in db.session.execute(query.order_by(Credential.id))]
        db.session.remove()
        return found


def wait_for(path: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, "the import never reached the pause"
        time.sleep(0.05)


def test_a_server_killed_mid_import_keeps_everything_committed_and_nothing_partial(
    app, start_server, tmp_path
):
    key = f.new_key()
    mark = tmp_path / "paused"
    server = start_server(PAUSE_FILENAME="paused.json", PAUSE_MARK=str(mark))
    session = browser(server, register=True)
    first = credential(key, "First, committed")
    assert ADDED in upload(session, server, "first.json", first)
    # A presentation of two credentials: one transaction, so both or neither.
    pair = [json.loads(credential(key, f"Paused {i}")) for i in (1, 2)]
    paused = json.dumps(f.presentation(pair, f.new_key())).encode()
    errors: list[BaseException] = []

    def import_paused() -> None:
        try:
            upload(session, server, "paused.json", paused)
        except (requests.ConnectionError, AssertionError) as exc:
            errors.append(exc)

    thread = threading.Thread(target=import_paused)
    thread.start()
    wait_for(mark)
    server.kill()
    thread.join(timeout=30)
    assert errors, "the paused import finished although its server was killed"

    kept = rows(app)
    assert [name for name, _, _ in kept] == ["first.json"]
    assert kept[0][2] == first  # the original bytes, exactly
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            result = db.session.execute(sa.text("PRAGMA integrity_check")).scalar()
            db.session.remove()
            assert result == "ok"

    # A new server on the same database: the learner carries on and imports again.
    server = start_server()
    session = browser(server)
    assert kept[0][1] in session.get(f"{server.url}/portfolio/").text
    assert upload(session, server, "paused.json", paused).count(ADDED) == 2
    assert [name for name, _, _ in rows(app)] == ["first.json", "paused.json", "paused.json"]


def test_two_server_processes_importing_at_once_lose_nothing(app, start_server):
    per_process = 2  # clients per server, each importing its own five and the shared one
    key = f.new_key()
    servers = [start_server(), start_server()]
    browser(servers[0], register=True)
    shared = credential(key, "Shared by everyone")
    batches = [
        [(f"p{p}-t{t}-{i}.json", credential(key, f"p{p} t{t} #{i}")) for i in range(5)]
        for p in range(2)
        for t in range(per_process)
    ]
    acknowledged: list[str] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def work(server: Server, batch: list[tuple[str, bytes]]) -> None:
        try:
            session = browser(server)
            for name, content in [*batch, ("shared.json", shared)]:
                page = upload(session, server, name, content)
                if ADDED in page:
                    with lock:
                        acknowledged.append(name)
        except BaseException as exc:
            failures.append(exc)

    threads = [
        threading.Thread(target=work, args=(servers[n // per_process], batch))
        for n, batch in enumerate(batches)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    names = [name for name, _, _ in rows(app)]
    assert sorted(names) == sorted(acknowledged)  # every "Added" is in the database
    assert names.count("shared.json") == 1  # the same credential is kept once
    expected = {name for batch in batches for name, _ in batch}
    assert expected <= set(names)  # and nothing distinct was turned away


def test_a_server_killed_mid_restore_leaves_the_wallet_empty_and_restorable(
    app, start_server, tmp_path
):
    """A backup restore is one transaction: killed half-way, the new wallet is still empty and
    can be restored again, with every credential exactly as it was."""
    key = f.new_key()
    mark = tmp_path / "paused"
    server = start_server(PAUSE_PATH="/backup/restore", PAUSE_MARK=str(mark))
    owner = browser(server, register=True)
    for n in range(3):
        assert ADDED in upload(owner, server, f"kept{n}.json", credential(key, f"Kept {n}"))
    originals = [o for _, _, o in rows(app)]
    passphrase = "a long backup passphrase"
    response = owner.post(
        f"{server.url}/backup/download",
        data={"password": PASSWORD, "passphrase": passphrase, "passphrase_confirm": passphrase},
    )
    assert response.status_code == 200, response.text[:300]
    backup = response.content
    # The old account is gone (a lost device): a new account restores the backup.
    response = owner.post(
        f"{server.url}/account/delete",
        data={"current_password": PASSWORD},
        allow_redirects=False,
    )
    assert response.status_code == 302 and rows(app) == []
    newcomer = browser(server, register=True)
    form = {"restore_passphrase": passphrase, "restore_password": PASSWORD}
    files = [("backup_file", ("wallet.lwbackup", backup))]
    errors: list[BaseException] = []

    def restore() -> None:
        try:
            newcomer.post(f"{server.url}/backup/restore", data=form, files=files, timeout=60)
        except requests.ConnectionError as exc:
            errors.append(exc)

    thread = threading.Thread(target=restore)
    thread.start()
    wait_for(mark)
    server.kill()
    thread.join(timeout=30)
    assert errors, "the paused restore finished although its server was killed"
    assert rows(app) == []  # nothing half-restored

    server = start_server()
    newcomer = browser(server)
    response = newcomer.post(f"{server.url}/backup/restore", data=form, files=files)
    assert response.status_code == 200 and "has been restored" in response.text
    restored = rows(app)
    assert [name for name, _, _ in restored] == [f"kept{n}.json" for n in range(3)]
    assert [o for _, _, o in restored] == originals  # byte for byte
