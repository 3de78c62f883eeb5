"""Test helpers: throw-away keys and certificates, small ETSI TS 119 612 trusted lists and ELM v2
documents, signed with an enveloped XAdES signature by signxml inside the test."""

from __future__ import annotations

import base64
import functools
import json
from base64 import b64encode
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml.util import ds_tag
from signxml.xades import XAdESSigner

from tests.corpus import CORPUS
from verifier.trustlists import TrustedListStore
from verifier.tsl.parse import parse_trusted_list
from verifier.xades import parse_xml, verify_xades

T0 = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
TSL = "http://uri.etsi.org/02231/v2#"
ADD = "http://uri.etsi.org/02231/v2/additionaltypes#"
ECRI = "http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
INCL_C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
EXT = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/"
QC_OIDS = {"compliance": "0.4.0.1862.1.1", "sscd": "0.4.0.1862.1.4"}
QC_TYPES = {"esign": "0.4.0.1862.1.6.1", "eseal": "0.4.0.1862.1.6.2", "web": "0.4.0.1862.1.6.3"}


@dataclass(frozen=True)
class Pki:
    """A throw-away private key and its certificate."""

    key: Any
    cert: x509.Certificate


@functools.cache
def key(label: str, kind: str = "ec") -> Any:
    """A private key, the same one for the same label within a test run (RSA keys are slow)."""
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP384R1() if kind == "p384" else ec.SECP256R1())


def pki(cn: str, *, kind: str = "ec", label: str | None = None, issuer: Pki | None = None,
        ca: bool = False, not_before: datetime = T0 - timedelta(days=365),
        not_after: datetime = T0 + timedelta(days=5 * 365), qc: Sequence[str] = (),
        policies: Sequence[str] = (), org_id: str | None = None) -> Pki:
    """A key and a certificate for ``cn``: self-signed, or issued by ``issuer``.

    ``qc`` names QC statements to include: ``compliance``, ``sscd``, ``eseal``, ``esign``, ``web``.
    """
    private = key(label or cn, kind)
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "SI"),
             x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"{cn} Org")]
    if org_id:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, org_id))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    name = x509.Name(attrs)
    signer_key = issuer.key if issuer else private
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.cert.subject if issuer else name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(private.public_key()),
                       critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            signer_key.public_key()), critical=False)
        .add_extension(x509.KeyUsage(
            digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
            encipher_only=False, decipher_only=False), critical=True)
    )
    if policies:
        builder = builder.add_extension(x509.CertificatePolicies(
            [x509.PolicyInformation(x509.ObjectIdentifier(p), None) for p in policies]),
            critical=False)
    if qc:
        builder = builder.add_extension(x509.UnrecognizedExtension(
            x509.ObjectIdentifier("1.3.6.1.5.5.7.1.3"), qc_statements(qc)), critical=False)
    return Pki(private, builder.sign(signer_key, hashes.SHA256()))


