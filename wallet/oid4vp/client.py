"""The wallet's only network code for OpenID4VP: fetch a verifier's request object and post the
answer, over HTTPS (plain HTTP only to this machine, when ``OID4VP_ALLOW_HTTP_LOCALHOST`` or
``DEMO`` is on: the tests and the demo), with a timeout and a size cap, never to a private
address.

Example (in an app context)::

    link = parse_link("openid4vp://?client_id=redirect_uri%3A...&request_uri=https%3A...")
    request = fetch_request(link)          # AuthorizationRequest, or RequestProblem
    post_answer(request, {"vp_token": json.dumps(token), "state": request.state})
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from flask import current_app

from verifier.dcql import DcqlError, DcqlQuery
from wallet import net

TIMEOUT_SECONDS = 10
MAX_REQUEST_BYTES = 100_000
MAX_REPLY_BYTES = 20_000
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
CLIENT_PREFIX = "redirect_uri:"


class RequestProblem(Exception):
    """A request the wallet will not answer; ``str(self)`` is the reason (English, for logs);
    ``code`` names it for the learner's message."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Link:
    """What an ``openid4vp://`` link (or the wallet's own authorize URL) carries (§5.2)."""

    client_id: str | None
    request_uri: str


@dataclass(frozen=True)
class AuthorizationRequest:
    """A request the wallet fetched and checked."""

    client_id: str
    response_uri: str
    nonce: str
    state: str | None
    query: DcqlQuery
    verifier_name: str | None
    request_uri: str
    digest: str  # SHA-256 of the request object: the consent page and the send must agree

    @property
    def response_host(self) -> str:
        """Where the answer goes, as the learner should read it."""
        return urlsplit(self.response_uri).netloc


def parse_link(text: str) -> Link:
    """The ``client_id`` and ``request_uri`` of a pasted ``openid4vp://`` (or https) link."""
    text = text.strip()
    parts = urlsplit(text)
    params = parse_qs(parts.query)
    request_uri = (params.get("request_uri") or [""])[0]
    if not request_uri:
        if "request" in params or "dcql_query" in params:
            raise RequestProblem("by_value", "only requests passed by reference are supported")
        raise RequestProblem("not_a_request", "no request_uri")
    client_id = (params.get("client_id") or [None])[0]
    return Link(client_id, request_uri)


