"""SD-JWT VC (``dc+sd-jwt``, formerly ``vc+sd-jwt``): selective disclosure for JWTs
(RFC 9901) with the credential rules of draft-ietf-oauth-sd-jwt-vc.

Parse, then verify::

    sd = SdJwt.parse(presentation)      # structure and disclosures (MalformedDocument ...)
    verify_sd_jwt(sd, issuer_key)       # the issuer's signature (ProofInvalid ...)
    verify_key_binding(sd, None, nonce=..., audience=..., now=now, max_age=...)
    sd.claims                           # what the holder disclosed, and only that

``issue_sd_jwt`` and ``present`` make them, for the tests and the wallet.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from verifier.dates import from_numeric_date
from verifier.errors import KeyNotFound, MalformedDocument, ProofInvalid
from verifier.keypairs import KeyPair
from verifier.keys import PrivateKey, PublicKey, jwk_to_public_key, public_key_to_jwk
from verifier.suites.jose import (
    MAX_JWS_LENGTH,
    CompactJws,
    jwt_claims,
    media_type,
    sign_jws,
    verify_jws,
)
from verifier.suites.sd_jwt_disclosures import (
    DEFAULT_SD_ALG,
    Disclosure,
    decoy_digest,
    process,
    sd_hash,
)

SD_JWT_VC_TYPES = ("dc+sd-jwt", "vc+sd-jwt")
KB_JWT_TYPE = "kb+jwt"
# SD-JWT VC §3.2.2 ("Registered JWT Claims"): these may not be selectively disclosed.
NEVER_DISCLOSED = ("iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status")
_SET_BY_ISSUER = ("iss", "iat", "exp", "vct", "cnf", "_sd", "_sd_alg", "...")


@dataclass(frozen=True)
class SdJwt:
    """A parsed SD-JWT: the issuer's JWS, the disclosures, the key binding JWT, and the claims."""

    issuer_jws: CompactJws
    disclosures: tuple[Disclosure, ...]
    kb_jwt: CompactJws | None
    claims: dict[str, Any]
    raw: str

    @classmethod
    def parse(cls, token: str) -> SdJwt:
        """Parse ``<issuer-jwt>~<disclosure>~...~[<kb-jwt>]`` and process its disclosures."""
        if not isinstance(token, str):
            raise TypeError(f"an SD-JWT is a str, not {type(token).__name__}")
        if len(token) > MAX_JWS_LENGTH:
            raise MalformedDocument("The SD-JWT is larger than this verifier reads.")
        token = token.strip()
        # 1. Separate the issuer-signed JWT, the disclosures and the KB-JWT (RFC 9901 §7.1 1).
        if "~" not in token:
            raise MalformedDocument("An SD-JWT ends its parts with ~; this has none.")
        issuer_part, *disclosure_parts, last = token.split("~")
        if not all(disclosure_parts):
            raise MalformedDocument("The SD-JWT has an empty disclosure between two ~.")
        # 2. The issuer-signed JWT is typed as an SD-JWT VC (SD-JWT VC §3.2.1); its signature is
        #    checked by verify_sd_jwt, once the caller has found the issuer's key.
        issuer_jws = CompactJws.parse(issuer_part)
        typ = issuer_jws.header.get("typ")
        if media_type(typ) not in SD_JWT_VC_TYPES:
            raise MalformedDocument(
                f"The SD-JWT is typed {typ!r}; an SD-JWT VC is typed dc+sd-jwt (or the older "
                "vc+sd-jwt).")
        kb_jwt = CompactJws.parse(last) if last else None
        # 3. Put each disclosure in place of its digest (RFC 9901 §7.1 step 3).
        payload = jwt_claims(issuer_jws)
        sd_alg = payload.get("_sd_alg", DEFAULT_SD_ALG)
        disclosures = tuple(Disclosure.parse(part) for part in disclosure_parts)
        claims = process(payload, disclosures, sd_alg)
        # 4. SD-JWT VC §3.2.2: some claims may never be selectively disclosed; vct is required.
        top = set(payload.get("_sd", []))
        for disclosure in disclosures:
            if disclosure.name in NEVER_DISCLOSED and disclosure.digest(sd_alg) in top:
                raise MalformedDocument(
                    f"The claim {disclosure.name} is selectively disclosable, which SD-JWT VC "
                    "forbids.")
        if not isinstance(claims.get("vct"), str):
            raise MalformedDocument("The SD-JWT VC has no credential type (vct).")
        return cls(issuer_jws=issuer_jws, disclosures=disclosures, kb_jwt=kb_jwt,
                   claims=claims, raw=token)

    @property
    def sd_alg(self) -> str:
        """The ``_sd_alg`` digest algorithm the issuer used."""
        return str(jwt_claims(self.issuer_jws).get("_sd_alg", DEFAULT_SD_ALG))

    @property
    def presented(self) -> str:
        """The SD-JWT without its key binding JWT: everything up to and including the last ~."""
        return self.raw[: self.raw.rindex("~") + 1]


