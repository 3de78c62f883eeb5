"""Safe XML parsing and XAdES / XML-DSig verification of enveloped signatures, offline.

Parse, then verify: :func:`parse_xml` refuses DTDs, entities, network access and documents over
10 MB; :func:`verify_xades` checks an enveloped signature (W3C XML-DSig 1.1 §3.2 core
validation) and its XAdES signed properties (ETSI EN 319 132-1 §4.3, §5.2.1 SigningTime,
§5.2.2 SigningCertificateV2) with signxml, which is given the signing certificate itself, so it
never looks anything up.  Who signed is reported, not judged: trust is the caller's decision.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
from base64 import b64decode
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree
from signxml import SignatureConfiguration, XMLVerifier
from signxml.algorithms import CanonicalizationMethod, SignatureMethod
from signxml.exceptions import InvalidCertificate, InvalidDigest, SignXMLException
from signxml.xades import XAdESSignatureConfiguration, XAdESVerifier

from verifier.dates import parse_datetime
from verifier.errors import MalformedDocument, ProofInvalid, UnsupportedProof

MAX_XML_BYTES = 10 * 1024 * 1024
DSIG = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
XADES141 = "http://uri.etsi.org/01903/v1.4.1#"
NS = {"ds": DSIG, "xades": XADES, "xades141": XADES141}
SIGNED_PROPERTIES = "http://uri.etsi.org/01903#SignedProperties"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
FILTER2 = "http://www.w3.org/2002/06/xmldsig-filter2"
# Comments are not signed (XML-DSig §4.4.3.3), so they are dropped when parsing; a signature
# whose canonicalization keeps them is refused rather than half-checked.
_C14N = frozenset(m.value for m in CanonicalizationMethod if "WithComments" not in m.value)
_TRANSFORMS = _C14N | {ENVELOPED, FILTER2}
_SIGNATURE_METHODS = frozenset(
    m for m in SignatureMethod if m.name.startswith(("RSA_SHA", "ECDSA_SHA", "SHA"))
    and "SHA1" not in m.name and "SHA224" not in m.name
)
_DIGESTS = {  # for CertDigest: SHA-1 only identifies a certificate the signature then checks
    "http://www.w3.org/2000/09/xmldsig#sha1": "sha1",
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384": "sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
}
_SKEW = timedelta(minutes=5)
_IDS = ("Id", "ID", "id")


def parse_xml(data: bytes, *, what: str = "The XML document") -> etree._Element:
    """Parse untrusted XML without DTDs, entities or network access, refusing more than 10 MB.

    Comments are dropped: a signature does not cover them, so text split by an inserted comment
    must read as what was signed."""
    if not isinstance(data, bytes | bytearray):
        raise TypeError("parse_xml takes bytes")
    if len(data) > MAX_XML_BYTES:
        raise MalformedDocument(f"{what} is larger than 10 MB, so it was not read.")
    refused = MalformedDocument(
        f"{what} declares a document type (DTD) or entities, which are refused: they can "
        "expand without limit or read local files and URLs.")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise refused
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             dtd_validation=False, huge_tree=False, remove_blank_text=False,
                             remove_comments=True)
    try:
        root = etree.fromstring(bytes(data), parser)
    except etree.XMLSyntaxError as exc:
        raise MalformedDocument(f"{what} is not well-formed XML.", detail=str(exc)) from exc
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or next(root.iter(etree.Entity), None):
        raise refused  # a UTF-16 document hides its DTD from the byte scan above
    return root


@dataclass(frozen=True)
class XadesResult:
    """What a verified enveloped signature says about itself.

    ``signing_time`` is the signer's claim (XAdES SigningTime); ``level`` names the baseline
    level whose elements are present (EN 319 132-1 §6: ``B``, ``T``, ``LT``, ``LTA``; ``None``
    for plain XML-DSig), without validating the time-stamps or revocation values themselves.
    """

    signing_certificate: x509.Certificate
    signing_time: datetime | None
    signed_properties_present: bool
    level: str | None
    signature_method: str
    #: the other certificates the signature carries (KeyInfo, CertificateValues), for chains
    certificates: tuple[x509.Certificate, ...] = ()


def verify_xades(document: bytes | etree._Element, *, now: datetime) -> XadesResult:
    """Verify the one enveloped XML-DSig/XAdES signature of a document (XML-DSig §3.2, EN 319
    132-1 §4.3): whole-document reference, signed properties, signing certificate digest.

    Give the bytes, or the root element :func:`parse_xml` returned, and read the document from
    that element only: it holds what was signed.  SigningTime is the signer's claim; the
    certificate must be valid then (time-stamps are not validated here)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    root = parse_xml(document) if isinstance(document, bytes | bytearray) else document
    # 1. Exactly one signature (counter-signatures inside it aside) and what it references.
    sigs = [s for s in root.iter(f"{{{DSIG}}}Signature")
            if not any(a.tag == f"{{{DSIG}}}Signature" for a in s.iterancestors())]
    if len(sigs) != 1:
        raise ProofInvalid(f"The document must carry one XML signature; it carries {len(sigs)}.")
    sig = sigs[0]
    method = _check_algorithms(sig, root)
    # 2. XAdES signed properties, which must be referenced by the signature they qualify.
    props = sig.find("ds:Object/xades:QualifyingProperties/xades:SignedProperties", NS)
    if props is not None:
        target = props.getparent().get("Target")
        if sig.get("Id") and target != f"#{sig.get('Id')}":
            raise ProofInvalid("The XAdES properties belong to another signature.")
        refs = [r.get("URI") for r in sig.iterfind("ds:SignedInfo/ds:Reference", NS)
                if r.get("Type") == SIGNED_PROPERTIES]
        if not props.get("Id") or refs != [f"#{props.get('Id')}"]:
            raise ProofInvalid("The XAdES signed properties are not covered by the signature.")
    # 3. The signing certificate: the KeyInfo certificate the SigningCertificate(V2) digest names.
    key_info = _certificates(sig.iterfind("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS))
    values = _certificates(sig.iterfind(
        "ds:Object/xades:QualifyingProperties/xades:UnsignedProperties/"
        "xades:UnsignedSignatureProperties/xades:CertificateValues/"
        "xades:EncapsulatedX509Certificate", NS))
    signer = _signing_certificate(props, key_info)
    # 4. The claimed signing time, at which the certificate must be valid.
    signing_time = None
    text = props.findtext("xades:SignedSignatureProperties/xades:SigningTime", None, NS) \
        if props is not None else None
    if text is not None:
        signing_time = parse_datetime(text, field="XAdES SigningTime")
        if signing_time > now + _SKEW:
            raise ProofInvalid(f"The signature claims to have been made in the future "
                               f"({signing_time:%Y-%m-%d %H:%M} UTC).")
    # 5. Core validation: SignedInfo signature and every reference digest (signxml).
    _core_validate(root, signer, props is not None, signing_time or now)
    others = tuple(c for c in (*key_info, *values) if c != signer)
    return XadesResult(signing_certificate=signer, signing_time=signing_time,
                       signed_properties_present=props is not None, level=_level(sig, props),
                       signature_method=method.rsplit("#", 1)[-1], certificates=others)


def _check_algorithms(sig: etree._Element, root: etree._Element) -> str:
    info = sig.find("ds:SignedInfo", NS)
    if info is None:
        raise ProofInvalid("The XML signature has no SignedInfo.")
    method = info.find("ds:SignatureMethod", NS)
    uri = method.get("Algorithm", "") if method is not None else ""
    if uri not in {m.value for m in _SIGNATURE_METHODS}:
        raise UnsupportedProof(f"The signature algorithm {uri or '(none)'} is not accepted "
                               "(RSA or ECDSA with SHA-256 or stronger are).")
    c14n = info.find("ds:CanonicalizationMethod", NS)
    if c14n is None or c14n.get("Algorithm") not in _C14N:
        raise UnsupportedProof("The signature uses an unsupported canonicalization.")
    whole = False
    for ref in info.iterfind("ds:Reference", NS):
        algs = [t.get("Algorithm", "") for t in ref.iterfind("ds:Transforms/ds:Transform", NS)]
        if any(a not in _TRANSFORMS for a in algs):
            raise UnsupportedProof("The signature uses a transform this verifier does not run.",
                                   detail=", ".join(a for a in algs if a not in _TRANSFORMS))
        for t in ref.iterfind("ds:Transforms/ds:Transform", NS):
            if t.get("Algorithm") == FILTER2:
                _filter2_paths(t)
        if _is_whole(ref.get("URI"), root) and (ENVELOPED in algs or FILTER2 in algs):
            whole = True
    if not whole:
        raise ProofInvalid("The signature does not cover the whole document (no enveloped "
                           "reference to it).")
    return uri


def _is_whole(uri: str | None, root: etree._Element) -> bool:
    # The whole document: URI="" (XML-DSig §4.4.3.2), or the Id of its root element as some
    # trusted lists write it, provided no other element carries that Id.
    if uri == "":
        return True
    if not uri or not uri.startswith("#") or uri[1:] not in (root.get(a) for a in _IDS):
        return False
    return sum(1 for el in root.iter() if isinstance(el.tag, str)
               and any(el.get(a) == uri[1:] for a in _IDS)) == 1


def _filter2_paths(transform: etree._Element) -> None:
    # XPath Filter 2.0 is accepted only to subtract signatures, as DSS and EDCI write it: any
    # other filter could leave parts of the document unsigned.
    paths = transform.findall("{http://www.w3.org/2002/06/xmldsig-filter2}XPath")
    for path in paths or [None]:
        expr = (path.text or "").strip() if path is not None else ""
        prefix = expr.removeprefix("/descendant::").removeprefix("//").partition(":")[0]
        if (path is None or path.get("Filter") != "subtract"
                or expr not in (f"/descendant::{prefix}:Signature", f"//{prefix}:Signature")
                or path.nsmap.get(prefix) != DSIG):
            raise UnsupportedProof("The signature filters the document in a way this verifier "
                                   "does not accept (only subtracting signatures is).")


class _Filter2(XMLVerifier):
    """signxml with the XPath Filter 2.0 ``subtract`` of ds:Signature (XMLDSig-Filter2 §3)."""

    def _apply_transforms(self, payload: Any, *, transforms_node: Any, signature: Any) -> Any:
        if transforms_node is not None and not isinstance(payload, str | bytes):
            if any(t.get("Algorithm") == FILTER2
                   for t in transforms_node.iterfind("ds:Transform", NS)):
                for node in list(payload.iter(f"{{{DSIG}}}Signature")):
                    _remove_keeping_tail(node)
        return super()._apply_transforms(payload, transforms_node=transforms_node,
                                         signature=signature)


class _XadesFilter2(_Filter2, XAdESVerifier):
    """signxml's XAdES verifier with the same filter support."""


def _remove_keeping_tail(node: etree._Element) -> None:
    parent = node.getparent()
    if parent is None:
        return
    if node.tail:
        prev = node.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)


def _core_validate(root: etree._Element, signer: x509.Certificate, xades: bool,
                   at: datetime) -> None:
    config_type = XAdESSignatureConfiguration if xades else SignatureConfiguration
    config = config_type(expect_references=True, verification_time=at,
                         signature_methods=_SIGNATURE_METHODS)
    verifier = _XadesFilter2() if xades else _Filter2()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    try:
        verifier.verify(etree.tostring(root), x509_cert=signer, parser=parser,
                        expect_config=config)
    except InvalidDigest as exc:
        raise ProofInvalid("The document was changed after it was signed: a signed part no "
                           "longer matches its digest.", detail=str(exc)) from exc
    except InvalidCertificate as exc:
        raise ProofInvalid("The signing certificate was not valid when the document was signed.",
                           detail=str(exc)) from exc
    # signxml re-parses the document, canonicalizes it and decodes key values itself:
    # non-ASCII key data is its ValueError, a name libxml2 reads once but not twice its
    # XMLSyntaxError, a relative namespace URI (which C14N refuses) its C14NError, an unknown
    # NamedCurve URI its KeyError.
    except (SignXMLException, etree.DocumentInvalid, etree.XMLSyntaxError, etree.C14NError,
            ValueError, KeyError) as exc:
        raise ProofInvalid("The XML signature does not verify.",
                           detail=f"{type(exc).__name__}: {exc}") from exc


def _certificates(elements: Any) -> list[x509.Certificate]:
    out = []
    for el in elements:
        try:
            out.append(x509.load_der_x509_certificate(b64decode("".join((el.text or "").split()))))
        except (ValueError, binascii.Error) as exc:
            raise MalformedDocument("A certificate in the XML signature cannot be read.",
                                    detail=str(exc)) from exc
    return out


def _signing_certificate(props: etree._Element | None,
                         key_info: list[x509.Certificate]) -> x509.Certificate:
    if not key_info:
        raise ProofInvalid("The XML signature carries no certificate (KeyInfo X509Certificate).")
    if props is None:  # plain XML-DSig: the certificate that issued none of the others
        leaves = [c for c in key_info if not any(o.issuer == c.subject for o in key_info
                                                    if o is not c)]
        return (leaves or key_info)[0]
    cert = props.find("xades:SignedSignatureProperties/xades:SigningCertificateV2/xades:Cert",
                      NS)
    if cert is None:
        cert = props.find("xades:SignedSignatureProperties/xades:SigningCertificate/xades:Cert",
                          NS)
    if cert is None:
        raise ProofInvalid("The XAdES signature does not name its signing certificate.")
    method = cert.find("xades:CertDigest/ds:DigestMethod", NS)
    alg = _DIGESTS.get(method.get("Algorithm", "") if method is not None else "")
    value = cert.findtext("xades:CertDigest/ds:DigestValue", "", NS)
    if alg is None:
        raise UnsupportedProof("The XAdES signing certificate digest uses an unknown algorithm.")
    try:
        digest = b64decode("".join(value.split()), validate=True)
    except binascii.Error as exc:
        raise ProofInvalid("The XAdES signing certificate digest is not base64.") from exc
    for candidate in key_info:
        der = candidate.public_bytes(Encoding.DER)
        if hmac.compare_digest(hashlib.new(alg, der).digest(), digest):
            return candidate
    raise ProofInvalid("The XAdES SigningCertificate digest does not match the certificate in "
                       "KeyInfo: the signer is not who the signature says.")


def _level(sig: etree._Element, props: etree._Element | None) -> str | None:
    if props is None:
        return None
    unsigned = sig.find("ds:Object/xades:QualifyingProperties/xades:UnsignedProperties/"
                        "xades:UnsignedSignatureProperties", NS)
    if unsigned is None or unsigned.find("xades:SignatureTimeStamp", NS) is None:
        return "B"
    if unsigned.find("xades141:ArchiveTimeStamp", NS) is not None:
        return "LTA"
    if (unsigned.find("xades:CertificateValues", NS) is not None
            and unsigned.find("xades:RevocationValues", NS) is not None):
        return "LT"
    return "T"
