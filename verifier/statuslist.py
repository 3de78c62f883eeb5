"""Status lists: W3C Bitstring Status List v1.0 and its predecessor StatusList2021.

Parse a credential's ``credentialStatus`` entry into a :class:`StatusEntry`, a status list
credential into a :class:`StatusList`, then :func:`read_status`.  Nothing here verifies the
status list credential's proof: the pipeline verifies it as a credential first.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from verifier.dates import parse_datetime
from verifier.errors import MalformedDocument, StatusListError

BITSTRING = "BitstringStatusList"
STATUSLIST2021 = "StatusList2021"
# entry type -> (list credential type, list subject type)
FAMILIES: Mapping[str, tuple[str, str]] = {
    "BitstringStatusListEntry": ("BitstringStatusListCredential", BITSTRING),
    "StatusList2021Entry": ("StatusList2021Credential", STATUSLIST2021),
}
MAX_DECOMPRESSED = 16 * 1024 * 1024  # a decompression bomb stops here
MIN_ENTRIES = 131_072  # Bitstring Status List §3.2 step 2: herd privacy, recorded not enforced
_DECIMAL = re.compile(r"[0-9]+")
_HEX_STATUS = re.compile(r"0x[0-9a-fA-F]+")
_DID_URL_TAIL = re.compile(r"[/?#]")


def is_supported_entry(entry: Mapping[str, Any]) -> bool:
    """Whether a ``credentialStatus`` entry is of a type this module reads."""
    types = entry.get("type")
    names = types if isinstance(types, list) else [types]
    return any(name in FAMILIES for name in names)


@dataclass(frozen=True)
class StatusEntry:
    """A parsed ``credentialStatus`` entry (Bitstring Status List §2.1, StatusList2021 §2.1)."""

    type: str
    purpose: str
    index: int
    list_url: str
    size: int = 1
    messages: tuple[tuple[int, str], ...] = ()  # (status value, issuer's message)
    id: str | None = None

    @classmethod
    def from_json(cls, entry: Mapping[str, Any]) -> StatusEntry:
        """Parse and check one entry; ``MalformedDocument`` names what is wrong."""
        if not isinstance(entry, Mapping):
            raise MalformedDocument("A credentialStatus entry is not an object.")
        types = entry.get("type")
        names = [t for t in (types if isinstance(types, list) else [types]) if t in FAMILIES]
        if len(names) != 1:
            raise MalformedDocument(f"The credentialStatus type {types!r} is not "
                                    "BitstringStatusListEntry or StatusList2021Entry.")
        kind = names[0]
        purpose = entry.get("statusPurpose")
        if not isinstance(purpose, str) or not purpose:
            raise MalformedDocument("The credentialStatus entry has no statusPurpose.")
        index = _parse_index(entry.get("statusListIndex"))
        url = entry.get("statusListCredential")
        if not isinstance(url, str) or ":" not in url:
            raise MalformedDocument("The credentialStatus entry has no statusListCredential URL.")
        size, messages = 1, ()
        if kind == "BitstringStatusListEntry":
            size = _parse_size(entry.get("statusSize", 1))
            messages = _parse_messages(entry.get("statusMessage"), size)
        entry_id = entry.get("id")
        return cls(type=kind, purpose=purpose, index=index, list_url=url, size=size,
                   messages=messages, id=entry_id if isinstance(entry_id, str) else None)

    def message_for(self, value: int) -> str:
        """The issuer's message for a status value (``set``/``unset`` when it gave none)."""
        messages = dict(self.messages)
        if value in messages:
            return messages[value]
        return "unset" if value == 0 else "set"


def _parse_index(value: Any) -> int:
    # §2.1: "an arbitrary size integer greater than or equal to 0, expressed as a string in
    # base 10"; a bare JSON integer is accepted too, since 1EdTech's own fixtures use one.
    if isinstance(value, bool):
        raise MalformedDocument("The statusListIndex is not a number.")
    if isinstance(value, int) and value >= 0:
        return value
    if isinstance(value, str) and _DECIMAL.fullmatch(value) and len(value) <= 30:
        return int(value)
    raise MalformedDocument(f"The statusListIndex {value!r} is not a whole number written in "
                            "base 10.")


