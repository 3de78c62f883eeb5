"""Baked badges (Open Badges Baking Specification; OB 3.0 §5.3): unbaking PNG and SVG images
safely, baking them for the demo issuers, and the corpus's baked images verified end to end."""

from __future__ import annotations

import socket

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import corpus
from tests.ob2_factory import TINY_SVG, Ob2Issuer, itxt, png_chunk, tiny_png
from verifier import DocumentCache, MalformedDocument, TrustStore, baking, verify
from verifier.baking import BakedPayload, bake_png, bake_svg, is_image, unbake
from verifier.checks import Options
from verifier.ob2 import verify_ob2
from verifier.report import Report

JWS = "eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ.c2lnbmF0dXJl"
JSON = '{"@context": "https://w3id.org/openbadges/v2", "id": "https://x.example/a/1"}'


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("unbaking tried to use the network")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def refused(data: bytes, words: str) -> None:
    with pytest.raises(MalformedDocument) as caught:
        unbake(data)
    assert words.lower() in caught.value.message.lower()


# -- round trips -----------------------------------------------------------------------------------
@pytest.mark.parametrize("payload", [JSON, JWS, "https://x.example/assertions/1"])
@pytest.mark.parametrize("ob3", [False, True])
def test_png_round_trip(payload, ob3):
    baked = bake_png(tiny_png(), payload, ob3=ob3)
    assert unbake(baked) == BakedPayload(kind="ob3" if ob3 else "ob2", text=payload, media="png")
    assert is_image(baked) and unbake(bake_png(baked, JWS, ob3=ob3)).text == JWS  # replaced


@pytest.mark.parametrize("payload", [JSON, JWS])
@pytest.mark.parametrize("ob3", [False, True])
def test_svg_round_trip(payload, ob3):
    baked = bake_svg(TINY_SVG, payload, ob3=ob3)
    assert unbake(baked) == BakedPayload(kind="ob3" if ob3 else "ob2", text=payload, media="svg")
    assert b"<circle" in baked
    if payload == JSON and not ob3:  # OB 2.0 puts the hosted assertion's URL in verify
        assert b'verify="https://x.example/a/1"' in baked
    with pytest.raises(ValueError, match="already"):
        bake_svg(baked, payload, ob3=ob3)


def test_cdata_end_inside_the_payload_survives_svg_baking():
    payload = '{"narrative": "a ]]> b"}'
    assert unbake(bake_svg(TINY_SVG, payload, ob3=True)).text == payload


@given(st.dictionaries(st.text(max_size=10), st.text(max_size=30), max_size=5))
@settings(max_examples=40)
def test_any_json_object_survives_baking_and_unbaking(value):
    import json

    payload = json.dumps(value)
    if not payload.startswith("{"):
        return
    assert unbake(bake_png(tiny_png(), payload, ob3=True)).text == payload
    assert unbake(bake_svg(TINY_SVG, payload, ob3=False)).text == payload.strip()


@given(st.data())
@settings(max_examples=60)
def test_changing_any_byte_of_a_baked_png_is_detected(data):
    baked = bake_png(tiny_png(), JWS, ob3=False)
    at = data.draw(st.integers(0, len(baked) - 1))
    flip = data.draw(st.integers(1, 255))
    damaged = baked[:at] + bytes([baked[at] ^ flip]) + baked[at + 1:]
    with pytest.raises(MalformedDocument):
        unbake(damaged)


@given(st.binary(max_size=300), st.sampled_from([b"\x89PNG\r\n\x1a\n", b"<svg", b"<?xml ", b""]))
@settings(max_examples=300)
def test_unbaking_arbitrary_bytes_raises_only_malformed_document(tail, head):
    try:
        unbake(head + tail)
    except MalformedDocument:
        pass


@given(st.lists(st.tuples(st.sampled_from([b"iTXt", b"tEXt", b"zTXt", b"IDAT"]),
                          st.sampled_from([b"openbadges", b"openbadgecredential", b"x"]),
                          st.binary(max_size=40)), max_size=4))
@settings(max_examples=200)
def test_unbaking_well_formed_pngs_with_odd_chunks_never_crashes(chunks):
    try:
        unbake(tiny_png(*(png_chunk(t, k + b) for t, k, b in chunks)))
    except MalformedDocument:
        pass


# -- PNG -------------------------------------------------------------------------------------------
def test_png_with_a_corrupted_crc_is_refused():
    baked = bytearray(bake_png(tiny_png(), JWS, ob3=False))
    baked[baked.index(b"iTXt") + 20] ^= 0x01  # one bit of the badge text
    refused(bytes(baked), "checksum (CRC) of its iTXt chunk is wrong")


