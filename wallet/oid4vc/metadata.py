"""What an issuer says about itself (OID4VCI 1.0 §12.2) and about its authorization server
(RFC 8414): endpoints, names to show, and the credentials it issues.

The metadata must name the same ``credential_issuer`` as the offer, byte for byte (§12.2.2):
otherwise anyone could put a well-known issuer's name on their offer. Every endpoint must be
on the issuer's own origin (or its authorization server's), so the wallet talks to no one else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask_babel import get_locale
from flask_babel import gettext as _

from wallet.oid4vc.http import IssuanceError, IssuerSession, check_url, read_json
from wallet.oid4vc.offers import CredentialOffer

ISSUER_WELL_KNOWN = "/.well-known/openid-credential-issuer"
SERVER_WELL_KNOWN = "/.well-known/oauth-authorization-server"
#: The credential formats the wallet receives (OID4VCI 1.0 Appendix A).
FORMATS = ("ldp_vc", "jwt_vc_json", "dc+sd-jwt", "vc+sd-jwt")
#: How each format is named to the learner.
FORMAT_LABELS = {
    "ldp_vc": "JSON-LD",
    "jwt_vc_json": "JWT",
    "dc+sd-jwt": "SD-JWT",
    "vc+sd-jwt": "SD-JWT",
}


@dataclass(frozen=True)
class Configuration:
    """One kind of credential the issuer offers: its id, format, and words to show."""

    id: str
    format: str
    name: str
    description: str
    logo: str  # the logo's alternative text: the wallet shows no remote images

    @property
    def format_label(self) -> str:
        """The format as the learner sees it."""
        return FORMAT_LABELS.get(self.format, self.format)


@dataclass(frozen=True)
class IssuerMetadata:
    """The parts of the Credential Issuer Metadata the wallet uses."""

    issuer: str
    name: str
    logo: str
    credential_endpoint: str
    nonce_endpoint: str | None
    deferred_endpoint: str | None
    authorization_server: str
    configurations: dict[str, Configuration]

    def offered(self, offer: CredentialOffer) -> list[Configuration]:
        """The offer's credentials as this issuer describes them."""
        return [self.configurations[i] for i in offer.configuration_ids]


@dataclass(frozen=True)
class AuthorizationServer:
    """The endpoints of the issuer's OAuth 2.0 authorization server."""

    issuer: str
    token_endpoint: str
    authorization_endpoint: str | None


def well_known(identifier: str, suffix: str) -> str:
    """The metadata address of ``identifier``: the well-known path goes between the host and
    the identifier's own path (§12.2.2, RFC 8414 §3)."""
    parts = urlsplit(identifier)
    path = parts.path.rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{suffix}{path}"


def fetch_issuer_metadata(session: IssuerSession, offer: CredentialOffer) -> IssuerMetadata:
    """The offer's issuer's metadata, checked against the offer; ``IssuanceError`` if not."""
    check_url(offer.issuer)
    response = session.get(well_known(offer.issuer, ISSUER_WELL_KNOWN))
    if response.status_code != 200:
        raise IssuanceError(
            _(
                "%(issuer)s does not describe itself as a credential issuer, so its offer cannot "
                "be received.",
                issuer=offer.issuer,
            )
        )
    data = read_json(response)
    if data.get("credential_issuer") != offer.issuer:
        raise IssuanceError(
            _(
                "The offer says it comes from %(offer)s, but that issuer's own description names "
                "%(named)s. The offer may be forged, so the wallet refuses it.",
                offer=offer.issuer,
                named=str(data.get("credential_issuer"))[:200],
            )
        )
    servers = data.get("authorization_servers")
    server = servers[0] if isinstance(servers, list) and servers else offer.issuer
    if not isinstance(server, str):
        raise _broken(offer.issuer)
    supported = data.get("credential_configurations_supported")
    if not isinstance(supported, dict):
        raise _broken(offer.issuer)
    configurations = {}
    for config_id in offer.configuration_ids:
        config = supported.get(config_id)
        if not isinstance(config, dict):
            raise IssuanceError(
                _(
                    "The issuer offers a credential (%(id)s) it does not describe, so it cannot be "
                    "received.",
                    id=config_id[:100],
                )
            )
        if config.get("format") not in FORMATS:
            raise IssuanceError(
                _(
                    "The issuer offers a credential in a format the wallet does not receive "
                    "(%(format)s).",
                    format=str(config.get("format"))[:50],
                )
            )
        configurations[config_id] = _configuration(config_id, config)
    name, logo, _description = _display(data.get("display"))
    return IssuerMetadata(
        issuer=offer.issuer,
        name=name or urlsplit(offer.issuer).netloc,
        logo=logo,
        credential_endpoint=_endpoint(data, "credential_endpoint", offer.issuer, required=True),
        nonce_endpoint=_endpoint(data, "nonce_endpoint", offer.issuer),
        deferred_endpoint=_endpoint(data, "deferred_credential_endpoint", offer.issuer),
        authorization_server=server,
        configurations=configurations,
    )


def fetch_authorization_server(
    session: IssuerSession, metadata: IssuerMetadata
) -> AuthorizationServer:
    """The authorization server's metadata (RFC 8414), checked to name itself."""
    server = check_url(metadata.authorization_server)
    response = session.get(well_known(server, SERVER_WELL_KNOWN))
    data = read_json(response) if response.status_code == 200 else {}
    if data.get("issuer") != server:
        raise IssuanceError(
            _(
                "The issuer's sign-in server %(server)s does not describe itself correctly, so the "
                "wallet cannot collect the credential.",
                server=server[:200],
            )
        )
    token = _endpoint(data, "token_endpoint", server, required=True)
    assert token is not None
    return AuthorizationServer(
        issuer=server,
        token_endpoint=token,
        authorization_endpoint=_endpoint(data, "authorization_endpoint", server),
    )


def _endpoint(
    data: dict[str, Any], name: str, origin_of: str, *, required: bool = False
) -> str | None:
    """An endpoint of the metadata, which must be on the same origin as ``origin_of``."""
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or _origin(value) != _origin(origin_of):
        raise IssuanceError(
            _(
                "The issuer's %(name)s is missing or on another site, so the wallet will not use "
                "it.",
                name=name,
            )
        )
    return check_url(value)


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc.lower()


def _display(value: Any) -> tuple[str, str, str]:
    """Name, logo text and description of a ``display`` list, in the learner's language."""
    entries = [d for d in value if isinstance(d, dict)] if isinstance(value, list) else []
    language = str(get_locale() or "en")
    chosen = next(
        (d for d in entries if str(d.get("locale", "")).split("-")[0] == language),
        entries[0] if entries else {},
    )
    logo = chosen.get("logo")
    alt = logo.get("alt_text") if isinstance(logo, dict) else None
    return _text(chosen.get("name"), 200), _text(alt, 200), _text(chosen.get("description"), 500)


def _text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _configuration(config_id: str, config: dict[str, Any]) -> Configuration:
    metadata = config.get("credential_metadata")
    display = metadata.get("display") if isinstance(metadata, dict) else config.get("display")
    name, logo, description = _display(display)
    return Configuration(
        id=config_id,
        format=str(config["format"]),
        name=name or config_id[:200],
        description=description,
        logo=logo,
    )


def _broken(issuer: str) -> IssuanceError:
    return IssuanceError(
        _(
            "%(issuer)s describes itself incompletely, so its offer cannot be received.",
            issuer=issuer[:200],
        )
    )
