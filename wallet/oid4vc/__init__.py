"""Receiving credentials from issuers with OpenID for Verifiable Credential Issuance 1.0.

The learner pastes, scans or opens a credential offer; the wallet reads the issuer's metadata
(which must name the same issuer as the offer), shows who offers what, and on consent (the
password unlocks the holder key that signs the proof of possession) runs the pre-authorized
code flow, with a transaction code when the offer asks for one, or the authorization code flow
with PKCE. Credentials arrive as ``ldp_vc``, ``jwt_vc_json`` or ``dc+sd-jwt``, are verified,
and are kept through the wallet's import path; deferred ones wait on the Offers page.

Modules: :mod:`~wallet.oid4vc.offers` (reading offers), :mod:`~wallet.oid4vc.metadata`
(issuer and server metadata), :mod:`~wallet.oid4vc.flow` (token, nonce, proof, credential),
:mod:`~wallet.oid4vc.http` (the only network code), :mod:`~wallet.oid4vc.receive` (verify and
keep), :mod:`~wallet.oid4vc.models` (issuances in progress), :mod:`~wallet.oid4vc.views`.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, url_for

bp = Blueprint("oid4vc", __name__, url_prefix="/oid4vc")

OFFER_SCHEMES = ("openid-credential-offer://", "haip://")


def offer_page_url(text: str) -> str | None:
    """The wallet's page for the credential offer in ``text`` (pasted or scanned), or ``None``
    when ``text`` holds no offer."""
    from wallet.oid4vc.http import IssuanceError
    from wallet.oid4vc.offers import offer_parameters

    try:
        params = offer_parameters(text)
    except IssuanceError:
        return None
    return url_for("oid4vc.offer") + "?" + urlencode(params)


from wallet.oid4vc import models, views  # noqa: E402, F401
