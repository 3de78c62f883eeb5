"""The few certificate fields trusted-list matching needs, read from the DER directly.

Real trusted lists carry certificates that ``cryptography`` loads but whose extensions it
refuses or warns about (bad policy qualifiers, negative serials, over-long names).  Matching a
certificate to a service needs only the raw names (RFC 5280 §4.1.2.4, §4.1.2.6), the key
identifiers (§4.2.1.1–2), the policies (§4.2.1.4), the key usage (§4.2.1.3) and the QC
statements (ETSI EN 319 412-5 §4), so this module reads those and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509

from verifier.errors import MalformedDocument

QC_STATEMENTS = "1.3.6.1.5.5.7.1.3"
QC_COMPLIANCE = "0.4.0.1862.1.1"
QC_SSCD = "0.4.0.1862.1.4"
QC_TYPE = "0.4.0.1862.1.6"
QC_TYPES = {"0.4.0.1862.1.6.1": "esign", "0.4.0.1862.1.6.2": "eseal", "0.4.0.1862.1.6.3": "web"}
KEY_USAGE_BITS = ("digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment",
                  "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly")


def _items(data: bytes) -> list[tuple[int, bytes, bytes]]:
    """The TLVs in ``data`` as ``(tag, value, whole encoding)``."""
    out, pos = [], 0
    while pos < len(data):
        start, tag = pos, data[pos]
        if tag & 0x1F == 0x1F or pos + 1 >= len(data):
            raise MalformedDocument("A certificate is not valid DER.")
        length, pos = data[pos + 1], pos + 2
        if length & 0x80:
            n = length & 0x7F
            if not 0 < n <= 4 or pos + n > len(data):
                raise MalformedDocument("A certificate is not valid DER.")
            length, pos = int.from_bytes(data[pos:pos + n], "big"), pos + n
        if pos + length > len(data):
            raise MalformedDocument("A certificate is not valid DER (truncated).")
        out.append((tag, data[pos:pos + length], data[start:pos + length]))
        pos += length
    return out


def _one(data: bytes, tag: int) -> bytes:
    items = _items(data)
    if len(items) != 1 or items[0][0] != tag:
        raise MalformedDocument("A certificate field has an unexpected DER type.")
    return items[0][1]


def _parts(data: bytes, count: int = 1) -> list[tuple[int, bytes, bytes]]:
    items = _items(data)
    if len(items) < count:
        raise MalformedDocument("A certificate field has too few parts.")
    return items


def oid(value: bytes) -> str:
    """Decode the contents of a DER OBJECT IDENTIFIER."""
    arcs, n = [], 0
    for byte in value:
        n = (n << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(n)
            n = 0
    if not arcs or value[-1] & 0x80:
        raise MalformedDocument("A certificate holds an invalid object identifier.")
    first = min(arcs[0] // 40, 2)
    return ".".join(str(a) for a in (first, arcs[0] - 40 * first, *arcs[1:]))


@dataclass(frozen=True)
class CertFields:
    """The raw fields of one certificate that trusted-list matching reads."""

    issuer: bytes  # DER of the issuer Name
    subject: bytes  # DER of the subject Name
    extensions: dict[str, bytes]  # OID -> extnValue contents

    @classmethod
    def of(cls, cert: x509.Certificate) -> CertFields:
        """Read a certificate's TBSCertificate (RFC 5280 §4.1)."""
        fields = _items(_one(cert.tbs_certificate_bytes, 0x30))
        if fields and fields[0][0] == 0xA0:  # [0] version
            fields = fields[1:]
        if len(fields) < 6:
            raise MalformedDocument("A certificate has too few fields.")
        extensions: dict[str, bytes] = {}
        for tag, value, _ in fields[6:]:
            if tag == 0xA3:
                for _t, ext, _w in _items(_one(value, 0x30)):
                    parts = _parts(ext, 2)
                    extensions[oid(parts[0][1])] = parts[-1][1]
        return cls(issuer=fields[2][2], subject=fields[4][2], extensions=extensions)

    @property
    def subject_key_id(self) -> bytes | None:
        """The SubjectKeyIdentifier (RFC 5280 §4.2.1.2), if present."""
        value = self.extensions.get("2.5.29.14")
        return _one(value, 0x04) if value is not None else None

    @property
    def authority_key_id(self) -> bytes | None:
        """The keyIdentifier of the AuthorityKeyIdentifier (RFC 5280 §4.2.1.1), if present."""
        value = self.extensions.get("2.5.29.35")
        if value is None:
            return None
        return next((v for t, v, _ in _items(_one(value, 0x30)) if t == 0x80), None)

    @property
    def policies(self) -> frozenset[str]:
        """The certificate policy OIDs (RFC 5280 §4.2.1.4)."""
        value = self.extensions.get("2.5.29.32")
        if value is None:
            return frozenset()
        return frozenset(oid(_parts(info)[0][1]) for _, info, _ in _items(_one(value, 0x30)))

    @property
    def key_usage(self) -> frozenset[str] | None:
        """The key usage bits set (RFC 5280 §4.2.1.3), or ``None`` without the extension."""
        value = self.extensions.get("2.5.29.15")
        if value is None:
            return None
        bits = _one(value, 0x03)[1:]
        return frozenset(name for i, name in enumerate(KEY_USAGE_BITS)
                         if i // 8 < len(bits) and bits[i // 8] & (0x80 >> (i % 8)))

    @property
    def qc(self) -> QcInfo:
        """The QC statements (EN 319 412-5 §4.2): compliance, QSCD and QC types."""
        value = self.extensions.get(QC_STATEMENTS)
        compliance = sscd = False
        types: set[str] = set()
        for _, statement, _ in _items(_one(value, 0x30)) if value is not None else ():
            parts = _parts(statement)
            ident = oid(parts[0][1])
            compliance |= ident == QC_COMPLIANCE
            sscd |= ident == QC_SSCD
            if ident == QC_TYPE and len(parts) > 1:
                types |= {QC_TYPES.get(oid(v), oid(v)) for _, v, _ in _items(parts[1][1])}
        return QcInfo(compliance=compliance, sscd=sscd, types=frozenset(types))


@dataclass(frozen=True)
class QcInfo:
    """What a certificate's QC statements claim (ETSI EN 319 412-5 §4.2.1–§4.2.3)."""

    compliance: bool
    sscd: bool
    types: frozenset[str]
