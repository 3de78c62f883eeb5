"""Opening a learner's share link: the verifier's one network call.

A wallet share link is ``<wallet>/s/<token>``; the wallet serves the signed presentation at
``<link>/presentation`` (the PIN, when the share has one, in the ``X-Share-PIN`` header; 404
for a link that does not work, 403 for a missing or wrong PIN). The presentation is signed with
a challenge derived from the token (:func:`share_challenge`) and the wallet's origin as its
domain, so a presentation copied from another link fails those checks. Only ``https`` links,
or ``http`` to this machine, are opened; the answer is read with a short timeout and a size
cap, redirects are not followed, and verifying what came back stays offline.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import re
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

PIN_HEADER = "X-Share-PIN"
CHALLENGE_LABEL = "learner-wallet share challenge|"
CHALLENGE_BYTES = 16
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
TIMEOUT_SECONDS = 5.0
MAX_BYTES = 10 * 1024 * 1024
_SHARE_PATH = re.compile(r"^(?P<base>(?:/[^/?#]*)*?/s/(?P<token>[A-Za-z0-9_-]{16,200}))/?$")
ACCEPT = "application/vp+ld+json, application/json;q=0.9, */*;q=0.1"


class LinkError(Exception):
    """The link cannot be opened; ``message`` says why in the reader's language."""

    def __init__(self, message: LazyString | str) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class ShareLink:
    """A parsed share link: the link itself, its token and the wallet's origin."""

    url: str
    token: str
    origin: str

    @property
    def presentation_url(self) -> str:
        """Where the wallet serves the link's presentation."""
        return self.url + "/presentation"

    @property
    def challenge(self) -> str:
        """The challenge the wallet signed this link's presentation with."""
        return share_challenge(self.token)


def share_challenge(token: str) -> str:
    """The challenge of a share's presentation: Base64url (no padding) of the first 16 bytes
    of SHA-256(label + token), as the wallet makes it (``wallet/sharing/links.py``)."""
    digest = hashlib.sha256((CHALLENGE_LABEL + token).encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest[:CHALLENGE_BYTES]).rstrip(b"=").decode("ascii")


def looks_like_link(text: str) -> bool:
    """Whether ``text`` is a single web address (what a share QR code holds)."""
    stripped = text.strip()
    return stripped.lower().startswith(("https://", "http://")) and not any(
        c.isspace() for c in stripped
    )


def parse(text: str) -> ShareLink:
    """The share link in ``text``; :class:`LinkError` when it is not one this verifier opens."""
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError:
        raise LinkError(_l("This is not a web address.")) from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise LinkError(_l("A share link starts with https://."))
    if parts.username or parts.password:
        raise LinkError(_l("A share link does not contain a user name or password."))
    if parts.scheme == "http" and host not in LOCAL_HOSTS:
        raise LinkError(
            _l(
                "Only https links are opened (plain http only to this computer), so nobody can "
                "change the presentation on its way."
            )
        )
    match = _SHARE_PATH.match(parts.path)
    if match is None:
        raise LinkError(
            _l("This is not a wallet share link: its address should end in /s/ and a code.")
        )
    netloc = f"[{host}]" if ":" in host else host
    origin = f"{parts.scheme}://{netloc}" + (f":{port}" if port else "")
    return ShareLink(url=origin + match.group("base"), token=match.group("token"), origin=origin)


def fetch(link: ShareLink, *, pin: str = "", timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The presentation the link serves, at most :data:`MAX_BYTES`; :class:`LinkError` when
    the wallet cannot be reached or refuses, in words the employer can act on."""
    parts = urlsplit(link.presentation_url)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    kwargs = {"context": ssl.create_default_context()} if parts.scheme == "https" else {}
    connection = connection_class(parts.hostname, parts.port, timeout=timeout, **kwargs)
    headers = {"Accept": ACCEPT, "User-Agent": "learner-wallet-verifier"}
    if pin:
        headers[PIN_HEADER] = pin
    try:
        connection.request("GET", parts.path, headers=headers)
        response = connection.getresponse()
        status = response.status
        body = response.read(MAX_BYTES + 1) if status == 200 else b""
    except TimeoutError:
        raise LinkError(_l("The wallet did not answer in time. Try again later.")) from None
    except ssl.SSLError:
        raise LinkError(
            _l("The wallet's https certificate is not valid, so the link was not opened.")
        ) from None
    except (OSError, http.client.HTTPException):
        raise LinkError(_l("The wallet at this address cannot be reached.")) from None
    finally:
        connection.close()
    if status == 200 and len(body) > MAX_BYTES:
        raise LinkError(_l("The wallet sent more than the verifier reads (10 MB)."))
    if status == 200 and body:
        return body
    raise LinkError(_status_message(status, pin))


def _status_message(status: int, pin: str) -> LazyString:
    if status in (404, 410):
        return _l("This link does not work: it may have expired, been withdrawn, or be mistyped.")
    if status in (401, 403):
        if pin:
            return _l("The PIN is not right. Ask the learner for it.")
        return _l("This link has a PIN. Ask the learner for it and type it in.")
    if status == 429:
        return _l("The wallet has had too many attempts. Wait a few minutes, then try again.")
    if 300 <= status < 400:
        return _l("The wallet sent the verifier elsewhere; redirects are not followed.")
    return _l("The wallet could not hand over the presentation (HTTP %(status)s).", status=status)
