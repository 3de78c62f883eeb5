"""The command line's trusted-list import: read files, import the LOTL first, save once.

All or nothing: a file that cannot be read, parsed, verified or trusted raises
``TrustListError`` naming it, and the store file is not touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from cryptography import x509
from lxml import etree

from verifier.errors import MalformedDocument, TrustListError
from verifier.tsl.parse import NS
from verifier.tsl.store import TrustedListStore
from verifier.xades import MAX_XML_BYTES, parse_xml


def load_certificate(path: Path) -> x509.Certificate:
    """Read a PEM or DER certificate file; ``TrustListError`` when it is not one."""
    try:
        data = Path(path).read_bytes()
        if b"-----BEGIN CERTIFICATE-----" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except (OSError, ValueError) as exc:
        raise TrustListError(f"{path} is not a readable certificate file.",
                             detail=str(exc)) from exc


def import_files(paths: Sequence[Path], *, store_path: Path, now: datetime,
                 lotl_signer: Path | None) -> str:
    """Import trusted-list files into the store at ``store_path`` (LOTLs first) and save it,
    returning a summary; any bad file raises ``TrustListError`` and nothing is saved."""
    store = TrustedListStore.from_file(store_path)
    given = [load_certificate(lotl_signer)] if lotl_signer is not None else None
    roots = []
    for path in map(Path, paths):
        try:
            if path.stat().st_size > MAX_XML_BYTES:
                raise TrustListError(f"{path.name} is larger than 10 MB. Nothing was imported.")
            data = path.read_bytes()
        except OSError as exc:
            raise TrustListError(f"{path} cannot be read ({exc.strerror}). Nothing was "
                                 "imported.") from exc
        try:
            roots.append((path, parse_xml(data, what=path.name)))
        except MalformedDocument as exc:
            raise TrustListError(f"{exc.message} Nothing was imported.",
                                 detail=exc.detail) from exc
    roots.sort(key=lambda pr: not _is_lotl(pr[1]))  # stable: the LOTL first, then as given
    results = []
    for path, root in roots:
        try:
            results.append(store.import_tree(
                root, now=now, signer_certificates=given if _is_lotl(root) else None))
        except TrustListError as exc:
            raise TrustListError(f"{path.name}: {exc.message} Nothing was imported.",
                                 detail=exc.detail) from exc
    store.save()
    return "; ".join(r.describe() for r in results)


def _is_lotl(root: etree._Element) -> bool:
    kind = root.findtext("t:SchemeInformation/t:TSLType", "", NS).strip()
    return kind.endswith(("listofthelists", "ListOfTheLists"))
