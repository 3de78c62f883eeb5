"""Holder keys: each learner's Ed25519 ``did:key``, its private half sealed under their password.

The raw 32-byte private key is encrypted with AES-256-GCM under a key derived from the
learner's password with Argon2id (salt and parameters stored beside it). The associated data
names the user id and the DID, so a ciphertext copied onto another row does not open. A
database dump alone cannot sign anything.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from typing import Any

from argon2.low_level import ARGON2_VERSION, Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

from verifier import KeyPair
from wallet.models import User

SALT_BYTES = 16
NONCE_BYTES = 12


class WrongPassword(Exception):
    """The password does not open this learner's holder key."""


@dataclass(frozen=True)
class KdfParams:
    """Argon2id parameters of the key-encryption key (stored with each wrapped key)."""

    time_cost: int
    memory_cost: int
    parallelism: int
    version: int = ARGON2_VERSION
    algorithm: str = "argon2id"

    @classmethod
    def from_config(cls) -> KdfParams:
        """The parameters the running app uses for new keys."""
        config = current_app.config
        return cls(
            time_cost=int(config["ARGON2_TIME_COST"]),
            memory_cost=int(config["ARGON2_MEMORY_COST"]),
            parallelism=int(config["ARGON2_PARALLELISM"]),
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KdfParams:
        """Parameters as stored in ``User.holder_key_kdf``."""
        if data.get("algorithm") != "argon2id":
            raise ValueError(f"unsupported key derivation {data.get('algorithm')!r}")
        return cls(**data)

    def derive(self, password: str, salt: bytes) -> bytes:
        """The 32-byte AES key for ``password`` and ``salt``."""
        return hash_secret_raw(
            password.encode("utf-8"),
            salt,
            time_cost=self.time_cost,
            memory_cost=self.memory_cost,
            parallelism=self.parallelism,
            hash_len=32,
            type=Type.ID,
            version=self.version,
        )


def _associated_data(user: User) -> bytes:
    """What the ciphertext is bound to: this row and this DID."""
    if user.id is None or user.holder_did is None:
        raise ValueError("the user needs an id and a DID before its key is sealed")
    return f"learner-wallet holder key v1|user:{user.id}|{user.holder_did}".encode()


def seal_holder_key(user: User, private: ed25519.Ed25519PrivateKey, password: str) -> None:
    """Encrypt ``private`` under ``password`` onto ``user`` with a fresh salt and nonce."""
    params = KdfParams.from_config()
    salt, nonce = os.urandom(SALT_BYTES), os.urandom(NONCE_BYTES)
    raw = private.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    aead = AESGCM(params.derive(password, salt))
    user.holder_key_ciphertext = aead.encrypt(nonce, raw, _associated_data(user))
    user.holder_key_nonce = nonce
    user.holder_key_salt = salt
    user.holder_key_kdf = asdict(params)


def create_holder_key(user: User, password: str) -> KeyPair:
    """Give ``user`` (already flushed, so it has an id) a new ``did:key`` sealed by ``password``."""
    pair = KeyPair.generate("Ed25519")
    user.holder_did = pair.controller
    assert isinstance(pair.private_key, ed25519.Ed25519PrivateKey)
    seal_holder_key(user, pair.private_key, password)
    return pair


def unlock_holder_key(user: User, password: str) -> KeyPair:
    """The learner's key pair, opened with their password; raises ``WrongPassword``."""
    ciphertext, nonce = user.holder_key_ciphertext, user.holder_key_nonce
    salt = user.holder_key_salt
    if ciphertext is None or nonce is None or salt is None or user.holder_key_kdf is None:
        raise ValueError(f"user {user.id} has no holder key")
    params = KdfParams.from_json(user.holder_key_kdf)
    aead = AESGCM(params.derive(password, salt))
    try:
        raw = aead.decrypt(nonce, ciphertext, _associated_data(user))
    except InvalidTag as exc:
        raise WrongPassword("the password does not open this holder key") from exc
    pair = KeyPair.for_key(ed25519.Ed25519PrivateKey.from_private_bytes(raw))
    if pair.controller != user.holder_did:
        raise ValueError(f"user {user.id}'s holder key does not match its DID")
    return pair


def rewrap_holder_key(user: User, old_password: str, new_password: str) -> None:
    """Seal the holder key under ``new_password`` (new salt, nonce, current parameters)."""
    pair = unlock_holder_key(user, old_password)
    assert isinstance(pair.private_key, ed25519.Ed25519PrivateKey)
    seal_holder_key(user, pair.private_key, new_password)


def needs_rewrap(user: User) -> bool:
    """Whether the holder key was sealed with other Argon2 parameters than the app's."""
    return user.holder_key_kdf != asdict(KdfParams.from_config())
