"""JSON Web Signature (RFC 7515) in compact form, JWTs (RFC 7519), and the detached
unencoded-payload JWS of RFC 7797 used by the JsonWebSignature2020 and Ed25519Signature2018
Linked-Data suites.

Parse, then verify::

    jws = CompactJws.parse(token)       # MalformedDocument if it is not a JWS
    verify_jws(jws, issuer_public_key)  # ProofInvalid / UnsupportedProof if it does not verify
    credential, registered = credential_from_jwt(jwt_claims(jws))

The algorithms and their key types live in :mod:`verifier.suites.jose_algs`; reading a
credential or presentation out of JWT claims in :mod:`verifier.suites.vc_jwt`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from verifier import multiformats as mf
from verifier.errors import MalformedDocument
from verifier.keypairs import KeyPair
from verifier.keys import PrivateKey, PublicKey
from verifier.suites import jose_algs
from verifier.suites.vc_jwt import credential_from_jwt, presentation_from_jwt

__all__ = [
    "MAX_JWS_LENGTH", "CompactJws", "b64url_strict", "check_algorithm", "credential_from_jwt",
    "decode_json",
    "detached_jws_sign", "detached_jws_verify", "jwt_claims", "media_type",
    "presentation_from_jwt",
    "sign_jws", "verify_jws",
]

MAX_JWS_LENGTH = 5 * 1024 * 1024  # characters; no credential is this big, a hostile input may be
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
# Extensions we implement, so a header may list them in ``crit`` (RFC 7515 §4.1.11).
_UNDERSTOOD_CRIT = frozenset({"b64"})
# Header parameters defined by JWS itself, which ``crit`` must never list.
_JWS_HEADER_NAMES = frozenset({"alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256",
                               "typ", "cty", "crit"})


def b64url_strict(text: str, what: str) -> bytes:
    """Decode unpadded, canonical base64url; ``MalformedDocument`` naming ``what`` otherwise."""
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise MalformedDocument(f"The {what} is not valid base64url.")
    data = mf.b64url_decode(text)
    # Non-zero padding bits give a second spelling of the same bytes; refuse it.
    if mf.b64url_encode(data) != text:
        raise MalformedDocument(f"The {what} is not canonical base64url.")
    return data


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise ValueError(f"duplicate member {name!r}")
        result[name] = value
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def decode_json(data: bytes | str, what: str) -> Any:
    """Parse strict JSON (UTF-8, no duplicate names, no NaN); ``MalformedDocument`` otherwise."""
    try:
        return json.loads(data, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except RecursionError:
        raise MalformedDocument(f"The {what} is nested too deeply.") from None
    except ValueError as exc:  # includes JSONDecodeError and UnicodeDecodeError
        raise MalformedDocument(f"The {what} is not valid JSON ({exc}).") from None


def _json_object(data: bytes, what: str) -> dict[str, Any]:
    value = decode_json(data, what)
    if not isinstance(value, dict):
        raise MalformedDocument(f"The {what} is JSON but not a JSON object.")
    return value


def _check_header(header: dict[str, Any]) -> bool:
    """Check ``alg``, ``crit`` and ``b64`` (RFC 7515 §4.1, RFC 7797 §3); return ``b64``."""
    if not isinstance(header.get("alg"), str):
        raise MalformedDocument("The JWS header does not name its algorithm (alg).")
    crit = header.get("crit")
    if crit is not None:
        if (not isinstance(crit, list) or not crit
                or not all(isinstance(name, str) for name in crit) or len(set(crit)) != len(crit)):
            raise MalformedDocument("The JWS header's crit is not a list of distinct names.")
        unknown = [name for name in crit if name not in _UNDERSTOOD_CRIT]
        if unknown:
            raise MalformedDocument(
                f"The JWS depends on header extensions this verifier does not understand "
                f"({', '.join(unknown)}), so it must be rejected.")
        if any(name in _JWS_HEADER_NAMES or name not in header for name in crit):
            raise MalformedDocument("The JWS header's crit lists a name it may not list.")
    b64 = header.get("b64", True)
    if not isinstance(b64, bool):
        raise MalformedDocument("The JWS header's b64 is not true or false.")
    if b64 is False and "b64" not in (crit or []):
        raise MalformedDocument('The JWS has an unencoded payload (b64: false) without "b64" '
                                "in crit, as RFC 7797 §6 requires.")
    return b64


@dataclass(frozen=True)
class CompactJws:
    """A parsed compact JWS: decoded header, payload and signature, and the exact signed bytes."""

    header: dict[str, Any]
    payload: bytes
    signature: bytes
    signing_input: bytes
    raw: str

    @classmethod
    def parse(cls, token: str, *, detached_payload: bytes | None = None) -> CompactJws:
        """Parse ``header.payload.signature`` (or ``header..signature`` with a detached payload)."""
        if not isinstance(token, str):
            raise TypeError(f"a compact JWS is a str, not {type(token).__name__}")
        if len(token) > MAX_JWS_LENGTH:
            raise MalformedDocument(
                f"The JWS is {len(token)} characters long, more than the "
                f"{MAX_JWS_LENGTH // (1024 * 1024)} MB this verifier reads.")
        token = token.strip()
        parts = token.split(".")
        if len(parts) != 3:
            hint = " (five parts: an encrypted JWE, which cannot be verified)" if len(
                parts) == 5 else ""
            raise MalformedDocument(
                f"A compact JWS has three parts separated by dots; this has {len(parts)}{hint}.")
        header_b64, payload_b64, signature_b64 = parts
        header = _json_object(b64url_strict(header_b64, "JWS header"), "JWS header")
        b64 = _check_header(header)
        if detached_payload is None:
            if not b64:
                raise MalformedDocument(
                    "The JWS has an unencoded payload (b64: false); it can only be verified "
                    "as a detached JWS together with its payload.")
            payload = b64url_strict(payload_b64, "JWS payload")
            _json_object(payload, "JWS payload")
            signing_input = f"{header_b64}.{payload_b64}".encode("ascii")
        else:
            if payload_b64:
                raise MalformedDocument("A detached JWS must have an empty payload part.")
            payload = bytes(detached_payload)
            encoded = payload if not b64 else mf.b64url_encode(payload).encode("ascii")
            signing_input = header_b64.encode("ascii") + b"." + encoded
        signature = b64url_strict(signature_b64, "JWS signature")
        return cls(header=header, payload=payload, signature=signature,
                   signing_input=signing_input, raw=token)

    @property
    def alg(self) -> str:
        """The header's ``alg``."""
        return str(self.header["alg"])


