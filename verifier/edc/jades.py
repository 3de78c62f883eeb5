"""JAdES seals as European Digital Credentials use them (ETSI TS 119 182-1 V1.1.1): an
enveloping JWS in JSON serialization (RFC 7515 §7.2, general or flattened) whose payload is the
credential, usually unencoded (``b64: false``, RFC 7797), with the signing certificate in
``x5c`` and validation data in the unsigned ``etsiU`` header (§5.3).

Parse, then verify: :meth:`JadesSignature.from_json` reads the structure once into a frozen
object and raises :class:`~verifier.errors.MalformedDocument`; :meth:`JadesSignature.verify`
checks the signature, the certificate thumbprint and every timestamp, and raises
:class:`~verifier.errors.ProofInvalid` or :class:`~verifier.errors.UnsupportedProof`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa, utils
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp

from verifier.dates import parse_datetime
from verifier.edc.certs import public_key, readable, verify_signed_bytes
from verifier.edc.tsp import TimeStampToken
from verifier.errors import MalformedDocument, ProofInvalid, UnsupportedProof

MAX_BYTES = 10 * 1024 * 1024
MAX_ITEMS = 64
# RFC 7518 §3.1 names; the seal schemes and hashes they mean.
ALGORITHMS = {
    "RS256": ("rsassa_pkcs1v15", "sha256"),
    "PS256": ("rsassa_pss", "sha256"),
    "ES256": ("ecdsa", "sha256"),
    "ES384": ("ecdsa", "sha384"),
}
_CURVES = {"ES256": ec.SECP256R1, "ES384": ec.SECP384R1}
# Header parameters RFC 7515 §4.1 defines: `crit` must not list them (§4.1.11).
JWS_NAMES = frozenset(
    {"alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit"}
)
# Extension parameters this verifier processes, so a signer may mark them critical.
UNDERSTOOD = frozenset({"b64", "sigT", "adoTst", "x5t#o"})
# xmldsig digest URIs used by x5t#o (TS 119 182-1 §5.2.2.2).
_DIGEST_URIS = {
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384": "sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
}
_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")
_B64 = re.compile(r"^[A-Za-z0-9+/_-]*={0,2}$")


def b64url(text: Any, *, what: str) -> bytes:
    """Decode unpadded base64url (RFC 7515 §2) strictly."""
    if not isinstance(text, str) or not _B64URL.match(text):
        raise MalformedDocument(f"The seal's {what} is not base64url text.")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise MalformedDocument(f"The seal's {what} is not valid base64url.") from exc


def b64any(text: Any, *, what: str) -> bytes:
    """Decode base64 in either alphabet (x5c and JAdES ``val`` members use RFC 4648 §4)."""
    if not isinstance(text, str) or not _B64.match(text):
        raise MalformedDocument(f"The seal's {what} is not base64 text.")
    text = text.rstrip("=").replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MalformedDocument(f"The seal's {what} is not valid base64.") from exc


def load_json(data: bytes | str, *, what: str = "document") -> Any:
    """Decode JSON with a size cap, rejecting duplicate member names (RFC 7515 §5.2 step 4)."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise MalformedDocument(f"The {what} is larger than {MAX_BYTES // 2**20} MB.")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise MalformedDocument(f"The {what} is not UTF-8 text.") from exc
    if len(data) > MAX_BYTES:
        raise MalformedDocument(f"The {what} is larger than {MAX_BYTES // 2**20} MB.")
    if data.lstrip().startswith("<"):
        raise MalformedDocument(
            f"The {what} is XML: legacy EDCI (ELM v2) credentials sealed with XAdES are not "
            "verified here, only JAdES-sealed JSON credentials."
        )
    try:
        return json.loads(data, object_pairs_hook=_unique)
    except json.JSONDecodeError as exc:
        raise MalformedDocument(
            f"The {what} is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})."
        ) from exc
    except RecursionError as exc:
        raise MalformedDocument(f"The {what} nests too deeply.") from exc


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise MalformedDocument(f"A JSON object names the member {key!r} twice.")
        out[key] = value
    return out


@dataclass(frozen=True)
class Timestamp:
    """A timestamp token and the exact octets its message imprint must cover (§5.3.4–§5.3.6)."""

    kind: str  # "adoTst", "sigTst" or "arcTst"
    token: TimeStampToken
    covered: bytes | None  # None: cannot be computed (clear etsiU items, §5.3.6.3.1.2)


@dataclass(frozen=True)
class JadesSignature:
    """One parsed JAdES enveloping signature over a JSON payload (TS 119 182-1 §5, §6)."""

    protected_b64: str
    header: Mapping[str, Any]
    unprotected: Mapping[str, Any]
    payload_text: str  # the JWS Payload as stored, never re-serialised
    payload: bytes  # the JWS Payload octets
    signature_b64: str
    signature: bytes
    alg: str
    b64: bool
    certificates: tuple[x509.Certificate, ...]  # x5c: the signing certificate first
    signing_time: datetime | None  # sigT, as the signer claims it (§5.2.1)
    timestamps: tuple[Timestamp, ...]
    extra_certificates: tuple[x509.Certificate, ...]  # xVals (§5.3.5.1)
    crls: tuple[x509.CertificateRevocationList, ...]  # rVals crlVals (§5.3.5.2)
    ocsp: tuple[ocsp.OCSPResponse, ...]  # rVals ocspVals
    etsi_u_names: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: bytes | str | Mapping[str, Any]) -> JadesSignature:
        """Parse a JWS JSON serialization (RFC 7515 §7.2.1 general, §7.2.2 flattened)."""
        doc = data if isinstance(data, Mapping) else load_json(data)
        if not isinstance(doc, Mapping) or "payload" not in doc:
            raise MalformedDocument("The document is not a JWS JSON serialization (no payload).")
        if "signatures" in doc:
            sigs = doc["signatures"]
            if not isinstance(sigs, list) or not sigs or not isinstance(sigs[0], Mapping):
                raise MalformedDocument("The seal's signatures member is not a list of objects.")
            if len(sigs) > 1:
                raise UnsupportedProof(f"The document carries {len(sigs)} seals; one is supported.")
            sig = sigs[0]
        else:
            sig = doc
        payload_text = doc["payload"]
        if not isinstance(payload_text, str):
            raise MalformedDocument("The seal's payload is not a text value.")
        protected_b64 = sig.get("protected")
        header = load_json(b64url(protected_b64, what="protected header"), what="protected header")
        if not isinstance(header, Mapping):
            raise MalformedDocument("The seal's protected header is not a JSON object.")
        unprotected = sig.get("header", {})
        if not isinstance(unprotected, Mapping):
            raise MalformedDocument("The seal's unprotected header is not a JSON object.")
        if set(header) & set(unprotected):
            raise MalformedDocument("A header parameter is both protected and unprotected.")
        _check_crit(header)
        b64 = header.get("b64", True)
        if not isinstance(b64, bool):
            raise MalformedDocument("The seal's b64 header parameter is not true or false.")
        try:
            payload = (
                payload_text.encode("utf-8") if not b64 else b64url(payload_text, what="payload")
            )
        except UnicodeEncodeError as exc:
            raise MalformedDocument("The seal's payload is not valid Unicode text.") from exc
        signature_b64 = sig.get("signature")
        signature = b64url(signature_b64, what="signature value")
        certificates = _certificates(header.get("x5c", unprotected.get("x5c")), what="x5c")
        if not certificates:
            raise MalformedDocument("The seal carries no signing certificate (x5c).")
        sig_t = header.get("sigT")
        items = _etsi_u(unprotected.get("etsiU", []))
        names = tuple(name for name, _, _ in items)
        # What the signer signed after the protected header: the payload as stored (§5.3.6.3).
        stored = payload if not b64 else payload_text.encode("ascii")
        timestamps = [
            Timestamp("adoTst", t, stored) for t in _tokens(header.get("adoTst"), "adoTst")
        ]
        extra: list[x509.Certificate] = []
        crls: list[x509.CertificateRevocationList] = []
        ocsps: list[ocsp.OCSPResponse] = []
        arc_prefix = b".".join([stored, protected_b64.encode(), signature_b64.encode()]) + b"."
        for index, (name, value, _) in enumerate(items):
            if name == "sigTst":
                timestamps += [
                    Timestamp(name, t, signature_b64.encode()) for t in _tokens(value, name)
                ]
            elif name == "arcTst":
                clear = any(r is None for _, _, r in items)
                covered = (
                    None if clear else arc_prefix + "".join(r for _, _, r in items[:index]).encode()
                )
                timestamps += [Timestamp(name, t, covered) for t in _tokens(value, name)]
            elif name == "xVals":
                extra += _certificates([_val(v, "x509Cert") for v in _list(value, name)], what=name)
            elif name == "rVals":
                crls += [_crl(_val(v, None)) for v in _list(_member(value, "crlVals"), "crlVals")]
                ocsps += [
                    _ocsp(_val(v, None)) for v in _list(_member(value, "ocspVals"), "ocspVals")
                ]
        return cls(
            protected_b64=protected_b64,
            header=header,
            unprotected=unprotected,
            payload_text=payload_text,
            payload=payload,
            signature_b64=signature_b64,
            signature=signature,
            alg=header.get("alg") if isinstance(header.get("alg"), str) else "",
            b64=b64,
            certificates=certificates,
            signing_time=parse_datetime(sig_t, field="sigT") if sig_t is not None else None,
            timestamps=tuple(timestamps),
            extra_certificates=tuple(extra),
            crls=tuple(crls),
            ocsp=tuple(ocsps),
            etsi_u_names=names,
        )

    @property
    def signing_input(self) -> bytes:
        """ASCII(BASE64URL(protected)) || '.' || payload (RFC 7515 §5.1 step 8, RFC 7797 §3)."""
        stored = self.payload if not self.b64 else self.payload_text.encode("ascii")
        return self.protected_b64.encode("ascii") + b"." + stored

    @property
    def signer(self) -> x509.Certificate:
        """The signing certificate: the first in ``x5c`` (RFC 7515 §4.1.6)."""
        return self.certificates[0]

    @property
    def level(self) -> str:
        """The JAdES baseline level the structure claims (TS 119 182-1 §6): B-B to B-LTA."""
        kinds = {t.kind for t in self.timestamps}
        if self.signing_time is None:
            return "JWS (no JAdES signing time)"
        if "sigTst" not in kinds:
            return "B-B"
        if not (self.crls or self.ocsp) or not self.extra_certificates:
            return "B-T"
        return "B-LTA" if "arcTst" in kinds else "B-LT"

    def verify(self) -> None:
        """Verify the algorithm, the certificate thumbprints and the seal's signature value
        (RFC 7515 §5.2, RFC 7518 §3, TS 119 182-1 §5.1.7–§5.1.8 and §5.2.2)."""
        if self.alg == "none" or self.alg.startswith("HS") or not self.alg:
            raise ProofInvalid(f"The seal uses {self.alg or 'no'} algorithm, which is no seal.")
        if self.alg not in ALGORITHMS:
            raise UnsupportedProof(f"The seal uses the {self.alg} algorithm, not supported here.")
        for name in self.header.get("crit", ()):
            if name not in UNDERSTOOD:  # RFC 7515 §4.1.11: then the JWS is invalid
                raise ProofInvalid(
                    f"The seal requires its verifier to process {name!r}, which this verifier "
                    "does not, so the seal cannot be accepted."
                )
        self._check_thumbprints()
        key = public_key(self.signer)
        scheme, digest = ALGORITHMS[self.alg]
        signature = self.signature
        if scheme == "ecdsa":
            curve = _CURVES[self.alg]
            if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, curve):
                raise ProofInvalid(f"The seal certificate's key does not fit {self.alg}.")
            half = (key.curve.key_size + 7) // 8
            if len(signature) != 2 * half:
                raise ProofInvalid("The seal's signature value has the wrong length.")
            r, s = int.from_bytes(signature[:half]), int.from_bytes(signature[half:])
            signature = utils.encode_dss_signature(r, s)
        elif not isinstance(key, rsa.RSAPublicKey) or key.key_size < 2048:
            raise ProofInvalid(f"The seal certificate's key does not fit {self.alg}.")
        verify_signed_bytes(
            self.signer,
            signature,
            self.signing_input,
            scheme=scheme,
            digest=digest,
            what="the credential",
        )

    def _check_thumbprints(self) -> None:
        der = self.signer.public_bytes(Encoding.DER)
        s256 = self.header.get("x5t#S256")
        if s256 is not None:
            expected = b64url(s256, what="x5t#S256")
            if not hmac.compare_digest(hashlib.sha256(der).digest(), expected):
                raise ProofInvalid(
                    "The certificate in the seal is not the one the seal was made with "
                    "(x5t#S256 does not match x5c)."
                )
        other = self.header.get("x5t#o")
        if other is not None:
            if not isinstance(other, Mapping) or other.get("digAlg") not in _DIGEST_URIS:
                raise UnsupportedProof("The seal's x5t#o names a digest this verifier lacks.")
            digest = hashlib.new(_DIGEST_URIS[other["digAlg"]], der).digest()
            if not hmac.compare_digest(digest, b64url(other.get("digVal"), what="x5t#o")):
                raise ProofInvalid("The certificate in the seal does not match its x5t#o.")
        if s256 is None and other is None and "x5c" not in self.header:
            raise ProofInvalid("The seal does not sign a reference to its certificate.")


