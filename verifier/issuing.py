"""Signing with the project's own code: credentials, status lists and presentations.

The wallet signs presentations with it, the demo issuers issue with it, and the tests make
every credential they verify with it, so they run anywhere, offline.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from verifier import suites
from verifier.keypairs import KeyPair
from verifier.suites import jose

VC_V2 = "https://www.w3.org/ns/credentials/v2"


def issue_ldp(
    document: Mapping[str, Any],
    issuer: KeyPair,
    *,
    cryptosuite: str = "eddsa-rdfc-2022",
    created: datetime,
) -> dict[str, Any]:
    """Sign a credential with an embedded Data Integrity proof (``assertionMethod``)."""
    return suites.sign(
        dict(copy.deepcopy(document)),
        issuer,
        cryptosuite=cryptosuite,
        created=created,
        proof_purpose="assertionMethod",
    )


def issue_jwt(document: Mapping[str, Any], issuer: KeyPair, *, legacy: bool = False) -> str:
    """Secure a credential as a JWT: VC-JOSE-COSE ``vc+jwt`` or, with ``legacy``, a VC 1.1 ``vc``
    claim JWT with ``iss``/``nbf``/``jti``/``sub``."""
    header = {"kid": issuer.verification_method}
    doc = dict(copy.deepcopy(document))
    if not legacy:
        return jose.sign_jws({**header, "typ": "vc+jwt"}, doc, issuer)
    claims: dict[str, Any] = {"vc": doc, "iss": issuer.controller}
    subject = doc.get("credentialSubject")
    if isinstance(subject, Mapping) and isinstance(subject.get("id"), str):
        claims["sub"] = subject["id"]
    if isinstance(doc.get("id"), str):
        claims["jti"] = doc["id"]
    return jose.sign_jws({**header, "typ": "JWT"}, claims, issuer)


def status_list_credential(
    url: str,
    issuer: KeyPair,
    *,
    set_indices: Iterable[int] = (),
    purpose: str = "revocation",
    created: datetime,
    valid_until: datetime | None = None,
    length: int = 131072,
) -> dict[str, Any]:
    """A signed BitstringStatusListCredential with these bits set (Bitstring Status List §2.2)."""
    from verifier.statuslist import encode_list

    bits = bytearray(length // 8)
    for index in set_indices:
        bits[index // 8] |= 0x80 >> (index % 8)
    doc: dict[str, Any] = {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.controller,
        "validFrom": created.isoformat().replace("+00:00", "Z"),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encode_list(bytes(bits)),
        },
    }
    if valid_until is not None:
        doc["validUntil"] = valid_until.isoformat().replace("+00:00", "Z")
    return issue_ldp(doc, issuer, created=created)


def status_entry(url: str, index: int, *, purpose: str = "revocation") -> dict[str, Any]:
    """A ``credentialStatus`` entry pointing at bit ``index`` of the list at ``url``."""
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


def sign_presentation(
    credentials: Sequence[Mapping[str, Any] | str],
    holder: KeyPair,
    *,
    created: datetime,
    challenge: str | None = None,
    domain: str | None = None,
    presentation_id: str | None = None,
) -> dict[str, Any]:
    """A Verifiable Presentation signed by the holder (eddsa-rdfc-2022, ``authentication``);
    JWT and SD-JWT credentials go in as ``EnvelopedVerifiableCredential``s, exactly as issued."""
    items: list[Any] = []
    for cred in credentials:
        if isinstance(cred, str):
            media = "application/dc+sd-jwt" if "~" in cred else "application/vc+jwt"
            items.append(
                {
                    "@context": VC_V2,
                    "id": f"data:{media},{cred}",
                    "type": "EnvelopedVerifiableCredential",
                }
            )
        else:
            items.append(copy.deepcopy(dict(cred)))
    vp: dict[str, Any] = {
        "@context": [VC_V2],
        "id": presentation_id or f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiablePresentation"],
        "holder": holder.controller,
        "verifiableCredential": items,
    }
    return suites.sign(
        vp,
        holder,
        cryptosuite="eddsa-rdfc-2022",
        created=created,
        proof_purpose="authentication",
        challenge=challenge,
        domain=domain,
    )
