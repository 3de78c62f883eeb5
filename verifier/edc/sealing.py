"""Sealing European Digital Credentials with a throw-away PKI: a root CA, an intermediate that
issues e-seal certificates, a time-stamping authority, CRLs and OCSP responses, RFC 3161 tokens,
and ELM v3 payloads sealed as enveloping JAdES signatures with ``b64: false`` (ETSI TS 119
182-1), from B-B to B-LTA.

The wallet's demo issuers and the tests seal with it. No EU trusted list names a CA made here,
so its seals verify as intact but their trust is "could not check", which is the truth.

Example::

    from datetime import UTC, datetime, timedelta
    from verifier.edc.sealing import make_demo_pki, seal_edc

    now = datetime.now(UTC)
    pki = make_demo_pki(organisation="Demo University", organization_identifier="VATES-B1",
                        valid_from=now - timedelta(days=365), valid_to=now + timedelta(days=730))
    text = seal_edc(elm_credential, pki, signed_at=now)
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from asn1crypto import cms, core, tsp
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
ORG_ID_OID = x509.ObjectIdentifier("2.5.4.97")  # organizationIdentifier (EN 319 412-1 §5.1.4)
QC_STATEMENTS = x509.ObjectIdentifier("1.3.6.1.5.5.7.1.3")
QCP_L = x509.ObjectIdentifier("0.4.0.194112.1.1")  # EN 319 411-2 QCP-l
LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")
#: Key roles of a PKI: fresh keys are made for the roles a caller does not supply (the last
#: only when another organisation's seal certificate is asked for).
ROLES = ("root", "intermediate", "tsa", "seal", "other_seal")


def b64url(data: bytes) -> str:
    """Base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64(data: bytes) -> str:
    """Standard base64, as JAdES ``x5c`` and ``val`` members carry it."""
    return base64.b64encode(data).decode()


def der(cert: x509.Certificate) -> bytes:
    """A certificate's DER encoding."""
    return cert.public_bytes(serialization.Encoding.DER)


def new_key(role: str) -> PrivateKey:
    """A fresh key for a role: RSA-2048 for seal certificates (RS256, as Europass seals), P-256
    for the authorities."""
    if role in ("seal", "other_seal"):
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


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


@dataclass(frozen=True)
class Pki:
    """A root CA, an intermediate issuing e-seal certificates, a seal certificate and a TSA,
    with the private keys that sign seals, timestamps and revocation data."""

    root: x509.Certificate
    intermediate: x509.Certificate
    seal: x509.Certificate
    seal_key: PrivateKey = field(repr=False)
    tsa: x509.Certificate
    tsa_key: PrivateKey = field(repr=False)
    intermediate_key: PrivateKey = field(repr=False)
    other_seal: x509.Certificate | None = None  # another organisation's, from the same CA


def make_demo_pki(
    *,
    organisation: str,
    organization_identifier: str | None,
    valid_from: datetime,
    valid_to: datetime,
    country: str = "ES",
    trust_service: str = "Demo Trust Services",
    ca_valid_from: datetime | None = None,
    ca_valid_to: datetime | None = None,
    qc: bool = False,
    sscd: bool = False,
    other_organisation: tuple[str, str] | None = None,
    keys: Mapping[str, PrivateKey] | None = None,
) -> Pki:
    """Issue a throw-away PKI whose seal certificate names ``organisation`` (and, in its
    organizationIdentifier, ``organization_identifier``, e.g. ``VATES-B12345678``).

    ``qc`` makes the seal certificate claim EU qualified status (QC statements, QCP-l), which a
    demo CA should not claim; ``other_organisation`` (name, identifier) also issues another
    organisation's seal certificate from the same CA; ``keys`` supplies keys by role (``ROLES``)
    and the rest are fresh.
    """
    needed = ROLES if other_organisation else ROLES[:-1]
    chosen = {role: (keys or {}).get(role) or new_key(role) for role in needed}
    start = ca_valid_from or valid_from - timedelta(days=5 * 365)
    end = ca_valid_to or valid_to + timedelta(days=10 * 365)
    root_name = _name(f"{trust_service} Root CA", org=trust_service, country=country)
    inter_name = _name(f"{trust_service} CA for e-Seals", org=trust_service, country=country)
    root = _cert(root_name, root_name, chosen["root"], chosen["root"], ca=True, dates=(start, end))
    inter = _cert(
        inter_name, root_name, chosen["intermediate"], chosen["root"], ca=True, dates=(start, end)
    )
    usage = x509.KeyUsage(True, True, False, False, False, False, False, False, False)
    extensions: list[tuple[x509.ExtensionType, bool]] = [(usage, True)]
    if qc:
        extensions.append((x509.CertificatePolicies([x509.PolicyInformation(QCP_L, None)]), False))
        extensions.append(
            (x509.UnrecognizedExtension(QC_STATEMENTS, qc_statements(sscd=sscd)), False)
        )

    def seal_certificate(org: str, org_id: str | None, role: str) -> x509.Certificate:
        subject = _name(f"Seal of {org}", org=org, org_id=org_id, country=country)
        return _cert(
            subject,
            inter_name,
            chosen[role],
            chosen["intermediate"],
            ca=False,
            dates=(valid_from, valid_to),
            extensions=tuple(extensions),
        )

    stamping = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING])
    tsa_name = _name(f"{trust_service} TSA", org=trust_service, country=country)
    tsa = _cert(
        tsa_name,
        root_name,
        chosen["tsa"],
        chosen["root"],
        ca=False,
        dates=(start, end),
        extensions=((stamping, True),),
    )
    other = seal_certificate(*other_organisation, "other_seal") if other_organisation else None
    return Pki(
        root=root,
        intermediate=inter,
        seal=seal_certificate(organisation, organization_identifier, "seal"),
        seal_key=chosen["seal"],
        tsa=tsa,
        tsa_key=chosen["tsa"],
        intermediate_key=chosen["intermediate"],
        other_seal=other,
    )


