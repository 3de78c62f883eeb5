"""Credentials of every format a learner imports, signed inside each test with the project's own
code, and the images they arrive in (baked badges, QR codes, hostile PNGs).

Every helper returns the bytes a learner would upload or the text they would paste.
"""

from __future__ import annotations

import io
import json
import struct
import zlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import qrcode
from PIL import Image

from tests.conftest import NOW, ob3_credential
from tests.ob2_factory import TINY_SVG, Ob2Issuer, png_chunk, tiny_png
from verifier import DocumentCache, KeyPair, TrustStore
from verifier.baking import bake_png, bake_svg
from verifier.issuing import (
    issue_jwt,
    issue_ldp,
    sign_presentation,
    status_entry,
    status_list_credential,
)
from verifier.keys import public_key_to_jwk
from verifier.suites.sd_jwt import issue_sd_jwt, present
from verifier.trust import TrustedIssuer
from wallet.importers.qr import encode_presentation
from wallet.verification import CACHE_FOLDER, TRUST_FILE

__all__ = ["NOW", "TINY_SVG", "tiny_png"]

STATUS_URL = "https://demo-university.example/status/1"
SD_JWT_TYPE = "https://credentials.example.org/micro-credential"


def new_key() -> KeyPair:
    """A fresh Ed25519 issuer (or holder) key with a did:key."""
    return KeyPair.generate("Ed25519")


def ob3_document(key: KeyPair, **overrides: Any) -> dict[str, Any]:
    """An unsigned Open Badges 3.0 credential from ``key``'s DID; overrides replace properties."""
    return ob3_credential(key.controller, **overrides)


def ldp_credential(key: KeyPair, **overrides: Any) -> dict[str, Any]:
    """An OB 3.0 credential with an eddsa-rdfc-2022 Data Integrity proof, as a JSON object."""
    return issue_ldp(ob3_document(key, **overrides), key, created=NOW - timedelta(days=30))


def ldp_bytes(key: KeyPair, **overrides: Any) -> bytes:
    """A signed OB 3.0 JSON-LD credential as the file an issuer hands out."""
    return json.dumps(ldp_credential(key, **overrides), indent=2).encode()


def jwt_credential(key: KeyPair, **overrides: Any) -> str:
    """An OB 3.0 credential secured as a ``vc+jwt`` (VC-JOSE-COSE)."""
    return issue_jwt(ob3_document(key, **overrides), key)


def sd_jwt_credential(key: KeyPair, *, holder: KeyPair | None = None) -> str:
    """An SD-JWT VC with a selectively disclosable given name, bound to ``holder`` if given."""
    return issue_sd_jwt(
        {"name": "Welding Safety", "given_name": "Ada"},
        disclose=["given_name"],
        issuer_key=key,
        vct=SD_JWT_TYPE,
        iss=key.controller,
        iat=NOW - timedelta(days=2),
        holder_jwk=public_key_to_jwk(holder.public_key) if holder else None,
    )


def sd_jwt_presentation(key: KeyPair, holder: KeyPair) -> tuple[str, str]:
    """An SD-JWT presented with a key-binding JWT, and the SD-JWT without it."""
    token = sd_jwt_credential(key, holder=holder)
    presented = present(
        token,
        keep=["given_name"],
        holder_key=holder,
        nonce="8c1f",
        audience="https://employer.example",
        now=NOW,
    )
    return presented, presented[: presented.rindex("~") + 1]


def tampered_bytes(key: KeyPair) -> bytes:
    """A signed credential whose title was changed after signing."""
    document = ldp_credential(key)
    document["name"] = "Advanced Data Analysis"
    return json.dumps(document).encode()


def presentation(credentials: list[dict[str, Any] | str], holder: KeyPair) -> dict[str, Any]:
    """A presentation signed by ``holder``; JWT and SD-JWT credentials go in enveloped."""
    return sign_presentation(credentials, holder, created=NOW - timedelta(hours=1))