def _check_url(url: str) -> bool:
    """Refuse what the wallet must not reach: not https, or a private address. True when the
    address is this computer and that is allowed (the tests, the demo)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    config = current_app.config
    local_ok = bool(config.get("OID4VP_ALLOW_HTTP_LOCALHOST") or config.get("DEMO"))
    if parts.scheme == "http" and not (local_ok and host in LOCAL_HOSTS):
        raise RequestProblem("insecure", url)
    if parts.scheme not in ("https", "http") or not host:
        raise RequestProblem("not_a_request", url)
    if local_ok and host in LOCAL_HOSTS:
        return True
    try:
        addresses = net.resolve(host, parts.port or 443)
    except OSError:
        raise RequestProblem("unreachable", host) from None
    if not net.all_public(addresses):
        raise RequestProblem("private_address", host)
    return False


def _session(local: bool) -> requests.Session:
    """A session that checks the address it actually connects to (DNS rebinding), takes no
    proxy or credentials from the environment, and reaches this computer only when ``local``."""
    session = requests.Session()
    session.trust_env = False
    net.mount_public(session, allow_loopback=local)
    return session


def _read_capped(response: requests.Response, limit: int) -> bytes:
    body = b""
    for chunk in response.iter_content(8192):
        body += chunk
        if len(body) > limit:
            raise RequestProblem("too_large", str(limit))
    return body


def fetch_request(link: Link, *, now: datetime | None = None) -> AuthorizationRequest:
    """Fetch the request object behind ``link.request_uri`` and check it (§5, §5.9.3)."""
    session = _session(_check_url(link.request_uri))
    try:
        with session, session.get(
            link.request_uri,
            headers={"Accept": "application/oauth-authz-req+jwt"},
            timeout=TIMEOUT_SECONDS,
            stream=True,
            allow_redirects=False,
        ) as response:
            body = _read_capped(response, MAX_REQUEST_BYTES)
            status = response.status_code
    except requests.RequestException as exc:
        raise RequestProblem("unreachable", type(exc).__name__) from None
    if status in (404, 410):
        raise RequestProblem("gone", _description(body))
    if status != 200:
        raise RequestProblem("unreachable", f"HTTP {status}")
    claims = _unsigned_claims(body)
    return _checked(claims, link, hashlib.sha256(body).hexdigest(), now or datetime.now(UTC))


def _description(body: bytes) -> str:
    try:
        found = json.loads(body).get("error_description")
    except (ValueError, AttributeError):
        return ""
    return found[:300] if isinstance(found, str) else ""


def _b64json(part: str) -> Any:
    try:
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (ValueError, binascii.Error):
        raise RequestProblem("malformed", "not a JWT") from None


def _unsigned_claims(body: bytes) -> dict[str, Any]:
    """The claims of an unsigned request object (the ``redirect_uri:`` prefix forbids signing)."""
    parts = body.decode("ascii", "replace").strip().split(".")
    if len(parts) != 3:
        raise RequestProblem("malformed", "not a compact JWT")
    header, claims = _b64json(parts[0]), _b64json(parts[1])
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise RequestProblem("malformed", "JWT parts are not objects")
    if header.get("alg") != "none" or parts[2]:
        raise RequestProblem("signed", str(header.get("alg")))
    return claims


def _checked(
    claims: Mapping[str, Any], link: Link, digest: str, now: datetime
) -> AuthorizationRequest:
    client_id = claims.get("client_id")
    if not isinstance(client_id, str) or not client_id.startswith(CLIENT_PREFIX):
        raise RequestProblem("client_id", "only the redirect_uri: client identifier is supported")
    if link.client_id is not None and link.client_id != client_id:
        raise RequestProblem("client_id", "the link and the request name different verifiers")
    if claims.get("response_type") != "vp_token":
        raise RequestProblem("malformed", "response_type is not vp_token")
    if claims.get("response_mode") != "direct_post":
        raise RequestProblem("malformed", "response_mode is not direct_post")
    response_uri = claims.get("response_uri")
    if response_uri != client_id.removeprefix(CLIENT_PREFIX):
        raise RequestProblem("client_id", "response_uri differs from the client identifier")
    _check_url(response_uri)
    nonce, state = claims.get("nonce"), claims.get("state")
    if not isinstance(nonce, str) or not 16 <= len(nonce) <= 256:
        raise RequestProblem("malformed", "the nonce is missing or too short")
    if state is not None and not (isinstance(state, str) and len(state) <= 256):
        raise RequestProblem("malformed", "bad state")
    exp = claims.get("exp")
    if isinstance(exp, int | float) and not isinstance(exp, bool) and exp < now.timestamp():
        raise RequestProblem("gone", "the request object has expired")
    try:
        query = DcqlQuery.from_json(claims.get("dcql_query"))
    except DcqlError as exc:
        raise RequestProblem("query", str(exc)) from None
    metadata = claims.get("client_metadata")
    name = metadata.get("client_name") if isinstance(metadata, Mapping) else None
    return AuthorizationRequest(
        client_id=client_id,
        response_uri=response_uri,
        nonce=nonce,
        state=state,
        query=query,
        verifier_name=name[:100] if isinstance(name, str) and name.strip() else None,
        request_uri=link.request_uri,
        digest=digest,
    )


@dataclass(frozen=True)
class Reply:
    """What the verifier said to the answer: accepted, or its error description."""

    accepted: bool
    description: str


def post_answer(request: AuthorizationRequest, form: Mapping[str, str]) -> Reply:
    """Post ``form`` to the verifier's ``response_uri`` (``direct_post``, §8.2)."""
    session = _session(_check_url(request.response_uri))
    try:
        with session, session.post(
            request.response_uri,
            data=dict(form),
            timeout=TIMEOUT_SECONDS,
            stream=True,
            allow_redirects=False,
        ) as response:
            body = _read_capped(response, MAX_REPLY_BYTES)
            status = response.status_code
    except requests.RequestException as exc:
        raise RequestProblem("unreachable", type(exc).__name__) from None
    return Reply(status == 200, "" if status == 200 else _description(body))