def kb_claims(kb: CompactJws | None) -> dict[str, Any]:
    """The claims of a key binding JWT (empty without one), for showing, not for trusting."""
    return jwt_claims(kb) if kb is not None else {}


def verify_sd_jwt(sd: SdJwt, issuer_key: PublicKey) -> None:
    """Verify the issuer's signature over the SD-JWT (RFC 9901 §7.1 step 2)."""
    verify_jws(sd.issuer_jws, issuer_key)


def _holder_public_key(sd: SdJwt, holder_key: PublicKey | None) -> PublicKey:
    cnf = sd.claims.get("cnf")
    jwk = cnf.get("jwk") if isinstance(cnf, dict) else None
    if jwk is None:
        if holder_key is None:
            raise KeyNotFound("The credential binds no holder key (cnf.jwk), so the key binding "
                              "cannot be checked.")
        return holder_key
    bound = jwk_to_public_key(jwk)
    if holder_key is not None and public_key_to_jwk(holder_key) != public_key_to_jwk(bound):
        raise ProofInvalid("The holder key given is not the key the issuer bound (cnf.jwk).")
    return bound


def verify_key_binding(sd: SdJwt, holder_key: PublicKey | None, *, nonce: str | None,
                       audience: str | None, now: datetime, max_age: timedelta,
                       leeway: timedelta = timedelta(minutes=5)) -> None:
    """Check the key binding JWT (RFC 9901 §7.3); ``holder_key`` None means use ``cnf.jwk``."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    kb = sd.kb_jwt
    # 1. A key binding JWT is there, and typed as one.
    if kb is None:
        raise ProofInvalid("The presentation has no key binding JWT, so nothing shows that the "
                           "holder presented it.")
    if media_type(kb.header.get("typ")) != KB_JWT_TYPE:
        raise ProofInvalid(f"The key binding JWT is typed {kb.header.get('typ')!r}, not kb+jwt.")
    # 2. The holder's key, bound by the issuer, signed it.
    verify_jws(kb, _holder_public_key(sd, holder_key))
    claims = jwt_claims(kb)
    for name in ("iat", "aud", "nonce", "sd_hash"):
        if name not in claims:
            raise ProofInvalid(f"The key binding JWT has no {name} claim.")
    # 3. It covers exactly this SD-JWT with exactly these disclosures.
    expected = sd_hash(sd.presented, sd.sd_alg)
    if not isinstance(claims["sd_hash"], str) or not hmac.compare_digest(
            claims["sd_hash"].encode(), expected.encode()):
        raise ProofInvalid("The key binding JWT was made for another SD-JWT or other disclosures "
                           "(sd_hash does not match).")
    # 4. It was made for this verifier and this request.
    if nonce is not None and claims["nonce"] != nonce:
        raise ProofInvalid("The key binding JWT answers another request (its nonce differs).")
    aud = claims["aud"]
    if audience is not None and not (aud == audience or (isinstance(aud, list)
                                                         and audience in aud)):
        raise ProofInvalid("The key binding JWT was made for another verifier (aud differs).")
    # 5. It was made recently, and not in the future.
    issued = from_numeric_date(claims["iat"], field="iat")
    if issued > now + leeway:
        raise ProofInvalid(f"The key binding JWT claims to be made at {issued:%Y-%m-%d %H:%M} "
                           "UTC, which is in the future.")
    if issued < now - max_age - leeway:
        raise ProofInvalid(f"The key binding JWT was made at {issued:%Y-%m-%d %H:%M} UTC, "
                           "longer ago than this verifier accepts.")


def _private(key: KeyPair | PrivateKey) -> PrivateKey:
    return key.private_key if isinstance(key, KeyPair) else key


def _seconds(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("dates must be aware datetimes")
    return int(moment.timestamp())


def issue_sd_jwt(claims: dict[str, Any], *, disclose: Iterable[str],
                 issuer_key: KeyPair | PrivateKey, vct: str, iss: str, iat: datetime,
                 exp: datetime | None = None, holder_jwk: dict[str, Any] | None = None,
                 typ: str = "dc+sd-jwt", decoys: int = 0, sd_alg: str = DEFAULT_SD_ALG) -> str:
    """Issue an SD-JWT VC; the top-level claims named in ``disclose`` are disclosable."""
    to_disclose = set(disclose)
    if clash := [name for name in _SET_BY_ISSUER if name in claims]:
        raise ValueError(f"claims may not contain {clash}; pass them as keywords")
    if forbidden := sorted(to_disclose & set(NEVER_DISCLOSED)):
        raise ValueError(f"SD-JWT VC forbids disclosing {forbidden} selectively")
    if missing := sorted(to_disclose - set(claims)):
        raise ValueError(f"cannot disclose claims that are not there: {missing}")
    payload: dict[str, Any] = {"iss": iss, "iat": _seconds(iat), "vct": vct}
    if exp is not None:
        payload["exp"] = _seconds(exp)
    if holder_jwk is not None:
        payload["cnf"] = {"jwk": holder_jwk}
    disclosures, digests = [], [decoy_digest(sd_alg) for _ in range(decoys)]
    for name, value in claims.items():
        if name in to_disclose:
            disclosure = Disclosure.create(name, value)
            disclosures.append(disclosure.raw)
            digests.append(disclosure.digest(sd_alg))
        else:
            payload[name] = value
    payload["_sd"] = sorted(digests)  # sorted, so the order gives nothing away
    payload["_sd_alg"] = sd_alg
    header: dict[str, Any] = {"typ": typ}
    if isinstance(issuer_key, KeyPair):
        header["kid"] = issuer_key.verification_method
    jwt = sign_jws(header, payload, _private(issuer_key))
    return "~".join([jwt, *disclosures, ""])


def _reachable(value: Any, by_digest: dict[str, Disclosure], kept: set[str]) -> None:
    """Add to ``kept`` every disclosure nested anywhere in ``value``."""
    if isinstance(value, dict):
        items = [value["..."]] if list(value) == ["..."] else value.get("_sd", [])
        for digest in items if isinstance(items, list) else []:
            if isinstance(digest, str) and digest in by_digest:
                kept.add(digest)
                _reachable(by_digest[digest].value, by_digest, kept)
        for name, item in value.items():
            if name not in ("_sd", "..."):
                _reachable(item, by_digest, kept)
    elif isinstance(value, list):
        for item in value:
            _reachable(item, by_digest, kept)


def present(sd_jwt: str, *, keep: Iterable[str], holder_key: KeyPair | PrivateKey | None = None,
            nonce: str | None = None, audience: str | None = None,
            now: datetime | None = None) -> str:
    """Present an SD-JWT disclosing only the top-level claims in ``keep`` (and all inside them)."""
    sd = SdJwt.parse(sd_jwt)
    if sd.kb_jwt is not None:
        raise ValueError("this SD-JWT is already a presentation with key binding")
    wanted = set(keep)
    payload, alg = jwt_claims(sd.issuer_jws), sd.sd_alg
    by_digest = {d.digest(alg): d for d in sd.disclosures}
    kept: set[str] = set()
    found = {name for name in payload if name in wanted}
    for name in found:
        _reachable(payload[name], by_digest, kept)
    for digest in payload.get("_sd", []):
        disclosure = by_digest.get(digest)
        if disclosure is not None and disclosure.name in wanted:
            found.add(disclosure.name)
            kept.add(digest)
            _reachable(disclosure.value, by_digest, kept)
    if missing := sorted(wanted - found):
        raise ValueError(f"the SD-JWT has no top-level claims {missing}")
    chosen = [d.raw for d in sd.disclosures if d.digest(alg) in kept]
    presented = "~".join([sd.issuer_jws.raw, *chosen, ""])
    if holder_key is None:
        return presented
    if nonce is None or audience is None or now is None:
        raise ValueError("key binding needs nonce, audience and now")
    kb_claims = {"iat": _seconds(now), "aud": audience, "nonce": nonce,
                 "sd_hash": sd_hash(presented, alg)}
    return presented + sign_jws({"typ": KB_JWT_TYPE}, kb_claims, _private(holder_key))
