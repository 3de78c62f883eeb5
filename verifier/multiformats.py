"""Multibase (base58btc ``z``, base64url ``u``) and the multicodec key prefixes of Multikey."""

from __future__ import annotations

import base64

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}

# Multicodec varint prefixes (https://github.com/multiformats/multicodec/blob/master/table.csv)
ED25519_PUB = b"\xed\x01"
P256_PUB = b"\x80\x24"
P384_PUB = b"\x81\x24"
SECP256K1_PUB = b"\xe7\x01"
ED25519_PRIV = b"\x80\x26"
P256_PRIV = b"\x86\x26"
P384_PRIV = b"\x87\x26"


def b58encode(data: bytes) -> str:
    """Base58 (Bitcoin alphabet) encoding."""
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = _B58[r] + out
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + out


def b58decode(text: str) -> bytes:
    """Base58 (Bitcoin alphabet) decoding; ``ValueError`` on a character outside it."""
    n = 0
    for ch in text:
        try:
            n = n * 58 + _B58_INDEX[ch]
        except KeyError:
            raise ValueError(f"{ch!r} is not a base58 character") from None
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    pad = len(text) - len(text.lstrip("1"))
    return b"\0" * pad + body


def b64url_decode(text: str) -> bytes:
    """Base64url without padding (RFC 7515 §2); ``ValueError`` when it is not."""
    if not isinstance(text, str) or any(c in text for c in "+/= \n"):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise ValueError("not base64url") from exc


def b64url_encode(data: bytes) -> str:
    """Base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def multibase_decode(text: str) -> bytes:
    """Decode a multibase string (``z`` base58btc or ``u`` base64url)."""
    if not isinstance(text, str) or len(text) < 2:
        raise ValueError("not a multibase value")
    if text[0] == "z":
        return b58decode(text[1:])
    if text[0] == "u":
        return b64url_decode(text[1:])
    raise ValueError(f"unsupported multibase prefix {text[0]!r}")


def multibase_encode(data: bytes, base: str = "z") -> str:
    """Encode bytes as multibase base58btc (``z``, default) or base64url (``u``)."""
    if base == "z":
        return "z" + b58encode(data)
    if base == "u":
        return "u" + b64url_encode(data)
    raise ValueError(f"unsupported multibase prefix {base!r}")
