"""The seal's certificates: path building and checking (RFC 5280 §6.1) and what the seal
certificate says about its holder (ETSI EN 319 412-1 §5.1.4, EN 319 412-5 QC statements).

Certificates enter through :func:`readable`, which parses the names and extensions used later
once, so a malformed certificate is a :class:`~verifier.errors.MalformedDocument` at the door;
path problems raise :class:`~verifier.errors.ProofInvalid`.  Nothing here reads the clock or
the network: the time at which a path is judged is always a parameter.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import core
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.x509.oid import NameOID

from verifier.errors import MalformedDocument, ProofInvalid, UnsupportedProof

MAX_PATH = 8
HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}
ORGANIZATION_IDENTIFIER = x509.ObjectIdentifier("2.5.4.97")
QC_STATEMENTS = "1.3.6.1.5.5.7.1.3"
# ETSI EN 319 412-5 §4.2: QcCompliance, QcSSCD, QcType and its values.
QC_COMPLIANCE, QC_SSCD, QC_TYPE = "0.4.0.1862.1.1", "0.4.0.1862.1.4", "0.4.0.1862.1.6"
QC_TYPES = {"0.4.0.1862.1.6.1": "esign", "0.4.0.1862.1.6.2": "eseal", "0.4.0.1862.1.6.3": "web"}
# Critical extensions whose rules check_path applies or that constrain nothing it relies on.
_PROCESSED = frozenset(
    {
        "basic_constraints",
        "key_usage",
        "extended_key_usage",
        "certificate_policies",
        "subject_alt_name",
        "issuer_alt_name",
        "policy_constraints",
        "inhibit_any_policy",
    }
)
_LEGAL_ID = re.compile(r"^(?P<scheme>[A-Z]{3}|[A-Z]{2}:)(?P<country>[A-Z]{2})-(?P<value>.+)$")


def verify_signed_bytes(
    signer: x509.Certificate,
    signature: bytes,
    data: bytes,
    *,
    scheme: str,
    digest: str,
    what: str,
) -> None:
    """Verify a CMS or OCSP signature with the signer's key (RFC 5652 §5.6, RFC 6960 §4.2.1);
    ``scheme`` is ``rsassa_pkcs1v15``, ``rsassa_pss`` or ``ecdsa``, ``digest`` a hash name."""
    if digest not in HASHES:
        raise UnsupportedProof(f"The signature on {what} uses an unsupported hash ({digest}).")
    key, hash_alg = public_key(signer), HASHES[digest]()
    try:
        if isinstance(key, rsa.RSAPublicKey) and scheme == "rsassa_pss":
            pss = padding.PSS(mgf=padding.MGF1(hash_alg), salt_length=padding.PSS.AUTO)
            key.verify(signature, data, pss, hash_alg)
        elif isinstance(key, rsa.RSAPublicKey) and scheme == "rsassa_pkcs1v15":
            key.verify(signature, data, padding.PKCS1v15(), hash_alg)
        elif isinstance(key, ec.EllipticCurvePublicKey) and scheme == "ecdsa":
            key.verify(signature, data, ec.ECDSA(hash_alg))
        else:
            raise UnsupportedProof(f"The signature on {what} uses {scheme}, not supported.")
    except InvalidSignature:
        raise ProofInvalid(f"The signature on {what} does not verify.") from None


def public_key(cert: x509.Certificate) -> PublicKeyTypes:
    """The certificate's key; one that cannot be read is a data problem (RFC 5280 §4.1.2.7)."""
    try:
        return cert.public_key()
    except UnsupportedAlgorithm as exc:
        raise UnsupportedProof(f"The key of {describe(cert)} is of a kind not supported.") from exc
    except ValueError as exc:
        raise ProofInvalid(f"The key of {describe(cert)} is malformed.") from exc


def describe(cert: x509.Certificate) -> str:
    """A certificate's holder for a sentence: common name, organisation and country."""
    parts = [
        _attr(cert.subject, NameOID.COMMON_NAME),
        _attr(cert.subject, NameOID.ORGANIZATION_NAME),
    ]
    names = list(dict.fromkeys(p for p in parts if p))
    country = _attr(cert.subject, NameOID.COUNTRY_NAME)
    text = ", ".join(names) or cert.subject.rfc4514_string()
    return f"{text} ({country})" if country else text


