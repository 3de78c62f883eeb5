"""The trusted-list store: import ETSI TS 119 612 lists once their signer is trusted, and
anchor certificate chains in the trust services they list.

A list is imported only when its XAdES signature verifies and its signer is trusted (pinned or
given for the LOTL, listed by the LOTL's pointer for a national list: TS 119 612 §5.3.13,
TS 119 615 §4.1); otherwise ``TrustListError`` is raised and the store is left as it was.
The store is a JSON file written atomically; presets: :meth:`TrustedListStore.empty` and
:meth:`TrustedListStore.from_file`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from lxml import etree

from verifier.errors import MalformedDocument, TrustListError, VerificationError
from verifier.files import atomic_write
from verifier.tsl.der import CertFields
from verifier.tsl.model import TrustedList, TrustService, cert_b64, cert_from_b64
from verifier.tsl.parse import TSL, parse_trusted_list
from verifier.tsl.qualify import ACTIVE_STATUSES, Anchor, issued_by
from verifier.xades import parse_xml, verify_xades

FILE_VERSION = 1
MAX_CHAIN = 8
_SKEW = timedelta(minutes=5)
_Entry = tuple[TrustedList, TrustService, x509.Certificate, CertFields]


@dataclass(frozen=True)
class ImportResult:
    """What one import recorded: which list, who signed it and why that signer is trusted."""

    territory: str
    is_lotl: bool
    sequence: int
    issued: datetime
    next_update: datetime | None
    signer: x509.Certificate
    signer_trust: str  # "pinned", "caller" or "lotl_pointer"
    signing_time: datetime | None
    pointers: int
    services: int
    expired: bool

    @property
    def pinned(self) -> bool:
        """Whether the signer was trusted because it is pinned in the store."""
        return self.signer_trust == "pinned"

    def describe(self) -> str:
        """One line for a person: ``imported EU LOTL seq 370 issued 2025-08-08: 31 pointers``."""
        kind, count = (("LOTL", _plural(self.pointers, "pointer")) if self.is_lotl
                       else ("TL", _plural(self.services, "service")))
        text = (f"imported {self.territory} {kind} seq {self.sequence} issued "
                f"{self.issued:%Y-%m-%d}: {count}")
        if self.expired and self.next_update is not None:
            text += f" (out of date: its next update was due {self.next_update:%Y-%m-%d})"
        return text


class TrustedListStore:
    """Imported trusted lists and pinned LOTL signers.  Build one with a preset."""

    def __init__(self, lists: Sequence[TrustedList] = (), *,
                 pinned: Sequence[x509.Certificate] = (), path: Path | None = None) -> None:
        self._lists = {_key(tl): tl for tl in lists}
        self._pinned = list(pinned)
        self.path = path
        self._index: dict[bytes, list[_Entry]] | None = None

    def __repr__(self) -> str:
        return f"<TrustedListStore {len(self._lists)} lists path={self.path}>"

    # -- presets ---------------------------------------------------------------------------
    @classmethod
    def empty(cls) -> TrustedListStore:
        """A store with no lists and no pinned signer, in memory."""
        return cls()

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> TrustedListStore:
        """The store saved at ``path``; an empty store bound to ``path`` if there is no file."""
        target = Path(path)
        if not target.exists():
            return cls(path=target)
        try:
            data = json.loads(target.read_text("utf-8"))
            lists = [TrustedList.from_json(item) for item in data["lists"]]
            pinned = [cert_from_b64(c) for c in data["pinned_lotl_signers"]]
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise TrustListError(f"The trusted-list store {target} cannot be read.",
                                 detail=repr(exc)) from exc
        return cls(lists, pinned=pinned, path=target)

    # -- reading ---------------------------------------------------------------------------
    @property
    def lotl(self) -> TrustedList | None:
        """The imported EU list of trusted lists, if any."""
        return next((tl for tl in self._lists.values() if tl.is_lotl), None)

    @property
    def pinned_lotl_signers(self) -> tuple[x509.Certificate, ...]:
        """The certificates trusted to sign the LOTL."""
        return tuple(self._pinned)

    def lists(self) -> tuple[TrustedList, ...]:
        """Every imported list, the LOTL first, then by territory."""
        return tuple(sorted(self._lists.values(), key=lambda t: (not t.is_lotl, t.territory)))

    def get(self, territory: str) -> TrustedList | None:
        """The national list imported for ``territory``, if any."""
        return self._lists.get(("tl", territory))

    # -- changing --------------------------------------------------------------------------
    def pin_lotl_signer(self, cert: x509.Certificate) -> None:
        """Trust ``cert`` to sign the LOTL (take it from the Official Journal of the EU)."""
        if not isinstance(cert, x509.Certificate):
            raise TypeError("pin_lotl_signer() takes a cryptography x509.Certificate")
        if cert not in self._pinned:
            self._pinned.append(cert)

    def import_list(self, xml: bytes, *, now: datetime,
                    signer_certificates: Sequence[x509.Certificate] | None = None
                    ) -> ImportResult:
        """Import a trusted list or the LOTL after verifying its XAdES signature and that its
        signer is trusted (given, pinned, or listed by the LOTL's pointer for its territory)."""
        try:
            root = parse_xml(xml, what="The trusted list")
        except MalformedDocument as exc:
            raise TrustListError(exc.message, detail=exc.detail) from exc
        return self.import_tree(root, now=now, signer_certificates=signer_certificates)

    def import_tree(self, root: etree._Element, *, now: datetime,
                    signer_certificates: Sequence[x509.Certificate] | None = None
                    ) -> ImportResult:
        """Import a list already read with :func:`verifier.xades.parse_xml` (see import_list)."""
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        # 1. A trusted list at all (TS 119 612 §5), before any work on its signature.
        if root.tag != f"{{{TSL}}}TrustServiceStatusList":
            raise TrustListError("This is not an ETSI trusted list (TrustServiceStatusList).")
        # 2. Its enveloped XAdES signature (TS 119 612 §5.7, EN 319 132-1), then its contents.
        try:
            sig = verify_xades(root, now=now)
        except VerificationError as exc:
            raise TrustListError(f"The trusted list's signature does not verify. {exc.message}",
                                 detail=exc.detail) from exc
        tl = parse_trusted_list(root)
        name = f"The {tl.territory} {'list of trusted lists' if tl.is_lotl else 'trusted list'}"
        # 3. Is the signer trusted to sign this list?
        trust = self._signer_trust(tl, sig.signing_certificate, signer_certificates, name)
        # 4. Dates and sequence: not from the future, not older than the stored list.
        if tl.issued > now + _SKEW:
            raise TrustListError(f"{name} is dated {tl.issued:%Y-%m-%d}, in the future.")
        stored = self._lists.get(_key(tl))
        if stored is not None and stored.sequence > tl.sequence:
            raise TrustListError(f"{name} (seq {tl.sequence}) is older than the stored one "
                                 f"(seq {stored.sequence}), so it was not imported.")
        # 5. Record it: the only change to the store, made once everything passed.
        tl = replace(tl, signer=sig.signing_certificate, signer_trust=trust,
                     signing_time=sig.signing_time, imported_at=now)
        self._lists[_key(tl)] = tl
        self._index = None
        return ImportResult(
            territory=tl.territory, is_lotl=tl.is_lotl, sequence=tl.sequence, issued=tl.issued,
            next_update=tl.next_update, signer=sig.signing_certificate, signer_trust=trust,
            signing_time=sig.signing_time, pointers=len(tl.pointed_territories()),
            services=len(tl.services),
            expired=tl.next_update is not None and tl.next_update < now)

    def _signer_trust(self, tl: TrustedList, signer: x509.Certificate,
                      given: Sequence[x509.Certificate] | None, name: str) -> str:
        who = _subject(signer)
        if given is not None and signer in given:
            return "caller"
        if tl.is_lotl:
            if signer in self._pinned:
                return "pinned"
            raise TrustListError(f"{name} is signed by {who}, which is neither a pinned LOTL "
                                 "signer nor a certificate you gave: pin the certificates the "
                                 "Official Journal of the EU publishes, or pass one.")
        lotl = self.lotl
        if lotl is None:
            raise TrustListError(f"{name} cannot be checked: import the EU list of trusted lists "
                                 "first, which says who may sign each national list.")
        if signer not in lotl.signers_for(tl.territory):
            raise TrustListError(f"{name} is signed by {who}, which the EU list of trusted lists "
                                 f"(seq {lotl.sequence}) does not list for {tl.territory}, so it "
                                 "is not trusted.")
        return "lotl_pointer"

    def save(self) -> None:
        """Write the store to its file atomically (a crash leaves the old file intact)."""
        if self.path is None:
            raise ValueError("this store has no file: open it with TrustedListStore.from_file")
        data = {"version": FILE_VERSION,
                "pinned_lotl_signers": [cert_b64(c) for c in self._pinned],
                "lists": [tl.to_json() for tl in self.lists()]}
        atomic_write(self.path, json.dumps(data, indent=1, ensure_ascii=False).encode("utf-8"))

    # -- anchoring -------------------------------------------------------------------------
    def anchor_for(self, chain: Sequence[x509.Certificate], *, at: datetime) -> Anchor | None:
        """The listed service whose certificate issued a certificate of ``chain`` (leaf first;
        matched by subject DN, AKI/SKI and signature), with its status at ``at`` (§5.6)."""
        if at.tzinfo is None:
            raise ValueError("at must be timezone-aware")
        if not chain:
            return None
        pool = list(chain[1:])
        cert, fields = chain[0], CertFields.of(chain[0])
        for depth in range(MAX_CHAIN):
            found = [e for e in self._services().get(fields.issuer, ())
                     if issued_by(cert, e[2], fields, e[3])]
            if found:
                return _anchor(min(found, key=lambda e: _rank(e[1], at)), depth, at)
            # Climb to the issuer among the other certificates, checking each link.
            parent = next((c for c in pool if issued_by(cert, c, fields)), None)
            if parent is None:
                return None
            pool.remove(parent)
            cert, fields = parent, CertFields.of(parent)
        return None

    def _services(self) -> dict[bytes, list[_Entry]]:
        if self._index is None:
            self._index = {}
            for tl in self._lists.values():
                for service in tl.services:
                    for cert in service.certificates:
                        try:
                            fields = CertFields.of(cert)
                        except MalformedDocument:
                            continue  # an unreadable service certificate anchors nothing
                        self._index.setdefault(fields.subject, []).append(
                            (tl, service, cert, fields))
        return self._index


def _anchor(entry: _Entry, depth: int, at: datetime) -> Anchor:
    tl, service, cert, _ = entry
    phase = service.phase_at(at)
    shown = phase or service.current
    return Anchor(
        service_name=shown.name, service_type=shown.service_type,
        status_at_time=phase.status if phase else None,
        qualifiers=(*phase.additional, *(n for q in phase.qualifications for n in q.qualifiers))
        if phase else (),
        territory=tl.territory, list_issue_date=tl.issued, list_sequence=tl.sequence,
        certificate=cert, tsp_name=service.tsp_name, list_next_update=tl.next_update, at=at,
        depth=depth, qualifications=phase.qualifications if phase else ())


def _rank(service: TrustService, at: datetime) -> int:
    phase = service.phase_at(at)
    if phase is None or phase.status not in ACTIVE_STATUSES:
        return 2
    return 0 if phase.service_type == "CA/QC" else 1


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _key(tl: TrustedList) -> tuple[str, str]:
    return ("lotl" if tl.is_lotl else "tl", tl.territory)


def _subject(cert: x509.Certificate) -> str:
    try:
        return cert.subject.rfc4514_string()
    except ValueError:
        return f"the certificate with serial {cert.serial_number:x}"
