"""The protocol steps, in the order OID4VCI 1.0 runs them:

1. Token (§6): the pre-authorized code with the transaction code (§6.1), or the authorization
   code with its PKCE verifier (RFC 7636, S256), through authlib's OAuth 2.0 client.
2. Nonce (§7): a fresh ``c_nonce`` from the issuer's nonce endpoint.
3. Proof (Appendix F.1): a JWT typed ``openid4vci-proof+jwt`` signed with the holder key, for
   the issuer (``aud``), now (``iat``), with the nonce.
4. Credential (§8): the credentials, or a ``transaction_id`` to ask again later (deferred, §9).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from flask_babel import gettext as _

from verifier import KeyPair
from verifier.suites.jose import sign_jws
from wallet.oid4vc.http import IssuanceError, IssuerSession, read_json
from wallet.oid4vc.metadata import AuthorizationServer, IssuerMetadata
from wallet.oid4vc.offers import PRE_AUTHORIZED, CredentialOffer

PROOF_TYPE = "openid4vci-proof+jwt"
DEFAULT_INTERVAL = 5
MAX_INTERVAL = 24 * 3600


@dataclass(frozen=True)
class Received:
    """What a credential request brought: credentials, or a transaction to ask about later."""

    credentials: list[str | dict[str, Any]] = field(default_factory=list)
    transaction_id: str | None = None
    interval: int = DEFAULT_INTERVAL


def pre_authorized_token(
    session: IssuerSession, server: AuthorizationServer, offer: CredentialOffer, tx_code: str
) -> str:
    """Step 1 with a pre-authorized code: the access token."""
    params: dict[str, str] = {"pre-authorized_code": offer.pre_authorized_code or ""}
    if offer.tx_code is not None:
        params["tx_code"] = tx_code
    return _fetch_token(session, server, grant_type=PRE_AUTHORIZED, **params)


def authorization_url(
    session: IssuerSession, server: AuthorizationServer, offer: CredentialOffer
) -> tuple[str, str, str]:
    """Step 1 with an authorization code: where to send the learner, the state and the PKCE
    verifier to keep until they come back."""
    if server.authorization_endpoint is None:
        raise IssuanceError(_("The issuer offers sign-in but has no sign-in page."))
    verifier = generate_token(64)
    extra = {"issuer_state": offer.issuer_state} if offer.issuer_state else {}
    url, state = session.create_authorization_url(
        server.authorization_endpoint,
        code_verifier=verifier,
        scope=" ".join(offer.configuration_ids),
        **extra,
    )
    return url, state, verifier


def code_token(
    session: IssuerSession, server: AuthorizationServer, *, code: str, verifier: str
) -> str:
    """Step 1, the end of the authorization code flow: the access token for ``code``."""
    return _fetch_token(
        session, server, grant_type="authorization_code", code=code, code_verifier=verifier
    )


def _fetch_token(session: IssuerSession, server: AuthorizationServer, **params: str) -> str:
    try:
        token = session.fetch_token(server.token_endpoint, **params)
    except OAuthError as exc:
        raise refusal(exc.error, exc.description) from None
    except ValueError:  # authlib could not read the answer as a token
        raise IssuanceError(
            _("The issuer's answer could not be read as an access token.")
        ) from None
    access = token.get("access_token")
    if not isinstance(access, str) or not access:
        raise IssuanceError(_("The issuer's answer could not be read as an access token."))
    return access


def request_credential(
    session: IssuerSession,
    metadata: IssuerMetadata,
    config_id: str,
    *,
    access_token: str,
    holder: KeyPair,
    client_id: str | None,
    now: datetime,
) -> Received:
    """Steps 2-4 for one credential configuration."""
    nonce = None
    if metadata.nonce_endpoint:
        answer = session.post(metadata.nonce_endpoint, withhold_token=True)
        nonce = read_json(answer).get("c_nonce") if answer.status_code == 200 else None
        if not isinstance(nonce, str):
            raise IssuanceError(_("The issuer did not give the wallet a nonce to sign."))
    proof = make_proof(holder, audience=metadata.issuer, nonce=nonce, client_id=client_id, now=now)
    body = {"credential_configuration_id": config_id, "proofs": {"jwt": [proof]}}
    response = session.post(
        metadata.credential_endpoint, json=body, headers=_bearer(access_token), withhold_token=True
    )
    return read_received(response)


def request_deferred(
    session: IssuerSession, endpoint: str, *, access_token: str, transaction_id: str
) -> Received:
    """Ask the deferred credential endpoint again (§9.1)."""
    response = session.post(
        endpoint,
        json={"transaction_id": transaction_id},
        headers=_bearer(access_token),
        withhold_token=True,
    )
    return read_received(response, transaction_id=transaction_id)


def make_proof(
    holder: KeyPair, *, audience: str, nonce: str | None, client_id: str | None, now: datetime
) -> str:
    """Step 3: the proof of possession of the holder key (Appendix F.1)."""
    claims: dict[str, Any] = {"aud": audience, "iat": int(now.timestamp())}
    if nonce is not None:
        claims["nonce"] = nonce
    if client_id:
        claims["iss"] = client_id
    return sign_jws({"typ": PROOF_TYPE, "kid": holder.verification_method}, claims, holder)


def read_received(response: Any, *, transaction_id: str | None = None) -> Received:
    """The credentials or deferral in a credential (or deferred credential) response."""
    data = read_json(response)
    if response.status_code >= 400 or "error" in data:
        if data.get("error") == "issuance_pending" and transaction_id:  # before 1.0 final
            return Received(transaction_id=transaction_id, interval=_interval(data))
        raise refusal(data.get("error"), data.get("error_description"))
    credentials = data.get("credentials")
    if isinstance(credentials, list) and credentials:
        items = [c.get("credential") if isinstance(c, dict) else None for c in credentials]
        if all(isinstance(i, str | dict) for i in items):
            return Received(credentials=items)  # type: ignore[arg-type]
    pending = data.get("transaction_id", transaction_id if response.status_code == 202 else None)
    if isinstance(pending, str) and pending:
        return Received(transaction_id=pending, interval=_interval(data))
    raise IssuanceError(_("The issuer's answer holds no credential."))


def refusal(error: Any, description: Any) -> IssuanceError:
    """The learner's message for an error the issuer answered."""
    reason = description[:300] if isinstance(description, str) and description else str(error)
    if error == "invalid_nonce":  # OID4VCI 1.0 §8.3.1.2
        message = _(
            "The issuer refused the wallet's proof: its nonce was already used or has "
            "expired (%(reason)s). Nothing was stored; please try again.",
            reason=reason,
        )
    elif error == "invalid_grant":  # RFC 6749 §5.2: a bad code, transaction code or offer
        message = _(
            "The issuer refused to hand over the credential: %(reason)s Nothing was stored.",
            reason=reason,
        )
    else:
        message = _("The issuer refused the request: %(reason)s Nothing was stored.", reason=reason)
    return IssuanceError(message)


def _interval(data: dict[str, Any]) -> int:
    value = data.get("interval")
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_INTERVAL:
        return value
    return DEFAULT_INTERVAL


def _bearer(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}", "Accept": "application/json"}
