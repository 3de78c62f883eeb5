"""Helpers the demo issuer's views share: its address, its clock, its state, its settings, and
making an offer."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import current_app, request

from wallet.demo_issuer.credentials import CONFIGURATIONS
from wallet.demo_issuer.state import IssuerState, Offer, token

OFFER_SCHEME = "openid-credential-offer://"
PRE_AUTHORIZED = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


def setting(name: str) -> Any:
    """One of the demo issuer's settings."""
    return current_app.config[name]


def base_url() -> str:
    """The issuer's identifier: ``ISSUER_URL`` when set, else the address it was reached at."""
    fixed = current_app.config.get("ISSUER_URL")
    return str(fixed or request.host_url).rstrip("/")


def clock() -> datetime:
    """The issuer's current time (``CLOCK``, so tests can move it)."""
    now: datetime = current_app.config["CLOCK"]()
    return now


def issuer_state() -> IssuerState:
    """The offers, codes, tokens and nonces this app keeps."""
    state: IssuerState = current_app.extensions["demo_issuer"]
    return state


def make_offer(
    configuration_ids: Iterable[str], *, flow: str, deferred: bool = False
) -> tuple[Offer, dict[str, Any]]:
    """Record a new offer and return it with its JSON (OID4VCI 1.0 §4.1.1).

    ``flow`` is ``pre-authorized``, ``pre-authorized-tx`` (with a six-digit transaction code)
    or ``authorization-code``.
    """
    ids = tuple(dict.fromkeys(c for c in configuration_ids if c in CONFIGURATIONS))
    if not ids:
        raise ValueError("an offer needs at least one known credential configuration")
    if flow not in ("pre-authorized", "pre-authorized-tx", "authorization-code"):
        raise ValueError(f"unknown flow {flow!r}")
    lifetime = timedelta(seconds=int(setting("OFFER_LIFETIME")))
    offer = Offer(id=token(12), configuration_ids=ids, expires_at=clock() + lifetime)
    offer.deferred = deferred
    if flow == "authorization-code":
        offer.issuer_state = token()
    else:
        offer.pre_authorized_code = token()
        if flow == "pre-authorized-tx":
            offer.tx_code = f"{secrets.randbelow(10**6):06d}"
    state = issuer_state()
    with state.lock:
        state.prune(clock())
        state.offers[offer.id] = offer
    return offer, offer_body(offer)


def offer_body(offer: Offer) -> dict[str, Any]:
    """The offer's JSON: issuer, configurations and grants (OID4VCI 1.0 §4.1.1)."""
    grants: dict[str, Any] = {}
    if offer.issuer_state:
        grants["authorization_code"] = {"issuer_state": offer.issuer_state}
    if offer.pre_authorized_code:
        grant: dict[str, Any] = {"pre-authorized_code": offer.pre_authorized_code}
        if offer.tx_code:
            grant["tx_code"] = {
                "input_mode": "numeric",
                "length": len(offer.tx_code),
                "description": "Enter the code shown on the issuer's page.",
            }
        grants[PRE_AUTHORIZED] = grant
    return {
        "credential_issuer": base_url(),
        "credential_configuration_ids": list(offer.configuration_ids),
        "grants": grants,
    }


def offer_links(offer: Offer, body: dict[str, Any]) -> dict[str, str]:
    """The ways to hand the offer over: by reference, by value, and into the wallet."""
    by_reference = urlencode({"credential_offer_uri": f"{base_url()}/offers/{offer.id}"})
    by_value = urlencode({"credential_offer": json.dumps(body, separators=(",", ":"))})
    links = {
        "by_reference": f"{OFFER_SCHEME}?{by_reference}",
        "by_value": f"{OFFER_SCHEME}?{by_value}",
    }
    wallet = current_app.config.get("WALLET_URL")
    if wallet:
        links["wallet"] = f"{str(wallet).rstrip('/')}/oid4vc/offer?{by_reference}"
    return links
