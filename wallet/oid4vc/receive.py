"""Keeping what an issuer sent: each credential is verified first, must be genuine and issued to
this learner's holder key, and only then goes through the wallet's own import path
(:func:`wallet.importers.service.import_bytes`, channel ``offer``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from verifier import Credential as ParsedCredential
from verifier import Outcome
from verifier.credential import parse
from verifier.errors import VerificationError
from verifier.keys import multikey_decode, public_key_to_jwk
from wallet.importers.service import NOT_CREDENTIAL, ImportOutcome, import_bytes
from wallet.models import User
from wallet.verification import verify_bytes

NOT_GENUINE = "not_genuine_offer"
NOT_BOUND = "not_bound"


def credential_bytes(item: str | dict[str, Any]) -> bytes:
    """The bytes kept for a credential of a credential response: a JWT or SD-JWT as sent, a
    JSON-LD credential as JSON."""
    if isinstance(item, str):
        return item.strip().encode("utf-8")
    return json.dumps(item, indent=2, ensure_ascii=False).encode("utf-8")


def store_received(
    user: User, items: Sequence[str | dict[str, Any]], *, issuer_name: str, now: datetime
) -> list[ImportOutcome]:
    """Verify each credential received and keep those that are genuine and the learner's."""
    outcomes = []
    for item in items:
        data = credential_bytes(item)
        report = verify_bytes(data, now=now)
        if report.format == "unknown":
            message = _(
                "%(issuer)s sent something that is not a credential the wallet can read; "
                "it was not stored.",
                issuer=issuer_name,
            )
            outcomes.append(_refused(NOT_CREDENTIAL, message))
        elif report.outcome == Outcome.NOT_GENUINE:
            message = _(
                "%(issuer)s sent a credential whose signature does not check out, so it "
                "was not stored.",
                issuer=issuer_name,
            )
            outcomes.append(_refused(NOT_GENUINE, message))
        elif not bound_to(data, user.holder_did or ""):
            message = _(
                "%(issuer)s sent a credential issued to someone else, so it was not stored.",
                issuer=issuer_name,
            )
            outcomes.append(_refused(NOT_BOUND, message))
        else:
            outcomes.append(import_bytes(user, data, filename=None, channel="offer", now=now))
    return outcomes


def bound_to(data: bytes, holder_did: str) -> bool:
    """Whether the credential names ``holder_did`` as its subject, or binds its key (``cnf``)."""
    try:
        parsed = parse(data.decode("utf-8"))
    except (VerificationError, UnicodeDecodeError):
        return False
    if not isinstance(parsed, ParsedCredential) or not holder_did:
        return False
    if holder_did in parsed.subject_ids:
        return True
    cnf = parsed.jwt_claims.get("cnf")
    if not isinstance(cnf, dict) or not holder_did.startswith("did:key:"):
        return False
    if isinstance(cnf.get("kid"), str) and cnf["kid"].split("#")[0] == holder_did:
        return True
    try:
        jwk = public_key_to_jwk(multikey_decode(holder_did[len("did:key:") :]))
    except VerificationError:
        return False
    given = cnf.get("jwk")
    return isinstance(given, dict) and all(given.get(k) == v for k, v in jwk.items())


def _refused(reason: str, message: str) -> ImportOutcome:
    return ImportOutcome(filename=None, ok=False, message=message, reason=reason)