def _name(cn: str, *, org: str | None = None, org_id: str | None = None, country: str) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, country)]
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    if org_id:
        attrs.append(x509.NameAttribute(ORG_ID_OID, org_id))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def _cert(
    subject: x509.Name,
    issuer: x509.Name,
    subject_key: PrivateKey,
    signer: PrivateKey,
    *,
    ca: bool,
    dates: tuple[datetime, datetime],
    extensions: tuple[tuple[x509.ExtensionType, bool], ...] = (),
) -> x509.Certificate:
    public_key = subject_key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(dates[0])
        .not_valid_after(dates[1])
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


def timestamp(data: bytes, pki: Pki, *, at: datetime, serial: int | None = None) -> bytes:
    """An RFC 3161 TimeStampToken over ``data`` from the PKI's TSA (RFC 3161 §2.4.2)."""
    info = tsp.TSTInfo(
        {
            "version": "v1",
            "policy": "1.2.3.4.1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": hashlib.sha256(data).digest(),
            },
            "serial_number": serial if serial is not None else x509.random_serial_number(),
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
    if isinstance(pki.tsa_key, rsa.RSAPrivateKey):
        algorithm = "sha256_rsa"
        signature = pki.tsa_key.sign(attrs.dump(), padding.PKCS1v15(), hashes.SHA256())
    else:
        algorithm = "sha256_ecdsa"
        signature = pki.tsa_key.sign(attrs.dump(), ec.ECDSA(hashes.SHA256()))
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
            "signature_algorithm": {"algorithm": algorithm},
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


def crl(pki: Pki, *, at: datetime, revoked: Mapping[int, datetime] | None = None) -> bytes:
    """A CRL from the intermediate, issued an hour before ``at``, listing ``revoked`` serials
    (RFC 5280 §5)."""
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
    return builder.sign(pki.intermediate_key, hashes.SHA256()).public_bytes(
        serialization.Encoding.DER
    )


def ocsp_response(pki: Pki, *, at: datetime, revoked_at: datetime | None = None) -> bytes:
    """An OCSP response from the intermediate itself about the seal certificate (RFC 6960)."""
    status = ocsp.OCSPCertStatus.REVOKED if revoked_at else ocsp.OCSPCertStatus.GOOD
    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response(
            cert=pki.seal,
            issuer=pki.intermediate,
            algorithm=hashes.SHA1(),  # the CertID hash most responders and clients use
            cert_status=status,
            this_update=at - timedelta(minutes=1),
            next_update=at + timedelta(days=1),
            revocation_time=revoked_at,
            revocation_reason=None,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, pki.intermediate)
    )
    return builder.sign(pki.intermediate_key, hashes.SHA256()).public_bytes(
        serialization.Encoding.DER
    )


