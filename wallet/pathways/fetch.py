"""Fetching a pathway file an institution publishes at a URL: the wallet's only network code
for pathways, with a short timeout and a size cap. Offline, it says so clearly.

Only public addresses are fetched (the rule of :mod:`wallet.net`), redirects included: a
learner must not be able to make the wallet's server read its own network
(``http://127.0.0.1/…``, cloud metadata addresses).
"""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from wallet import net
from wallet.pathways.definition import MAX_BYTES
from wallet.pathways.messages import N_, Message

TIMEOUT_SECONDS = 5
USER_AGENT = "learner-wallet-pathways/1"


class FetchError(Exception):
    """The file could not be fetched; ``message`` says why, for the learner."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


def resolve(host: str) -> list[str]:
    """The IP addresses ``host`` resolves to (raises ``OSError`` when it does not)."""
    return net.resolve(host)


def check_host(host: str) -> None:
    """Refuse a host that does not resolve, or that resolves to a non-public address."""
    try:
        addresses = resolve(host)
    except (OSError, UnicodeError):
        raise FetchError(_unreachable(host)) from None
    if not net.all_public(addresses):
        raise FetchError(
            Message(
                N_(
                    "%(host)s is not a public address: the wallet only fetches pathways from "
                    "public web addresses."
                ),
                {"host": host},
            )
        )


class _PublicRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to another public web address."""

    def redirect_request(
        self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> Any:
        parts = urlsplit(newurl)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise FetchError(Message(N_("Enter a web address starting with https://.")))
        check_host(parts.hostname)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def open_url(request: urllib.request.Request, timeout: float) -> Any:
    """Open ``request`` following only redirects to public addresses."""
    return net.public_opener(_PublicRedirects).open(request, timeout=timeout)


def fetch(url: str, *, timeout: float = TIMEOUT_SECONDS, limit: int = MAX_BYTES) -> bytes:
    """The body at ``url`` (a public http or https address), at most ``limit`` bytes, within
    ``timeout``."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise FetchError(Message(N_("Enter a web address starting with https://.")))
    check_host(parts.hostname)
    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"}
    )
    try:
        with open_url(request, timeout) as response:
            body = response.read(limit + 1)
    except urllib.error.HTTPError as exc:
        raise FetchError(
            Message(N_("The server answered with error %(status)d."), {"status": exc.code})
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError):
        raise FetchError(_unreachable(parts.hostname)) from None
    if len(body) > limit:
        raise FetchError(Message(N_("The file is larger than %(kb)d KB."), {"kb": limit // 1024}))
    return body


def _unreachable(host: str) -> Message:
    return Message(
        N_(
            "The wallet could not reach %(host)s: it may be offline. Download the file "
            "and upload it instead."
        ),
        {"host": host},
    )
