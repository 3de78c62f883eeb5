"""Throw-away PKI and JAdES seals for European Digital Credential tests: a root CA, an
intermediate, a seal certificate with organizationIdentifier and QC statements, a TSA, CRLs and
OCSP responses, RFC 3161 tokens, and ELM v3 payloads sealed as JAdES B-B to B-LTA with
``b64: false`` (ETSI TS 119 182-1), all built with ``cryptography`` and ``asn1crypto``.
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from asn1crypto import cms, core, tsp
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SIGNED_AT = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
ORG_ID = "VATES-B12345678"
ORG_ID_OID = x509.ObjectIdentifier("2.5.4.97")
QC_STATEMENTS = x509.ObjectIdentifier("1.3.6.1.5.5.7.1.3")
QCP_L = x509.ObjectIdentifier("0.4.0.194112.1.1")
COUNTRY = "http://publications.europa.eu/resource/authority/country/"
LANGUAGE = "http://publications.europa.eu/resource/authority/language/ENG"


@functools.cache
def key(name: str) -> Any:
    """A private key per name, made once per test session (RSA for names starting ``rsa``)."""
    if name.startswith("rsa"):
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP384R1() if name.endswith("384") else ec.SECP256R1())


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def _name(cn: str, *, org: str | None = None, org_id: str | None = None, country: str = "ES"):
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, country)]
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    if org_id:
        attrs.append(x509.NameAttribute(ORG_ID_OID, org_id))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


class _QcStatement(core.Sequence):
    _fields = [("id", core.ObjectIdentifier), ("info", core.Any, {"optional": True})]


class _QcStatements(core.SequenceOf):
    _child_spec = _QcStatement


class _Oids(core.SequenceOf):
    _child_spec = core.ObjectIdentifier


def qc_statements(*, compliance: bool = True, eseal: bool = True, sscd: bool = False) -> bytes:
    """A qcStatements extension value (ETSI EN 319 412-5 §4.2)."""
    items = []
    if compliance:
        items.append({"id": "0.4.0.1862.1.1"})
    if sscd:
        items.append({"id": "0.4.0.1862.1.4"})
    kind = "0.4.0.1862.1.6.2" if eseal else "0.4.0.1862.1.6.1"
    items.append({"id": "0.4.0.1862.1.6", "info": core.Any.load(_Oids([kind]).dump())})
    return _QcStatements(items).dump()


def _cert(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: Any,
    signer: Any,
    *,
    ca: bool,
    not_before: datetime,
    not_after: datetime,
    serial: int | None = None,
    extensions: tuple[tuple[Any, bool], ...] = (),
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(serial or x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
        )
    for ext, critical in extensions:
        builder = builder.add_extension(ext, critical=critical)
    return builder.sign(signer, hashes.SHA256())


@dataclass(frozen=True)
class Pki:
    """A root CA, an intermediate, a seal certificate and a TSA, with their keys."""

    root: x509.Certificate
    intermediate: x509.Certificate
    seal: x509.Certificate
    seal_key: Any
    tsa: x509.Certificate
    other_seal: x509.Certificate  # another organisation's seal certificate, same CA


def make_pki(
    *,
    org_id: str | None = ORG_ID,
    org: str = "Universidad Demo de Cádiz",
    seal_key: str = "rsa-seal",
    valid_from: datetime = datetime(2025, 1, 1, tzinfo=UTC),
    valid_to: datetime = datetime(2028, 1, 1, tzinfo=UTC),
    qc: bool = True,
    sscd: bool = False,
) -> Pki:
    """Issue the certificates; the seal certificate's dates, identifier and QC claims vary."""
    start, end = datetime(2020, 1, 1, tzinfo=UTC), datetime(2040, 1, 1, tzinfo=UTC)
    root_name = _name("Test Root CA", org="Test Trust Services")
    inter_name = _name("Test Qualified CA for e-Seals", org="Test Trust Services")
    root = _cert(
        root_name,
        root_name,
        key("root").public_key(),
        key("root"),
        ca=True,
        not_before=start,
        not_after=end,
    )
    inter = _cert(
        inter_name,
        root_name,
        key("inter").public_key(),
        key("root"),
        ca=True,
        not_before=start,
        not_after=end,
    )
    usage = x509.KeyUsage(True, True, False, False, False, False, False, False, False)
    extensions: list[tuple[Any, bool]] = [
        (usage, True),
        (x509.CertificatePolicies([x509.PolicyInformation(QCP_L, None)]), False),
    ]
    if qc:
        extensions.append(
            (x509.UnrecognizedExtension(QC_STATEMENTS, qc_statements(sscd=sscd)), False)
        )
    seal = _cert(
        _name("Seal of " + org, org=org, org_id=org_id),
        inter_name,
        key(seal_key).public_key(),
        key("inter"),
        ca=False,
        not_before=valid_from,
        not_after=valid_to,
        extensions=tuple(extensions),
    )
    other = _cert(
        _name("Other Seal", org="Other Org", org_id="VATES-Z99999999"),
        inter_name,
        key("rsa-other").public_key(),
        key("inter"),
        ca=False,
        not_before=valid_from,
        not_after=valid_to,
        extensions=tuple(extensions),
    )
    tsa = _cert(
        _name("Test TSA", org="Test Trust Services", country="LU"),
        root_name,
        key("tsa").public_key(),
        key("root"),
        ca=False,
        not_before=start,
        not_after=end,
        extensions=((x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), True),),
    )
    return Pki(root, inter, seal, key(seal_key), tsa, other)


