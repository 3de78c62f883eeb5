"""The demo issuer's OID4VCI 1.0 endpoints: metadata (§12.2, RFC 8414), token (§6, with the
pre-authorized code and the authorization code with PKCE), nonce (§7), credential (§8) and
deferred credential (§9). Errors are JSON ``{"error", "error_description"}`` as OAuth words them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from wallet.demo_issuer import credentials
from wallet.demo_issuer.proofs import ProofError, check_proof
from wallet.demo_issuer.state import AccessToken, Deferred, token
from wallet.demo_issuer.util import PRE_AUTHORIZED, base_url, clock, issuer_state, setting

bp = Blueprint("protocol", __name__)

#: The most proofs one credential request may carry (a batch).
MAX_PROOFS = 5


def oauth_error(error: str, description: str, status: int = 400) -> Response:
    """An OAuth / OID4VCI error response (RFC 6749 §5.2, OID4VCI 1.0 §8.3.1.2)."""
    response = jsonify({"error": error, "error_description": description})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    if status == 401:
        response.headers["WWW-Authenticate"] = f'Bearer error="{error}"'
    return response


def _json(body: dict[str, Any], status: int = 200) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/.well-known/openid-credential-issuer")
def issuer_metadata() -> Response:
    """The Credential Issuer Metadata (OID4VCI 1.0 §12.2)."""
    name = str(setting("ISSUER_NAME"))
    return jsonify(credentials.issuer_metadata(base_url(), name=name))


@bp.get("/.well-known/oauth-authorization-server")
def authorization_server_metadata() -> Response:
    """The Authorization Server Metadata (RFC 8414): this issuer is its own server."""
    return jsonify(credentials.authorization_server_metadata(base_url()))


@bp.post("/token")
def token_endpoint() -> Response:
    """Exchange a pre-authorized code (with its transaction code) or an authorization code
    (with its PKCE verifier) for an access token (OID4VCI 1.0 §6)."""
    form, now, state = request.form, clock(), issuer_state()
    grant = form.get("grant_type")
    with state.lock:
        if grant == PRE_AUTHORIZED:
            code = form.get("pre-authorized_code", "")
            offer = next(
                (o for o in state.offers.values() if code and o.pre_authorized_code == code), None
            )
            if offer is None:
                return oauth_error("invalid_grant", "The pre-authorized code is unknown.")
            if offer.expires_at <= now:
                return oauth_error("invalid_grant", "This offer has expired.")
            if offer.redeemed:
                return oauth_error("invalid_grant", "This offer has already been used.")
            given = form.get("tx_code", "")
            if offer.tx_code is not None and not hmac.compare_digest(given, offer.tx_code):
                return oauth_error("invalid_grant", "The transaction code is wrong.")
            offer.redeemed = True
        elif grant == "authorization_code":
            code = state.codes.pop(form.get("code", ""), None)
            if code is None or code.expires_at <= now:
                return oauth_error("invalid_grant", "The authorization code is unknown or expired.")
            if form.get("redirect_uri") != code.redirect_uri:
                return oauth_error("invalid_grant", "The redirect URI does not match.")
            if form.get("client_id", code.client_id) != code.client_id:
                return oauth_error("invalid_grant", "The code was issued to another client.")
            if not hmac.compare_digest(_s256(form.get("code_verifier", "")), code.code_challenge):
                return oauth_error("invalid_grant", "The PKCE code verifier does not match.")
            offer = state.offers.get(code.offer_id)
            if offer is None:
                return oauth_error("invalid_grant", "The offer behind this code is gone.")
        else:
            return oauth_error("unsupported_grant_type", f"Grant type {grant!r} is not supported.")
        lifetime = int(setting("TOKEN_LIFETIME"))
        access = token()
        state.tokens[access] = AccessToken(
            offer.id, offer.configuration_ids, now + timedelta(seconds=lifetime)
        )
    return _json({"access_token": access, "token_type": "Bearer", "expires_in": lifetime})


@bp.post("/nonce")
def nonce_endpoint() -> Response:
    """A fresh ``c_nonce`` for the next proof (OID4VCI 1.0 §7)."""
    lifetime = timedelta(seconds=int(setting("NONCE_LIFETIME")))
    return _json({"c_nonce": issuer_state().new_nonce(now=clock(), lifetime=lifetime)})


@bp.post("/credential")
def credential_endpoint() -> Response:
    """Issue the credential asked for, one per proof, or a transaction id when deferred."""
    now, state = clock(), issuer_state()
    access, grant = _bearer()
    if grant is None:
        return oauth_error("invalid_token", "The access token is missing, unknown or expired.", 401)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return oauth_error("invalid_credential_request", "The request body is not a JSON object.")
    config_id = body.get("credential_configuration_id")
    if config_id not in credentials.CONFIGURATIONS:
        return oauth_error("unknown_credential_configuration", f"No configuration {config_id!r}.")
    if config_id not in grant.configuration_ids:
        return oauth_error("invalid_credential_request", "This token was not granted for that.")
    proofs = body.get("proofs")
    jwts = proofs.get("jwt") if isinstance(proofs, dict) else None
    if not isinstance(jwts, list) or not jwts or len(jwts) > MAX_PROOFS:
        return oauth_error(
            "invalid_proof", "The request needs one to five JWT proofs (proofs.jwt)."
        )
    audience = base_url()
    try:
        holders = [
            check_proof(
                jwt, audience=audience, now=now, use_nonce=lambda n: state.use_nonce(n, now=now)
            )
            for jwt in jwts
        ]
    except ProofError as exc:
        return oauth_error(exc.error, exc.description)
    issuer = current_app.config["SIGNING_KEY"]
    issued = [
        {
            "credential": credentials.issue(
                config_id,
                issuer,
                holder=holder.did,
                holder_jwk=holder.jwk,
                name=str(setting("ISSUER_NAME")),
                site=audience,
                now=now,
            )
        }
        for holder in holders
    ]
    with state.lock:
        offer = state.offers.get(grant.offer_id)
        if offer is not None and offer.deferred:
            transaction = token()
            ready = now + timedelta(seconds=int(setting("DEFERRED_DELAY")))
            state.deferred[transaction] = Deferred(access, ready, issued)
            return _json({"transaction_id": transaction, "interval": _interval()}, 202)
    return _json({"credentials": issued})


@bp.post("/deferred_credential")
def deferred_endpoint() -> Response:
    """The deferred credential when it is ready, else "ask again later" (OID4VCI 1.0 §9)."""
    access, grant = _bearer()
    if grant is None:
        return oauth_error("invalid_token", "The access token is missing, unknown or expired.", 401)
    body = request.get_json(silent=True)
    transaction = body.get("transaction_id") if isinstance(body, dict) else None
    state = issuer_state()
    with state.lock:
        pending = state.deferred.get(transaction) if isinstance(transaction, str) else None
        if pending is None or not hmac.compare_digest(pending.access_token, access):
            return oauth_error("invalid_transaction_id", "The transaction id is unknown.")
        if pending.ready_at > clock():
            return _json({"transaction_id": transaction, "interval": _interval()}, 202)
        del state.deferred[transaction]
    return _json({"credentials": pending.credentials})


def _bearer() -> tuple[str, AccessToken | None]:
    """The access token of ``Authorization: Bearer ...`` and its grant, if it is valid."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value:
        return "", None
    grant = issuer_state().tokens.get(value.strip())
    if grant is None or grant.expires_at <= clock():
        return value, None
    return value.strip(), grant


def _interval() -> int:
    """Seconds the wallet should wait before asking for a deferred credential again."""
    return max(1, int(setting("DEFERRED_DELAY")))


def _s256(verifier: str) -> str:
    """The PKCE S256 challenge of ``verifier`` (RFC 7636 §4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
