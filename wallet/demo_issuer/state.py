"""What the demo issuer remembers between requests: offers, codes, tokens, nonces and deferred
credentials, in memory, behind one lock (the demo serves from threads and forgets on restart)."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any


def token(size: int = 24) -> str:
    """A fresh random value for codes, tokens and nonces (URL-safe)."""
    return secrets.token_urlsafe(size)


@dataclass
class Offer:
    """One credential offer made to a learner (OID4VCI 1.0 §4.1.1)."""

    id: str
    configuration_ids: tuple[str, ...]
    expires_at: datetime
    deferred: bool = False
    pre_authorized_code: str | None = None
    tx_code: str | None = None
    issuer_state: str | None = None
    redeemed: bool = False  # a pre-authorized code is good for one token


@dataclass
class AuthorizationCode:
    """A code the login page handed to a wallet, bound to its PKCE challenge (RFC 7636)."""

    offer_id: str
    client_id: str
    redirect_uri: str
    code_challenge: str
    expires_at: datetime


@dataclass
class AccessToken:
    """A bearer token for the credential endpoint, for the configurations of one offer."""

    offer_id: str
    configuration_ids: tuple[str, ...]
    expires_at: datetime


@dataclass
class Deferred:
    """A credential that will be ready later (OID4VCI 1.0 §9)."""

    access_token: str
    ready_at: datetime
    credentials: list[dict[str, Any]]


@dataclass
class IssuerState:
    """Everything the demo issuer keeps, guarded by ``lock``."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    offers: dict[str, Offer] = field(default_factory=dict)
    codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    tokens: dict[str, AccessToken] = field(default_factory=dict)
    nonces: dict[str, datetime] = field(default_factory=dict)
    deferred: dict[str, Deferred] = field(default_factory=dict)

    def prune(self, now: datetime) -> None:
        """Forget expired offers, codes, tokens and nonces (call with ``lock`` held)."""
        for table in (self.offers, self.codes, self.tokens):
            for key in [k for k, v in table.items() if v.expires_at <= now]:
                del table[key]
        for key in [k for k, until in self.nonces.items() if until <= now]:
            del self.nonces[key]
        live = set(self.tokens)
        for key in [k for k, v in self.deferred.items() if v.access_token not in live]:
            del self.deferred[key]

    def new_nonce(self, *, now: datetime, lifetime: timedelta) -> str:
        """A fresh ``c_nonce``, valid once until ``now + lifetime``; expired ones are dropped."""
        value = token()
        with self.lock:
            self.prune(now)
            self.nonces[value] = now + lifetime
        return value

    def use_nonce(self, value: str, *, now: datetime) -> bool:
        """Whether ``value`` is a nonce issued here and still unused; it is used up either way."""
        with self.lock:
            until = self.nonces.pop(value, None)
        return until is not None and until > now