def _check_crit(header: Mapping[str, Any]) -> None:
    """RFC 7515 §4.1.11, RFC 7797 §6: ``crit`` is a list of extension names, each present, and
    lists ``b64`` when the payload is unencoded (whether each is understood: :meth:`verify`)."""
    crit = header.get("crit")
    if crit is None:
        if header.get("b64") is False:
            raise MalformedDocument("The seal sets b64 to false without marking it critical.")
        return
    if not isinstance(crit, list) or not crit or not all(isinstance(c, str) for c in crit):
        raise MalformedDocument("The seal's crit header is not a list of names.")
    for name in crit:
        if name in JWS_NAMES:
            raise MalformedDocument(f"The seal's crit header lists the JWS parameter {name!r}.")
        if name not in header:
            raise MalformedDocument(f"The seal's crit header lists {name!r}, which is absent.")
    if header.get("b64") is False and "b64" not in crit:
        raise MalformedDocument("The seal sets b64 to false without marking it critical.")


def _etsi_u(value: Any) -> list[tuple[str, Any, str | None]]:
    """The etsiU items: (name, value, base64url text or None when incorporated clear) (§5.3.1)."""
    items = []
    for item in _list(value, "etsiU"):
        raw = item if isinstance(item, str) else None
        decoded = load_json(b64url(item, what="etsiU item"), what="etsiU item") if raw else item
        if not isinstance(decoded, Mapping) or len(decoded) != 1:
            raise MalformedDocument("An etsiU item is not a JSON object with one member.")
        ((name, member),) = decoded.items()
        items.append((name, member, raw))
    if len({r is None for _, _, r in items}) > 1:
        raise MalformedDocument("The etsiU items mix base64url and clear forms (§5.3.1).")
    return items


