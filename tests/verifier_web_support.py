"""Helpers for the verifier web tests: a standalone verifier app over a temporary
``VERIFIER_HOME`` that trusts one issuer, signed credentials and presentations, QR images, and
a tiny wallet that serves share links."""

from __future__ import annotations

import copy
import http.server
import io
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import qrcode
from flask import Flask

from tests.conftest import ob3_credential
from verifier import KeyPair, TrustedIssuer, TrustStore
from verifier.issuing import issue_jwt, issue_ldp, sign_presentation
from verifier.qr import encode_presentation
from verifier.web import create_app
from verifier.web.links import PIN_HEADER, share_challenge

NOW = datetime.now(UTC)


def verifier_app(home: Path, issuer: KeyPair | None = None, **config: Any) -> Flask:
    """The standalone verifier over ``home``, trusting ``issuer`` when given."""
    if issuer is not None:
        trust(home, issuer)
    settings = {"TESTING": True, "VERIFIER_HOME": str(home), "WTF_CSRF_ENABLED": False}
    return create_app({**settings, **config})


def trust(home: Path, issuer: KeyPair, name: str = "Demo University") -> None:
    """Add ``issuer`` to the trust store in ``home``."""
    home.mkdir(parents=True, exist_ok=True)
    store = TrustStore.from_file(home / "trust.json")
    store.add(
        TrustedIssuer(
            id=issuer.controller, name=name, registry="test", added_at=NOW - timedelta(days=1)
        )
    )
    store.save()


def credential(
    issuer: KeyPair, holder: KeyPair | None = None, *, title: str | None = None, **overrides: Any
) -> dict:
    """A signed Open Badges 3.0 credential about ``holder`` (its achievement named ``title``)."""
    doc = ob3_credential(issuer.controller, **overrides)
    subject = copy.deepcopy(doc["credentialSubject"])
    if holder is not None:
        subject["id"] = holder.controller
    if title is not None:
        subject["achievement"]["name"] = title
    doc["credentialSubject"] = subject
    return issue_ldp(doc, issuer, created=NOW - timedelta(days=1))


def jwt_credential(issuer: KeyPair) -> str:
    """A signed JWT credential (VC-JOSE)."""
    return issue_jwt(ob3_credential(issuer.controller), issuer)


def presentation(issuer: KeyPair, holder: KeyPair, count: int = 3, **options: Any) -> dict:
    """A presentation of ``count`` credentials signed by ``holder``."""
    creds = [credential(issuer, holder, title=f"Course {i + 1}") for i in range(count)]
    return sign_presentation(creds, holder, created=NOW, **options)


def compressed(document: bytes) -> str:
    """The ``VP1:`` QR text of a document."""
    return encode_presentation(document)


def qr_png(text: str, *, box_size: int = 4) -> bytes:
    """A PNG of a QR code holding ``text``."""
    image = qrcode.make(text, box_size=box_size, border=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@dataclass
class FakeWallet:
    """A wallet that serves share links ``/s/<token>`` on 127.0.0.1, as the real one does."""

    url: str = ""
    shares: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)

    def link(self, token: str) -> str:
        """The share link of ``token``."""
        return f"{self.url}/s/{token}"

    def share(
        self,
        token: str,
        holder: KeyPair,
        issuer: KeyPair,
        *,
        pin: str = "",
        count: int = 3,
        challenge: str | None = None,
    ) -> str:
        """Publish a share of ``count`` credentials; return its link."""
        vp = presentation(
            issuer, holder, count, challenge=challenge or share_challenge(token), domain=self.url
        )
        self.shares[token] = (json.dumps(vp).encode(), pin)
        return self.link(token)


@contextmanager
def fake_wallet() -> Iterator[FakeWallet]:
    """Serve a :class:`FakeWallet` in a thread until the block ends."""
    wallet = FakeWallet()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            wallet.hits.append(self.path)
            parts = self.path.strip("/").split("/")
            found = wallet.shares.get(parts[1]) if len(parts) == 3 and parts[0] == "s" else None
            if found is None or parts[2] != "presentation":
                self.send_error(404)
                return
            body, pin = found
            if pin and self.headers.get(PIN_HEADER) != pin:
                self.send_error(403)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    wallet.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield wallet
    finally:
        server.shutdown()
        server.server_close()