def _parse_size(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 32:
        raise MalformedDocument(f"The statusSize {value!r} is not a whole number from 1 to 32.")
    return value


def _parse_messages(value: Any, size: int) -> tuple[tuple[int, str], ...]:
    if value is None:
        if size > 1:
            raise MalformedDocument("A statusSize above 1 requires a statusMessage list.")
        return ()
    if not isinstance(value, list) or len(value) != 2 ** size:
        raise MalformedDocument(f"The statusMessage list must have {2 ** size} entries, one "
                                "for each possible status value.")
    messages: dict[int, str] = {}
    for item in value:
        status = item.get("status") if isinstance(item, Mapping) else None
        message = item.get("message") if isinstance(item, Mapping) else None
        if not isinstance(status, str) or not _HEX_STATUS.fullmatch(status) \
                or not isinstance(message, str):
            raise MalformedDocument("Each statusMessage needs a status like \"0x1\" and a message.")
        messages[int(status, 16)] = message
    if len(messages) != len(value) or max(messages) >= 2 ** size:
        raise MalformedDocument("The statusMessage list repeats a status or names one that "
                                "does not fit in statusSize bits.")
    return tuple(sorted(messages.items()))


@dataclass(frozen=True)
class StatusList:
    """A parsed status list credential; its proof is the pipeline's business, not this class's."""

    family: str  # BITSTRING or STATUSLIST2021
    id: str | None
    issuer: str | None
    purposes: tuple[str, ...]
    bitstring: bytes
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    ttl_ms: int | None = None

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> StatusList:
        """Parse a Bitstring or 2021 status list credential; ``StatusListError`` if malformed."""
        if not isinstance(document, Mapping):
            raise StatusListError("The status list is not a JSON object.")
        types = _strings(document.get("type"))
        family = next((subject for cred_type, subject in FAMILIES.values()
                       if cred_type in types), None)
        if family is None:
            raise StatusListError("The status list credential's type does not include "
                                  "BitstringStatusListCredential or StatusList2021Credential.")
        subjects = document.get("credentialSubject")
        if isinstance(subjects, list) and len(subjects) == 1:
            subjects = subjects[0]
        if not isinstance(subjects, Mapping):
            raise StatusListError("The status list credential has no single credentialSubject.")
        if family not in _strings(subjects.get("type")):
            raise StatusListError(f"The status list's credentialSubject type is not {family}.")
        purposes = tuple(_strings(subjects.get("statusPurpose")))
        if not purposes or not all(purposes):
            raise StatusListError("The status list names no statusPurpose.")
        encoded = subjects.get("encodedList")
        if not isinstance(encoded, str):
            raise StatusListError("The status list has no encodedList.")
        ttl = subjects.get("ttl")
        try:
            valid_from = _date(document, "validFrom", "issuanceDate")
            valid_until = _date(document, "validUntil", "expirationDate")
        except MalformedDocument as exc:
            raise StatusListError(exc.message) from exc
        issuer = document.get("issuer")
        issuer = issuer.get("id") if isinstance(issuer, Mapping) else issuer
        return cls(family=family, id=document.get("id") if isinstance(document.get("id"), str)
                   else None, issuer=issuer if isinstance(issuer, str) else None,
                   purposes=purposes, bitstring=decode_encoded_list(encoded),
                   valid_from=valid_from, valid_until=valid_until,
                   ttl_ms=ttl if isinstance(ttl, int) and not isinstance(ttl, bool) else None)

    @property
    def bit_length(self) -> int:
        """The number of bits in the list."""
        return len(self.bitstring) * 8

    def meets_minimum_length(self, status_size: int = 1) -> bool:
        """Whether the list holds the 131,072 entries §3.2 asks for (herd privacy); not enforced."""
        return self.bit_length // status_size >= MIN_ENTRIES

    def issued_by(self, issuer_id: str | None) -> bool:
        """Whether the list names ``issuer_id`` as its issuer (for DID URLs, the same DID)."""
        return (self.issuer is not None and issuer_id is not None
                and issuer_identity(self.issuer) == issuer_identity(issuer_id))

    def is_valid_at(self, now: datetime) -> bool:
        """Whether ``now`` lies within the list's validFrom/validUntil (VCDM 2.0 §4.9)."""
        return ((self.valid_from is None or self.valid_from <= now)
                and (self.valid_until is None or now <= self.valid_until))


def issuer_identity(issuer_id: str) -> str:
    """The part of an issuer id that names the issuer: the DID of a DID URL (its path, query
    and fragment dropped, DID Core §3.2), any other id unchanged."""
    if issuer_id.startswith("did:"):
        return _DID_URL_TAIL.split(issuer_id, maxsplit=1)[0]
    return issuer_id


def _strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [v for v in items if isinstance(v, str)]


def _date(document: Mapping[str, Any], *names: str) -> datetime | None:
    for name in names:
        if name in document:
            return parse_datetime(document[name], field=name)
    return None


def read_status(entry: StatusEntry, status_list: StatusList) -> int:
    """The status value of ``entry`` in ``status_list`` (Bitstring Status List §3.2 steps 5–10)."""
    if FAMILIES[entry.type][1] != status_list.family:
        raise StatusListError(f"The credential uses a {entry.type}, but the status list is a "
                              f"{status_list.family}.")
    if entry.purpose not in status_list.purposes:
        raise StatusListError(f"The status list is for {', '.join(status_list.purposes)}, not "
                              f"for {entry.purpose}.")
    return status_at(status_list.bitstring, entry.index, status_size=entry.size)


def status_at(bitstring: bytes, index: int, *, status_size: int = 1) -> int:
    """The ``status_size``-bit value at entry ``index``; index 0 is the left-most bit (§2.2)."""
    if status_size < 1 or index < 0:
        raise ValueError("index must be >= 0 and status_size >= 1")
    first = index * status_size
    if first + status_size > len(bitstring) * 8:
        raise StatusListError(f"The status index {index} is beyond the end of the status list "
                              f"({len(bitstring) * 8 // status_size} entries).")
    value = 0
    for bit in range(first, first + status_size):
        value = (value << 1) | ((bitstring[bit // 8] >> (7 - bit % 8)) & 1)
    return value


def decode_encoded_list(encoded: str) -> bytes:
    """Expand an ``encodedList``: ``u``-multibase or bare base64url, then GZIP (size-capped)."""
    if not isinstance(encoded, str) or not encoded:
        raise StatusListError("The encodedList is empty.")
    text = encoded[1:] if encoded.startswith("u") else encoded  # GZIP base64 starts "H4sI"
    text = text.rstrip("=")  # StatusList2021 writers sometimes pad; harmless to accept
    if not re.fullmatch(r"[A-Za-z0-9_-]+", text):
        raise StatusListError("The encodedList is not base64url text.")
    try:
        compressed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise StatusListError("The encodedList is not valid base64url.") from exc
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # GZIP framing only
    try:
        bits = inflater.decompress(compressed, MAX_DECOMPRESSED + 1)
    except zlib.error as exc:
        raise StatusListError("The encodedList is not valid GZIP data.") from exc
    if len(bits) > MAX_DECOMPRESSED:
        raise StatusListError(f"The status list expands to more than "
                              f"{MAX_DECOMPRESSED // 2**20} MB; it was not read.")
    if not inflater.eof:
        raise StatusListError("The encodedList's GZIP data is truncated.")
    return bits


def encode_list(bits: bytes, *, multibase: bool = True) -> str:
    """Compress and encode a bitstring: ``u``-multibase (Bitstring) or bare base64url (2021)."""
    text = base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).rstrip(b"=").decode()
    return "u" + text if multibase else text


def new_bitstring(entries: int = MIN_ENTRIES, *, status_size: int = 1) -> bytearray:
    """An all-zero bitstring for ``entries`` statuses (16 KB by default, the spec's minimum)."""
    return bytearray((entries * status_size + 7) // 8)


def set_status(bitstring: bytearray, index: int, value: int = 1, *, status_size: int = 1) -> None:
    """Write a status value in place (for the demo issuers and tests)."""
    if not 0 <= value < 2 ** status_size:
        raise ValueError(f"value {value} does not fit in {status_size} bits")
    first = index * status_size
    if index < 0 or first + status_size > len(bitstring) * 8:
        raise ValueError(f"index {index} is outside the bitstring")
    for offset in range(status_size):
        bit = first + offset
        mask = 0x80 >> (bit % 8)
        if (value >> (status_size - 1 - offset)) & 1:
            bitstring[bit // 8] |= mask
        else:
            bitstring[bit // 8] &= ~mask & 0xFF

