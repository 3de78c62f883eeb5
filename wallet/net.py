"""The wallet's one rule for outgoing fetches: a host may be contacted only when every address
it resolves to is a public (globally routable) one. Private, loopback, link-local, unique-local,
reserved and cloud metadata addresses (``169.254.169.254``, ``fd00:ec2::254``) are refused, so
an offer, a request link or a pathway URL cannot make the wallet reach into the network it runs
in.

Each caller keeps its own messages and its own exceptions for this computer (plain http to
``localhost`` in the tests and the demo); this module only answers the question.

The check resolves the name, and the HTTP client resolves it again when it connects: a name
whose DNS answer changes in between (DNS rebinding) is *not* caught here.

Example::

    try:
        addresses = resolve("issuer.example", 443)
    except OSError:
        raise SomeError("unreachable") from None
    if not all_public(addresses):
        raise SomeError("private address")
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable

__all__ = ["all_public", "resolve"]


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
