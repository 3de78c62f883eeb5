"""Genuine documents of every format the verifier reads, made once per session with the
project's own signing code: the starting points of the fuzzers and of the no-network tests."""

from __future__ import annotations

import functools
import json
from datetime import timedelta

from tests.conftest import NOW, ob3_credential
from tests.edc_factory import elm_payload, make_pki, seal_edc
from tests.ob2_factory import TINY_SVG, tiny_png
from tests.tl_factory import ListSpec, elm2_presentation, pki, sign, signed_list
from verifier import KeyPair
from verifier.baking import bake_png, bake_svg
from verifier.issuing import issue_jwt, issue_ldp, sign_presentation, status_list_credential
from verifier.suites.sd_jwt import issue_sd_jwt
from wallet.importers.qr import encode_presentation


@functools.cache
def issuer() -> KeyPair:
    return KeyPair.generate("Ed25519")


@functools.cache
def ldp_json() -> bytes:
    doc = issue_ldp(ob3_credential(issuer().controller), issuer(), created=NOW - timedelta(days=3))
    return json.dumps(doc).encode()


@functools.cache
def jwt_text() -> bytes:
    return issue_jwt(ob3_credential(issuer().controller), issuer()).encode()


@functools.cache
def sd_jwt_text() -> bytes:
    token = issue_sd_jwt(
        {"name": "Welding Safety", "given_name": "Ada", "family_name": "Lovelace"},
        disclose=["given_name", "family_name"],
        issuer_key=issuer(),
        vct="https://credentials.example.org/micro-credential",
        iss=issuer().controller,
        iat=NOW - timedelta(days=2),
    )
    return token.encode()


@functools.cache
def presentation_json() -> bytes:
    cred = json.loads(ldp_json())
    vp = sign_presentation([cred, jwt_text().decode()], issuer(), created=NOW, challenge="c1")
    return json.dumps(vp).encode()


@functools.cache
def jades_text() -> bytes:
    return seal_edc(elm_payload(), make_pki(), level="B-B").encode()


@functools.cache
def xml_edc() -> bytes:
    return sign(elm2_presentation(), pki("Fuzz Seal", org_id="VATSI-12345678", label="fuzz-seal"))


@functools.cache
def trusted_list_xml() -> bytes:
    return signed_list(ListSpec(territory="EU", lotl=True), pki("Fuzz LOTL", label="fuzz-lotl"))


@functools.cache
def status_list_json() -> bytes:
    url = "https://uni.example/status/1"
    doc = status_list_credential(url, issuer(), set_indices=(3,), created=NOW, length=1024)
    return json.dumps(doc).encode()


@functools.cache
def baked_png_bytes() -> bytes:
    return bake_png(tiny_png(), ldp_json().decode(), ob3=True)


@functools.cache
def baked_svg_bytes() -> bytes:
    return bake_svg(TINY_SVG, jwt_text().decode(), ob3=True)


@functools.cache
def vp1_text() -> bytes:
    return encode_presentation(presentation_json()).encode()


@functools.cache
def pathway_file() -> bytes:
    """The pathway example the wallet ships (wallet/pathways/examples)."""
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "wallet" / "pathways" / "examples"
    return sorted(folder.glob("*.json"))[0].read_bytes()


BACKUP_PASSPHRASE = "a long backup passphrase"


@functools.cache
def backup_file() -> bytes:
    """A sealed backup file (cheap Argon2) holding a small payload."""
    from wallet.backup import archive

    payload = {"format": "fuzz", "credentials": [{"id": 1, "original": ldp_json().decode()}]}
    return archive.seal(
        payload, BACKUP_PASSPHRASE, time_cost=1, memory_cost=8, parallelism=1, created_at=NOW
    )