def timestamp(data: bytes, pki: Pki, *, at: datetime, serial: int = 1) -> bytes:
    """An RFC 3161 TimeStampToken over ``data`` signed by the test TSA (RFC 3161 §2.4.2)."""
    info = tsp.TSTInfo(
        {
            "version": "v1",
            "policy": "1.2.3.4.1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": hashlib.sha256(data).digest(),
            },
            "serial_number": serial,
            "gen_time": at,
        }
    )
    content = info.dump()
    attrs = cms.CMSAttributes(
        [
            cms.CMSAttribute({"type": "content_type", "values": ["tst_info"]}),
            cms.CMSAttribute(
                {"type": "message_digest", "values": [hashlib.sha256(content).digest()]}
            ),
        ]
    )
    signature = key("tsa").sign(attrs.dump(), ec.ECDSA(hashes.SHA256()))
    tsa = ax509.Certificate.load(der(pki.tsa))
    signer = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": {
                        "issuer": tsa.issuer,
                        "serial_number": tsa.serial_number,
                    }
                }
            ),
            "digest_algorithm": {"algorithm": "sha256"},
            "signed_attrs": attrs,
            "signature_algorithm": {"algorithm": "sha256_ecdsa"},
            "signature": signature,
        }
    )
    signed = cms.SignedData(
        {
            "version": "v3",
            "digest_algorithms": [{"algorithm": "sha256"}],
            "encap_content_info": {
                "content_type": "tst_info",
                "content": core.ParsableOctetString(content),
            },
            "certificates": [tsa],
            "signer_infos": [signer],
        }
    )
    return cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump()


