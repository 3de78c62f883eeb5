"""The backup file: a versioned header, then the gzip-compressed JSON payload sealed with
AES-256-GCM under a key derived from the learner's passphrase with Argon2id.

Layout (every integer big-endian)::

    b"LWBACKUP"            8 bytes, the magic
    version                1 byte (1)
    header length          4 bytes
    header                 UTF-8 JSON: {"kdf": {...Argon2id parameters, salt...},
                           "cipher": "AES-256-GCM", "nonce": base64, "created_at": ISO 8601}
    ciphertext             AES-256-GCM of gzip(JSON payload), tag appended

Everything before the ciphertext is the associated data, so a changed header (weaker KDF
parameters, another nonce, another version) makes the file fail to open like a wrong
passphrase would. The payload is decompressed with a size cap, so a small file cannot expand
into gigabytes (a "zip bomb").
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import struct
import zlib
from datetime import datetime
from typing import Any

from argon2.low_level import ARGON2_VERSION, Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"LWBACKUP"
VERSION = 1
SALT_BYTES = 16
NONCE_BYTES = 12
HEADER_LIMIT = 4096
# Bounds on the Argon2id parameters a file may ask for, so a crafted file cannot make the
# server spend minutes or gigabytes deriving a key.
MAX_TIME_COST = 10
MAX_MEMORY_COST = 1024 * 1024  # KiB: 1 GiB
MAX_PARALLELISM = 16


class BackupError(Exception):
    """A backup file that cannot be opened; ``reason`` is a stable code for the message."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


#: The reasons ``BackupError`` carries.
NOT_A_BACKUP = "not_a_backup"
WRONG_VERSION = "wrong_version"
DAMAGED = "damaged"
WRONG_PASSPHRASE = "wrong_passphrase"
TOO_LARGE = "too_large"


def _derive(passphrase: str, kdf: dict[str, Any]) -> bytes:
    """The 32-byte AES key for ``passphrase`` under the header's Argon2id parameters."""
    return hash_secret_raw(
        passphrase.encode("utf-8"),
        base64.b64decode(kdf["salt"]),
        time_cost=int(kdf["time_cost"]),
        memory_cost=int(kdf["memory_cost"]),
        parallelism=int(kdf["parallelism"]),
        hash_len=32,
        type=Type.ID,
        version=int(kdf["version"]),
    )


def seal(
    payload: dict[str, Any],
    passphrase: str,
    *,
    time_cost: int,
    memory_cost: int,
    parallelism: int,
    created_at: datetime,
) -> bytes:
    """The encrypted backup file holding ``payload`` (a JSON-serialisable dict)."""
    kdf = {
        "algorithm": "argon2id",
        "version": ARGON2_VERSION,
        "time_cost": time_cost,
        "memory_cost": memory_cost,
        "parallelism": parallelism,
        "salt": base64.b64encode(os.urandom(SALT_BYTES)).decode(),
    }
    nonce = os.urandom(NONCE_BYTES)
    header = json.dumps(
        {
            "kdf": kdf,
            "cipher": "AES-256-GCM",
            "nonce": base64.b64encode(nonce).decode(),
            "created_at": created_at.isoformat(),
        },
        sort_keys=True,
    ).encode()
    prefix = MAGIC + bytes([VERSION]) + struct.pack(">I", len(header)) + header
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    compressed = gzip.compress(body, compresslevel=6, mtime=0)
    return prefix + AESGCM(_derive(passphrase, kdf)).encrypt(nonce, compressed, prefix)


def read_header(data: bytes) -> tuple[dict[str, Any], bytes, bytes]:
    """The header, the associated data and the ciphertext of a backup file; ``BackupError``."""
    if not data.startswith(MAGIC):
        raise BackupError(NOT_A_BACKUP)
    if len(data) < len(MAGIC) + 5:
        raise BackupError(DAMAGED, "the file ends inside its header")
    version = data[len(MAGIC)]
    if version != VERSION:
        raise BackupError(WRONG_VERSION, f"version {version}")
    (length,) = struct.unpack(">I", data[len(MAGIC) + 1 : len(MAGIC) + 5])
    start = len(MAGIC) + 5
    if length > HEADER_LIMIT or len(data) < start + length + 16:
        raise BackupError(DAMAGED, "the header is cut short or too long")
    try:
        header = json.loads(data[start : start + length])
        kdf = header["kdf"]
        checks = (
            kdf["algorithm"] == "argon2id",
            header["cipher"] == "AES-256-GCM",
            0 < int(kdf["time_cost"]) <= MAX_TIME_COST,
            0 < int(kdf["parallelism"]) <= MAX_PARALLELISM,
            8 * int(kdf["parallelism"]) <= int(kdf["memory_cost"]) <= MAX_MEMORY_COST,
            int(kdf["version"]) in (0x10, ARGON2_VERSION),
            len(base64.b64decode(kdf["salt"], validate=True)) >= 8,
            len(base64.b64decode(header["nonce"], validate=True)) == NONCE_BYTES,
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(DAMAGED, "the header cannot be read") from exc
    if not all(checks):
        raise BackupError(DAMAGED, "the header names parameters this wallet does not accept")
    return header, data[: start + length], data[start + length :]


def open_backup(data: bytes, passphrase: str, *, max_uncompressed: int) -> dict[str, Any]:
    """The payload of a backup file; ``BackupError`` when it cannot be opened."""
    header, prefix, ciphertext = read_header(data)
    nonce = base64.b64decode(header["nonce"])
    try:
        compressed = AESGCM(_derive(passphrase, header["kdf"])).decrypt(nonce, ciphertext, prefix)
    except InvalidTag as exc:
        # A wrong passphrase and a changed byte look the same to AES-GCM.
        raise BackupError(WRONG_PASSPHRASE) from exc
    body = gunzip_capped(compressed, max_uncompressed)
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
        raise BackupError(DAMAGED, "the payload is not JSON") from exc
    if not isinstance(payload, dict):
        raise BackupError(DAMAGED, "the payload is not an object")
    return payload


def gunzip_capped(data: bytes, limit: int) -> bytes:
    """``data`` gunzipped, refusing (``TOO_LARGE``) to produce more than ``limit`` bytes."""
    inflater = zlib.decompressobj(wbits=31)  # gzip framing
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise BackupError(DAMAGED, "the payload is not gzip") from exc
    if len(out) > limit or inflater.unconsumed_tail:
        raise BackupError(TOO_LARGE, f"more than {limit} bytes uncompressed")
    if not inflater.eof:
        raise BackupError(DAMAGED, "the payload is cut short")
    return out
