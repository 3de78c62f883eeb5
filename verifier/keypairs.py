"""Key pairs for signing: a private key with the verification method that names its public half
(the wallet's holder keys, the demo issuers and the tests sign with them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from verifier.keys import (
    CURVES,
    PrivateKey,
    PublicKey,
    did_jwk_for,
    did_key_for,
    key_type,
    multikey_encode,
    public_key_to_jwk,
)


@dataclass(frozen=True)
class KeyPair:
    """A private key with the verification method id that names its public half."""

    private_key: PrivateKey
    verification_method: str
    controller: str

    @property
    def public_key(self) -> PublicKey:
        """The public half."""
        return self.private_key.public_key()

    @classmethod
    def generate(
        cls, kind: str = "Ed25519", *, controller: str | None = None, key_id: str | None = None
    ) -> KeyPair:
        """A fresh key; by default identified by its own ``did:key``."""
        private: PrivateKey
        if kind == "Ed25519":
            private = ed25519.Ed25519PrivateKey.generate()
        elif kind in ("P-256", "P-384"):
            private = ec.generate_private_key(CURVES[kind]())
        elif kind == "RSA":
            private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            raise ValueError(f"unknown key kind {kind!r}")
        return cls.for_key(private, controller=controller, key_id=key_id)

    @classmethod
    def for_key(
        cls, private: PrivateKey, *, controller: str | None = None, key_id: str | None = None
    ) -> KeyPair:
        """Wrap an existing private key; by default identified by its ``did:key``."""
        if controller is None and key_type(private) == "RSA":
            did = did_jwk_for(private.public_key())  # RSA has no did:key encoding
            return cls(private, f"{did}#0", did)
        if controller is None:
            did = did_key_for(private.public_key())
            return cls(private, f"{did}#{did[len('did:key:') :]}", did)
        return cls(private, key_id or f"{controller}#key-1", controller)

    def controller_document(self) -> dict[str, Any]:
        """A DID/controller document listing this key as Multikey (or JWK for RSA)."""
        method: dict[str, Any] = {"id": self.verification_method, "controller": self.controller}
        contexts = ["https://www.w3.org/ns/did/v1"]
        if key_type(self.public_key) == "RSA":
            method.update(type="JsonWebKey2020", publicKeyJwk=public_key_to_jwk(self.public_key))
            contexts.append("https://w3id.org/security/suites/jws-2020/v1")
        else:
            method.update(type="Multikey", publicKeyMultibase=multikey_encode(self.public_key))
            contexts.append("https://w3id.org/security/multikey/v1")
        return {
            "@context": contexts,
            "id": self.controller,
            "verificationMethod": [method],
            "assertionMethod": [self.verification_method],
            "authentication": [self.verification_method],
        }
