"""The wallet's one rule for outgoing fetches: a host may be contacted only when every address
it resolves to is a public (globally routable) one. Private, loopback, link-local, unique-local,
reserved and cloud metadata addresses (``169.254.169.254``, ``fd00:ec2::254``) are refused, so
an offer, a request link or a pathway URL cannot make the wallet reach into the network it runs
in.

Each caller keeps its own messages and its own exceptions for this computer (plain http to
``localhost`` in the tests and the demo); this module only answers the question.

The check resolves the name, and the HTTP client resolves it again when it connects, so a name
whose DNS answer changes in between (DNS rebinding) could slip through the check alone. The
clients therefore also check the address they actually connected to, before sending a byte:
:func:`mount_public` for ``requests`` sessions and :func:`public_opener` for ``urllib``.

Example::

    try:
        addresses = resolve("issuer.example", 443)
    except OSError:
        raise SomeError("unreachable") from None
    if not all_public(addresses):
        raise SomeError("private address")
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.request
from collections.abc import Iterable
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = ["PrivateAddress", "PublicOnlyAdapter", "all_public", "check_peer", "mount_public",
           "public_opener", "resolve"]


def resolve(host: str, port: int | None = None) -> list[str]:
    """The IP addresses ``host`` resolves to for a TCP connection to ``port``, as text (an IPv6
    address may carry a ``%scope``).

    Raises ``OSError`` when ``host`` does not resolve (``UnicodeError`` for a name that cannot
    be encoded is raised as ``OSError`` too).
    """
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except UnicodeError as exc:
        raise OSError(f"cannot resolve {host!r}: {exc}") from None
    return [str(info[4][0]) for info in infos]


def all_public(addresses: Iterable[str], *, allow_loopback: bool = False) -> bool:
    """Whether every one of ``addresses`` is public (``is_global``); loopback addresses also
    pass when ``allow_loopback``. False for no addresses at all, and for text that is not an IP
    address. An IPv6 ``%scope`` is ignored."""
    seen = False
    for text in addresses:
        try:
            address = ipaddress.ip_address(str(text).split("%", 1)[0])
        except ValueError:
            return False
        if not (address.is_global or (allow_loopback and address.is_loopback)):
            return False
        seen = True
    return seen


class PrivateAddress(OSError):
    """A connection reached an address that is not public; nothing was sent over it."""


def check_peer(sock: socket.socket, *, allow_loopback: bool = False) -> None:
    """Close ``sock`` and raise :class:`PrivateAddress` unless its peer address is public."""
    try:
        address = str(sock.getpeername()[0])
    except OSError:
        address = ""
    if not all_public([address], allow_loopback=allow_loopback):
        sock.close()
        raise PrivateAddress(f"connected to a non-public address {address!r}; nothing sent")


class _Checked:
    allow_loopback = False

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        check_peer(sock, allow_loopback=self.allow_loopback)
        return sock


class _HTTP(_Checked, HTTPConnection):
    pass


class _HTTPS(_Checked, HTTPSConnection):
    pass


class _HTTPLocal(_HTTP):
    allow_loopback = True


class _HTTPSLocal(_HTTPS):
    allow_loopback = True


def _pools(allow_loopback: bool) -> dict[str, type]:
    plain, tls = (_HTTPLocal, _HTTPSLocal) if allow_loopback else (_HTTP, _HTTPS)
    return {"http": type("PublicPool", (HTTPConnectionPool,), {"ConnectionCls": plain}),
            "https": type("PublicTLSPool", (HTTPSConnectionPool,), {"ConnectionCls": tls})}


class PublicOnlyAdapter(HTTPAdapter):
    """A ``requests`` adapter whose connections refuse, right after connecting, a peer that
    is not public (loopback too when ``allow_loopback``): mount it on ``http://`` and
    ``https://``. Closes the DNS-rebinding gap between :func:`resolve` and the connection."""

    def __init__(self, *, allow_loopback: bool = False, **kwargs: Any) -> None:
        self.allow_loopback = allow_loopback
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _pools(self.allow_loopback)

    def __setstate__(self, state: dict) -> None:  # requests pickles adapters with sessions
        self.allow_loopback = state.get("allow_loopback", False)
        super().__setstate__(state)


def mount_public(session: requests.Session, *, allow_loopback: bool = False) -> None:
    """Make every http and https connection of ``session`` go through :class:`PublicOnlyAdapter`."""
    adapter = PublicOnlyAdapter(allow_loopback=allow_loopback)
    session.mount("https://", adapter)
    session.mount("http://", adapter)


class _PublicHTTPConnection(http.client.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        check_peer(self.sock)


class _PublicHTTPSConnection(http.client.HTTPSConnection):
    def connect(self) -> None:
        # Check the peer before the TLS handshake: connect as plain TCP first.
        http.client.HTTPConnection.connect(self)
        check_peer(self.sock)
        server_hostname = self._tunnel_host or self.host
        self.sock = self._context.wrap_socket(self.sock, server_hostname=server_hostname)


class _PublicHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_PublicHTTPConnection, req)


class _PublicHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_PublicHTTPSConnection, req, context=self._context)


def public_opener(*handlers: Any) -> urllib.request.OpenerDirector:
    """A ``urllib`` opener whose connections refuse a non-public peer before sending anything."""
    return urllib.request.build_opener(_PublicHTTPHandler, _PublicHTTPSHandler, *handlers)
