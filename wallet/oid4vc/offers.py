"""Credential offers (OID4VCI 1.0 §4.1): reading one from what the learner pasted, scanned or
opened, fetching it when it is passed by reference, and checking its shape.

An offer arrives as ``openid-credential-offer://?credential_offer=<JSON>`` or
``...?credential_offer_uri=<https URL>`` (also ``haip://`` and any web link carrying those
parameters, such as the wallet's own ``/oid4vc/offer?...``), or as the JSON itself.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask_babel import gettext as _

from wallet.oid4vc.http import IssuanceError, IssuerSession, read_json

PRE_AUTHORIZED = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
AUTHORIZATION_CODE = "authorization_code"
#: The most an offer's text may hold (a QR code holds under 3 KB; by value offers are small).
MAX_OFFER_TEXT = 64 * 1024
MAX_TX_CODE_LENGTH = 32


@dataclass(frozen=True)
class TxCode:
    """The transaction code the offer asks for (§4.1.1): its input mode, length, description."""

    input_mode: str = "numeric"
    length: int | None = None
    description: str = ""


@dataclass(frozen=True)
class CredentialOffer:
    """A parsed credential offer."""

    issuer: str
    configuration_ids: tuple[str, ...]
    pre_authorized_code: str | None
    tx_code: TxCode | None
    authorization_code: bool
    issuer_state: str | None
    data: dict[str, Any]

    @classmethod
    def from_json(cls, data: Any) -> CredentialOffer:
        """Check an offer's JSON (§4.1.1); ``IssuanceError`` when it is not a valid offer."""
        if not isinstance(data, dict):
            raise _invalid()
        issuer = data.get("credential_issuer")
        ids = data.get("credential_configuration_ids")
        if not isinstance(issuer, str) or not issuer:
            raise _invalid()
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            raise _invalid()
        grants = data.get("grants") or {}
        if not isinstance(grants, dict):
            raise _invalid()
        pre = grants.get(PRE_AUTHORIZED)
        code = grants.get(AUTHORIZATION_CODE)
        pre_code = pre.get("pre-authorized_code") if isinstance(pre, dict) else None
        if pre is not None and not (isinstance(pre_code, str) and pre_code):
            raise _invalid()
        tx = _tx_code(pre.get("tx_code")) if isinstance(pre, dict) else None
        state = code.get("issuer_state") if isinstance(code, dict) else None
        if pre is None and code is None and grants:
            raise IssuanceError(
                _(
                    "This offer asks for a way of collecting credentials the wallet does not "
                    "support."
                )
            )
        return cls(
            issuer=issuer,
            configuration_ids=tuple(dict.fromkeys(ids)),
            pre_authorized_code=pre_code,
            tx_code=tx,
            authorization_code=pre is None,
            issuer_state=state if isinstance(state, str) else None,
            data=data,
        )

    def to_json(self) -> str:
        """The offer as compact JSON (kept in the consent form)."""
        return json.dumps(self.data, separators=(",", ":"))


def _tx_code(value: Any) -> TxCode | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _invalid()
    length = value.get("length")
    mode = value.get("input_mode", "numeric")
    description = value.get("description")
    return TxCode(
        input_mode=mode if mode in ("numeric", "text") else "text",
        length=length if isinstance(length, int) and 0 < length <= MAX_TX_CODE_LENGTH else None,
        description=description[:300] if isinstance(description, str) else "",
    )


def _invalid() -> IssuanceError:
    return IssuanceError(
        _("This is not a valid credential offer: it does not say who offers which credentials.")
    )


def offer_parameters(text: str) -> dict[str, str]:
    """The ``credential_offer`` or ``credential_offer_uri`` in a pasted or scanned offer."""
    text = text.strip()
    if len(text) > MAX_OFFER_TEXT:
        raise IssuanceError(_("This offer is too long to be a credential offer."))
    if text.startswith("{"):
        return {"credential_offer": text}
    query = parse_qs(urlsplit(text).query)
    found = {k: v[0] for k, v in query.items() if k in ("credential_offer", "credential_offer_uri")}
    if len(found) != 1:
        raise IssuanceError(
            _(
                "This is not a credential offer. An offer starts with openid-credential-offer:// "
                "and holds credential_offer or credential_offer_uri."
            )
        )
    return found


def resolve_offer(params: Mapping[str, str], session: IssuerSession) -> CredentialOffer:
    """The offer itself: parsed from ``credential_offer`` or fetched from
    ``credential_offer_uri`` (§4.1.3)."""
    if "credential_offer" in params and "credential_offer_uri" in params:
        raise IssuanceError(
            _("An offer must give credential_offer or credential_offer_uri, not both.")
        )
    if "credential_offer" in params:
        try:
            data = json.loads(params["credential_offer"])
        except ValueError:
            raise _invalid() from None
        return CredentialOffer.from_json(data)
    uri = params.get("credential_offer_uri")
    if not uri:
        raise IssuanceError(_("There is no credential offer here."))
    response = session.get(uri, headers={"Accept": "application/json"})
    if response.status_code != 200:
        raise IssuanceError(
            _(
                "The issuer no longer has this offer: it has expired or has already been used. "
                "Ask the issuer for a new one."
            )
        )
    return CredentialOffer.from_json(read_json(response))