def crl(pki: Pki, *, revoked: dict[int, datetime] | None = None, at: datetime = SIGNED_AT) -> bytes:
    """A CRL from the intermediate listing ``revoked`` serials (RFC 5280 §5)."""
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(pki.intermediate.subject)
        .last_update(at - timedelta(hours=1))
        .next_update(at + timedelta(days=7))
    )
    for serial, when in (revoked or {}).items():
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build()
        )
    return builder.sign(key("inter"), hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def ocsp_response(
    pki: Pki, *, revoked_at: datetime | None = None, at: datetime = SIGNED_AT
) -> bytes:
    """An OCSP response from the intermediate itself about the seal certificate (RFC 6960)."""
    status = ocsp.OCSPCertStatus.REVOKED if revoked_at else ocsp.OCSPCertStatus.GOOD
    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response(
            cert=pki.seal,
            issuer=pki.intermediate,
            algorithm=hashes.SHA1(),
            cert_status=status,
            this_update=at - timedelta(minutes=1),
            next_update=at + timedelta(days=1),
            revocation_time=revoked_at,
            revocation_reason=None,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, pki.intermediate)
    )
    return builder.sign(key("inter"), hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def elm_payload(**overrides: Any) -> dict[str, Any]:
    """An ELM v3 European Digital Credential with every field the EDC profile requires."""
    country = {"id": COUNTRY + "ESP", "type": "Concept"}
    language = {"id": LANGUAGE, "type": "Concept"}
    doc: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            "http://data.europa.eu/snb/model/context/edc-ap",
        ],
        "id": "urn:credential:6b3c1b0e-8f0a-4c1e-9d55-1f2e3d4c5b6a",
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "credentialProfiles": {
            "id": "http://data.europa.eu/snb/credential/e34929035b",
            "type": "Concept",
            "prefLabel": {"en": "Generic"},
        },
        "displayParameter": {
            "id": "urn:epass:displayParameter:1",
            "type": "DisplayParameter",
            "title": {"en": "Análisis de datos"},
            "primaryLanguage": language,
            "language": [language],
            "individualDisplay": [
                {
                    "id": "urn:epass:individualDisplay:1",
                    "type": "IndividualDisplay",
                    "language": language,
                    "displayDetail": [
                        {"id": "urn:epass:displayDetail:1", "type": "DisplayDetail", "page": 1}
                    ],
                }
            ],
        },
        "credentialSchema": {
            "id": "http://data.europa.eu/snb/model/ap/edc-generic-full",
            "type": "ShaclValidator2017",
        },
        "credentialSubject": {
            "id": "urn:epass:person:1",
            "type": "Person",
            "fullName": {"en": "Ana Prueba"},
            "hasClaim": {
                "id": "urn:epass:learningAchievement:1",
                "type": "LearningAchievement",
                "title": {"en": "Data analysis"},
                "awardedBy": {
                    "id": "urn:epass:awardingProcess:1",
                    "type": "AwardingProcess",
                    "awardingBody": "urn:epass:org:1",
                },
            },
        },
        "issuer": {
            "id": "urn:epass:org:1",
            "type": "Organisation",
            "legalName": {"en": "Universidad Demo de Cádiz"},
            "eIDASIdentifier": {
                "id": "urn:epass:legalIdentifier:1",
                "type": "LegalIdentifier",
                "notation": ORG_ID,
                "spatial": country,
            },
            "location": {
                "id": "urn:epass:location:1",
                "type": "Location",
                "address": {"id": "urn:epass:address:1", "type": "Address", "countryCode": country},
            },
        },
        "issuanceDate": "2026-01-15T09:00:00Z",
        "issued": "2026-01-15T09:00:00Z",
        "validFrom": "2026-01-15T09:00:00Z",
    }
    for name, value in overrides.items():
        if value is None:
            doc.pop(name, None)
        else:
            doc[name] = copy.deepcopy(value)
    return doc


@dataclass(frozen=True)
class SealOptions:
    """How to seal: the level (B-B to B-LTA), algorithm, signing time and what to embed."""

    level: str = "B-LTA"
    alg: str = "RS256"
    signed_at: datetime = SIGNED_AT
    revocation: tuple[str, ...] = ("ocsp", "crl")
    revoked_at: datetime | None = None  # the seal certificate's revocation, in the data embedded
    header: dict[str, Any] = field(default_factory=dict)  # protected header members to set
    x5c: tuple[x509.Certificate, ...] | None = None  # the certificates to put in x5c
    flattened: bool = False


