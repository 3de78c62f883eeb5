"""Anchoring a certificate chain in a trusted list and judging an e-seal's qualification.

:class:`Anchor` is the trust service whose certificate issued a certificate of the chain, as the
list described it at a given time (ETSI TS 119 612 §5.5–§5.6).  Its
:meth:`Anchor.seal_qualification` applies the rules of ETSI TS 119 615 §4 (qualification of a
certificate for electronic seals), simplified: the service must be CA/QC and granted at that
time; the certificate's QC statements (EN 319 412-5) or the list's qualifiers decide whether it
is qualified, for e-seals, and on a QSCD.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

from verifier.errors import MalformedDocument
from verifier.tsl.der import CertFields
from verifier.tsl.model import LeafFacts, Qualification

#: statuses under which a qualified service's certificates count (TS 119 612 §5.5.4; the last
#: three are the Directive 1999/93 statuses TS 119 615 treats as granted)
QUALIFIED_STATUSES = frozenset({"granted", "undersupervision", "supervisionincessation",
                                "accredited"})
ACTIVE_STATUSES = QUALIFIED_STATUSES | {"recognisedatnationallevel", "setbynationallaw"}
_TYPE_QUALIFIERS = {"QCForESig": "esign", "QCForESeal": "eseal", "QCForWSA": "web"}
_WITH_QSCD = {"QCWithQSCD", "QCWithSSCD", "QCQSCDManagedOnBehalf"}
_NO_QSCD = {"QCNoQSCD", "QCNoSSCD"}


@dataclass(frozen=True)
class Anchor:
    """The trusted-list service that anchors a chain, as the list described it at ``at``."""

    service_name: str
    service_type: str  # "CA/QC", "CA/PKC", ...
    status_at_time: str | None  # "granted", "withdrawn", ...; None if not yet listed then
    qualifiers: tuple[str, ...]  # additional information and qualifiers: ForeSeals, QCNoQSCD...
    territory: str
    list_issue_date: datetime
    list_sequence: int
    certificate: x509.Certificate  # the service certificate that issued the chain certificate
    tsp_name: str = ""
    list_next_update: datetime | None = None
    at: datetime | None = None
    depth: int = 0  # index in the chain of the certificate the service issued (0: the leaf)
    qualifications: tuple[Qualification, ...] = ()

    @property
    def granted(self) -> bool:
        """Whether the service was granted (or an equivalent pre-eIDAS status) at ``at``."""
        return self.status_at_time in QUALIFIED_STATUSES

    @property
    def stale(self) -> bool:
        """Whether ``at`` falls after the list's next update: a newer list may say otherwise."""
        return bool(self.at and self.list_next_update and self.at > self.list_next_update)

    def seal_qualification(self, leaf: x509.Certificate) -> str:
        """Qualify ``leaf`` for e-seals (TS 119 615 §4, simplified): ``qualified_qscd``,
        ``qualified_no_qscd``, ``advanced`` or ``none``.

        ``MalformedDocument`` if the leaf's policies, key usage or QC statements are not DER."""
        if self.status_at_time not in ACTIVE_STATUSES or not (
                self.service_type.startswith("CA/") or self.service_type.endswith("RootCA-QC")):
            return "none"
        facts = LeafFacts.of(leaf)
        sure: set[str] = set()
        maybe: set[str] = set()
        for q in self.qualifications:
            match = q.criteria.matches(facts)
            if match:
                sure.update(q.qualifiers)
            elif match is None:
                maybe.update(q.qualifiers)
        # A negative qualifier that may apply is applied; a positive one only when it does.
        if "NotQualified" in sure | maybe:
            return "advanced"
        qualified = facts.qc.compliance or "QCStatement" in sure
        if self.service_type != "CA/QC" or not self.granted or not qualified:
            return "advanced"
        types = {_TYPE_QUALIFIERS[n] for n in sure if n in _TYPE_QUALIFIERS} or set(facts.qc.types)
        if not types:  # no QcType: the service's declared use, signatures by default
            seals_only = "ForeSeals" in self.qualifiers and "ForeSignatures" not in self.qualifiers
            types = {"eseal" if seals_only else "esign"}
        if "eseal" not in types:
            return "advanced"
        if sure & _WITH_QSCD:
            qscd = True
        elif (sure | maybe) & _NO_QSCD:
            qscd = False
        else:  # QCQSCDStatusAsInCert, or no qualifier: the certificate's QcSSCD statement
            qscd = facts.qc.sscd
        return "qualified_qscd" if qscd else "qualified_no_qscd"


def issued_by(child: x509.Certificate, parent: x509.Certificate,
              child_fields: CertFields | None = None,
              parent_fields: CertFields | None = None) -> bool:
    """Whether ``parent`` issued ``child``: issuer name equals subject (RFC 5280 §4.1.2.4),
    key identifiers agree when both are present (§4.2.1.1), and the signature verifies."""
    try:
        cf = child_fields or CertFields.of(child)
        pf = parent_fields or CertFields.of(parent)
        if cf.issuer != pf.subject:
            return False
        aki, ski = cf.authority_key_id, pf.subject_key_id
    except MalformedDocument:  # unreadable identifiers: this pair cannot be linked
        return False
    if aki is not None and ski is not None and not hmac.compare_digest(aki, ski):
        return False
    return signature_ok(child, parent)


def signature_ok(child: x509.Certificate, parent: x509.Certificate) -> bool:
    """Whether ``child``'s signature verifies with ``parent``'s public key."""
    try:
        key = parent.public_key()
        tbs, sig = child.tbs_certificate_bytes, child.signature
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(sig, tbs, child.signature_algorithm_parameters,
                       child.signature_hash_algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(sig, tbs, child.signature_algorithm_parameters)
        elif isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
            key.verify(sig, tbs)
        else:
            return False
    except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError):
        # A wrong key type for the algorithm (TypeError) or unreadable parameters mean the
        # parent did not issue this certificate, as far as anyone can tell.
        return False
    return True