def seal_edc(
    payload: Mapping[str, Any] | str,
    pki: Pki,
    *,
    signed_at: datetime,
    level: str = "B-LTA",
    alg: str | None = None,
    revocation: tuple[str, ...] = ("ocsp", "crl"),
    revoked_at: datetime | None = None,
    header: Mapping[str, Any] | None = None,
    x5c: tuple[x509.Certificate, ...] | None = None,
    flattened: bool = False,
    sign: Callable[[bytes], bytes] | None = None,
) -> str:
    """Seal ``payload`` (an ELM v3 credential, or its exact text) as an enveloping JAdES
    signature with ``b64: false`` (TS 119 182-1 §5.1.10, §5.3); return the JWS JSON text.

    ``level`` adds a content timestamp (B-T and up), a signature timestamp (B-T), validation
    data with ``revocation`` from ``("ocsp", "crl")`` (B-LT) and an archive timestamp (B-LTA).
    ``alg`` defaults to the seal key's (RS256, ES256, ES384); ``revoked_at`` is the seal
    certificate's revocation in the embedded data; ``header`` sets protected header members;
    ``x5c`` replaces the certificates named; ``sign`` computes the signature value instead of
    the seal key (an HSM, or a test's broken signer).
    """
    if level not in LEVELS:
        raise ValueError(f"unknown JAdES level {level!r}; one of {', '.join(LEVELS)}")
    alg = alg or default_alg(pki.seal_key)
    text = (
        payload
        if isinstance(payload, str)
        else json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    )
    data = text.encode("utf-8")
    protected_header: dict[str, Any] = {
        "alg": alg,
        "cty": "application/json",
        "typ": "jose+json",
        "x5t#S256": b64url(hashlib.sha256(der(pki.seal)).digest()),
        "x5c": [b64(der(c)) for c in (x5c or (pki.seal,))],
        "b64": False,
        "sigT": signed_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "crit": ["b64", "sigT"],
    }
    if level != "B-B":
        token = timestamp(data, pki, at=signed_at - timedelta(seconds=5))
        protected_header["adoTst"] = {"tstTokens": [{"val": b64(token)}]}
        protected_header["crit"].append("adoTst")
    protected_header.update(header or {})
    protected = b64url(json.dumps(protected_header, separators=(",", ":")).encode())
    signing_input = protected.encode() + b"." + data
    value = sign(signing_input) if sign else sign_value(alg, pki.seal_key, signing_input)
    signature = b64url(value)
    items: list[str] = []
    if level in ("B-T", "B-LT", "B-LTA"):
        token = timestamp(signature.encode(), pki, at=signed_at + timedelta(seconds=2))
        items.append(_item({"sigTst": {"tstTokens": [{"val": b64(token)}]}}))
    if level in ("B-LT", "B-LTA"):
        certs = [pki.intermediate, pki.root, pki.tsa]
        items.append(_item({"xVals": [{"x509Cert": {"val": b64(der(c))}} for c in certs]}))
        rvals: dict[str, Any] = {}
        revoked = {pki.seal.serial_number: revoked_at} if revoked_at else {}
        if "crl" in revocation:
            rvals["crlVals"] = [{"val": b64(crl(pki, revoked=revoked, at=signed_at))}]
        if "ocsp" in revocation:
            response = ocsp_response(pki, revoked_at=revoked_at, at=signed_at)
            rvals["ocspVals"] = [{"val": b64(response)}]
        items.append(_item({"rVals": rvals}))
    if level == "B-LTA":
        covered = data + b"." + protected.encode() + b"." + signature.encode() + b"."
        covered += "".join(items).encode()
        token = timestamp(covered, pki, at=signed_at + timedelta(seconds=3))
        items.append(_item({"arcTst": {"tstTokens": [{"val": b64(token)}]}}))
    sig = {"protected": protected, "header": {"etsiU": items}, "signature": signature}
    doc = {"payload": text, **sig} if flattened else {"payload": text, "signatures": [sig]}
    return json.dumps(doc)


def default_alg(key: PrivateKey) -> str:
    """The JWS algorithm a seal key signs with: RS256, or ES256/ES384 by curve."""
    if isinstance(key, rsa.RSAPrivateKey):
        return "RS256"
    return "ES384" if key.curve.key_size == 384 else "ES256"


def sign_value(alg: str, key: PrivateKey, data: bytes) -> bytes:
    """The JWS signature value of ``data`` (RFC 7518 §3.3–§3.5: PKCS#1 v1.5, PSS, raw r||s)."""
    if alg in ("RS256", "PS256"):
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"{alg} needs an RSA key")
        if alg == "RS256":
            return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        return key.sign(data, pss, hashes.SHA256())
    if alg in ("ES256", "ES384"):
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{alg} needs an elliptic-curve key")
        digest = hashes.SHA256() if alg == "ES256" else hashes.SHA384()
        r, s = utils.decode_dss_signature(key.sign(data, ec.ECDSA(digest)))
        size = (key.curve.key_size + 7) // 8
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    raise ValueError(f"cannot seal with {alg!r}: use RS256, PS256, ES256 or ES384")


def _item(value: dict[str, Any]) -> str:
    """An unprotected ``etsiU`` item, base64url-encoded (TS 119 182-1 §5.3)."""
    return b64url(json.dumps(value, separators=(",", ":")).encode())