def _attr(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    values = name.get_attributes_for_oid(oid)
    value = values[0].value if values else None
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class LegalIdentifier:
    """A legal person's identifier as ETSI EN 319 412-1 §5.1.4 writes it (``VATES-B1234``)."""

    scheme: str | None  # "VAT", "NTR", "PSD", "LEI" or a national "XX:"; None when bare
    country: str | None
    value: str

    @classmethod
    def parse(cls, text: str, *, country: str | None = None) -> LegalIdentifier:
        """Split a semantics-identifier string; a bare value keeps the ``country`` given."""
        compact = re.sub(r"\s+", "", text).upper()
        match = _LEGAL_ID.match(compact)
        if match:
            return cls(match["scheme"], match["country"], match["value"])
        return cls(None, country, compact)

    def matches(self, other: LegalIdentifier) -> bool:
        """Same value, and the same scheme and country wherever both name one."""
        return (
            self.value == other.value
            and (self.scheme is None or other.scheme is None or self.scheme == other.scheme)
            and (self.country is None or other.country is None or self.country == other.country)
        )

    def __str__(self) -> str:
        if self.scheme:
            return f"{self.scheme}{self.country or ''}-{self.value}"
        return f"{self.value} ({self.country})" if self.country else self.value


class _QcStatement(core.Sequence):
    _fields = [("id", core.ObjectIdentifier), ("info", core.Any, {"optional": True})]


class _QcStatements(core.SequenceOf):
    _child_spec = _QcStatement


@dataclass(frozen=True)
class SealCertificate:
    """What the seal certificate says about its holder and its qualification."""

    certificate: x509.Certificate
    organisation: str | None
    organization_identifier: LegalIdentifier | None
    country: str | None
    qc_compliance: bool = False
    qc_types: tuple[str, ...] = ()
    qc_sscd: bool = False
    policies: tuple[str, ...] = ()

    @classmethod
    def of(cls, cert: x509.Certificate) -> SealCertificate:
        """Read subject O, organizationIdentifier (2.5.4.97), C and qcStatements (EN 319 412-5)."""
        org_id = _attr(cert.subject, ORGANIZATION_IDENTIFIER)
        statements: dict[str, core.Any | None] = {}
        qc_types: list[str] = []
        raw = _extension(cert, QC_STATEMENTS)
        try:
            for item in _QcStatements.load(raw or b"\x30\x00"):
                statements[item["id"].dotted] = item["info"]
            if statements.get(QC_TYPE) is not None:
                oids = core.SequenceOf.load(statements[QC_TYPE].dump(), spec=core.ObjectIdentifier)
                qc_types = [QC_TYPES.get(o.dotted, o.dotted) for o in oids]
        except ValueError:  # a malformed qcStatements extension claims nothing
            statements, qc_types = {}, []
        try:
            values = _asn1(cert).certificate_policies_value or ()
            policies = tuple(p["policy_identifier"].dotted for p in values)
        except ValueError:  # malformed policies name none
            policies = ()
        return cls(
            certificate=cert,
            organisation=_attr(cert.subject, NameOID.ORGANIZATION_NAME),
            organization_identifier=LegalIdentifier.parse(org_id) if org_id else None,
            country=_attr(cert.subject, NameOID.COUNTRY_NAME),
            qc_compliance=QC_COMPLIANCE in statements,
            qc_types=tuple(qc_types),
            qc_sscd=QC_SSCD in statements,
            policies=policies,
        )

    @property
    def qualified_for_eseal(self) -> bool:
        """QcCompliance with QcType eseal (EN 319 412-5 §4.2.1, §4.2.3)."""
        return self.qc_compliance and "eseal" in self.qc_types

    def qualification(self) -> str:
        """A phrase naming the certificate's kind, as its QC statements claim it."""
        if not self.qc_compliance:
            return "a certificate that claims no EU qualified status"
        kind = (
            "e-seal" if "eseal" in self.qc_types else "/".join(self.qc_types) or "unspecified use"
        )
        device = "on a secure device (QSCD)" if self.qc_sscd else "not on a secure device (QSCD)"
        return f"a qualified certificate for {kind}, {device}"


def build_path(
    leaf: x509.Certificate,
    intermediates: Sequence[x509.Certificate],
    anchors: Sequence[x509.Certificate],
    *,
    at: datetime,
) -> list[x509.Certificate]:
    """Build the path from ``leaf`` up to an anchor, a self-issued root or the last issuer
    found (RFC 5280 §6.1, RFC 4158), checking each signature; certificates valid ``at`` come
    first when several share a name."""
    anchor_set = set(anchors)
    pool = list(dict.fromkeys([*anchors, *intermediates]))
    path, current = [leaf], leaf
    while current not in anchor_set and current.subject != current.issuer:
        if len(path) >= MAX_PATH:
            raise ProofInvalid(f"The certificate path is longer than {MAX_PATH} certificates.")
        named = [c for c in pool if c.subject == current.issuer and c not in path]
        named.sort(key=lambda c: (c not in anchor_set, not _valid(c, at)))
        issuer = next((c for c in named if issued_by(current, c)), None)
        if issuer is None:
            if named:
                raise ProofInvalid(
                    f"The certificate of {describe(current)} is not signed by the certificate "
                    "named as its issuer."
                )
            break
        path.append(issuer)
        current = issuer
    return path


def issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Whether ``issuer``'s key signed ``cert`` and its subject is ``cert``'s issuer."""
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def _valid(cert: x509.Certificate, at: datetime) -> bool:
    return cert.not_valid_before_utc <= at <= cert.not_valid_after_utc


def check_path(path: Sequence[x509.Certificate]) -> None:
    """Check the path's constraints (RFC 5280 §6.1.4 (k)–(n), §4.2): issuers are CAs allowed to
    sign certificates within their path length; the seal key may sign; no critical extension
    is left unprocessed."""
    usage = _asn1(path[0]).key_usage_value
    if usage is not None and not usage.native & {"digital_signature", "non_repudiation"}:
        raise ProofInvalid("The seal certificate's key usage does not allow signing documents.")
    for depth, cert in enumerate(path[1:]):
        parsed = _asn1(cert)
        constraints = parsed.basic_constraints_value
        if cert.version is x509.Version.v3 and (
            constraints is None or not constraints["ca"].native
        ):
            raise ProofInvalid(f"{describe(cert)} is not a certification authority.")
        length = constraints["path_len_constraint"].native if constraints is not None else None
        if length is not None and depth > length:
            raise ProofInvalid(f"The path is longer than {describe(cert)} allows.")
        usage = parsed.key_usage_value
        if usage is not None and "key_cert_sign" not in usage.native:
            raise ProofInvalid(f"{describe(cert)} may not sign certificates.")
    for cert in path:
        unprocessed = _asn1(cert).critical_extensions - _PROCESSED
        if unprocessed:
            raise ProofInvalid(
                f"{describe(cert)} has a critical extension this verifier does not process "
                f"({', '.join(sorted(unprocessed))})."
            )


def invalid_at(path: Sequence[x509.Certificate], at: datetime) -> list[x509.Certificate]:
    """The certificates of ``path`` that were not within their validity period ``at``."""
    return [c for c in path if not _valid(c, at)]


_CACHE: dict[x509.Certificate, ax509.Certificate] = {}


def readable(cert: x509.Certificate, *, what: str) -> x509.Certificate:
    """Parse the names and extensions of ``cert`` that the checks read (cryptography and
    asn1crypto both parse them lazily), so that a malformed one is reported here."""
    try:
        cert.subject.rfc4514_string()
        cert.issuer.rfc4514_string()
        parsed = _asn1(cert)
        for value in (
            parsed.key_usage_value,
            parsed.basic_constraints_value,
            parsed.extended_key_usage_value,
        ):
            _ = value.native if value is not None else None
        _ = parsed.key_identifier, parsed.critical_extensions
    except (ValueError, TypeError) as exc:  # both are cryptography's "cannot parse this name"
        raise MalformedDocument(
            f"A certificate in the seal's {what} is malformed.", detail=str(exc)
        ) from exc
    return cert


def _asn1(cert: x509.Certificate) -> ax509.Certificate:
    """The certificate as asn1crypto reads it: leniently, as real EU CA certificates need
    (UTF-8 in a VisibleString policy notice, negative serial numbers)."""
    if cert not in _CACHE:
        if len(_CACHE) > 256:
            _CACHE.clear()
        _CACHE[cert] = ax509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    return _CACHE[cert]


def _extension(cert: x509.Certificate, oid: str) -> bytes | None:
    """The raw value of an extension, by dotted OID."""
    for ext in _asn1(cert)["tbs_certificate"]["extensions"] or ():
        if ext["extn_id"].dotted == oid:
            return ext["extn_value"].contents
    return None


def extended_key_usage(cert: x509.Certificate) -> tuple[str, ...]:
    """The extended key usage purposes, as asn1crypto names them (``time_stamping``, …)."""
    value = _asn1(cert).extended_key_usage_value
    return tuple(value.native) if value is not None else ()


def key_identifier(cert: x509.Certificate) -> bytes | None:
    """The subjectKeyIdentifier (RFC 5280 §4.2.1.2), if any."""
    return _asn1(cert).key_identifier
