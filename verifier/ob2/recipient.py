"""Who an Open Badges 2.0 badge was awarded to (OB 2.0 §IdentityObject, §IdentityHash).

A recipient is an e-mail address, URL or telephone number, often hashed as
``sha256$<hex>`` or ``md5$<hex>`` of the identity followed by the salt.  The badge is genuine
whoever holds it; whether it names *this* person is a separate question the wallet (its
confirmed identities) or the employer (an address they type) asks with :func:`matches`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from verifier.report import Report

_HASHES: dict[str, Callable[[bytes], Any]] = {"sha256": hashlib.sha256, "md5": hashlib.md5}
_PHONE_PUNCTUATION = re.compile(r"[\s().-]")


def _candidates(kind: Any, identity: str) -> list[str]:
    """The spellings of ``identity`` an issuer may have hashed, per recipient type."""
    text = identity.strip()
    if kind == "email":  # domains are case-insensitive and issuers usually lower-case it all
        return list(dict.fromkeys([text, text.lower()]))
    if kind == "telephone":  # OB 2.0 recommends E.164: "+" and digits, no punctuation
        return list(dict.fromkeys([text, _PHONE_PUNCTUATION.sub("", text)]))
    return [text]


def hash_algorithm(recipient: Mapping[str, Any]) -> str | None:
    """``sha256`` / ``md5`` for a hashed identity this verifier can compare, else ``None``."""
    identity = recipient.get("identity")
    if recipient.get("hashed") is not True or not isinstance(identity, str):
        return None
    alg, sep, _ = identity.partition("$")
    return alg.lower() if sep and alg.lower() in _HASHES else None


def matches(recipient: Mapping[str, Any], identity: str) -> bool | None:
    """Whether ``identity`` is the badge's recipient (OB 2.0 §IdentityObject); ``None`` when
    it cannot be told (a hash algorithm other than sha256/md5, a malformed recipient)."""
    if not isinstance(identity, str):
        raise TypeError("identity must be text")
    if not isinstance(recipient, Mapping) or not identity.strip():
        return None
    value, kind = recipient.get("identity"), recipient.get("type")
    if not isinstance(value, str) or not value:
        return None
    candidates = _candidates(kind, identity)
    if recipient.get("hashed") is True:
        alg = hash_algorithm(recipient)
        salt = recipient.get("salt") or ""
        if alg is None or not isinstance(salt, str):
            return None
        digest = value.partition("$")[2].lower()
        return any(
            hmac.compare_digest(_HASHES[alg]((c + salt).encode("utf-8")).hexdigest(), digest)
            for c in candidates)
    if kind == "email":
        return value.strip().lower() in {c.lower() for c in candidates}
    return any(_candidates(kind, value)[-1] == c for c in candidates)


def matches_any(recipient: Mapping[str, Any], identities: Iterable[str]) -> bool | None:
    """True if one identity matches, False if there were some and none did, else ``None``."""
    answers = [matches(recipient, i) for i in identities]
    if True in answers:
        return True
    return False if answers and None not in answers else None


def describe(recipient: Mapping[str, Any], identities: Iterable[str] = ()) -> dict[str, Any]:
    """The recipient for ``Report.summary["recipient"]``: type, hashed, the algorithm, the
    identity (hash) and salt needed to compare later, and ``matches`` for ``identities``."""
    return {
        "type": recipient.get("type"),
        "hashed": recipient.get("hashed") is True,
        "algorithm": hash_algorithm(recipient),
        "identity": recipient.get("identity"),
        "salt": recipient.get("salt"),
        "matches": matches_any(recipient, tuple(identities)),
    }


def recipient_matches(
    report_or_assertion: Report | Mapping[str, Any], identity: str
) -> bool | None:
    """Whether ``identity`` (an e-mail address, URL or telephone number a person typed or the
    wallet confirmed) is the recipient of an OB 2.0 badge: give the badge's report, its
    assertion JSON or its recipient object; ``None`` when it cannot be told."""
    if isinstance(report_or_assertion, Report):
        recipient = report_or_assertion.summary.get("recipient")
    elif isinstance(report_or_assertion, Mapping):
        recipient = report_or_assertion.get("recipient", report_or_assertion)
    else:
        raise TypeError("give a Report, an assertion or a recipient object")
    return matches(recipient, identity) if isinstance(recipient, Mapping) else None
