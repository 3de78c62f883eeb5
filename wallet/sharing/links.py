"""Share links: making a share, finding one by its token, PINs, revoking, the access log.

A link is ``<origin>/s/<token>``, the token 32 random bytes in Base64url (256 bits). Only its
SHA-256 is stored. The presentation behind the link is signed once, when the share is made:

- ``domain`` is the wallet's origin (``https://wallet.example``), the origin of the link;
- ``challenge`` is :func:`share_challenge` of the token: Base64url (no padding) of the first
  16 bytes of SHA-256(``"learner-wallet share challenge|" + token``). It is random per share
  (128 bits) and cannot be turned back into the token, so a self-contained QR code that carries
  the presentation does not carry the link;
- the proof ``expires`` when the share does, so even a copy of a self-contained QR code stops
  being accepted (by a verifier that reads ``expires``) once the share has expired.

A verifier that opened ``https://W/s/T`` therefore checks the presentation with
``domain="https://W"`` and ``challenge=share_challenge(T)``: a presentation copied from
another share, or served from another site, fails those checks.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from wallet.auth import password_hasher
from wallet.db import db
from wallet.models import Credential, User
from wallet.sharing.models import Share, ShareAccess
from wallet.sharing.presentations import build_presentation, sign_items

TOKEN_BYTES = 32
CHALLENGE_LABEL = "learner-wallet share challenge|"
CHALLENGE_BYTES = 16
#: Which part of a visitor's address the access log keeps.
IPV4_PREFIX, IPV6_PREFIX = 24, 48
TITLE_MAX_LENGTH = 200
PIN_MIN_LENGTH, PIN_MAX_LENGTH = 4, 12
#: The expiry choices offered to the learner, in hours.
EXPIRY_CHOICES_HOURS = (1, 24, 7 * 24, 30 * 24, 90 * 24, 365 * 24)
DEFAULT_EXPIRY_HOURS = 30 * 24


def new_token() -> str:
    """A fresh link token: 256 random bits in Base64url."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The SHA-256 (hex) of a token, as ``Share.token_hash`` stores it."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def share_challenge(token: str) -> str:
    """The challenge a share's presentation is signed with, derived from its link's token."""
    digest = hashlib.sha256((CHALLENGE_LABEL + token).encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest[:CHALLENGE_BYTES]).rstrip(b"=").decode("ascii")


def pin_problem(pin: str) -> bool:
    """Whether ``pin`` (already stripped; empty means no PIN) is not 4 to 12 digits."""
    return bool(pin) and not (
        pin.isascii() and pin.isdigit() and PIN_MIN_LENGTH <= len(pin) <= PIN_MAX_LENGTH
    )


def create_share(
    user: User,
    credentials: Sequence[Credential],
    password: str,
    *,
    title: str,
    expires_at: datetime,
    pin: str | None,
    origin: str,
    now: datetime,
) -> tuple[Share, str]:
    """Sign a presentation of ``credentials`` for a new share and add it to the session.

    Returns the share and its token (the only time the token exists in the clear); raises
    ``WrongPassword`` when ``password`` does not open the holder key. The caller commits.
    """
    # Whole seconds, as the proof states them, so the share expires when its proof does.
    now, expires_at = now.replace(microsecond=0), expires_at.replace(microsecond=0)
    if expires_at <= now:
        raise ValueError("a share must expire after it is made")
    token = new_token()
    presentation = build_presentation(
        user,
        credentials,
        password,
        challenge=share_challenge(token),
        domain=origin,
        now=now,
        expires=expires_at,
    )
    share = Share(
        user_id=user.id,
        title=title[:TITLE_MAX_LENGTH],
        token_hash=hash_token(token),
        pin_hash=password_hasher().hash(pin) if pin else None,
        challenge=share_challenge(token),
        domain=origin,
        presentation=presentation,
        credential_titles=[c.title for c in credentials],
        created_at=now,
        expires_at=expires_at,
        revoked_at=None,
    )
    db.session.add(share)
    return share, token


def renew_link(share: Share, user: User, password: str, *, origin: str, now: datetime) -> str:
    """Give ``share`` a new link: the same credentials signed again for a new token (the old
    link stops working); return the token. ``WrongPassword`` changes nothing. The caller
    commits."""
    if share.user_id != user.id:
        raise ValueError(f"share {share.id} does not belong to user {user.id}")
    items = json.loads(share.presentation)["verifiableCredential"]
    token = new_token()
    share.presentation = sign_items(
        user,
        items,
        password,
        challenge=share_challenge(token),
        domain=origin,
        now=now,
        expires=share.expires_at,
    )
    share.token_hash = hash_token(token)
    share.challenge = share_challenge(token)
    share.domain = origin
    return token


def expiry(now: datetime, hours: int) -> datetime:
    """When a share made at ``now`` to last ``hours`` expires."""
    return now + timedelta(hours=hours)


def find_share(token: str) -> Share | None:
    """The share whose link has ``token``, whatever its state; ``None`` for an unknown token."""
    if not token or len(token) > 200:
        return None
    return db.session.scalar(select(Share).where(Share.token_hash == hash_token(token)))


def owned_share(share_id: int, user: User) -> Share | None:
    """``user``'s share with this id, else ``None`` (another learner's share included)."""
    return db.session.scalar(select(Share).where(Share.id == share_id, Share.user_id == user.id))


def user_shares(user: User) -> list[Share]:
    """``user``'s shares, newest first."""
    query = (
        select(Share)
        .where(Share.user_id == user.id)
        .order_by(Share.created_at.desc(), Share.id.desc())
        .options(selectinload(Share.accesses))
    )
    return list(db.session.scalars(query))


def pin_matches(share: Share, pin: str) -> bool:
    """Whether ``pin`` opens ``share`` (always true for a share without a PIN)."""
    if share.pin_hash is None:
        return True
    try:
        return password_hasher().verify(share.pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


def revoke(share: Share, now: datetime) -> None:
    """Withdraw ``share`` at once (revoking twice keeps the first time). The caller commits."""
    if share.revoked_at is None:
        share.revoked_at = now


def network_of(address: str | None) -> str:
    """The network a visitor came from, never their address: ``/24`` for IPv4, ``/48`` for
    IPv6 (IPv4-mapped IPv6 addresses count as IPv4)."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = IPV4_PREFIX if ip.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def log_access(share: Share, *, what: str, result: str, address: str | None, now: datetime) -> None:
    """Record that ``share`` was opened (``what``: page or presentation) and what it showed."""
    db.session.add(
        ShareAccess(
            share_id=share.id, at=now, network=network_of(address), what=what, result=result
        )
    )
