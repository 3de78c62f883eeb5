"""The wallet's only network code for issuance: an authlib OAuth 2.0 session that talks to
issuers alone, over https (http only to this computer, when allowed), with a timeout, no
redirects, and a cap on how much it reads.

Settings (``WALLET_<NAME>`` in the environment):

- ``OID4VCI_ALLOW_HTTP_LOCALHOST``: allow ``http://`` to localhost (default: on in demo mode);
- ``OID4VCI_TIMEOUT``: seconds to wait for an issuer (default 10);
- ``OID4VCI_MAX_RESPONSE_BYTES``: the most one answer may hold (default 5 MB).

Addresses that resolve to private, loopback or link-local networks are refused (except
loopback when http to localhost is allowed), by :mod:`wallet.net`, so an offer cannot make the
wallet reach into the network it runs in; a name that does not resolve is not contacted.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from authlib.integrations.requests_client import OAuth2Session
from flask import current_app
from flask_babel import gettext as _

from wallet import net

DEFAULT_TIMEOUT = 10
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")


class IssuanceError(Exception):
    """Receiving a credential failed; ``message`` says why, for the learner (translated)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def allow_http_localhost() -> bool:
    """Whether ``http://`` to this computer is allowed (tests, the demo)."""
    config = current_app.config
    return bool(config.get("OID4VCI_ALLOW_HTTP_LOCALHOST", config.get("DEMO", False)))


def check_url(url: str) -> str:
    """``url`` when the wallet may call it; ``IssuanceError`` otherwise."""
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or not parts.hostname or parts.username or parts.password:
        raise IssuanceError(_("The issuer gave an address that is not a valid web address."))
    host = parts.hostname
    local = host in LOCAL_NAMES
    if parts.scheme == "http" and local and allow_http_localhost():
        return url
    if parts.scheme != "https":
        raise IssuanceError(
            _(
                "The issuer's address %(url)s does not use https, so the wallet will not use it.",
                url=url[:200],
            )
        )
    try:
        addresses = net.resolve(host)
    except OSError:
        raise _no_answer(url) from None  # as if it had been tried: it could not be reached
    if not net.all_public(addresses, allow_loopback=allow_http_localhost()):
        raise IssuanceError(
            _(
                "The issuer's address %(host)s is on a private network; the wallet only talks to "
                "issuers on the internet.",
                host=host,
            )
        )
    return url


class IssuerSession(OAuth2Session):
    """An OAuth 2.0 public client session whose every request passes :func:`check_url`."""

    def __init__(self, **kwargs: Any) -> None:
        config = current_app.config
        kwargs.setdefault("token_endpoint_auth_method", "none")
        super().__init__(**kwargs)
        self.default_timeout = float(config.get("OID4VCI_TIMEOUT", DEFAULT_TIMEOUT))
        self.max_bytes = int(config.get("OID4VCI_MAX_RESPONSE_BYTES", DEFAULT_MAX_BYTES))
        self.trust_env = False  # no proxies or .netrc from the environment
        # The address actually connected to is checked too (DNS rebinding).
        net.mount_public(self, allow_loopback=allow_http_localhost())

    def request(  # type: ignore[override]
        self, method: str, url: str, withhold_token: bool = False, auth: Any = None, **kwargs: Any
    ) -> requests.Response:
        """Send one request to an allowed address and read at most ``max_bytes`` of the answer."""
        check_url(url)
        kwargs["allow_redirects"] = False
        kwargs["stream"] = True
        try:
            # Tokens go in headers the wallet writes itself; the session never holds one.
            response = super().request(method, url, True, auth, **kwargs)
        except requests.RequestException:
            raise _no_answer(url) from None
        try:
            body = response.raw.read(self.max_bytes + 1, decode_content=True)
        except (OSError, urllib3.exceptions.HTTPError):
            raise _no_answer(url) from None
        finally:
            response.close()
        if len(body) > self.max_bytes:
            raise IssuanceError(_("The issuer sent more than the wallet accepts."))
        response._content = body  # what .json() and .text read
        return response


def _no_answer(url: str) -> IssuanceError:
    host = urlsplit(url).netloc
    return IssuanceError(
        _("The issuer at %(host)s did not answer. Please try again later.", host=host)
    )


def read_json(response: requests.Response) -> dict[str, Any]:
    """The JSON object an issuer answered; ``IssuanceError`` when it is not one."""
    try:
        data = json.loads(response.content)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise IssuanceError(
            _(
                "The issuer's answer could not be read (HTTP %(status)d).",
                status=response.status_code,
            )
        )
    return data