def compressed(document: dict[str, Any] | str) -> str:
    """The ``VP1:`` text of a presentation or credential, as a QR code carries it."""
    text = document if isinstance(document, str) else json.dumps(document, separators=(",", ":"))
    return encode_presentation(text.encode())


# -- images ----------------------------------------------------------------------------------
def baked_png(payload: str, *, ob3: bool = True) -> bytes:
    """A small PNG with ``payload`` baked in (OB 3.0 ``openbadgecredential`` or OB 2.0)."""
    return bake_png(tiny_png(), payload, ob3=ob3)


def baked_svg(payload: str, *, ob3: bool = True) -> bytes:
    """A small SVG with ``payload`` baked in."""
    return bake_svg(TINY_SVG, payload, ob3=ob3)


def qr_png(text: str) -> bytes:
    """A PNG of a QR code holding ``text``, as a screenshot would show it."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, box_size=4, border=4)
    code.add_data(text)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out, format="PNG")
    return out.getvalue()


def qr_picture(text: str, image_format: str, *, transparent: bool = False) -> bytes:
    """The QR code of ``text`` saved as ``image_format`` (PNG, JPEG, GIF, WEBP), its light
    modules transparent when asked (black on nothing, as some apps export it)."""
    code = Image.open(io.BytesIO(qr_png(text))).convert("L")
    picture = code.convert("RGB")
    if transparent:
        picture = Image.new("RGBA", code.size, (0, 0, 0, 0))
        picture.putalpha(code.point(lambda v: 255 - v))
    out = io.BytesIO()
    picture.save(out, format=image_format)
    return out.getvalue()


def qr_photo(text: str) -> bytes:
    """A JPEG "photo": the QR code small on a larger grey background, slightly blurred by JPEG."""
    code = Image.open(io.BytesIO(qr_png(text))).convert("RGB")
    photo = Image.new("RGB", (code.width * 3, code.height * 2), (200, 200, 190))
    photo.paste(code, (code.width, code.height // 2))
    out = io.BytesIO()
    photo.save(out, format="JPEG", quality=85)
    return out.getvalue()


def plain_jpeg() -> bytes:
    """A picture with nothing to read in it."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


def decompression_bomb_png(side: int = 20_000) -> bytes:
    """A tiny PNG whose header claims ``side``×``side`` pixels of one-bit grey (all zeros)."""
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    row = b"\x00" * (1 + (side + 7) // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


# -- the wallet's verifier home --------------------------------------------------------------
def trust_issuer(home: str | Path, key: KeyPair, name: str = "Demo University") -> None:
    """Record ``key``'s DID as a trusted issuer in the wallet's ``trust.json``."""
    store = TrustStore.from_file(Path(home) / TRUST_FILE)
    store.add(
        TrustedIssuer(
            id=key.controller, name=name, registry="test", keys=(), added_at=NOW - timedelta(days=1)
        )
    )
    store.save()


def home_cache(home: str | Path) -> DocumentCache:
    """The wallet's document cache, opened for writing."""
    return DocumentCache.open(Path(home) / CACHE_FOLDER)


def publish_status_list(home: str | Path, key: KeyPair, *, revoked: tuple[int, ...]) -> None:
    """Put a signed status list with ``revoked`` bits set into the wallet's cache."""
    document = status_list_credential(
        STATUS_URL, key, set_indices=revoked, created=NOW - timedelta(days=1)
    )
    home_cache(home).put_json(STATUS_URL, document, fetched_at=NOW - timedelta(hours=2))


def revocable_bytes(key: KeyPair, index: int) -> bytes:
    """A signed credential whose status is bit ``index`` of the list at ``STATUS_URL``."""
    return ldp_bytes(key, credentialStatus=status_entry(STATUS_URL, index))


def ob2_issuer(home: str | Path) -> Ob2Issuer:
    """An Open Badges 2.0 issuer whose profile, badge class and key are in the wallet's cache."""
    return Ob2Issuer(home_cache(home))


def when(days: int = 0) -> datetime:
    """The tests' clock, ``days`` from now."""
    return NOW + timedelta(days=days)
