"""SD-JWT disclosures and the processing that rebuilds the disclosed claims (RFC 9901 §4.2, §7.1).

A disclosure is ``base64url(JSON [salt, name, value])`` for an object property or
``base64url(JSON [salt, value])`` for an array element; the issuer signs only its digest, in an
object's ``_sd`` array or as an array element ``{"...": digest}``.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from verifier import multiformats as mf
from verifier.errors import MalformedDocument, ProofInvalid, UnsupportedProof
from verifier.suites.jose import b64url_strict, decode_json

DEFAULT_SD_ALG = "sha-256"
# Hash names from the IANA "Named Information Hash Algorithm" registry (RFC 9901 §4.1.1).
_HASHES: dict[str, Callable[[bytes], Any]] = {
    "sha-256": hashlib.sha256, "sha-384": hashlib.sha384, "sha-512": hashlib.sha512,
}
_RESERVED_NAMES = ("_sd", "...")
MAX_DEPTH = 64  # deeper nesting than any credential needs; bounds the recursion


def check_sd_alg(sd_alg: object) -> str:
    """Return ``sd_alg`` if this verifier implements it; ``UnsupportedProof`` otherwise."""
    if not isinstance(sd_alg, str) or sd_alg not in _HASHES:
        raise UnsupportedProof(
            f"The SD-JWT uses the digest algorithm {sd_alg!r}, which this verifier does not "
            f"implement (it knows {', '.join(_HASHES)}).")
    return sd_alg


def sd_hash(data: str, sd_alg: str) -> str:
    """``base64url(hash(ASCII(data)))`` with an ``_sd_alg`` hash; UnsupportedProof if unknown."""
    return mf.b64url_encode(_HASHES[check_sd_alg(sd_alg)](data.encode("ascii")).digest())


@dataclass(frozen=True)
class Disclosure:
    """One disclosure: its exact text, salt, claim name (None for an array element) and value."""

    raw: str
    salt: str
    name: str | None
    value: Any

    @classmethod
    def parse(cls, raw: str) -> Disclosure:
        """Decode a disclosure (RFC 9901 §4.2.1, §4.2.2); ``MalformedDocument`` if it is not one."""
        decoded = decode_json(b64url_strict(raw, "SD-JWT disclosure"), "SD-JWT disclosure")
        if not isinstance(decoded, list) or len(decoded) not in (2, 3):
            raise MalformedDocument("An SD-JWT disclosure is not a [salt, name, value] or "
                                    "[salt, value] array.")
        if not isinstance(decoded[0], str):
            raise MalformedDocument("An SD-JWT disclosure's salt is not a string.")
        if len(decoded) == 2:
            return cls(raw=raw, salt=decoded[0], name=None, value=decoded[1])
        name = decoded[1]
        if not isinstance(name, str):
            raise MalformedDocument("An SD-JWT disclosure's claim name is not a string.")
        if name in _RESERVED_NAMES:
            raise MalformedDocument(f"An SD-JWT disclosure uses the reserved claim name {name!r}.")
        return cls(raw=raw, salt=decoded[0], name=name, value=decoded[2])

    @classmethod
    def create(cls, name: str | None, value: Any) -> Disclosure:
        """A new disclosure with a fresh 128-bit salt (RFC 9901 §9.3)."""
        salt = mf.b64url_encode(secrets.token_bytes(16))
        body = [salt, value] if name is None else [salt, name, value]
        raw = mf.b64url_encode(json.dumps(body, ensure_ascii=False).encode("utf-8"))
        return cls(raw=raw, salt=salt, name=name, value=value)

    def digest(self, sd_alg: str) -> str:
        """The digest the issuer signed for this disclosure (RFC 9901 §4.2.3)."""
        return sd_hash(self.raw, sd_alg)


def decoy_digest(sd_alg: str) -> str:
    """A digest that matches no disclosure, to hide how many claims there are (RFC 9901 §4.2.5)."""
    return sd_hash(mf.b64url_encode(secrets.token_bytes(16)), sd_alg)


def process(payload: dict[str, Any], disclosures: Sequence[Disclosure],
            sd_alg: str) -> dict[str, Any]:
    """The disclosed claims: disclosures put in place of their digests (RFC 9901 §7.1 steps 3-5)."""
    check_sd_alg(sd_alg)  # step 3.1, even when nothing is disclosed
    by_digest: dict[str, Disclosure] = {}
    for disclosure in disclosures:
        digest = disclosure.digest(sd_alg)
        if digest in by_digest:
            raise MalformedDocument("The same SD-JWT disclosure is presented twice.")
        by_digest[digest] = disclosure
    walker = _Walker(by_digest)
    claims = walker.node(payload, 0)
    unused = [d for digest, d in by_digest.items() if digest not in walker.used]
    if unused:
        names = ", ".join(sorted({d.name or "an array element" for d in unused}))
        raise ProofInvalid(
            f"{len(unused)} SD-JWT disclosure(s) ({names}) are not among the digests the issuer "
            "signed, so the issuer never said them.")
    claims.pop("_sd_alg", None)
    return claims


class _Walker:
    """One pass over the issuer-signed payload, remembering every digest it meets."""

    def __init__(self, by_digest: dict[str, Disclosure]) -> None:
        self.by_digest = by_digest
        self.seen: set[str] = set()
        self.used: set[str] = set()

    def _take(self, digest: Any) -> Disclosure | None:
        if not isinstance(digest, str):
            raise MalformedDocument("An SD-JWT digest is not a string.")
        if digest in self.seen:
            raise MalformedDocument("The SD-JWT refers to the same digest twice (RFC 9901 §7.1).")
        self.seen.add(digest)
        disclosure = self.by_digest.get(digest)
        if disclosure is not None:
            self.used.add(digest)
        return disclosure  # None: a decoy, or a claim the holder did not disclose

    def node(self, value: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise MalformedDocument("The SD-JWT claims are nested too deeply.")
        if isinstance(value, dict):
            return self._object(value, depth)
        if isinstance(value, list):
            return self._array(value, depth)
        return value

    def _object(self, obj: dict[str, Any], depth: int) -> dict[str, Any]:
        out = {k: self.node(v, depth + 1) for k, v in obj.items() if k != "_sd"}
        digests = obj.get("_sd", [])
        if not isinstance(digests, list):
            raise MalformedDocument("An SD-JWT _sd member is not an array of digests.")
        for digest in digests:
            disclosure = self._take(digest)
            if disclosure is None:
                continue
            if disclosure.name is None:
                raise MalformedDocument("An array-element disclosure is referenced from an "
                                        "object's _sd, where only named claims may be.")
            if disclosure.name in out:
                raise MalformedDocument(
                    f"The disclosed claim {disclosure.name!r} clashes with a claim of the same "
                    "name that is already there.")
            out[disclosure.name] = self.node(disclosure.value, depth + 1)
        return out

    def _array(self, array: list[Any], depth: int) -> list[Any]:
        out = []
        for element in array:
            if isinstance(element, dict) and list(element) == ["..."]:
                disclosure = self._take(element["..."])
                if disclosure is None:
                    continue
                if disclosure.name is not None:
                    raise MalformedDocument(
                        f"The named disclosure {disclosure.name!r} is referenced as an array "
                        "element, where only [salt, value] disclosures may be.")
                out.append(self.node(disclosure.value, depth + 1))
            else:
                out.append(self.node(element, depth + 1))
        return out
