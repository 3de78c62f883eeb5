"""The validation data a JAdES seal embeds (ETSI TS 119 182-1 §5.3): RFC 3161 time-stamp
tokens (§5.3.4–§5.3.6), parsed as CMS SignedData (RFC 5652 §5) with a TSTInfo (RFC 3161
§2.4.2), and revocation values (§5.3.5.2): CRLs (RFC 5280 §5) and OCSP responses (RFC 6960).

Parse, then verify: :meth:`TimeStampToken.from_der` reads every field once and raises
:class:`~verifier.errors.MalformedDocument` for a truncated or malformed token;
:meth:`TimeStampToken.verify` checks the message imprint and the TSA's signature and raises
:class:`~verifier.errors.ProofInvalid`; :func:`revocation_status` reads a certificate's status
from the CRLs and OCSP responses its issuer signed, ignoring any other data.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import algos, cms, keys, tsp
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import SignatureAlgorithmOID

from verifier.edc.certs import (
    HASHES,
    describe,
    extended_key_usage,
    issued_by,
    key_identifier,
    readable,
    verify_signed_bytes,
)
from verifier.errors import MalformedDocument, ProofInvalid, UnsupportedProof

MAX_TOKEN = 256 * 1024
TST_INFO = "1.2.840.113549.1.9.16.1.4"  # id-ct-TSTInfo (RFC 3161 §2.4.2)


@dataclass(frozen=True)
class TimeStampToken:
    """A parsed RFC 3161 token: the time it proves, what it covers, and who signed it."""

    der: bytes
    gen_time: datetime
    hash_name: str  # hashlib name of the message imprint's algorithm
    hashed_message: bytes
    serial: int
    policy: str
    tst_info: bytes  # the encapsulated TSTInfo, as signed (RFC 5652 §5.4 eContent)
    signed_attrs: bytes  # the SignedAttributes re-tagged as SET OF (RFC 5652 §5.4)
    message_digest: bytes
    digest_name: str
    signature_scheme: str  # rsassa_pkcs1v15, rsassa_pss or ecdsa
    signature_digest: str
    signature: bytes
    sid_issuer: ax509.Name | None  # the signer's issuer, with sid_serial (RFC 5652 §5.3)
    sid_serial: int | None
    sid_key_id: bytes | None
    certificates: tuple[x509.Certificate, ...]

    @classmethod
    def from_der(cls, der: bytes) -> TimeStampToken:
        """Parse a TimeStampToken (RFC 3161 §2.4.2): ContentInfo → SignedData → TSTInfo."""
        if len(der) > MAX_TOKEN:
            raise MalformedDocument("A timestamp token is larger than 256 KB.")
        try:
            return cls._parse(der)
        except ValueError as exc:  # asn1crypto parses lazily: truncation shows up on access
            raise MalformedDocument(
                "A timestamp token is truncated or is not a DER-encoded RFC 3161 token.",
                detail=f"{type(exc).__name__}: {exc}",
            ) from exc

    @classmethod
    def _parse(cls, der: bytes) -> TimeStampToken:
        info = cms.ContentInfo.load(der, strict=True)
        if info["content_type"].native != "signed_data":
            raise ValueError("not CMS SignedData")
        signed = info["content"]
        encap = signed["encap_content_info"]
        if encap["content_type"].dotted != TST_INFO:
            raise ValueError("the signed content is not a TSTInfo")
        tst = tsp.TSTInfo.load(encap["content"].contents, strict=True)
        imprint = tst["message_imprint"]
        signers = signed["signer_infos"]
        if len(signers) != 1:
            raise ValueError(f"{len(signers)} signers (RFC 3161 §2.4.2 requires one)")
        signer = signers[0]
        attrs = signer["signed_attrs"]
        if not isinstance(attrs, cms.CMSAttributes) or not len(attrs):
            raise ValueError("no signed attributes")
        digests = [a["values"][0].native for a in attrs if a["type"].native == "message_digest"]
        types = [a["values"][0].dotted for a in attrs if a["type"].native == "content_type"]
        if len(digests) != 1 or types != [TST_INFO]:
            raise ValueError("the signed attributes lack message-digest or content-type")
        sid = signer["sid"]
        issuer = serial = key_id = None
        if sid.name == "issuer_and_serial_number":
            issuer, serial = sid.chosen["issuer"], sid.chosen["serial_number"].native
            _ = issuer.native  # parse it now: asn1crypto would report truncation on compare
        else:
            key_id = sid.chosen.native
        certs = []
        for choice in signed["certificates"] or ():
            if choice.name == "certificate":
                try:
                    cert = x509.load_der_x509_certificate(choice.chosen.dump())
                except x509.InvalidVersion as exc:
                    raise ValueError(str(exc)) from exc
                certs.append(readable(cert, what="timestamp"))
        hash_name = imprint["hash_algorithm"]["algorithm"].native
        attrs_der = attrs.dump()
        algorithm = signer["signature_algorithm"]
        return cls(
            der=der,
            gen_time=tst["gen_time"].native,
            hash_name=hash_name,
            hashed_message=imprint["hashed_message"].native,
            serial=tst["serial_number"].native,
            policy=tst["policy"].dotted,
            tst_info=encap["content"].contents,
            signed_attrs=b"\x31" + attrs_der[1:],
            message_digest=digests[0],
            digest_name=signer["digest_algorithm"]["algorithm"].native,
            signature_scheme=algorithm.signature_algo,
            signature_digest=_hash_of(algorithm, signer["digest_algorithm"]),
            signature=signer["signature"].native,
            sid_issuer=issuer,
            sid_serial=serial,
            sid_key_id=key_id,
            certificates=tuple(certs),
        )

    def covers(self, data: bytes) -> bool:
        """Whether the message imprint is the hash of ``data`` (RFC 3161 §2.4.2 messageImprint)."""
        if self.hash_name not in HASHES:
            raise MalformedDocument(f"A timestamp uses an unsupported hash ({self.hash_name}).")
        digest = hashlib.new(self.hash_name, data).digest()
        return hmac.compare_digest(digest, self.hashed_message)

    def signer(self, extra: Sequence[x509.Certificate] = ()) -> x509.Certificate:
        """The TSA certificate named by the SignerIdentifier (RFC 5652 §5.3), from the token or
        from ``extra`` (the signature's ``xVals``)."""
        for cert in (*self.certificates, *extra):
            if self.sid_key_id is not None:
                if key_identifier(cert) == self.sid_key_id:
                    return cert
            elif cert.serial_number == self.sid_serial and _same_name(cert, self.sid_issuer):
                return cert
        raise ProofInvalid(
            "The timestamp authority's certificate is not in the timestamp or the seal.",
        )

    def verify(
        self, data: bytes, *, what: str, extra: Sequence[x509.Certificate] = ()
    ) -> x509.Certificate:
        """Check that the token covers ``data`` and that its TSA signed it (RFC 3161 §2.4.2,
        RFC 5652 §5.4 and §5.6); return the TSA certificate."""
        if not self.covers(data):
            raise ProofInvalid(
                f"A timestamp does not cover {what}: it was made for other data.",
                detail=f"messageImprint {self.hash_name} {self.hashed_message.hex()}",
            )
        if self.digest_name not in HASHES:
            raise MalformedDocument(f"A timestamp uses an unsupported digest ({self.digest_name}).")
        content_digest = hashlib.new(self.digest_name, self.tst_info).digest()
        if not hmac.compare_digest(content_digest, self.message_digest):
            raise ProofInvalid("A timestamp's content was changed after the TSA signed it.")
        tsa = self.signer(extra)
        verify_signed_bytes(
            tsa,
            self.signature,
            self.signed_attrs,
            scheme=self.signature_scheme,
            digest=self.signature_digest,
            what=f"the timestamp over {what}",
        )
        _check_tsa(tsa, self.gen_time)
        return tsa

    def describe(self) -> str:
        """A short technical description: time, TSA serial and hash."""
        return f"genTime {self.gen_time.isoformat()}, serial {self.serial}, {self.hash_name}"


def _hash_of(algorithm: algos.SignedDigestAlgorithm, digest: algos.DigestAlgorithm) -> str:
    try:
        return algorithm.hash_algo
    except ValueError:  # rsaEncryption, or PSS without parameters: the SignerInfo digest
        return digest["algorithm"].native


def _check_tsa(tsa: x509.Certificate, at: datetime) -> None:
    """RFC 3161 §2.3: the TSA certificate carries the (critical) id-kp-timeStamping purpose."""
    if "time_stamping" not in extended_key_usage(tsa):
        raise ProofInvalid(
            f"The timestamp was signed by {describe(tsa)}, which is not a timestamp authority."
        )
    if not tsa.not_valid_before_utc <= at <= tsa.not_valid_after_utc:
        raise ProofInvalid(
            f"The timestamp authority's certificate was not valid at the time it stamped "
            f"({at.date().isoformat()})."
        )


def _same_name(cert: x509.Certificate, name: ax509.Name | None) -> bool:
    if name is None:
        return False
    der = cert.issuer.public_bytes()
    # Byte equality first; asn1crypto then compares as RFC 5280 §7.1 asks (slower).
    return name.dump() == der or ax509.Name.load(der) == name


@dataclass(frozen=True)
class Revocation:
    """The revocation status of one certificate from embedded data (RFC 5280 §5, RFC 6960)."""

    status: str  # "good", "revoked" or "unknown"
    source: str | None = None  # "CRL" or "OCSP"
    as_of: datetime | None = None  # thisUpdate of the data used
    revoked_at: datetime | None = None


def revocation_status(
    cert: x509.Certificate,
    issuer: x509.Certificate | None,
    *,
    crls: Iterable[x509.CertificateRevocationList],
    responses: Iterable[ocsp.OCSPResponse],
    extra: Sequence[x509.Certificate] = (),
) -> Revocation:
    """Read ``cert``'s status from the CRLs and OCSP responses its issuer signed; data that is
    for another certificate, or not signed by the issuer or its delegated responder, is ignored."""
    if issuer is None:
        return Revocation("unknown")
    found: list[Revocation] = []
    for response in responses:
        found.extend(_from_ocsp(cert, issuer, response, extra))
    for crl in crls:
        try:
            if crl.issuer != cert.issuer or not crl.is_signature_valid(issuer.public_key()):
                continue
            entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
            when = entry.revocation_date_utc if entry is not None else None
        except ValueError:  # cryptography reads CRL entries lazily: a malformed CRL says nothing
            continue
        found.append(Revocation("revoked" if when else "good", "CRL", crl.last_update_utc, when))
    revoked = [r for r in found if r.status == "revoked"]
    if revoked:
        return min(revoked, key=lambda r: r.revoked_at or r.as_of)
    return max(found, key=lambda r: r.as_of) if found else Revocation("unknown")


def _from_ocsp(
    cert: x509.Certificate,
    issuer: x509.Certificate,
    response: ocsp.OCSPResponse,
    extra: Sequence[x509.Certificate],
) -> list[Revocation]:
    if response.response_status is not ocsp.OCSPResponseStatus.SUCCESSFUL:
        return []
    responder = _responder(response, issuer, [*response.certificates, *extra])
    if responder is None:
        return []
    try:
        verify_signed_bytes(
            responder,
            response.signature,
            response.tbs_response_bytes,
            scheme=_ocsp_scheme(response, responder),
            digest=response.signature_hash_algorithm.name
            if response.signature_hash_algorithm
            else "",
            what="an OCSP response",
        )
    except (ProofInvalid, UnsupportedProof):
        return []
    out = []
    for single in response.responses:
        if single.serial_number != cert.serial_number or not _same_issuer(single, issuer):
            continue
        status = single.certificate_status
        if status is ocsp.OCSPCertStatus.GOOD:
            out.append(Revocation("good", "OCSP", single.this_update_utc))
        elif status is ocsp.OCSPCertStatus.REVOKED:
            out.append(
                Revocation("revoked", "OCSP", single.this_update_utc, single.revocation_time_utc)
            )
    return out


def _responder(
    response: ocsp.OCSPResponse, issuer: x509.Certificate, pool: list[x509.Certificate]
) -> x509.Certificate | None:
    """RFC 6960 §4.2.2.2: the issuer itself, or a certificate it issued for OCSP signing."""
    for cand in [issuer, *pool]:
        try:
            if response.responder_key_hash is not None:
                if _key_hash(cand, hashes.SHA1()) != response.responder_key_hash:
                    continue
            elif cand.subject != response.responder_name:
                continue
            if cand == issuer or cand.public_key() == issuer.public_key():
                return cand
            if "ocsp_signing" in extended_key_usage(cand) and issued_by(cand, issuer):
                return cand
        except (ValueError, UnsupportedAlgorithm):  # an unreadable certificate vouches nothing
            continue
    return None


def _same_issuer(single: ocsp.OCSPSingleResponse, issuer: x509.Certificate) -> bool:
    algo = single.hash_algorithm
    digest = hashes.Hash(type(algo)())
    digest.update(issuer.subject.public_bytes())
    return (
        digest.finalize() == single.issuer_name_hash
        and _key_hash(issuer, algo) == single.issuer_key_hash
    )


def _ocsp_scheme(response: ocsp.OCSPResponse, responder: x509.Certificate) -> str:
    if response.signature_algorithm_oid == SignatureAlgorithmOID.RSASSA_PSS:
        return "rsassa_pss"
    key = responder.public_key()
    return "ecdsa" if isinstance(key, ec.EllipticCurvePublicKey) else "rsassa_pkcs1v15"


def _key_hash(cert: x509.Certificate, algo: hashes.HashAlgorithm) -> bytes:
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    digest = hashes.Hash(type(algo)())
    digest.update(keys.PublicKeyInfo.load(spki)["public_key"].contents[1:])
    return digest.finalize()
