"""Where the verifier keeps its open OpenID4VP requests between the employer's page, the wallet's
fetch and the wallet's answer: a small SQL table with an expiry, shared by every worker process.

The table lives in ``<VERIFIER_HOME>/oid4vp.sqlite3`` (SQLite in write-ahead mode: safe for
several gunicorn workers on one host), or in the database named by ``OID4VP_STORE_URL`` (any
SQLAlchemy URL, e.g. PostgreSQL when the workers run on several hosts); a ``redis://`` URL keeps
the requests in Redis instead (:mod:`verifier.web.oid4vp_redis`). Process memory is never
used: the worker that serves the wallet's answer is often not the one that made the request.

A request is answered at most once: :meth:`RequestStore.finish` changes it from ``pending``
only when it is still pending and not expired, in one ``UPDATE``, so a replayed answer, or two
answers racing in two workers, find nothing to change.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

STORE_FILE = "oid4vp.sqlite3"
#: How long an answered or expired request stays readable for the employer.
RETENTION = timedelta(days=1)
PENDING, ANSWERED, DECLINED = "pending", "answered", "declined"

_metadata = sa.MetaData()
requests_table = sa.Table(
    "oid4vp_requests",
    _metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # public: in request_uri / response_uri
    sa.Column("view_token", sa.String(64), unique=True, nullable=False),  # the employer's page
    sa.Column("nonce", sa.String(64), unique=True, nullable=False),
    sa.Column("state", sa.String(64), nullable=False),
    sa.Column("client_id", sa.Text, nullable=False),
    sa.Column("verifier_name", sa.Text, nullable=False),
    sa.Column("purpose", sa.Text, nullable=False),
    sa.Column("query", sa.Text, nullable=False),  # the DCQL query, JSON
    sa.Column("post_check", sa.Text, nullable=False),  # JSON: {"min_ects": 5, "topic": "..."}
    sa.Column("created_at", sa.Float, nullable=False),  # POSIX seconds: one type everywhere
    sa.Column("expires_at", sa.Float, nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("answer", sa.Text),  # JSON: what the wallet sent and when it was checked
    sa.Column("answered_at", sa.Float),
)


@dataclass(frozen=True)
class StoredRequest:
    """One request as stored (times aware, JSON columns parsed)."""

    id: str
    view_token: str
    nonce: str
    state: str
    client_id: str
    verifier_name: str
    purpose: str
    query: dict[str, Any]
    post_check: dict[str, Any]
    created_at: datetime
    expires_at: datetime
    status: str
    answer: dict[str, Any] | None = None
    answered_at: datetime | None = None

    def expired(self, now: datetime) -> bool:
        """Whether the wallet can no longer answer it."""
        return now >= self.expires_at


def _time(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def from_record(values: dict[str, Any]) -> StoredRequest:
    """A request from its stored form: JSON columns as text, times as POSIX seconds."""
    values = dict(values)
    for name in ("query", "post_check"):
        values[name] = json.loads(values[name])
    values["answer"] = json.loads(values["answer"]) if values["answer"] else None
    for name in ("created_at", "expires_at", "answered_at"):
        values[name] = _time(values[name])
    return StoredRequest(**values)


def _row(row: Any) -> StoredRequest:
    return from_record(dict(row._mapping))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


_lock = threading.Lock()
_engines: dict[str, sa.Engine] = {}


class RequestStore:
    """The requests table behind one database URL (engines are shared per URL in a process)."""

    def __init__(self, url: str) -> None:
        with _lock:
            engine = _engines.get(url)
            if engine is None:
                engine = sa.create_engine(url, pool_pre_ping=True)
                if engine.dialect.name == "sqlite":
                    sa.event.listen(engine, "connect", _sqlite_pragmas)
                _metadata.create_all(engine)
                _engines[url] = engine
        self.engine = engine

    @classmethod
    def for_config(cls, config: Any) -> Any:
        """The store an app's configuration names: ``OID4VP_STORE_URL`` (an SQLAlchemy URL, or
        ``redis://...`` for :class:`verifier.web.oid4vp_redis.RedisRequestStore`), else the
        SQLite file in the verifier's home. Both have the same methods."""
        url = str(config.get("OID4VP_STORE_URL") or "")
        if url.startswith(("redis://", "rediss://", "unix://")):
            from verifier.web.oid4vp_redis import RedisRequestStore

            return RedisRequestStore(url)
        if not url:
            home = Path(config["VERIFIER_HOME"])
            home.mkdir(parents=True, exist_ok=True)
            url = f"sqlite:///{home / STORE_FILE}"
        return cls(url)

    def add(self, request: StoredRequest) -> None:
        """Store a new request (and forget requests long expired)."""
        values = {
            "id": request.id,
            "view_token": request.view_token,
            "nonce": request.nonce,
            "state": request.state,
            "client_id": request.client_id,
            "verifier_name": request.verifier_name,
            "purpose": request.purpose,
            "query": json.dumps(request.query),
            "post_check": json.dumps(request.post_check),
            "created_at": request.created_at.timestamp(),
            "expires_at": request.expires_at.timestamp(),
            "status": request.status,
        }
        cutoff = (request.created_at - RETENTION).timestamp()
        with self.engine.begin() as connection:
            connection.execute(requests_table.delete().where(requests_table.c.expires_at < cutoff))
            connection.execute(requests_table.insert().values(**values))

    def get(self, request_id: str) -> StoredRequest | None:
        """The request with this public id."""
        return self._one(requests_table.c.id == request_id)

    def by_view_token(self, token: str) -> StoredRequest | None:
        """The request whose employer page has this token."""
        return self._one(requests_table.c.view_token == token)

    def _one(self, condition: Any) -> StoredRequest | None:
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(requests_table).where(condition)).first()
        return _row(row) if row is not None else None

    def finish(
        self, request_id: str, status: str, answer: dict[str, Any], *, now: datetime
    ) -> bool:
        """Record the answer if the request is still pending and not expired; ``False`` if it
        was answered already (a replay) or has expired."""
        statement = (
            requests_table.update()
            .where(
                requests_table.c.id == request_id,
                requests_table.c.status == PENDING,
                requests_table.c.expires_at > now.timestamp(),
            )
            .values(status=status, answer=json.dumps(answer), answered_at=now.timestamp())
        )
        with self.engine.begin() as connection:
            return connection.execute(statement).rowcount == 1
