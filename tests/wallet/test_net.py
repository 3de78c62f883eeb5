"""DNS rebinding: the wallet's HTTP clients check the address they actually connected to, so a
name that resolved to a public address for the check but to this computer (or a private
network) at connection time gets nothing sent to it."""

from __future__ import annotations

import threading
import urllib.error
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from flask import Flask

from wallet import net
from wallet.oid4vc.http import IssuerSession
from wallet.oid4vp import client as oid4vp_client


class Local:
    def __init__(self) -> None:
        self.requests = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests += 1
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"


@pytest.fixture
def local() -> Iterator[Local]:
    server = Local()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def public_session(allow_loopback: bool) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    net.mount_public(session, allow_loopback=allow_loopback)
    return session


def test_requests_through_the_adapter_send_nothing_to_this_computer(local: Local) -> None:
    with pytest.raises(requests.ConnectionError, match="non-public address"):
        public_session(False).get(local.url, timeout=5)
    assert local.requests == 0
    assert public_session(True).get(local.url, timeout=5).text == "ok"  # when it is allowed
    assert local.requests == 1


def test_urllib_through_the_public_opener_sends_nothing_to_this_computer(local: Local) -> None:
    with pytest.raises((urllib.error.URLError, net.PrivateAddress)):
        net.public_opener().open(local.url, timeout=5)
    assert local.requests == 0


def test_every_wallet_client_checks_the_address_it_connects_to(app: Flask) -> None:
    with app.test_request_context():
        session = IssuerSession(client_id="wallet")
        for url in ("https://issuer.example/", "http://issuer.example/"):
            assert isinstance(session.get_adapter(url), net.PublicOnlyAdapter)
            assert isinstance(oid4vp_client._session(False).get_adapter(url),
                              net.PublicOnlyAdapter)
    assert not oid4vp_client._session(False).get_adapter("https://v.example/").allow_loopback