def seal_edc(
    payload: dict[str, Any] | str, pki: Pki, options: SealOptions = SealOptions(), **kw: Any
) -> str:
    """Seal ``payload`` as an enveloping JAdES signature with ``b64: false``; return the text."""
    opts = replace(options, **kw)
    text = (
        payload
        if isinstance(payload, str)
        else json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    )
    data = text.encode("utf-8")
    header: dict[str, Any] = {
        "alg": opts.alg,
        "cty": "application/json",
        "typ": "jose+json",
        "x5t#S256": b64url(hashlib.sha256(der(pki.seal)).digest()),
        "x5c": [b64(der(c)) for c in (opts.x5c or (pki.seal,))],
        "b64": False,
        "sigT": opts.signed_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "crit": ["b64", "sigT"],
    }
    if opts.level != "B-B":
        token = timestamp(data, pki, at=opts.signed_at - timedelta(seconds=5), serial=10)
        header["adoTst"] = {"tstTokens": [{"val": b64(token)}]}
        header["crit"].append("adoTst")
    header.update(opts.header)
    protected = b64url(json.dumps(header, separators=(",", ":")).encode())
    signature = b64url(_sign(opts.alg, pki.seal_key, protected.encode() + b"." + data))
    items: list[str] = []
    if opts.level in ("B-T", "B-LT", "B-LTA"):
        token = timestamp(
            signature.encode(), pki, at=opts.signed_at + timedelta(seconds=2), serial=11
        )
        items.append(_item({"sigTst": {"tstTokens": [{"val": b64(token)}]}}))
    if opts.level in ("B-LT", "B-LTA"):
        certs = [pki.intermediate, pki.root, pki.tsa]
        items.append(_item({"xVals": [{"x509Cert": {"val": b64(der(c))}} for c in certs]}))
        rvals: dict[str, Any] = {}
        revoked = {pki.seal.serial_number: opts.revoked_at} if opts.revoked_at else {}
        if "crl" in opts.revocation:
            rvals["crlVals"] = [{"val": b64(crl(pki, revoked=revoked, at=opts.signed_at))}]
        if "ocsp" in opts.revocation:
            response = ocsp_response(pki, revoked_at=opts.revoked_at, at=opts.signed_at)
            rvals["ocspVals"] = [{"val": b64(response)}]
        items.append(_item({"rVals": rvals}))
    if opts.level == "B-LTA":
        covered = data + b"." + protected.encode() + b"." + signature.encode() + b"."
        covered += "".join(items).encode()
        token = timestamp(covered, pki, at=opts.signed_at + timedelta(seconds=3), serial=12)
        items.append(_item({"arcTst": {"tstTokens": [{"val": b64(token)}]}}))
    sig = {"protected": protected, "header": {"etsiU": items}, "signature": signature}
    doc = {"payload": text, **sig} if opts.flattened else {"payload": text, "signatures": [sig]}
    return json.dumps(doc)


def _item(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def _sign(alg: str, private: Any, data: bytes) -> bytes:
    if alg == "RS256":
        return private.sign(data, padding.PKCS1v15(), hashes.SHA256())
    if alg == "PS256":
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        return private.sign(data, pss, hashes.SHA256())
    if alg in ("ES256", "ES384"):
        digest = hashes.SHA256() if alg == "ES256" else hashes.SHA384()
        r, s = utils.decode_dss_signature(private.sign(data, ec.ECDSA(digest)))
        size = (private.curve.key_size + 7) // 8
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    return b""  # "none" and anything else: no signature value


# -- a stand-in for verifier.trustlists ---------------------------------------------------------


@dataclass(frozen=True)
class FakeAnchor:
    """The part of ``verifier.tsl.qualify.Anchor`` the EDC pipeline reads."""

    certificate: x509.Certificate
    qualification: str = "qualified_no_qscd"
    service_name: str = "Test Qualified CA for e-Seals"
    service_type: str = "CA/QC"
    status_at_time: str | None = "granted"
    territory: str = "ES"
    list_issue_date: datetime = datetime(2025, 12, 1, tzinfo=UTC)
    stale: bool = False

    def seal_qualification(self, leaf: x509.Certificate) -> str:
        return self.qualification


@dataclass
class FakeTrustedLists:
    """Anchors chains whose certificates include ``anchor.certificate``'s subject as issuer."""

    anchor: FakeAnchor | None = None
    asked: list[datetime] = field(default_factory=list)

    def lists(self) -> tuple[str, ...]:
        return ("ES",)

    def anchor_for(self, chain: list[x509.Certificate], *, at: datetime) -> FakeAnchor | None:
        self.asked.append(at)
        if self.anchor and any(c.issuer == self.anchor.certificate.subject for c in chain):
            return self.anchor
        return None