def _list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise MalformedDocument(f"The seal's {what} is not a list of at most {MAX_ITEMS} items.")
    return value


def _member(value: Any, name: str) -> Any:
    if not isinstance(value, Mapping):
        raise MalformedDocument("The seal's rVals is not a JSON object.")
    return value.get(name)


def _val(item: Any, wrapper: str | None) -> bytes:
    inner = item.get(wrapper) if wrapper and isinstance(item, Mapping) else item
    if not isinstance(inner, Mapping) or "val" not in inner:
        raise MalformedDocument("A validation data item of the seal has no val member.")
    return b64any(inner["val"], what="validation data")


def _tokens(value: Any, kind: str) -> list[TimeStampToken]:
    if value is None:
        return []
    if not isinstance(value, Mapping):
        raise MalformedDocument(f"The seal's {kind} is not a JSON object.")
    return [
        TimeStampToken.from_der(_val(item, None)) for item in _list(value.get("tstTokens"), kind)
    ]


def _certificates(values: Any, *, what: str) -> tuple[x509.Certificate, ...]:
    out = []
    for value in _list(values, what):
        der = value if isinstance(value, bytes) else b64any(value, what=what)
        try:
            cert = x509.load_der_x509_certificate(der)
        except (ValueError, x509.InvalidVersion) as exc:
            raise MalformedDocument(f"A certificate in the seal's {what} is malformed.") from exc
        out.append(readable(cert, what=what))
    return tuple(out)


def _crl(der: bytes) -> x509.CertificateRevocationList:
    try:
        return x509.load_der_x509_crl(der)
    except (ValueError, x509.InvalidVersion) as exc:
        raise MalformedDocument("A revocation list in the seal's rVals is malformed.") from exc


def _ocsp(der: bytes) -> ocsp.OCSPResponse:
    try:
        return ocsp.load_der_ocsp_response(der)
    except ValueError as exc:
        raise MalformedDocument("An OCSP response in the seal's rVals is malformed.") from exc
