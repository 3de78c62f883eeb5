"""The ``vp_token`` the wallet sends (OID4VP 1.0 §8.1): per credential query id, an array of
presentations bound to the verifier's nonce and client id.

- ``ldp_vc`` queries: one Verifiable Presentation signed with the holder key
  (:func:`wallet.sharing.presentations.build_presentation`, Data Integrity ``authentication``
  proof with ``challenge`` = nonce and ``domain`` = client id, Appendix B.1.3.2).
- ``jwt_vc_json`` queries: a JWT presentation (VCDM 1.1 ``vp`` claim) signed with the holder key,
  with ``nonce`` and ``aud`` = client id (Appendix B.1.3.1).
- ``dc+sd-jwt`` queries: the SD-JWT with only the claims the query names disclosed, and a key
  binding JWT with ``nonce`` and ``aud`` = client id (Appendix B.3.6).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from verifier import KeyPair
from verifier.credential import VC_V1
from verifier.dcql import SD_JWT_FORMAT, DcqlQuery
from verifier.suites.jose import jwt_claims, sign_jws
from verifier.suites.sd_jwt import SdJwt, present
from wallet.keys import unlock_holder_key
from wallet.models import Credential, User
from wallet.sharing.presentations import build_presentation


def vp_token(
    user: User,
    selection: Mapping[str, Sequence[Credential]],
    password: str,
    *,
    query: DcqlQuery,
    nonce: str,
    client_id: str,
    now: datetime,
) -> dict[str, list[Any]]:
    """The presentations answering each chosen query; raises ``WrongPassword`` (nothing is
    returned, so nothing can be sent) when ``password`` does not open the holder key."""
    token: dict[str, list[Any]] = {}
    holder: KeyPair | None = None
    for query_id, credentials in selection.items():
        credential_query = query.query(query_id)
        fmt = credential_query.format if credential_query is not None else None
        if fmt == SD_JWT_FORMAT:
            holder = holder or unlock_holder_key(user, password)
            wanted = {c.path[0] for c in credential_query.claims if isinstance(c.path[0], str)}
            token[query_id] = [
                _sd_jwt(c, wanted, holder, nonce=nonce, audience=client_id, now=now)
                for c in credentials
            ]
        elif fmt == "jwt_vc_json" and all(c.format == "jwt_vc" for c in credentials):
            holder = holder or unlock_holder_key(user, password)
            token[query_id] = [
                _jwt_vp(credentials, holder, nonce=nonce, audience=client_id, now=now)
            ]
        else:
            signed = build_presentation(
                user, list(credentials), password, challenge=nonce, domain=client_id, now=now
            )
            token[query_id] = [json.loads(signed)]
    return token


def _jwt_vp(
    credentials: Sequence[Credential], holder: KeyPair, *, nonce: str, audience: str, now: datetime
) -> str:
    """A JWT presentation (VC Data Model 1.1 §6.3.2 ``vp`` claim) of JWT credentials, signed by
    the holder, with ``nonce`` and ``aud`` (OID4VP 1.0 Appendix B.1.3.1)."""
    claims = {
        "iss": holder.controller,
        "aud": audience,
        "nonce": nonce,
        "iat": int(now.timestamp()),
        "jti": f"urn:uuid:{uuid.uuid4()}",
        "vp": {
            "@context": [VC_V1],
            "type": ["VerifiablePresentation"],
            "holder": holder.controller,
            "verifiableCredential": [c.original.decode("ascii").strip() for c in credentials],
        },
    }
    return sign_jws({"kid": holder.verification_method, "typ": "JWT"}, claims, holder)


def _sd_jwt(
    credential: Credential,
    wanted: set[str],
    holder: KeyPair,
    *,
    nonce: str,
    audience: str,
    now: datetime,
) -> str:
    """The SD-JWT disclosing the top-level claims in ``wanted`` (all when the query names
    none), with a key binding JWT."""
    token = credential.original.decode("ascii").strip()
    parsed = SdJwt.parse(token)
    available = {d.name for d in parsed.disclosures if d.name} | set(jwt_claims(parsed.issuer_jws))
    keep = (wanted & available) if wanted else {d.name for d in parsed.disclosures if d.name}
    return present(token, keep=keep, holder_key=holder, nonce=nonce, audience=audience, now=now)