def media_type(typ: object) -> str | None:
    """A ``typ`` value as a lower-case media type without "application/" (RFC 7515 §4.1.9)."""
    return typ.lower().removeprefix("application/") if isinstance(typ, str) else None


def check_algorithm(jws: CompactJws) -> str:
    """Refuse ``none``, HMAC and unknown algorithms before any key is looked up; return ``alg``."""
    return jose_algs.require_known(jws.header.get("alg"))


def verify_jws(jws: CompactJws, key: PublicKey) -> None:
    """Verify the signature with ``key`` (RFC 7515 §5.2); ``ProofInvalid`` when it fails."""
    jose_algs.verify_signature(jws.header.get("alg"), key, jws.signing_input, jws.signature)


def _private(key: PrivateKey | KeyPair) -> PrivateKey:
    return key.private_key if isinstance(key, KeyPair) else key


def _encode_header(header: dict[str, Any], key: PrivateKey) -> tuple[dict[str, Any], str]:
    header = dict(header)
    header.setdefault("alg", jose_algs.alg_for_key(key))
    return header, mf.b64url_encode(_compact_json(header))


def _compact_json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign_jws(header: dict[str, Any], payload: bytes | dict[str, Any],
             key: PrivateKey | KeyPair) -> str:
    """Sign a compact JWS; ``alg`` comes from the key when the header does not name it."""
    private = _private(key)
    if header.get("b64") is False:
        raise ValueError("an unencoded payload (b64: false) needs detached_jws_sign")
    header, header_b64 = _encode_header(header, private)
    body = _compact_json(payload) if isinstance(payload, dict) else bytes(payload)
    signing_input = f"{header_b64}.{mf.b64url_encode(body)}"
    signature = jose_algs.sign(header["alg"], private, signing_input.encode("ascii"))
    return f"{signing_input}.{mf.b64url_encode(signature)}"


def jwt_claims(jws: CompactJws) -> dict[str, Any]:
    """The JWT claims set: the payload as a JSON object (RFC 7519 §7.2 step 10)."""
    return _json_object(jws.payload, "JWT claims set")


def detached_jws_sign(header: dict[str, Any], payload: bytes, key: PrivateKey | KeyPair) -> str:
    """Sign ``payload`` as a detached JWS, unencoded (``b64: false``, RFC 7797) by default."""
    private = _private(key)
    header = dict(header)
    header.setdefault("b64", False)
    if header["b64"] is False:
        header.setdefault("crit", ["b64"])
    header, header_b64 = _encode_header(header, private)
    body = payload if header["b64"] is False else mf.b64url_encode(payload).encode("ascii")
    signature = jose_algs.sign(header["alg"], private, header_b64.encode("ascii") + b"." + body)
    return f"{header_b64}..{mf.b64url_encode(signature)}"


def detached_jws_verify(jws: str, payload: bytes, key: PublicKey) -> None:
    """Verify a detached JWS (``header..signature``) over ``payload``; ``ProofInvalid`` if not."""
    verify_jws(CompactJws.parse(jws, detached_payload=payload), key)