def test_png_without_a_badge_is_refused():
    refused(tiny_png(), "this image has no badge baked into it")
    refused(tiny_png(itxt("Comment", b"hello")), "no badge baked")


@pytest.mark.parametrize(("data", "words"), [
    (b"\xff\xd8\xff\xe0JFIF", "not a PNG or SVG image"),
    (b'{"@context": "https://w3id.org/openbadges/v2"}', "not a PNG or SVG image"),
    (b"GIF89a", "not a PNG or SVG image"),
    (tiny_png()[:-6], "truncated"),
    (b"\x89PNG\r\n\x1a\n", "truncated"),
    (tiny_png(itxt("openbadges", JWS.encode()), itxt("openbadgecredential", JWS.encode())),
     "more than one badge"),
    (tiny_png(itxt("openbadges", b"\xff\xfe")), "not UTF-8"),
    (tiny_png(itxt("openbadges", b"hello")), "not a badge"),
    (tiny_png(itxt("openbadges", b"{not json")), "not valid JSON"),
    (tiny_png(png_chunk(b"iTXt", b"openbadges\0")), "malformed iTXt"),
])
def test_damaged_or_foreign_images_are_refused(data, words):
    refused(data, words)


def test_compressed_itxt_is_read():
    assert unbake(tiny_png(itxt("openbadges", JWS.encode(), compressed=True))).text == JWS


def test_decompression_bomb_is_refused():
    bomb = b"{" + b" " * (64 * 1024 * 1024) + b"}"  # 64 MB that compresses to ~64 KB
    refused(tiny_png(itxt("openbadgecredential", bomb, compressed=True)), "decompression bomb")


def test_oversized_images_are_refused_before_reading(monkeypatch):
    monkeypatch.setattr(baking, "MAX_IMAGE_BYTES", 100)
    refused(tiny_png(itxt("openbadges", JWS.encode() * 3)), "larger than")


def test_legacy_text_chunk_with_the_assertion_url():
    url = b"https://x.example/assertions/1"
    chunk = png_chunk(b"tEXt", b"openbadges\0" + url)
    assert unbake(tiny_png(chunk)) == BakedPayload("ob2", url.decode(), "png")


def test_too_many_chunks_are_refused(monkeypatch):
    monkeypatch.setattr(baking, "MAX_CHUNKS", 3)
    refused(tiny_png(itxt("Comment", b"a"), itxt("Comment", b"b")), "more than 3 chunks")


# -- SVG -------------------------------------------------------------------------------------------
def svg(body: str, doctype: str = "") -> bytes:
    return (f'<?xml version="1.0"?>{doctype}<svg xmlns="http://www.w3.org/2000/svg" '
            f'xmlns:openbadges="http://openbadges.org">{body}</svg>').encode()


BADGE = f'<openbadges:assertion verify="{JWS}"/>'


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE svg [<!ENTITY xxe SYSTEM "https://attacker.example/x">]>',
    '<!DOCTYPE svg [<!ENTITY xxe PUBLIC "-//X//Y" "http://attacker.example/y">]>',
    '<!DOCTYPE svg [<!ENTITY img SYSTEM "https://attacker.example/i" NDATA png>]>',
])
def test_svg_with_an_external_entity_is_refused(doctype, no_network):
    refused(svg(BADGE + "<text>&xxe;</text>", doctype), "declares an external entity")


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    '<!DOCTYPE svg [<!ENTITY % p "x">]>',
])
def test_svg_with_expanding_entities_is_refused(doctype):
    refused(svg(BADGE, doctype), "entities")


def test_svg_quadratic_blowup_is_refused():
    doctype = f'<!DOCTYPE svg [<!ENTITY a "{"x" * 1000}">]>'
    refused(svg(BADGE + "<text>" + "&a;" * 2000 + "</text>", doctype), "expand to more than")


def test_svg_with_a_doctype_and_simple_entities_is_read_offline(no_network):
    # Illustrator writes these; the external DTD (as in the 1EdTech OB 3.0 images) is not loaded.
    doctype = ('<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
               '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd" '
               '[<!ENTITY ns_svg "http://www.w3.org/2000/svg">]>')
    assert unbake(svg(BADGE + '<g id="&ns_svg;"/>', doctype)).text == JWS


