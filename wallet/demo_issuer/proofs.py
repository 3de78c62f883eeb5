"""Checking a wallet's proof of possession: a JWT typed ``openid4vci-proof+jwt`` (OID4VCI 1.0
Appendix F.1), signed with the holder key it names by ``kid`` (a ``did:key`` or ``did:jwk``) or
carries as ``jwk``, for this issuer (``aud``), recently (``iat``), with a nonce from this issuer's
nonce endpoint that is used up by the check.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from verifier import multiformats
from verifier.errors import VerificationError
from verifier.keys import (
    PublicKey,
    did_jwk_for,
    jwk_to_public_key,
    multikey_decode,
    public_key_to_jwk,
)
from verifier.suites.jose import CompactJws, check_algorithm, jwt_claims, verify_jws

PROOF_TYPE = "openid4vci-proof+jwt"
#: How far ``iat`` may lie in the past, and (clock skew) in the future.
MAX_AGE = timedelta(minutes=5)
MAX_SKEW = timedelta(minutes=1)


class ProofError(Exception):
    """The proof is refused; ``error`` is the OID4VCI error code (§8.3.1.2)."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


@dataclass(frozen=True)
class Holder:
    """Who proved possession: their DID and their public key as a JWK."""

    did: str
    jwk: dict[str, Any]


def check_proof(
    jwt: Any, *, audience: str, now: datetime, use_nonce: Callable[[str], bool]
) -> Holder:
    """The holder a proof JWT was signed by; ``ProofError`` when any check fails."""
    if not isinstance(jwt, str):
        raise ProofError("invalid_proof", "The proof is not a JWT.")
    try:
        jws = CompactJws.parse(jwt)
        check_algorithm(jws)
        claims = jwt_claims(jws)
    except VerificationError as exc:
        raise ProofError("invalid_proof", f"The proof cannot be read: {exc.message}") from None
    if jws.header.get("typ") != PROOF_TYPE:
        raise ProofError("invalid_proof", f"The proof JWT must be typed {PROOF_TYPE}.")
    did, key = _holder_key(jws.header)
    try:
        verify_jws(jws, key)
    except VerificationError:
        raise ProofError("invalid_proof", "The proof's signature does not match its key.") from None
    aud = claims.get("aud")
    if aud != audience and not (isinstance(aud, list) and audience in aud):
        raise ProofError("invalid_proof", f"The proof is meant for {aud!r}, not this issuer.")
    iat = claims.get("iat")
    if not isinstance(iat, int | float) or isinstance(iat, bool):
        raise ProofError("invalid_proof", "The proof has no issue time (iat).")
    signed = datetime.fromtimestamp(iat, now.tzinfo)
    if signed < now - MAX_AGE or signed > now + MAX_SKEW:
        raise ProofError("invalid_proof", "The proof was not signed just now (iat).")
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not use_nonce(nonce):
        raise ProofError("invalid_nonce", "The proof's nonce is unknown, expired or already used.")
    return Holder(did, public_key_to_jwk(key))


def _holder_key(header: dict[str, Any]) -> tuple[str, PublicKey]:
    """The holder's DID and key, from ``kid`` (did:key, did:jwk) or ``jwk``."""
    kid, jwk = header.get("kid"), header.get("jwk")
    if (kid is None) == (jwk is None):
        raise ProofError("invalid_proof", "The proof must name its key by kid or jwk (one).")
    try:
        if jwk is not None:
            if not isinstance(jwk, dict) or "d" in jwk:
                raise ProofError("invalid_proof", "The proof's jwk is not a public key.")
            key = jwk_to_public_key(jwk)
            return did_jwk_for(key), key
        if not isinstance(kid, str):
            raise ProofError("invalid_proof", "The proof's kid is not a string.")
        did = kid.split("#", 1)[0]
        if did.startswith("did:key:"):
            return did, multikey_decode(did[len("did:key:") :])
        if did.startswith("did:jwk:"):
            data = json.loads(multiformats.b64url_decode(did[len("did:jwk:") :]))
            if not isinstance(data, dict) or "d" in data:
                raise ProofError("invalid_proof", "The proof's did:jwk is not a public key.")
            return did, jwk_to_public_key(data)
    except (VerificationError, ValueError) as exc:
        raise ProofError("invalid_proof", f"The proof's key cannot be read: {exc}") from None
    raise ProofError("invalid_proof", "The proof's kid must be a did:key or did:jwk.")
