"""The JWS algorithms this verifier accepts (RFC 7518 §3, RFC 8037, RFC 8812) and nothing else.

Each algorithm names the one key type that may use it, so a token cannot choose how its own
key is read (the "algorithm confusion" attacks: an RSA key used for ES256, a public key used
as an HMAC secret).  ``none`` and every HMAC algorithm are refused as not genuine: they prove
nothing about who signed.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from verifier.errors import ProofInvalid, UnsupportedProof
from verifier.keys import PrivateKey, PublicKey, key_type

MIN_RSA_BITS = 2048


@dataclass(frozen=True)
class _Alg:
    key: str  # what verifier.keys.key_type must say of the key
    hash: type[hashes.HashAlgorithm] | None = None
    pss: bool = False


_ALGS: dict[str, _Alg] = {
    "EdDSA": _Alg("Ed25519"),
    "Ed25519": _Alg("Ed25519"),  # the fully-specified name of RFC 9864
    "ES256": _Alg("P-256", hashes.SHA256),
    "ES384": _Alg("P-384", hashes.SHA384),
    "ES256K": _Alg("secp256k1", hashes.SHA256),
    "RS256": _Alg("RSA", hashes.SHA256),
    "PS256": _Alg("RSA", hashes.SHA256, pss=True),
}
ALGORITHMS: frozenset[str] = frozenset(_ALGS)
_DEFAULT_ALG = {"Ed25519": "EdDSA", "P-256": "ES256", "P-384": "ES384", "secp256k1": "ES256K",
                "RSA": "RS256"}
_PUBLIC_TYPES = (ed25519.Ed25519PublicKey, ec.EllipticCurvePublicKey, rsa.RSAPublicKey)
_PRIVATE_TYPES = (ed25519.Ed25519PrivateKey, ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey)


def alg_for_key(key: PublicKey | PrivateKey) -> str:
    """The JWS ``alg`` a key signs with by default (Ed25519→EdDSA, P-256→ES256, RSA→RS256 ...)."""
    return _DEFAULT_ALG[key_type(key)]


def _spec(alg: object) -> _Alg:
    """The algorithm entry for ``alg``; refuses ``none``, HMAC and anything unknown."""
    if not isinstance(alg, str):
        raise UnsupportedProof("The JWS header names no signature algorithm.")
    if alg.lower() == "none":
        raise ProofInvalid(f'The JWS is not signed: its algorithm is "{alg}".')
    if alg.upper().startswith("HS"):
        raise ProofInvalid(
            f"The JWS uses {alg}, a shared-secret (HMAC) algorithm that cannot show who signed "
            "it; only public-key signatures are accepted.")
    spec = _ALGS.get(alg)
    if spec is None:
        raise UnsupportedProof(
            f"The JWS algorithm {alg!r} is not supported (supported: "
            f"{', '.join(sorted(ALGORITHMS))}).")
    return spec


def _mismatch(alg: str, spec: _Alg, key: PublicKey | PrivateKey) -> str | None:
    """Why ``key`` may not be used with ``alg``, or None when it may."""
    try:
        kind = key_type(key)
    except ValueError:  # a curve keys.py does not know (P-521 ...)
        kind = f"{key.curve.name} EC" if isinstance(key, ec.EllipticCurvePublicKey
                                                    | ec.EllipticCurvePrivateKey) else "unknown"
    if kind != spec.key:
        return f"The JWS algorithm {alg} needs a {spec.key} key, but the key is {kind}."
    if kind == "RSA" and key.key_size < MIN_RSA_BITS:
        return f"The RSA key has {key.key_size} bits; at least {MIN_RSA_BITS} are required."
    return None


def require_known(alg: object) -> str:
    """Return ``alg`` if it is on the allow-list; refuse none/HMAC (ProofInvalid) or unknown."""
    _spec(alg)
    return str(alg)


def check_alg(alg: object, key: PublicKey) -> str:
    """Return ``alg`` if this verifier accepts it for ``key``; raise a data error otherwise."""
    spec = _spec(alg)
    assert isinstance(alg, str)
    problem = _mismatch(alg, spec, key)
    if problem:
        raise ProofInvalid(problem)
    return alg


def _ec_size(key: ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey) -> int:
    return (key.curve.key_size + 7) // 8


def verify_signature(alg: object, key: PublicKey, data: bytes, signature: bytes) -> None:
    """Verify a JWS signature over ``data``; ``ProofInvalid`` when it does not verify."""
    if not isinstance(key, _PUBLIC_TYPES):
        raise TypeError(f"expected a public key, got {type(key).__name__}")
    spec = _spec(alg)
    problem = _mismatch(str(alg), spec, key)
    if problem:
        raise ProofInvalid(problem)
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            assert spec.hash is not None
            size = _ec_size(key)
            # RFC 7518 §3.4: the JWS signature is R || S, each exactly the curve's size.
            if len(signature) != 2 * size:
                raise ProofInvalid(
                    f"The {alg} signature is {len(signature)} bytes long; it must be "
                    f"{2 * size} (R and S of {size} bytes each).")
            r = int.from_bytes(signature[:size], "big")
            s = int.from_bytes(signature[size:], "big")
            key.verify(encode_dss_signature(r, s), data, ec.ECDSA(spec.hash()))
        else:
            assert spec.hash is not None
            key.verify(signature, data, _rsa_padding(spec), spec.hash())
    except InvalidSignature:
        raise ProofInvalid(
            f"The {alg} signature does not verify: the content was changed after signing, "
            "or another key signed it.") from None


def sign(alg: str, key: PrivateKey, data: bytes) -> bytes:
    """Sign ``data`` as a JWS signature with ``alg`` (ECDSA as raw R || S)."""
    if not isinstance(key, _PRIVATE_TYPES):
        raise TypeError(f"expected a private key, got {type(key).__name__}")
    spec = _ALGS.get(alg)
    if spec is None:
        raise ValueError(f"cannot sign with JWS algorithm {alg!r}")
    problem = _mismatch(alg, spec, key)
    if problem:
        raise ValueError(problem)
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(data)
    assert spec.hash is not None
    if isinstance(key, ec.EllipticCurvePrivateKey):
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(spec.hash())))
        size = _ec_size(key)
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    return key.sign(data, _rsa_padding(spec), spec.hash())


def _rsa_padding(spec: _Alg) -> padding.AsymmetricPadding:
    assert spec.hash is not None
    if spec.pss:
        # RFC 7518 §3.5: the salt is as long as the hash output.
        return padding.PSS(mgf=padding.MGF1(spec.hash()), salt_length=spec.hash.digest_size)
    return padding.PKCS1v15()