def _der(tag: int, body: bytes) -> bytes:
    n = len(body)
    length = bytes([n]) if n < 0x80 else bytes([0x80 | ((n.bit_length() + 7) // 8)]) + \
        n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag]) + length + body


def _oid(dotted: str) -> bytes:
    arcs = [int(a) for a in dotted.split(".")]
    body = bytearray([40 * arcs[0] + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        while arc > 0x7F:
            arc >>= 7
            chunk.insert(0, 0x80 | (arc & 0x7F))
        body += bytes(chunk)
    return _der(0x06, bytes(body))


def qc_statements(names: Sequence[str]) -> bytes:
    """DER QCStatements (EN 319 412-5 §4) with the named statements."""
    items = [_der(0x30, _oid(QC_OIDS[n])) for n in names if n in QC_OIDS]
    types = [_oid(QC_TYPES[n]) for n in names if n in QC_TYPES]
    if types:
        items.append(_der(0x30, _oid("0.4.0.1862.1.6") + _der(0x30, b"".join(types))))
    return _der(0x30, b"".join(items))


@dataclass
class Service:
    """A TSPService for :func:`trusted_list`; ``history`` is ``(status, start)`` pairs."""

    name: str
    cert: x509.Certificate
    type: str = "CA/QC"
    status: str = "granted"
    start: datetime = T0 - timedelta(days=300)
    history: Sequence[tuple[str, datetime]] = ()
    additional: Sequence[str] = ("ForeSeals",)
    #: (qualifiers, policy OIDs the certificate must all have) pairs
    qualifications: Sequence[tuple[Sequence[str], Sequence[str]]] = ()
    tsp: str = "Test TSP d.o.o."


@dataclass
class ListSpec:
    """What :func:`trusted_list` writes."""

    territory: str = "SI"
    sequence: int = 7
    issued: datetime = T0 - timedelta(days=10)
    next_update: datetime = T0 + timedelta(days=170)
    lotl: bool = False
    pointers: Sequence[tuple[str, Sequence[x509.Certificate]]] = ()
    services: Sequence[Service] = field(default_factory=list)


def _sub(parent: etree._Element, tag: str, text: str | None = None, ns: str = TSL,
         **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, f"{{{ns}}}{tag}", **attrs)
    if text is not None:
        el.text = text
    return el


def _names(parent: etree._Element, tag: str, text: str) -> None:
    _sub(_sub(parent, tag), "Name", text, **{"{http://www.w3.org/XML/1998/namespace}lang": "en"})


def _cert_b64(cert: x509.Certificate) -> str:
    return b64encode(cert.public_bytes(Encoding.DER)).decode()


def trusted_list(spec: ListSpec) -> etree._Element:
    """An unsigned TrustServiceStatusList (TS 119 612 §5) as ``spec`` describes it."""
    root = etree.Element(f"{{{TSL}}}TrustServiceStatusList", nsmap={None: TSL, "ns3": ADD,
                         "ns4": XADES, "ns5": ECRI}, TSLTag="http://uri.etsi.org/19612/TSLTag")
    info = _sub(root, "SchemeInformation")
    _sub(info, "TSLVersionIdentifier", "5")
    _sub(info, "TSLSequenceNumber", str(spec.sequence))
    kind = "EUlistofthelists" if spec.lotl else "EUgeneric"
    _sub(info, "TSLType", f"http://uri.etsi.org/TrstSvc/TrustedList/TSLType/{kind}")
    _names(info, "SchemeOperatorName", f"{spec.territory} Scheme Operator")
    _sub(info, "SchemeTerritory", spec.territory)
    if spec.pointers:
        ptrs = _sub(info, "PointersToOtherTSL")
        for territory, certs in spec.pointers:
            ptr = _sub(ptrs, "OtherTSLPointer")
            ids = _sub(ptr, "ServiceDigitalIdentities")
            for cert in certs:
                _sub(_sub(_sub(ids, "ServiceDigitalIdentity"), "DigitalId"), "X509Certificate",
                     _cert_b64(cert))
            _sub(ptr, "TSLLocation", f"https://tl.example/{territory}.xml")
            more = _sub(ptr, "AdditionalInformation")
            _sub(_sub(more, "OtherInformation"), "SchemeTerritory", territory)
            _sub(_sub(more, "OtherInformation"), "MimeType", "application/vnd.etsi.tsl+xml",
                 ns=ADD)
    _sub(info, "ListIssueDateTime", spec.issued.strftime("%Y-%m-%dT%H:%M:%SZ"))
    _sub(_sub(info, "NextUpdate"), "dateTime", spec.next_update.strftime("%Y-%m-%dT%H:%M:%SZ"))
    if spec.services:
        providers = _sub(root, "TrustServiceProviderList")
        for service in spec.services:
            tsp = _sub(providers, "TrustServiceProvider")
            _names(_sub(tsp, "TSPInformation"), "TSPName", service.tsp)
            svc = _sub(_sub(tsp, "TSPServices"), "TSPService")
            _phase(_sub(svc, "ServiceInformation"), service, service.status, service.start,
                   with_cert=True)
            if service.history:
                hist = _sub(svc, "ServiceHistory")
                for status, start in service.history:
                    _phase(_sub(hist, "ServiceHistoryInstance"), service, status, start,
                           with_cert=False)
    return root


def _phase(el: etree._Element, s: Service, status: str, start: datetime, *,
           with_cert: bool) -> None:
    _sub(el, "ServiceTypeIdentifier", f"http://uri.etsi.org/TrstSvc/Svctype/{s.type}")
    _names(el, "ServiceName", s.name)
    ident = _sub(_sub(el, "ServiceDigitalIdentity"), "DigitalId")
    if with_cert:
        _sub(ident, "X509Certificate", _cert_b64(s.cert))
    else:
        _sub(ident, "X509SubjectName", s.cert.subject.rfc4514_string())
    _sub(el, "ServiceStatus", f"http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/{status}")
    _sub(el, "StatusStartingTime", start.strftime("%Y-%m-%dT%H:%M:%SZ"))
    exts = _sub(el, "ServiceInformationExtensions")
    for uri in s.additional:
        ext = _sub(exts, "Extension", Critical="true")
        _sub(_sub(ext, "AdditionalServiceInformation"), "URI", EXT + uri)
    for qualifiers, policies in s.qualifications:
        q = _sub(_sub(_sub(exts, "Extension", Critical="true"), "Qualifications", ns=ECRI),
                 "QualificationElement", ns=ECRI)
        qs = _sub(q, "Qualifiers", ns=ECRI)
        for name in qualifiers:
            _sub(qs, "Qualifier", ns=ECRI, uri=EXT + name)
        crit = _sub(q, "CriteriaList", ns=ECRI)
        crit.set("assert", "all")
        pset = _sub(crit, "PolicySet", ns=ECRI)
        for oid in policies:
            _sub(_sub(pset, "PolicyIdentifier", ns=ECRI), "Identifier", f"urn:oid:{oid}",
                 ns=XADES, Qualifier="OIDAsURN")


class _Signer(XAdESSigner):
    """signxml's XAdES signer with a chosen SigningTime, and a c14n transform on its own
    references (signxml omits it, so a non-default c14n would not verify anywhere)."""

    signing_time: datetime = T0

    def add_signing_time(self, signed_signature_properties: Any, sig_root: Any,
                         signing_settings: Any) -> None:
        el = etree.SubElement(signed_signature_properties, f"{{{XADES}}}SigningTime")
        el.text = self.signing_time.strftime("%Y-%m-%dT%H:%M:%SZ")

    def _add_reference_to_signed_info(self, sig_root: Any, node_to_reference: Any,
                                      **attrs: str) -> None:
        signed_info = self._find(sig_root, "SignedInfo")
        ref = etree.SubElement(signed_info, ds_tag("Reference"),
                               URI=f"#{node_to_reference.get('Id')}", **attrs)
        transforms = etree.SubElement(ref, ds_tag("Transforms"))
        etree.SubElement(transforms, ds_tag("Transform"), Algorithm=self.c14n_alg.value)
        etree.SubElement(ref, ds_tag("DigestMethod"), Algorithm=self.digest_alg.value)
        digest = self._get_digest(self._c14n(node_to_reference, algorithm=self.c14n_alg),
                                  algorithm=self.digest_alg)
        etree.SubElement(ref, ds_tag("DigestValue")).text = b64encode(digest).decode()


def sign(document: etree._Element | bytes, signer: Pki, *, signing_time: datetime = T0,
         algorithm: str | None = None, digest: str = "sha256", c14n: str = EXC_C14N,
         chain: Sequence[x509.Certificate] = ()) -> bytes:
    """Sign ``document`` with an enveloped XAdES-B signature and return the bytes."""
    root = etree.fromstring(document) if isinstance(document, bytes) else document
    if algorithm is None:
        algorithm = "rsa-sha256" if isinstance(signer.key, rsa.RSAPrivateKey) else "ecdsa-sha256"
    s = _Signer(signature_algorithm=algorithm, digest_algorithm=digest, c14n_algorithm=c14n)
    s.signing_time = signing_time
    return etree.tostring(s.sign(root, key=signer.key, cert=[signer.cert, *chain]))


def signed_list(spec: ListSpec, signer: Pki, **kw: Any) -> bytes:
    """A trusted list as ``spec`` describes it, signed by ``signer``."""
    return sign(trusted_list(spec), signer, **kw)


ELM2 = "http://data.europa.eu/snb"
VP = "http://data.europa.eu/snb/vp"
CRED = "http://data.europa.eu/europass/model/credentials/w3c#"


def elm2_presentation(*, registration: str = "VATSI-12345678", valid_from: str =
                      "2024-01-01T00:00:00+01:00", valid_until: str | None =
                      "2030-12-31T00:00:00+01:00") -> etree._Element:
    """A minimal ELM v2 ``vp:verifiablePresentation`` (unsigned) with one credential."""
    root = etree.Element(f"{{{VP}}}verifiablePresentation",
                         nsmap={None: ELM2, "vp": VP, "cred": CRED}, id="urn:vp:1")
    issuer = etree.SubElement(root, f"{{{VP}}}issuer", id="urn:epass:org:vp:1")
    etree.SubElement(issuer, f"{{{ELM2}}}registration", spatialID="SI").text = registration
    label = etree.SubElement(etree.SubElement(issuer, f"{{{ELM2}}}prefLabel"), f"{{{ELM2}}}text",
                             lang="en")
    label.text = "Test University"
    cred = etree.SubElement(root, f"{{{ELM2}}}europassCredential", id="urn:credential:1")
    etree.SubElement(cred, f"{{{CRED}}}validFrom").text = valid_from
    if valid_until:
        etree.SubElement(cred, f"{{{CRED}}}validUntil").text = valid_until
    etree.SubElement(cred, f"{{{CRED}}}issuer", idref="urn:epass:org:1")
    title = etree.SubElement(etree.SubElement(cred, f"{{{ELM2}}}title"), f"{{{ELM2}}}text",
                             lang="en")
    title.text = "Diploma in Testing"
    org = etree.SubElement(etree.SubElement(cred, f"{{{ELM2}}}agentReferences"),
                           f"{{{ELM2}}}organization", id="urn:epass:org:1")
    org_label = etree.SubElement(etree.SubElement(org, f"{{{ELM2}}}prefLabel"),
                                 f"{{{ELM2}}}text", lang="en")
    org_label.text = "Test University"
    return root


# -- the published lists of the corpus (read in place, never copied) ----------------------------
# The LOTL signer: the Official Journal of the EU publishes the certificates that may sign the
# LOTL; the corpus does not hold that publication, so the signer is established from the
# corpus manifest (its subject and validity) and from the LOTL's own pointer to itself (the
# announcement the Journal repeats), then pinned, as an operator pins the Journal's
# certificates.
LISTS = CORPUS / "edc" / "trusted-lists"
NOW_2025 = datetime(2025, 9, 1, tzinfo=UTC)
NOW_2019 = datetime(2019, 9, 10, tzinfo=UTC)


def manifest_entry(name: str) -> dict[str, Any]:
    """The trusted-lists manifest entry of one file."""
    files = json.loads((LISTS / "MANIFEST.json").read_text("utf-8"))["files"]
    return next(f for f in files if f["file"] == name)


def lotl_signer(name: str, now: datetime) -> x509.Certificate:
    """The signing certificate of a corpus LOTL, checked against the manifest and the LOTL's
    own EU pointer."""
    data = (LISTS / name).read_bytes()
    cert = verify_xades(data, now=now).signing_certificate
    entry = manifest_entry(name)
    assert entry["signer"].split("CN=", 1)[1].split(",")[0] in cert.subject.rfc4514_string()
    assert [f"{cert.not_valid_before_utc:%Y-%m-%d}",
            f"{cert.not_valid_after_utc:%Y-%m-%d}"] == entry["signer_cert_validity"]
    assert cert in parse_trusted_list(parse_xml(data)).signers_for("EU")
    return cert


def corpus_store(lotl: str, now: datetime, *national: str) -> TrustedListStore:
    """A store with a corpus LOTL (its signer pinned) and national lists imported through it."""
    store = TrustedListStore.empty()
    store.pin_lotl_signer(lotl_signer(lotl, now))
    store.import_list((LISTS / lotl).read_bytes(), now=now)
    for name in national:
        store.import_list((LISTS / name).read_bytes(), now=now)
    return store


def seal_chain(name: str) -> tuple[list[x509.Certificate], datetime]:
    """A JAdES-sealed corpus credential's seal certificate (protected header ``x5c``), the
    unprotected ``etsiU`` ``xVals`` certificates, and the signing time ``sigT``."""
    def b64url(text: str) -> bytes:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

    signature = json.loads((CORPUS / "edc" / name).read_text("utf-8"))["signatures"][0]
    header = json.loads(b64url(signature["protected"]))
    ders = [base64.b64decode(c) for c in header["x5c"]]
    for item in signature["header"]["etsiU"]:
        values = json.loads(b64url(item))
        ders += [base64.b64decode(v["x509Cert"]["val"]) for v in values.get("xVals", ())]
    return [x509.load_der_x509_certificate(d) for d in ders], datetime.fromisoformat(
        header["sigT"])
