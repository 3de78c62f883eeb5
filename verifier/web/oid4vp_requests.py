"""The employer's side of OpenID for Verifiable Presentations 1.0: the presets and the
authorization request (the answer is read in :mod:`verifier.web.oid4vp_answers`).

The request (OID4VP 1.0 §5) is passed by reference: the QR code holds
``openid4vp://?client_id=...&request_uri=...`` and the wallet fetches the request object from
``request_uri``. The client identifier uses the ``redirect_uri:`` prefix (§5.9.3): the
``client_id`` is ``redirect_uri:`` followed by the ``response_uri``, and the request object is
therefore *unsigned* (``alg`` ``none``), as that prefix requires. This is the simple,
self-hostable choice: it tells the wallet where the answer goes, but does not prove who the
verifier is; a wallet must show the response address, not only the name the verifier gives.
Signed requests (``x509_san_dns:``, ``verifier_attestation:``) are not implemented.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from verifier.dcql import DcqlError, DcqlQuery
from verifier.web.oid4vp_store import PENDING, StoredRequest

DEFAULT_TTL = timedelta(minutes=10)
VP_FORMATS = {
    "ldp_vc": {
        "proof_type_values": ["DataIntegrityProof"],
        "cryptosuite_values": ["eddsa-rdfc-2022"],
    },
    "jwt_vc_json": {"alg_values": ["EdDSA", "ES256"]},
    "dc+sd-jwt": {"sd-jwt_alg_values": ["EdDSA", "ES256"], "kb-jwt_alg_values": ["EdDSA", "ES256"]},
}
ANY_W3C = [["VerifiableCredential"]]


# -- presets -----------------------------------------------------------------------------------
def _w3c_alternatives(claims: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A JSON-LD or a JWT credential of any type, with ``claims``; either one will do."""
    queries = []
    for qid, fmt in (("credential", "ldp_vc"), ("credential_jwt", "jwt_vc_json")):
        query: dict[str, Any] = {"id": qid, "format": fmt, "meta": {"type_values": ANY_W3C}}
        if claims:
            query["claims"] = claims
        queries.append(query)
    return {
        "credentials": queries,
        "credential_sets": [{"options": [["credential"], ["credential_jwt"]]}],
    }


def preset_query(preset: str, *, achievement: str = "") -> dict[str, Any]:
    """The DCQL query of a named preset (``ects``, ``achievement`` or ``any``)."""
    if preset == "ects":
        # DCQL matches values, it cannot compare numbers: the query asks for a credential with
        # credits, and the verifier checks the amount and the topic itself (see post_check).
        path = ["credentialSubject", "achievement", "creditsAvailable"]
        return _w3c_alternatives([{"path": path}])
    if preset == "achievement":
        path = ["credentialSubject", "achievement", "name"]
        return _w3c_alternatives([{"path": path, "values": [achievement]}])
    if preset == "any":
        return _w3c_alternatives()
    raise ValueError(f"unknown preset {preset!r}")


def with_purpose(query: DcqlQuery, purpose: str) -> dict[str, Any]:
    """The query as JSON, ``purpose`` given to each credential set that has none (a query
    without sets gets one set asking for all its credentials, which means the same)."""
    out = query.to_json()
    sets = out.get("credential_sets") or [{"options": [[q.id for q in query.credentials]]}]
    for item in sets:
        if purpose and "purpose" not in item:
            item["purpose"] = purpose
    out["credential_sets"] = sets
    return out


# -- the request ---------------------------------------------------------------------------------
def new_request(
    *,
    response_uri_for: Any,
    verifier_name: str,
    purpose: str,
    query: dict[str, Any],
    post_check: dict[str, Any],
    now: datetime,
    ttl: timedelta = DEFAULT_TTL,
) -> StoredRequest:
    """A fresh request: random ids, a 256-bit nonce, ``redirect_uri:`` client id.

    ``response_uri_for(request_id)`` returns the absolute response URI of a request id.
    """
    request_id = secrets.token_urlsafe(16)
    response_uri = response_uri_for(request_id)
    return StoredRequest(
        id=request_id,
        view_token=secrets.token_urlsafe(24),
        nonce=secrets.token_urlsafe(32),
        state=secrets.token_urlsafe(16),
        client_id=f"redirect_uri:{response_uri}",
        verifier_name=verifier_name,
        purpose=purpose,
        query=query,
        post_check=post_check,
        created_at=now,
        expires_at=now + ttl,
        status=PENDING,
    )


def response_uri_of(stored: StoredRequest) -> str:
    """The address the wallet posts to (the client id without its prefix)."""
    return stored.client_id.removeprefix("redirect_uri:")


def request_object(stored: StoredRequest) -> dict[str, Any]:
    """The authorization request's parameters (§5.1, §5.2), as the request object carries them."""
    return {
        "iss": stored.client_id,
        "aud": "https://self-issued.me/v2",  # static discovery (§5.10.1 of RFC 9101 use)
        "iat": int(stored.created_at.timestamp()),
        "exp": int(stored.expires_at.timestamp()),
        "response_type": "vp_token",
        "response_mode": "direct_post",
        "client_id": stored.client_id,
        "response_uri": response_uri_of(stored),
        "nonce": stored.nonce,
        "state": stored.state,
        "dcql_query": stored.query,
        "client_metadata": {
            "client_name": stored.verifier_name,
            "vp_formats_supported": VP_FORMATS,
        },
    }


def unsigned_jwt(claims: Mapping[str, Any]) -> str:
    """An unsecured JWT (RFC 7519 §6: ``alg`` ``none``, empty signature)."""

    def part(value: Mapping[str, Any]) -> str:
        raw = json.dumps(value, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")

    return f"{part({'alg': 'none', 'typ': 'oauth-authz-req+jwt'})}.{part(claims)}."


def wallet_link(stored: StoredRequest, request_uri: str, *, base: str = "openid4vp://") -> str:
    """The link a wallet opens: ``openid4vp://?client_id=...&request_uri=...`` (§5.2)."""
    query = urlencode({"client_id": stored.client_id, "request_uri": request_uri})
    return f"{base}?{query}"


def parse_free_query(text: str) -> DcqlQuery:
    """A DCQL query typed by the employer; :class:`verifier.dcql.DcqlError` explains mistakes."""
    if not text.strip():
        raise DcqlError("Paste a DCQL query (a JSON object with a credentials array).")
    return DcqlQuery.from_json(text)
