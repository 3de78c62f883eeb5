"""Safe XML parsing and XAdES / XML-DSig verification: signatures made inside the test with
throw-away keys, then the published trusted lists of the corpus."""

from __future__ import annotations

import copy
import json
import socket
from base64 import b64encode
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from signxml import XMLSigner

from tests.corpus import CORPUS
from tests.tl_factory import EXC_C14N, INCL_C14N, T0, ListSpec, Service, pki, sign, trusted_list
from verifier.errors import MalformedDocument, ProofInvalid, UnsupportedProof
from verifier.xades import DSIG, XADES, XADES141, parse_xml, verify_xades

LISTS = CORPUS / "edc" / "trusted-lists"
C14N11 = "http://www.w3.org/2006/12/xml-c14n11"


@pytest.fixture(scope="module")
def signer():
    return pki("List Signer", kind="rsa")


@pytest.fixture(scope="module")
def document():
    ca = pki("QC CA", ca=True)
    return trusted_list(ListSpec(services=[Service("QC CA", ca.cert)]))


def signed(document, signer, **kw) -> bytes:
    return sign(copy.deepcopy(document), signer, **kw)


# -- safe XML ----------------------------------------------------------------------------------
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><r>&lol3;</r>"""


@pytest.mark.parametrize("data,needle", [
    (XXE, "document type (DTD) or entities"),
    (LAUGHS, "document type (DTD) or entities"),
    ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>'
     .encode("utf-16"), "document type (DTD) or entities"),
    (b"<r><unclosed></r>", "not well-formed"),
    (b"", "not well-formed"),
], ids=["external_entity", "billion_laughs", "utf16_dtd", "not_well_formed", "empty"])
def test_unsafe_or_broken_xml_is_refused(data, needle):
    with pytest.raises(MalformedDocument, match=r"(?s).*") as info:
        parse_xml(data)
    assert needle in info.value.message


def test_xml_over_10_mb_is_refused_before_parsing():
    with pytest.raises(MalformedDocument, match="larger than 10 MB"):
        parse_xml(b"<r>" + b" " * (10 * 1024 * 1024) + b"</r>")


def test_parse_xml_takes_bytes():
    with pytest.raises(TypeError):
        parse_xml("<r/>")


# -- signatures made in the test ---------------------------------------------------------------
@pytest.mark.parametrize("kind,algorithm,c14n,digest", [
    ("rsa", "rsa-sha256", EXC_C14N, "sha256"),
    ("rsa", "rsa-sha512", EXC_C14N, "sha512"),
    ("rsa", "rsa-sha256", INCL_C14N, "sha256"),
    ("rsa", "rsa-sha384", C14N11, "sha384"),
    ("ec", "ecdsa-sha256", EXC_C14N, "sha256"),
    ("p384", "ecdsa-sha384", INCL_C14N, "sha512"),
])
def test_enveloped_xades_verifies(document, kind, algorithm, c14n, digest):
    signer = pki(f"Signer {kind}", kind=kind)
    result = verify_xades(signed(document, signer, algorithm=algorithm, c14n=c14n, digest=digest),
                          now=T0 + timedelta(days=1))
    assert result.signing_certificate == signer.cert
    assert result.signing_time == T0
    assert result.signed_properties_present
    assert result.level == "B"
    assert result.signature_method == algorithm


def test_the_root_id_as_reference_counts_as_the_whole_document(document, signer):
    doc = copy.deepcopy(document)
    doc.set("Id", "TSL-1")
    data = sign(doc, signer)
    assert b'URI="#TSL-1"' in data
    assert verify_xades(data, now=T0).signing_certificate == signer.cert


def test_a_changed_text_node_breaks_the_document_digest(document, signer):
    data = signed(document, signer).replace(b"QC CA</Name>", b"QC CB</Name>", 1)
    with pytest.raises(ProofInvalid, match="changed after it was signed"):
        verify_xades(data, now=T0)


def test_an_inserted_comment_is_not_signed_and_not_read(document, signer):
    data = signed(document, signer).replace(b"QC CA</Name>", b"QC<!-- unsigned --> CA</Name>", 1)
    assert verify_xades(data, now=T0).signing_certificate == signer.cert
    names = [el.text for el in parse_xml(data).iter("{*}Name")]
    assert "QC CA" in names and "QC" not in names


def test_canonicalization_with_comments_is_not_accepted(document, signer):
    data = signed(document, signer, c14n=EXC_C14N + "WithComments")
    with pytest.raises(UnsupportedProof, match="canonicalization"):
        verify_xades(data, now=T0)


def test_a_changed_signature_value_fails(document, signer):
    root = parse_xml(signed(document, signer))
    value = root.find(f".//{{{DSIG}}}SignatureValue")
    value.text = b64encode(b"\x01" * 256).decode()
    with pytest.raises(ProofInvalid, match="does not verify"):
        verify_xades(etree.tostring(root), now=T0)


def test_another_certificate_in_keyinfo_does_not_match_signing_certificate(document, signer):
    other = pki("Someone Else", kind="rsa")
    root = parse_xml(signed(document, signer))
    el = root.find(f".//{{{DSIG}}}X509Certificate")
    el.text = b64encode(other.cert.public_bytes(Encoding.DER)).decode()
    with pytest.raises(ProofInvalid, match="SigningCertificate digest does not match"):
        verify_xades(etree.tostring(root), now=T0)


def test_signing_time_in_the_future_is_refused(document, signer):
    data = signed(document, signer, signing_time=T0 + timedelta(days=2))
    with pytest.raises(ProofInvalid, match="in the future"):
        verify_xades(data, now=T0)


def test_certificate_not_valid_at_signing_time_is_refused(document):
    expired = pki("Expired Signer", not_before=T0 - timedelta(days=60),
                  not_after=T0 - timedelta(days=1))
    with pytest.raises(ProofInvalid, match="not valid when the document was signed"):
        verify_xades(signed(document, expired), now=T0)


def test_sha1_signatures_are_not_accepted(document, signer):
    root = parse_xml(signed(document, signer))
    root.find(f".//{{{DSIG}}}SignatureMethod").set(
        "Algorithm", "http://www.w3.org/2000/09/xmldsig#rsa-sha1")
    with pytest.raises(UnsupportedProof, match="not accepted"):
        verify_xades(etree.tostring(root), now=T0)


def test_an_unknown_transform_is_not_run(document, signer):
    root = parse_xml(signed(document, signer))
    transform = root.find(f".//{{{DSIG}}}Transform")
    transform.set("Algorithm", "http://www.w3.org/TR/1999/REC-xslt-19991116")
    with pytest.raises(UnsupportedProof, match="transform"):
        verify_xades(etree.tostring(root), now=T0)


def test_unsigned_document_and_two_signatures_are_refused(document, signer):
    with pytest.raises(ProofInvalid, match="carries 0"):
        verify_xades(etree.tostring(document), now=T0)
    root = parse_xml(signed(document, signer))
    root.append(copy.deepcopy(root.find(f"{{{DSIG}}}Signature")))
    with pytest.raises(ProofInvalid, match="carries 2"):
        verify_xades(etree.tostring(root), now=T0)


def test_plain_xml_dsig_has_no_signed_properties(document, signer):
    out = XMLSigner(c14n_algorithm=EXC_C14N).sign(copy.deepcopy(document), key=signer.key,
                                                    cert=[signer.cert])
    result = verify_xades(etree.tostring(out), now=T0)
    assert result.signing_certificate == signer.cert
    assert (result.signed_properties_present, result.level, result.signing_time) == (
        False, None, None)


def test_unsigned_xades_properties_are_refused(document, signer):
    out = XMLSigner(c14n_algorithm=EXC_C14N).sign(copy.deepcopy(document), key=signer.key,
                                                    cert=[signer.cert])
    sig = out.find(f"{{{DSIG}}}Signature")
    sig.set("Id", "S1")
    obj = etree.SubElement(sig, f"{{{DSIG}}}Object")
    qp = etree.SubElement(obj, f"{{{XADES}}}QualifyingProperties", Target="#S1")
    props = etree.SubElement(qp, f"{{{XADES}}}SignedProperties", Id="P1")
    ssp = etree.SubElement(props, f"{{{XADES}}}SignedSignatureProperties")
    etree.SubElement(ssp, f"{{{XADES}}}SigningTime").text = "2020-01-01T00:00:00Z"
    with pytest.raises(ProofInvalid, match="not covered by the signature"):
        verify_xades(etree.tostring(out), now=T0)


@pytest.mark.parametrize("elements,level", [
    ((), "B"),
    (("SignatureTimeStamp",), "T"),
    (("SignatureTimeStamp", "CertificateValues", "RevocationValues"), "LT"),
    (("SignatureTimeStamp", "CertificateValues", "RevocationValues", "141:ArchiveTimeStamp"),
     "LTA"),
])
def test_level_names_the_unsigned_properties_present(document, signer, elements, level):
    root = parse_xml(signed(document, signer))
    if elements:  # unsigned properties: added after signing, as a TSA or archive would
        qp = root.find(f".//{{{XADES}}}QualifyingProperties")
        usp = etree.SubElement(etree.SubElement(qp, f"{{{XADES}}}UnsignedProperties"),
                               f"{{{XADES}}}UnsignedSignatureProperties")
    for name in elements:
        tag = f"{{{XADES141}}}{name[4:]}" if name.startswith("141:") else f"{{{XADES}}}{name}"
        el = etree.SubElement(usp, tag)
        if "TimeStamp" in name:  # not validated here: the level only says what is present
            etree.SubElement(el, f"{{{XADES}}}EncapsulatedTimeStamp").text = "AAAA"
    assert verify_xades(etree.tostring(root), now=T0).level == level


def test_an_external_reference_is_refused_without_fetching(document, signer, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("verification tried to open a network connection")

    out = XMLSigner(c14n_algorithm=EXC_C14N).sign(copy.deepcopy(document), key=signer.key,
                                                    cert=[signer.cert])
    info = out.find(f".//{{{DSIG}}}SignedInfo")
    extra = copy.deepcopy(info.find(f"{{{DSIG}}}Reference"))
    extra.set("URI", "http://127.0.0.1:9/evil.xml")
    info.append(extra)
    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    with pytest.raises(ProofInvalid):
        verify_xades(etree.tostring(out), now=T0)


_LEAF_DOC = trusted_list(ListSpec(sequence=3))
_LEAF_SIGNER = pki("Property Signer")
_LEAF_SIGNED = sign(copy.deepcopy(_LEAF_DOC), _LEAF_SIGNER)
_LEAVES = [el for el in parse_xml(_LEAF_SIGNED).iter()
           if isinstance(el.tag, str) and len(el) == 0 and (el.text or "").strip()
           and DSIG not in el.tag and XADES not in el.tag]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(min_value=0, max_value=len(_LEAVES) - 1),
       suffix=st.text(alphabet="xyz0", min_size=1, max_size=3))
def test_changing_any_signed_leaf_fails_the_proof(index, suffix):
    root = parse_xml(_LEAF_SIGNED)
    leaf = [el for el in root.iter() if isinstance(el.tag, str) and len(el) == 0
            and (el.text or "").strip() and DSIG not in el.tag and XADES not in el.tag][index]
    leaf.text = leaf.text + suffix
    with pytest.raises(ProofInvalid):
        verify_xades(etree.tostring(root), now=T0)


# -- the published lists -----------------------------------------------------------------------
def _manifest() -> dict[str, dict]:
    path = LISTS / "MANIFEST.json"
    if not path.exists():
        return {}
    return {f["file"]: f for f in json.loads(path.read_text("utf-8"))["files"]}


CORPUS_FILES = sorted(_manifest())


@pytest.mark.conformance
@pytest.mark.skipif(not CORPUS_FILES, reason="the shared corpus is not on this machine")
@pytest.mark.parametrize("name", CORPUS_FILES)
def test_published_list_signatures(name):
    entry = _manifest()[name]
    data = (LISTS / name).read_bytes()
    now = datetime.fromisoformat(entry["list_issue_date_time"]) + timedelta(days=5)
    if "INVALID" in entry["signature_check"]:
        with pytest.raises(ProofInvalid, match="changed after it was signed"):
            verify_xades(data, now=now)
        return
    result = verify_xades(data, now=now)
    assert result.signing_time == datetime.fromisoformat(entry["xades_signing_time"])
    cn = entry["signer"].split("CN=", 1)[1].split(",")[0].split(" + ")[0]
    assert cn in result.signing_certificate.subject.rfc4514_string()
    assert result.signature_method == entry["signature_method"].split(",")[0]
    assert result.level == "B"


@pytest.mark.conformance
@pytest.mark.skipif(not (CORPUS / "edc").exists(), reason="the shared corpus is absent")
def test_legacy_xml_sample_signature_with_xpath_filter():
    data = (CORPUS / "edc" / "elm2-diploma-supplement-presentation-signed.xml").read_bytes()
    assert b"xmldsig-filter2" in data
    result = verify_xades(data, now=datetime(2025, 1, 1, tzinfo=UTC))
    assert result.level == "LT"
    assert result.signing_time == datetime(2022, 8, 9, 13, 53, 56, tzinfo=UTC)
    assert len(result.certificates) == 7


def test_now_must_be_aware(document, signer):
    with pytest.raises(ValueError):
        verify_xades(signed(document, signer), now=datetime(2024, 1, 1))


@pytest.mark.conformance
@pytest.mark.skipif(not (CORPUS / "edc").exists(), reason="the shared corpus is absent")
def test_filter_that_subtracts_content_is_refused():
    data = (CORPUS / "edc" / "elm2-diploma-supplement-presentation-signed.xml").read_bytes()
    data = data.replace(b"/descendant::ds:Signature</", b"/descendant::ds:KeyInfo</", 1)
    with pytest.raises(UnsupportedProof, match="only subtracting signatures"):
        verify_xades(data, now=datetime(2025, 1, 1, tzinfo=UTC))
