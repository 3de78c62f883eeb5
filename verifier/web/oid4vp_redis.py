"""The OpenID4VP request store in Redis (``OID4VP_STORE_URL=redis://host:6379/0``), for verifiers
whose workers share a Redis rather than a database. Same methods as
:class:`verifier.web.oid4vp_store.RequestStore`.

Each request is one JSON value under ``oid4vp:request:<id>`` and its employer page token points
to it from ``oid4vp:view:<token>``; both expire on their own a day after the request does.
Answering is one Lua script, so it is atomic: a replayed answer, or two racing in two workers,
find the request no longer pending.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from datetime import datetime
from typing import Any

import redis

from verifier.web.oid4vp_store import RETENTION, StoredRequest, from_record

PREFIX = "oid4vp:"
#: KEYS[1] the request; ARGV: now (POSIX seconds), the new status, the answer (JSON text).
FINISH = """
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local record = cjson.decode(raw)
if record['status'] ~= 'pending' or tonumber(record['expires_at']) <= tonumber(ARGV[1]) then
  return 0
end
record['status'] = ARGV[2]
record['answer'] = ARGV[3]
record['answered_at'] = ARGV[1]
redis.call('SET', KEYS[1], cjson.encode(record), 'KEEPTTL')
return 1
"""


class RedisRequestStore:
    """Open requests kept in Redis."""

    def __init__(self, url: str) -> None:
        self.client = redis.Redis.from_url(url, socket_timeout=5, decode_responses=True)
        self._finish = self.client.register_script(FINISH)

    def add(self, request: StoredRequest) -> None:
        """Store a new request; Redis forgets it a day after it expires."""
        record = asdict(request)
        record.update(
            query=json.dumps(request.query),
            post_check=json.dumps(request.post_check),
            # Times as text: Lua's cjson would round a float to 14 digits.
            created_at=repr(request.created_at.timestamp()),
            expires_at=repr(request.expires_at.timestamp()),
            answer=None,
            answered_at=None,
        )
        seconds = math.ceil((request.expires_at - request.created_at + RETENTION).total_seconds())
        with self.client.pipeline() as pipe:
            pipe.set(PREFIX + "request:" + request.id, json.dumps(record), ex=seconds, nx=True)
            pipe.set(PREFIX + "view:" + request.view_token, request.id, ex=seconds, nx=True)
            pipe.execute()

    def get(self, request_id: str) -> StoredRequest | None:
        """The request with this public id."""
        raw = self.client.get(PREFIX + "request:" + request_id)
        return _parse(raw) if raw else None

    def by_view_token(self, token: str) -> StoredRequest | None:
        """The request whose employer page has this token."""
        request_id = self.client.get(PREFIX + "view:" + token)
        return self.get(request_id) if request_id else None

    def finish(
        self, request_id: str, status: str, answer: dict[str, Any], *, now: datetime
    ) -> bool:
        """Record the answer if the request is still pending and not expired."""
        done = self._finish(
            keys=[PREFIX + "request:" + request_id],
            args=[repr(now.timestamp()), status, json.dumps(answer)],
        )
        return bool(done)


def _parse(raw: str) -> StoredRequest:
    record = json.loads(raw)
    for name in ("created_at", "expires_at", "answered_at"):
        if record.get(name) is not None:
            record[name] = float(record[name])
    return from_record(record)
