"""Fuzzing every parser with hypothesis: mutated genuine documents of each format, and noise.

Each parser has a documented way to refuse input (a ``Report`` whose checks say why, or one
named error type); anything else (an ``IndexError``, a ``RecursionError``, a hang) is a bug.
The budget is small in CI; ``HYPOTHESIS_PROFILE=long`` runs a longer campaign::

    HYPOTHESIS_PROFILE=long .venv/bin/pytest tests/test_fuzz.py -q

A crash found here becomes a regression test at the bottom of this file, with its fix.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import NOW
from tests.security.samples import (
    BACKUP_PASSPHRASE,
    backup_file,
    baked_png_bytes,
    baked_svg_bytes,
    jades_text,
    jwt_text,
    ldp_json,
    pathway_file,
    presentation_json,
    sd_jwt_text,
    status_list_json,
    trusted_list_xml,
    vp1_text,
    xml_edc,
)
from verifier import DocumentCache, MalformedDocument, Report, TrustStore, verify
from verifier.baking import unbake
from verifier.errors import StatusListError, TrustListError, VerificationError
from verifier.statuslist import StatusList
from verifier.trustlists import TrustedListStore
from verifier.xades import parse_xml
from wallet.importers.qr import (
    UnreadableImage,
    decode_presentation,
    is_compressed,
    read_qr_codes,
)

# CI: the same 50 examples per target on every run (no flaky build); the long campaign below
# explores new ones, and whatever it finds becomes a regression test.
settings.register_profile(
    "fuzz-ci",
    max_examples=50,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
#: The budget: ``fuzz-ci`` unless ``HYPOTHESIS_PROFILE=long`` asks for the long campaign.
FUZZ = settings.get_profile("long" if os.environ.get("HYPOTHESIS_PROFILE") == "long" else "fuzz-ci")


# -- mutations ----------------------------------------------------------------------------------
INTERESTING = [
    b"",
    b"\x00",
    b"\xff",
    b"{",
    b"}",
    b"[",
    b'"',
    b"~",
    b".",
    b"<",
    b">",
    b"&",
    b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
    b"&a;",
    b"\\u0000",
    b"9" * 40,
    b"-1",
    b"null",
    b"=",
    b"%",
    b"\n",
    b"\xc3\x28",
    b"VP1:",
    b"\xef\xbb\xbf",
]


@st.composite
def mutated(draw: st.DrawFn, sample: bytes) -> bytes:
    """``sample`` with one to four edits: byte flips, splices, deletions, truncation."""
    data = bytearray(sample)
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, max(len(data) - 1, 0)))
        kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "duplicate"]))
        if kind == "flip" and data:
            data[where] ^= 1 << draw(st.integers(0, 7))
        elif kind == "insert":
            piece = draw(st.one_of(st.sampled_from(INTERESTING), st.binary(max_size=8)))
            data[where:where] = piece
        elif kind == "delete":
            del data[where : where + draw(st.integers(1, 16))]
        elif kind == "truncate":
            del data[where:]
        else:
            data[where:where] = data[where : where + draw(st.integers(1, 64))]
    return bytes(data)


def _containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    # A named function: hypothesis reads a lambda's source to see that it recurses, and a
    # lambda spread over lines by the formatter defeats it (a deprecation warning, an error).
    return st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    _containers,
    max_leaves=8,
)


def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    found = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            found += _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _paths(v, (*path, i))
    return found


@st.composite
def json_mutated(draw: st.DrawFn, sample: bytes) -> bytes:
    """``sample`` (JSON) with one node replaced by any JSON value, or removed."""
    doc = json.loads(sample)
    path = draw(st.sampled_from(_paths(doc)[1:]))
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    if draw(st.booleans()):
        parent[path[-1]] = draw(JSON_VALUES)
    else:
        del parent[path[-1]]
    return json.dumps(doc).encode()


# -- the parsers and what each may answer ------------------------------------------------------
def verify_anything(data: bytes) -> None:
    """``verify`` answers every input with a Report whose JSON form serialises."""
    report = verify(data, now=NOW, trust=TrustStore.empty(), cache=DocumentCache.in_memory())
    assert isinstance(report, Report)
    json.dumps(report.to_json())
    text = data.decode("utf-8", "replace")
    assert isinstance(verify(text, now=NOW, trust=TrustStore.empty()), Report)


def unbake_anything(data: bytes) -> None:
    try:
        payload = unbake(data)
    except MalformedDocument:
        return
    verify_anything(payload.text.encode())


def decode_vp1(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    if not is_compressed(text):  # the importers' precondition for decode_presentation
        return
    try:
        document = decode_presentation(text)
    except ValueError:
        return
    verify_anything(document)


def parse_any_xml(data: bytes) -> None:
    try:
        parse_xml(data)
    except MalformedDocument:
        return


def import_trusted_list(data: bytes) -> None:
    try:
        TrustedListStore.empty().import_list(data, now=NOW)
    except TrustListError:
        return


def parse_status_list(data: bytes) -> None:
    try:
        document = json.loads(data)
    except ValueError:
        return
    try:
        StatusList.from_json(document)
    except (StatusListError, VerificationError):
        return


def read_qr(data: bytes) -> None:
    try:
        read_qr_codes(data)
    except UnreadableImage:
        return


def parse_pathway(data: bytes) -> None:
    from wallet.pathways.definition import DefinitionError, parse_text

    try:
        parse_text(data)
    except DefinitionError:
        return


def open_backup_file(data: bytes) -> None:
    from wallet.backup.archive import BackupError, open_backup

    try:
        open_backup(data, BACKUP_PASSPHRASE, max_uncompressed=1024 * 1024)
    except BackupError:
        return


Parser = Callable[[bytes], None]
#: name -> (genuine sample, parser, JSON sample?)
TARGETS: dict[str, tuple[Callable[[], bytes], Parser, bool]] = {
    "json_ld_credential": (ldp_json, verify_anything, True),
    "presentation": (presentation_json, verify_anything, True),
    "jwt": (jwt_text, verify_anything, False),
    "sd_jwt": (sd_jwt_text, verify_anything, False),
    "jades_edc": (jades_text, verify_anything, True),
    "xml_edc": (xml_edc, verify_anything, False),
    "xml_parser": (xml_edc, parse_any_xml, False),
    "trusted_list": (trusted_list_xml, import_trusted_list, False),
    "status_list": (status_list_json, parse_status_list, True),
    "baked_png": (baked_png_bytes, unbake_anything, False),
    "baked_svg": (baked_svg_bytes, unbake_anything, False),
    "png_as_qr_image": (baked_png_bytes, read_qr, False),
    "qr_vp1": (vp1_text, decode_vp1, False),
    "pathway_file": (pathway_file, parse_pathway, True),
    "backup_file": (backup_file, open_backup_file, False),
}


@pytest.mark.parametrize("name", TARGETS)
@FUZZ
@given(data=st.data())
def test_mutated_documents_are_refused_cleanly(name, data):
    sample, parse, _ = TARGETS[name]
    parse(data.draw(mutated(sample()), label="input"))


@pytest.mark.parametrize("name", [n for n, (_, _, is_json) in TARGETS.items() if is_json])
@FUZZ
@given(data=st.data())
def test_structurally_mutated_json_is_refused_cleanly(name, data):
    sample, parse, _ = TARGETS[name]
    parse(data.draw(json_mutated(sample()), label="input"))


@pytest.mark.parametrize("name", ["json_ld_credential", "baked_png", "qr_vp1", "xml_parser"])
@FUZZ
@given(noise=st.binary(max_size=512))
def test_noise_is_refused_cleanly(name, noise):
    _, parse, _ = TARGETS[name]
    parse(noise)


@pytest.mark.parametrize("name", TARGETS)
def test_every_genuine_sample_parses(name):
    """The fuzzers start from documents the parsers accept (so mutations test real paths)."""
    sample, parse, _ = TARGETS[name]
    parse(sample())


# -- regressions: crashes the fuzzers found, each fixed -----------------------------------------
def _presentation_with(**proof_changes: Any) -> dict[str, Any]:
    vp = json.loads(presentation_json())
    vp["proof"].update(proof_changes)
    return vp


@pytest.mark.parametrize(
    "document",
    [
        # verifier/checks/format.py hashed proof.type: TypeError "unhashable type: 'list'".
        _presentation_with(type=[]),
        _presentation_with(cryptosuite={"x": 1}),
        {**json.loads(ldp_json()), "proof": {**json.loads(ldp_json())["proof"], "type": [[]]}},
        # ... and a credential type list holding a list.
        {**json.loads(ldp_json()), "type": ["VerifiableCredential", ["OpenBadgeCredential"]]},
    ],
    ids=["vp_proof_type_list", "vp_cryptosuite_object", "proof_type_nested_list", "type_nested"],
)
def test_regression_unhashable_values_are_a_format_or_proof_failure(document):
    report = verify(json.dumps(document).encode(), now=NOW, trust=TrustStore.empty())
    assert not report.verified
    assert report.outcome.value == "not_genuine"


def _ldp_with(change: Callable[[dict[str, Any]], None]) -> bytes:
    document = json.loads(ldp_json())
    change(document)
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    "data",
    [
        # verifier/documents.py let pyld's bare ValueError out: a scheme-relative context URL.
        _ldp_with(lambda d: d["@context"].__setitem__(1, "//purl.imsglobal.org/x.json")),
        _ldp_with(lambda d: d["@context"].append("0")),
        # ... and an infinite number (``1e999``) reaching the RDF conversion.
        ldp_json().replace(b'"Data Analysis Basics"', b"1e999", 1),
    ],
    ids=["scheme_relative_context", "relative_context", "infinite_number"],
)
def test_regression_pyld_value_errors_are_data_failures(data):
    report = verify(data, now=NOW, trust=TrustStore.empty())
    assert report.outcome.value == "not_genuine", report.to_json()


@pytest.mark.parametrize("sample", [xml_edc, trusted_list_xml], ids=["xml_edc", "trusted_list"])
def test_regression_a_transform_without_algorithm_is_refused(sample):
    # verifier/xades.py joined the missing Algorithm (None) into its message: TypeError.
    data = sample().replace(b'<ds:Transform Algorithm="', b'<ds:Transform Other="', 1)
    verify_anything(data)
    import_trusted_list(data)


def test_regression_an_svg_in_an_unknown_encoding_is_refused():
    # verifier/baking.py let expat's LookupError for encoding="TTF-8" out.
    svg = b'<?xml version="1.0" encoding="TTF-8"?>\n' + baked_svg_bytes().split(b"?>", 1)[-1]
    with pytest.raises(MalformedDocument, match="not well-formed"):
        unbake(svg)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # signxml base64-decoded a non-ASCII key value: its ValueError escaped verify_xades.
        ("<dsig11:PublicKey>", "<dsig11:PublicKey>\ufffd"),
        # signxml re-parsed a name libxml2 had accepted once: XMLSyntaxError escaped.
        ("spatialID", "\ufffdpatialID"),
        # signxml's C14N refused a relative namespace URI: lxml's C14NError escaped.
        ('xmlns:cred="http:', 'xmlns:cred="'),
        # signxml looked an unknown NamedCurve URI up in a dict: KeyError escaped.
        ('URI="urn:oid:1.2.840.10045.3.1.7"', 'URI="trn:oid:1.2.840.10045.3.1.7"'),
    ],
    ids=["non_ascii_key_value", "name_refused_on_reparse", "relative_namespace", "unknown_curve"],
)
def test_regression_signxml_errors_are_proof_failures(old, new):
    text = xml_edc().decode().replace(old, new, 1)
    report = verify(text, now=NOW, trust=TrustStore.empty())
    assert report.outcome.value == "not_genuine", report.to_json()


def test_regression_a_trusted_list_with_a_relative_namespace_is_refused():
    # The same C14NError through the trusted-list import (found by the CI budget).
    data = trusted_list_xml().replace(b'xmlns:ns5="http://uri', b'xmlns:ns5="//uri', 1)
    with pytest.raises(TrustListError):
        TrustedListStore.empty().import_list(data, now=NOW)
