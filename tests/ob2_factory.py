"""Open Badges 2.0 test badges: an issuer with its own key, BadgeClass and revocation list
published into a document cache, hosted and signed assertions made inside each test, and tiny
PNG and SVG images to bake them into."""

from __future__ import annotations

import copy
import functools
import hashlib
import struct
import zlib
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import serialization

from verifier.cache import DocumentCache
from verifier.keypairs import KeyPair
from verifier.suites.jose import sign_jws

OB2 = "https://w3id.org/openbadges/v2"
BASE = "https://badges.example.org"
FETCHED_AT = datetime(2026, 5, 30, 8, 0, tzinfo=UTC)
LEARNER = "learner@example.org"
SALT = "pepper"


@functools.cache
def private_key(kind: str = "RSA", label: str = "issuer") -> Any:
    """A private key per (kind, label), made once per test run (RSA keys are slow to make)."""
    return KeyPair.generate(kind).private_key


def hashed(identity: str, *, alg: str = "sha256", salt: str = SALT) -> dict[str, Any]:
    """An OB 2.0 IdentityObject with the identity hashed (OB 2.0 §IdentityHash)."""
    digest = hashlib.new(alg, (identity + salt).encode()).hexdigest()
    return {"type": "email", "hashed": True, "salt": salt, "identity": f"{alg}${digest}"}


class Ob2Issuer:
    """An issuer that publishes its Profile, BadgeClass, CryptographicKey and RevocationList
    into ``cache`` and awards hosted and signed badges."""

    def __init__(self, cache: DocumentCache, *, base: str = BASE, kind: str = "RSA",
                 fetched_at: datetime = FETCHED_AT) -> None:
        self.cache, self.base, self.fetched_at = cache, base, fetched_at
        self.id = f"{base}/issuer.json"
        self.badge_class_id = f"{base}/badges/robotics.json"
        self.key_id = f"{base}/keys/1.json"
        self.revocation_url = f"{base}/revocations.json"
        self.key = KeyPair.for_key(private_key(kind), controller=self.id, key_id=self.key_id)
        self.revoked: list[Any] = []
        self.publish_profile()
        self.publish(self.badge_class_id, self.badge_class())
        self.publish_key(self.key, self.key_id)
        self.publish_revocations()

    # -- published documents -----------------------------------------------------------------
    def publish(self, url: str, document: Any) -> None:
        """Put a document into the cache as if fetched from ``url``."""
        self.cache.put_json(url, document, fetched_at=self.fetched_at)

    def profile(self, **overrides: Any) -> dict[str, Any]:
        """The issuer Profile (OB 2.0 §Profile) listing the key and the revocation list."""
        doc = {"@context": OB2, "type": "Issuer", "id": self.id, "name": "Demo Robotics Club",
               "url": self.base, "email": "badges@example.org", "publicKey": self.key_id,
               "revocationList": self.revocation_url}
        doc.update(copy.deepcopy(overrides))
        return {k: v for k, v in doc.items() if v is not None}

    def publish_profile(self, **overrides: Any) -> None:
        """Publish the profile (with ``overrides``; a ``None`` value drops a property)."""
        self.publish(self.id, self.profile(**overrides))

    def badge_class(self, **overrides: Any) -> dict[str, Any]:
        """The BadgeClass (OB 2.0 §BadgeClass)."""
        doc = {"@context": OB2, "type": "BadgeClass", "id": self.badge_class_id,
               "name": "Robot Builder", "description": "Built and programmed a robot.",
               "image": f"{self.base}/badges/robotics.png",
               "criteria": {"narrative": "Build a robot that follows a line."},
               "issuer": self.id}
        doc.update(copy.deepcopy(overrides))
        return doc

    def publish_key(self, key: KeyPair, key_id: str, *, owner: str | None = None) -> None:
        """Publish a CryptographicKey document with the key's PEM (OB 2.0 §CryptographicKey)."""
        pem = key.public_key.public_bytes(serialization.Encoding.PEM,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)
        self.publish(key_id, {"@context": OB2, "type": "CryptographicKey", "id": key_id,
                              "owner": owner or self.id, "publicKeyPem": pem.decode()})

    def publish_revocations(self) -> None:
        """Publish the RevocationList (OB 2.0 §RevocationList)."""
        self.publish(self.revocation_url, {"@context": OB2, "type": "RevocationList",
                                           "id": self.revocation_url, "issuer": self.id,
                                           "revokedAssertions": self.revoked})

    def revoke(self, assertion_id: str, reason: str | None = None) -> None:
        """Add an assertion to the revocation list and publish it again."""
        self.revoked.append({"id": assertion_id, "revocationReason": reason} if reason
                            else assertion_id)
        self.publish_revocations()

    # -- badges --------------------------------------------------------------------------------
    def assertion(self, number: int = 1, *, method: str = "hosted",
                  **overrides: Any) -> dict[str, Any]:
        """An Assertion (OB 2.0 §Assertion) for the learner; ``None`` drops a property."""
        doc: dict[str, Any] = {
            "@context": OB2, "type": "Assertion", "id": f"{self.base}/assertions/{number}.json",
            "recipient": hashed(LEARNER), "badge": self.badge_class_id,
            "verification": {"type": "hosted"} if method == "hosted" else
            {"type": "signed", "creator": self.key_id},
            "issuedOn": "2026-03-01T10:00:00Z",
            "evidence": f"{self.base}/evidence/{number}",
        }
        if method == "signed":
            doc["id"] = f"urn:uuid:00000000-0000-4000-8000-{number:012d}"
        doc.update(copy.deepcopy(overrides))
        return {k: v for k, v in doc.items() if v is not None}

    def hosted(self, number: int = 1, *, publish: bool = True, **overrides: Any) -> dict[str, Any]:
        """A hosted assertion, published at its id unless ``publish`` is false."""
        doc = self.assertion(number, **overrides)
        if publish:
            self.publish(doc["id"], doc)
        return doc

    def signed(self, number: int = 1, *, key: KeyPair | None = None, alg: str | None = None,
               **overrides: Any) -> str:
        """A signed assertion: a compact JWS (RS256 for RSA keys) over the assertion JSON."""
        header = {"alg": alg} if alg else {}
        return sign_jws(header, self.assertion(number, method="signed", **overrides),
                        key or self.key)


# -- images -----------------------------------------------------------------------------------
def png_chunk(ctype: bytes, body: bytes) -> bytes:
    """One PNG chunk with its CRC (PNG §5.3)."""
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", zlib.crc32(ctype + body))


def tiny_png(*extra: bytes) -> bytes:
    """A 1×1 red PNG, with ``extra`` chunks placed before IEND."""
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    idat = zlib.compress(b"\x00\xff\x00\x00")  # filter byte + one red pixel
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat)
            + b"".join(extra) + png_chunk(b"IEND", b""))


def itxt(keyword: str, text: bytes, *, compressed: bool = False) -> bytes:
    """An iTXt chunk (PNG §11.3.4.5), optionally zlib-compressed."""
    body = zlib.compress(text) if compressed else text
    flag = b"\x01\x00" if compressed else b"\x00\x00"
    return png_chunk(b"iTXt", keyword.encode() + b"\0" + flag + b"\0\0" + body)


TINY_SVG = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
            b'<circle cx="5" cy="5" r="4" fill="#c00"/></svg>\n')
