"""A text column kept encrypted at rest: AES-256-GCM under a key derived from ``SECRET_KEY``.

For short-lived secrets the wallet holds for a learner between two requests (an issuer's access
token, a PKCE verifier): someone who reads the database, a dump or a backup of it without the
application's secret key learns nothing from these columns. Usage::

    access_token: Mapped[str | None] = mapped_column(SealedText)

Values are stored as ``"sealed1:" + base64url(nonce || ciphertext)``; the row's table and column
name are bound in as associated data, so a value copied into another column does not open.
A value that does not open (the secret key was changed, or the value was tampered with) reads as
None, which every user of such a column already treats as "ask the issuer again". A value stored
before this column type (no prefix) is read as it is.
"""

from __future__ import annotations

import base64
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

PREFIX = "sealed1:"
_keys: dict[str, AESGCM] = {}


def _aead() -> AESGCM:
    secret = str(current_app.config["SECRET_KEY"])
    aead = _keys.get(secret)
    if aead is None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=b"learner-wallet sealed column v1").derive(secret.encode("utf-8"))
        aead = _keys[secret] = AESGCM(key)
    return aead


def seal(value: str, label: str) -> str:
    """Encrypt ``value``, bound to ``label`` (the column's place)."""
    nonce = os.urandom(12)
    sealed = _aead().encrypt(nonce, value.encode("utf-8"), label.encode("utf-8"))
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unseal(stored: str, label: str) -> str | None:
    """The value ``seal`` sealed, or None when it does not open here."""
    if not stored.startswith(PREFIX):
        return stored  # stored before sealing existed
    try:
        raw = base64.urlsafe_b64decode(stored[len(PREFIX):].encode("ascii"))
        opened = _aead().decrypt(raw[:12], raw[12:], label.encode("utf-8"))
    except (InvalidTag, ValueError):
        return None
    return opened.decode("utf-8")


class SealedText(TypeDecorator):
    """A ``Text`` column whose values are sealed with :func:`seal` on the way in."""

    impl = Text
    cache_ok = True

    def __init__(self, label: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.label = label

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else seal(str(value), self.label)

    def process_result_value(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else unseal(value, self.label)
