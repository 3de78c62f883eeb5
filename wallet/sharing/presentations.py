"""Verifiable Presentations signed with the learner's holder key.

A presentation carries each credential exactly as it was issued (VC Data Model 2.0 §4.13): a
JSON-LD credential as its JSON object (its Data Integrity proof covers the canonical RDF, so it
still verifies), and a credential that is not JSON-LD as an ``EnvelopedVerifiableCredential``
(VCDM 2.0 §4.13.1) whose ``id`` is a ``data:`` URL (RFC 2397) holding the original:

- a JWT credential: ``data:application/vc+jwt,<token>``;
- an SD-JWT credential: ``data:application/dc+sd-jwt,<token>`` (without a key-binding JWT);
- an e-sealed European Digital Credential (JAdES JSON serialization):
  ``data:application/jose+json;base64,<the original bytes in Base64>``.

The holder signs with eddsa-rdfc-2022 and proof purpose ``authentication``, with the
``challenge`` and ``domain`` the verifier asked for and, for a share, the share's expiry as the
proof's ``expires`` (VC Data Integrity §2.1).

Example (in an app context)::

    document = build_presentation(user, [credential], password, challenge="n-0S6_WzA2Mj",
                                  domain="https://employer.example")
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from verifier import Credential as ParsedCredential
from verifier import VerificationError, suites
from verifier.baking import is_image, unbake
from verifier.credential import parse
from verifier.issuing import VC_V2
from wallet.db import utcnow
from wallet.keys import WrongPassword, unlock_holder_key
from wallet.models import Credential, User

__all__ = [
    "PRESENTATION_MEDIA_TYPE",
    "NotPresentable",
    "WrongPassword",
    "build_presentation",
    "can_present",
    "can_share",
    "issued_to_someone_else",
    "presentation_item",
    "sign_items",
]

#: The media type of a JSON-LD presentation (VC Data Model 2.0 §6.3).
PRESENTATION_MEDIA_TYPE = "application/vp+ld+json"
#: Formats (``Credential.format``) and how each goes into a presentation.
EMBEDDED_FORMATS = frozenset({"ldp_vc"})
ENVELOPED_FORMATS = {
    "jwt_vc": "application/vc+jwt",
    "sd_jwt_vc": "application/dc+sd-jwt",
    "edc_jades": "application/jose+json",
}


#: Formats the share form offers. An e-sealed EDC travels under its own seal, which the verifier
#: checks as an EDC's; nothing binds its subject to the holder's key, and the employer is told.
SHAREABLE_FORMATS = frozenset({"ldp_vc", "jwt_vc", "sd_jwt_vc", "edc_jades"})


class NotPresentable(ValueError):
    """A credential whose format cannot go into a W3C presentation (an XML EDC, Open Badges
    2.0): ``credential`` names it."""

    def __init__(self, credential: Credential) -> None:
        super().__init__(f"credential {credential.id} ({credential.format}) cannot be presented")
        self.credential = credential


def can_present(credential: Credential) -> bool:
    """Whether ``credential``'s format can go into a signed presentation."""
    return credential.format in EMBEDDED_FORMATS or credential.format in ENVELOPED_FORMATS


def can_share(credential: Credential) -> bool:
    """Whether the share form offers ``credential`` (see :data:`SHAREABLE_FORMATS`)."""
    return can_present(credential) and credential.format in SHAREABLE_FORMATS


def credential_text(credential: Credential) -> bytes:
    """The credential as text: the original, or for a baked badge image the credential baked
    into it (the image is the credential's carrier, not the credential)."""
    if is_image(credential.original):
        try:
            return unbake(credential.original).text.encode("utf-8")
        except VerificationError:
            raise NotPresentable(credential) from None
    return credential.original


def issued_to_someone_else(credential: Credential, holder_did: str | None) -> bool:
    """Whether ``credential`` names subjects and ``holder_did`` is not one of them: a verifier
    then finds that the learner who signs the presentation is not its subject."""
    try:
        parsed = parse(credential_text(credential))
    except (VerificationError, NotPresentable):
        return False
    if not isinstance(parsed, ParsedCredential) or not parsed.subject_ids:
        return False
    return holder_did not in parsed.subject_ids


def presentation_item(credential: Credential) -> dict[str, Any]:
    """The ``verifiableCredential`` entry for ``credential``, its original unchanged."""
    text = credential_text(credential)
    if credential.format in EMBEDDED_FORMATS:
        try:
            document = json.loads(text.decode("utf-8-sig"))
        except ValueError:  # not JSON after all (UnicodeDecodeError is a ValueError)
            raise NotPresentable(credential) from None
        if not isinstance(document, dict):
            raise NotPresentable(credential)
        return document
    media = ENVELOPED_FORMATS.get(credential.format)
    if media is None:
        raise NotPresentable(credential)
    if credential.format == "edc_jades":
        payload = base64.b64encode(text).decode("ascii")
        url = f"data:{media};base64,{payload}"
    else:
        # A token is already URL-safe text (Base64url, dots and tildes).
        try:
            url = f"data:{media},{text.decode('ascii').strip()}"
        except UnicodeDecodeError:
            raise NotPresentable(credential) from None
    return {"@context": VC_V2, "id": url, "type": "EnvelopedVerifiableCredential"}


def build_presentation(
    user: User,
    credentials: Sequence[Credential],
    password: str,
    *,
    challenge: str | None,
    domain: str | None,
    now: datetime | None = None,
    expires: datetime | None = None,
    presentation_id: str | None = None,
) -> bytes:
    """The presentation of ``credentials`` signed by ``user``'s holder key, as UTF-8 JSON.

    ``now`` is the proof's ``created`` time (default: now); ``expires`` the proof's
    ``expires`` (VC Data Integrity §2.1), after which a verifier must not accept it.

    Raises ``WrongPassword`` when ``password`` does not open the holder key, ``NotPresentable``
    for a credential of a format a presentation cannot carry, and ``ValueError`` for an empty
    list or a credential of another learner.
    """
    if not credentials:
        raise ValueError("a presentation needs at least one credential")
    for credential in credentials:
        if credential.user_id != user.id:
            raise ValueError(f"credential {credential.id} does not belong to user {user.id}")
    items = [presentation_item(credential) for credential in credentials]
    return sign_items(
        user,
        items,
        password,
        challenge=challenge,
        domain=domain,
        now=now,
        expires=expires,
        presentation_id=presentation_id,
    )


def sign_items(
    user: User,
    items: Sequence[dict[str, Any]],
    password: str,
    *,
    challenge: str | None,
    domain: str | None,
    now: datetime | None = None,
    expires: datetime | None = None,
    presentation_id: str | None = None,
) -> bytes:
    """A presentation of ready ``verifiableCredential`` entries signed by ``user``'s holder key
    (what :func:`build_presentation` does once it has the entries); ``WrongPassword`` when the
    password does not open the key."""
    holder = unlock_holder_key(user, password)  # raises WrongPassword
    # No ``id`` unless asked for (it is optional, VCDM 2.0 §4.13): every byte counts in a QR.
    document: dict[str, Any] = {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "holder": holder.controller,
        "verifiableCredential": list(items),
    }
    if presentation_id is not None:
        document["id"] = presentation_id
    signed = suites.sign(
        document,
        holder,
        cryptosuite="eddsa-rdfc-2022",
        created=(now or utcnow()).replace(microsecond=0),
        proof_purpose="authentication",
        challenge=challenge,
        domain=domain,
        expires=expires.replace(microsecond=0) if expires is not None else None,
    )
    return json.dumps(signed, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