@pytest.mark.parametrize(("data", "words"), [
    (svg("<g>"), "not well-formed"),
    (svg("<g/>"), "no badge baked into it"),
    (svg("<openbadges:assertion/>"), "element in this SVG image is empty"),
    (svg("<openbadges:assertion><![CDATA[{verify: 1}]]></openbadges:assertion>"),
     "not valid JSON"),
    (svg(BADGE + BADGE), "more than one badge"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><openbadges:assertion verify="x"/></svg>',
     "not well-formed"),  # an undeclared prefix
])
def test_bad_svgs_are_refused(data, words):
    refused(data, words)


def test_svg_badge_body_wins_over_verify_url():
    body = f'<openbadges:assertion verify="https://x.example/a/1"><![CDATA[ {JSON} ]]>' \
           "</openbadges:assertion>"
    assert unbake(svg(body)).text == JSON


def test_is_image():
    assert is_image(tiny_png()) and is_image(TINY_SVG) and is_image(b"\xef\xbb\xbf  " + TINY_SVG)
    for other in (JSON.encode(), JWS.encode(), b"", b"<html><body/></html>", b"\xff\xd8"):
        assert not is_image(other)
    assert not is_image("not bytes")  # type: ignore[arg-type]


def test_baking_refuses_what_is_not_its_image():
    with pytest.raises(ValueError):
        bake_png(TINY_SVG, JWS, ob3=False)
    with pytest.raises(ValueError):
        bake_svg(tiny_png(), JWS, ob3=False)
    with pytest.raises(TypeError):
        unbake("text")  # type: ignore[arg-type]


# -- end to end: a demo issuer's badge baked, unbaked and verified ---------------------------------
def test_a_baked_signed_badge_verifies(no_network):
    issuer = Ob2Issuer(DocumentCache.in_memory())
    for image in (bake_png(tiny_png(), issuer.signed(), ob3=False),
                  bake_svg(TINY_SVG, issuer.signed(), ob3=False)):
        payload = unbake(image)
        opts = Options(now=corpus.EVALUATED_AT, cache=issuer.cache,
                       trust=TrustStore.accept_any_issuer_insecure())
        assert payload.kind == "ob2" and verify_ob2(payload.text, opts).verified


# -- the corpus's baked images ---------------------------------------------------------------------
BAKED = [e for e in corpus.manifest() if "policy_verdict" in e and (
    e["kind"] == "baked-badge" or e["format"].startswith(("ob2-baked", "ob3-baked")))]

# Where this verifier's verdict and the corpus's differ, and why (reported, never hidden).
KNOWN_DISAGREEMENTS = {
    f"1edtech-validator/ob30/{name}": (
        "cannot_check",
        "The baked credential names its key by a URL fragment (simple-json: "
        "https://example.com/issuers/876543#z6Mk…) or carries it in the JWT header (jwk, "
        "simple-jwt*); by the corpus's own policy 1 that binds nothing, and the same "
        "credential unbaked (ob30/simple.json) is labelled cannot_check.")
    for name in ("simple-json.png", "simple-json.svg", "simple-jwt.png", "simple-jwt.svg",
                 "simple-jwt_v1.png", "simple-jwt_v1.svg")
}


def verdict(report: Report) -> str:
    """The corpus vocabulary (corpus README): any failed check is not_genuine."""
    if report.failed:
        return "not_genuine"
    return "cannot_check" if report.unknown else "genuine"


def verify_image(data: bytes) -> str:
    """Unbake, then verify the badge as OB 2.0 or through the pipeline (OB 3.0)."""
    try:
        payload = unbake(data)
    except MalformedDocument:
        return "not_genuine"
    cache = corpus.shared_cache()
    if payload.kind == "ob2":
        opts = Options(now=corpus.EVALUATED_AT, cache=cache,
                       trust=TrustStore.accept_any_issuer_insecure())
        return verdict(verify_ob2(payload.text, opts))
    return verdict(verify(payload.text, now=corpus.EVALUATED_AT, cache=cache,
                          trust=TrustStore.accept_any_issuer_insecure()))


@pytest.mark.conformance
@pytest.mark.skipif(not corpus.available(), reason="../shared/corpus is not on this machine")
@pytest.mark.parametrize("entry", BAKED, ids=[e["file"] for e in BAKED])
def test_corpus_baked_images(entry):
    got = verify_image((corpus.CORPUS / entry["file"]).read_bytes())
    expected = KNOWN_DISAGREEMENTS.get(entry["file"], (entry["policy_verdict"], ""))[0]
    assert got == expected
