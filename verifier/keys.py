"""Public keys and where they come from.

``did:key`` and ``did:jwk`` are resolved locally; ``did:web``, ``did:ion`` (and any other DID)
and ``https`` verification methods only from the local :class:`~verifier.cache.DocumentCache`,
each with the date it was fetched.  A key is never taken from a URL fragment.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urljoin

from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from verifier import multiformats as mf
from verifier.cache import DocumentCache
from verifier.errors import InvalidKeyReference, KeyNotFound
from verifier.records import Record

PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey
PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

CURVES: dict[str, type[ec.EllipticCurve]] = {
    "P-256": ec.SECP256R1,
    "P-384": ec.SECP384R1,
    "secp256k1": ec.SECP256K1,
}
_MULTIKEY_PREFIX = {"P-256": mf.P256_PUB, "P-384": mf.P384_PUB, "secp256k1": mf.SECP256K1_PUB}


def key_type(key: PublicKey | PrivateKey) -> str:
    """``Ed25519``, ``P-256``, ``P-384``, ``secp256k1`` or ``RSA``."""
    if isinstance(key, ed25519.Ed25519PublicKey | ed25519.Ed25519PrivateKey):
        return "Ed25519"
    if isinstance(key, ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey):
        for name, curve in CURVES.items():
            if isinstance(key.curve, curve):
                return name
        raise ValueError(f"unsupported curve {key.curve.name}")
    if isinstance(key, rsa.RSAPublicKey | rsa.RSAPrivateKey):
        return "RSA"
    raise TypeError(f"not a key: {type(key).__name__}")


# -- Multikey ------------------------------------------------------------------------------
def multikey_decode(value: str) -> PublicKey:
    """Decode a ``publicKeyMultibase`` Multikey (Ed25519, P-256, P-384, secp256k1)."""
    try:
        raw = mf.multibase_decode(value)
    except ValueError as exc:
        raise KeyNotFound(f"The key {value[:20]}… is not valid multibase.") from exc
    if raw[:2] == mf.ED25519_PUB and len(raw) == 34:
        return ed25519.Ed25519PublicKey.from_public_bytes(raw[2:])
    for name, prefix in _MULTIKEY_PREFIX.items():
        if raw[:2] == prefix:
            try:
                return ec.EllipticCurvePublicKey.from_encoded_point(CURVES[name](), raw[2:])
            except ValueError as exc:
                raise KeyNotFound(f"The {name} key is not a valid point.") from exc
    raise KeyNotFound("The key uses a multicodec type this verifier does not support.")


def multikey_encode(key: PublicKey) -> str:
    """Encode a public key as a base58btc Multikey."""
    from cryptography.hazmat.primitives import serialization  # with SSH and ciphers: ~10 ms

    kind = key_type(key)
    if kind == "Ed25519":
        assert isinstance(key, ed25519.Ed25519PublicKey)
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return mf.multibase_encode(mf.ED25519_PUB + raw)
    if kind in _MULTIKEY_PREFIX:
        assert isinstance(key, ec.EllipticCurvePublicKey)
        point = key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
        )
        return mf.multibase_encode(_MULTIKEY_PREFIX[kind] + point)
    raise ValueError(f"{kind} keys have no Multikey encoding here")


# -- JWK -------------------------------------------------------------------------------------
def jwk_to_public_key(jwk: Any) -> PublicKey:
    """Turn a public JWK (OKP Ed25519, EC P-256/P-384/secp256k1, RSA) into a key object."""
    if not isinstance(jwk, dict):
        raise KeyNotFound("The key is not a JSON Web Key object.")
    kty = jwk.get("kty")
    try:
        if kty == "OKP" and jwk.get("crv") == "Ed25519":
            return ed25519.Ed25519PublicKey.from_public_bytes(mf.b64url_decode(jwk["x"]))
        if kty == "EC" and jwk.get("crv") in CURVES:
            curve = CURVES[jwk["crv"]]()
            x = int.from_bytes(mf.b64url_decode(jwk["x"]), "big")
            y = int.from_bytes(mf.b64url_decode(jwk["y"]), "big")
            return ec.EllipticCurvePublicNumbers(x, y, curve).public_key()
        if kty == "RSA":
            n = int.from_bytes(mf.b64url_decode(jwk["n"]), "big")
            e = int.from_bytes(mf.b64url_decode(jwk["e"]), "big")
            if n.bit_length() < 2048:
                raise KeyNotFound("The RSA key is shorter than 2048 bits.")
            return rsa.RSAPublicNumbers(e, n).public_key()
    except (KeyError, ValueError, TypeError) as exc:
        raise KeyNotFound(f"The {kty} key is not a valid JSON Web Key.") from exc
    raise KeyNotFound(f"Keys of type {kty}/{jwk.get('crv')} are not supported.")


def public_key_to_jwk(key: PublicKey) -> dict[str, str]:
    """A public JWK for a key object."""
    from cryptography.hazmat.primitives import serialization

    kind = key_type(key)
    if kind == "Ed25519":
        assert isinstance(key, ed25519.Ed25519PublicKey)
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": mf.b64url_encode(raw)}
    if kind == "RSA":
        assert isinstance(key, rsa.RSAPublicKey)
        nums = key.public_numbers()
        return {
            "kty": "RSA",
            "n": mf.b64url_encode(_int_bytes(nums.n)),
            "e": mf.b64url_encode(_int_bytes(nums.e)),
        }
    assert isinstance(key, ec.EllipticCurvePublicKey)
    size = (key.curve.key_size + 7) // 8
    nums = key.public_numbers()
    return {
        "kty": "EC",
        "crv": kind,
        "x": mf.b64url_encode(nums.x.to_bytes(size, "big")),
        "y": mf.b64url_encode(nums.y.to_bytes(size, "big")),
    }


def _int_bytes(n: int) -> bytes:
    return n.to_bytes((n.bit_length() + 7) // 8, "big")


# -- DIDs ------------------------------------------------------------------------------------
def did_key_for(key: PublicKey) -> str:
    """The ``did:key`` of a public key."""
    return "did:key:" + multikey_encode(key)


def did_jwk_for(key: PublicKey) -> str:
    """The ``did:jwk`` of a public key (did:jwk method specification §2)."""
    jwk = public_key_to_jwk(key)
    return "did:jwk:" + mf.b64url_encode(json.dumps(jwk, separators=(",", ":")).encode())


def did_web_url(did: str) -> str:
    """The https URL of a ``did:web`` DID document (did:web method specification §3.2)."""
    parts = did.split("#", 1)[0].split(":")[2:]
    if not parts or not parts[0]:
        raise KeyNotFound(f"{did} is not a valid did:web identifier.")
    host = unquote(parts[0])
    path = "/".join(unquote(p) for p in parts[1:])
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


class VerificationMethod(Record):
    """A resolved key: what it is, who controls it, what it may be used for, where it came from."""

    id: str
    controller: str
    public_key: PublicKey
    relationships: frozenset[str]
    source: str  # "did:key", "did:jwk", "cache", "jwt-header", "trust-store"
    fetched_at: datetime | None = None

    def allows(self, purpose: str) -> bool:
        """Whether the controller lists this key for ``purpose`` (e.g. ``assertionMethod``)."""
        return purpose in self.relationships


#: DID methods whose documents ``verifier refresh`` can fetch or this module derives.
RESOLVABLE_DID_METHODS = frozenset({"key", "jwk", "web", "ion"})

_ALL_PURPOSES = frozenset(
    {
        "assertionMethod",
        "authentication",
        "capabilityInvocation",
        "capabilityDelegation",
        "keyAgreement",
    }
)


def resolve(vm_ref: str, *, cache: DocumentCache) -> VerificationMethod:
    """Resolve a verification method reference offline; ``KeyNotFound`` if it cannot be."""
    if not isinstance(vm_ref, str) or not vm_ref:
        raise KeyNotFound("The proof names no verification method.")
    if vm_ref.startswith(("did:key:", "did:jwk:")):
        return _resolve_self_contained(vm_ref)
    return _resolve_from_cache(vm_ref, cache)


# These DIDs are their own key: what they resolve to depends on nothing else, so an issuer's
# key is decoded once (a P-256 point decompression is not free), not for every credential it
# signed. lru_cache keeps no refusals: an exception is never cached.
@lru_cache(maxsize=4096)
def _resolve_self_contained(vm_ref: str) -> VerificationMethod:
    did = vm_ref.split("#", 1)[0]
    if vm_ref.startswith("did:key:"):
        key = multikey_decode(did[len("did:key:") :])
        fragment = vm_ref.split("#", 1)[1] if "#" in vm_ref else did[len("did:key:") :]
        if fragment != did[len("did:key:") :]:
            raise KeyNotFound(f"{vm_ref} does not name the key of its did:key.")
        return VerificationMethod(
            id=f"{did}#{fragment}",
            controller=did,
            public_key=key,
            relationships=_ALL_PURPOSES - {"keyAgreement"},
            source="did:key",
        )
    try:  # did:jwk
        jwk = json.loads(mf.b64url_decode(did[len("did:jwk:") :]))
    except ValueError as exc:
        raise KeyNotFound(f"{did} is not a valid did:jwk.") from exc
    if "d" in jwk:
        raise KeyNotFound("The did:jwk contains a private key.")
    return VerificationMethod(
        id=f"{did}#0",
        controller=did,
        public_key=jwk_to_public_key(jwk),
        relationships=_ALL_PURPOSES - {"keyAgreement"},
        source="did:jwk",
    )


def _resolve_from_cache(vm_ref: str, cache: DocumentCache) -> VerificationMethod:
    did = vm_ref.split("#", 1)[0]
    if vm_ref.startswith("did:"):
        keys = [did]
        if vm_ref.startswith("did:web:"):
            keys.append(did_web_url(did))
        doc = next((d for d in (cache.get(k) for k in keys) if d is not None), None)
        if doc is None:
            method = did.split(":")[1] if did.count(":") >= 2 else ""
            if method not in RESOLVABLE_DID_METHODS:
                raise InvalidKeyReference(
                    f"The key is named with the DID method did:{method}, which no document in "
                    "the cache describes and which this verifier cannot resolve."
                )
            raise KeyNotFound(f"The DID document of {did} is not in the local cache.")
        return _from_document(vm_ref, doc.json(), fetched_at=doc.fetched_at)
    if vm_ref.startswith(("https://", "http://", "urn:")):
        doc = cache.get(vm_ref)
        if doc is None and vm_ref.startswith("urn:"):
            raise KeyNotFound(f"{vm_ref} is a URN; no document for it is in the local cache.")
        if doc is None:
            raise KeyNotFound(
                f"The key document {vm_ref.split('#')[0]} is not in the local cache; a key is "
                "never taken from a URL fragment."
            )
        return _from_document(vm_ref, doc.json(), fetched_at=doc.fetched_at)
    raise InvalidKeyReference(
        f"The proof names its key as {vm_ref!r}, which is not a DID or an "
        "https URL, so no key can ever be found for it."
    )


def _from_document(vm_ref: str, document: Any, *, fetched_at: datetime) -> VerificationMethod:
    if isinstance(document, dict) and "didDocument" in document:  # DID resolution result
        document = document["didDocument"]
    if not isinstance(document, dict):
        raise KeyNotFound(f"The cached document for {vm_ref} is not a JSON object.")
    base = document.get("id") or vm_ref.split("#", 1)[0]

    def absolute(ref: str) -> str:
        return urljoin(base, ref) if ref.startswith("#") else ref

    candidates: list[dict[str, Any]] = []
    if document.get("type") and absolute(str(document.get("id", ""))) == vm_ref:
        candidates.append(document)  # the document is itself the key (OB 2.0 CryptographicKey)
    relationships: set[str] = set()
    for prop in ("verificationMethod", "publicKey", *sorted(_ALL_PURPOSES)):
        entries = document.get(prop, [])
        for entry in entries if isinstance(entries, list) else [entries]:
            if isinstance(entry, dict):
                if absolute(str(entry.get("id", ""))) == vm_ref:
                    candidates.append(entry)
                    if prop in _ALL_PURPOSES:
                        relationships.add(prop)
            elif isinstance(entry, str) and absolute(entry) == vm_ref and prop in _ALL_PURPOSES:
                relationships.add(prop)
    if not candidates:
        raise KeyNotFound(f"The cached document {base} does not list the key {vm_ref}.")
    entry = candidates[0]
    controller = entry.get("controller") or entry.get("owner") or base
    return VerificationMethod(
        id=vm_ref,
        controller=absolute(str(controller)),
        public_key=key_from_method(entry),
        relationships=frozenset(relationships),
        source="cache",
        fetched_at=fetched_at,
    )


def key_from_method(entry: dict[str, Any]) -> PublicKey:
    """The public key of a verification method object, whatever way it encodes it."""
    if "publicKeyMultibase" in entry:
        value = entry["publicKeyMultibase"]
        if entry.get("type") == "Ed25519VerificationKey2018" or not str(value).startswith(
            ("z", "u")
        ):
            raise KeyNotFound("The key's publicKeyMultibase is not a Multikey value.")
        return multikey_decode(value)
    if "publicKeyJwk" in entry:
        return jwk_to_public_key(entry["publicKeyJwk"])
    if "publicKeyBase58" in entry:
        try:
            raw = mf.b58decode(entry["publicKeyBase58"])
            return ed25519.Ed25519PublicKey.from_public_bytes(raw)
        except ValueError as exc:
            raise KeyNotFound("The key's publicKeyBase58 is not an Ed25519 key.") from exc
    if "publicKeyPem" in entry:
        from cryptography.hazmat.primitives import serialization

        try:
            key = serialization.load_pem_public_key(str(entry["publicKeyPem"]).encode())
        except ValueError as exc:
            raise KeyNotFound("The key's PEM is not a valid public key.") from exc
        if not isinstance(
            key, ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey
        ):
            raise KeyNotFound("The key's PEM holds an unsupported key type.")
        return key
    raise KeyNotFound("The verification method carries no public key in a supported encoding.")


def fragment_key(vm_ref: str) -> PublicKey | None:
    """The Multikey a verification method URL carries in its fragment, if it carries one.

    Such a key is used only to see whether the contents are intact; it never binds the
    signature to anyone (corpus policy 1), since anyone can write any key into a fragment.
    Returns ``None`` when there is no fragment that looks like a Multikey; raises
    ``InvalidKeyReference`` when it looks like one but is not a valid key.
    """
    fragment = vm_ref.rsplit("#", 1)[1] if "#" in vm_ref else ""
    if not fragment.startswith(("z6Mk", "zDna", "z82L", "zQ3s")):
        return None
    try:
        return multikey_decode(fragment)
    except KeyNotFound as exc:
        raise InvalidKeyReference(
            f"The key named in the proof ({fragment[:16]}…) is not a valid "
            "key, so the signature cannot match it."
        ) from exc
