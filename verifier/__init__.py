"""Offline verification of learners' credentials: W3C Verifiable Credentials 1.1/2.0 (JSON-LD
Data Integrity, JWT, SD-JWT), Open Badges 3.0 and CLR 2.0.

Nothing here touches the network: keys, status lists and registries come from a local
:class:`DocumentCache` and :class:`TrustStore` that ``verifier refresh`` fills when online.

Example::

    from datetime import UTC, datetime
    from verifier import DocumentCache, TrustStore, verify_credential

    report = verify_credential(open("badge.json").read(),
                               now=datetime.now(UTC),
                               trust=TrustStore.from_file("trust.json"),
                               cache=DocumentCache.open("cache/"))
    print(report.outcome, report.verified)
    for check in report.checks:
        print(check.id, check.status, check.message)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# First: keeps pyld's network document loaders out of the process (see pyld_offline).
from verifier import pyld_offline  # noqa: F401  # isort: skip
from verifier.errors import MalformedDocument, VerificationError

if TYPE_CHECKING:
    from verifier.cache import CachedDocument, DocumentCache
    from verifier.credential import Credential, Presentation
    from verifier.keypairs import KeyPair
    from verifier.pipeline import verify, verify_credential, verify_presentation
    from verifier.report import CheckResult, Outcome, Report, Status
    from verifier.trust import TrustedIssuer, TrustStore

__all__ = [
    "CachedDocument",
    "CheckResult",
    "Credential",
    "DocumentCache",
    "KeyPair",
    "MalformedDocument",
    "Outcome",
    "Presentation",
    "Report",
    "Status",
    "TrustStore",
    "TrustedIssuer",
    "VerificationError",
    "verify",
    "verify_credential",
    "verify_presentation",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module when it is first used (PEP 562), so that
    ``verifier verify`` loads only what the document in hand needs."""
    value = _load(name)
    globals()[name] = value
    return value


def _load(name: str) -> Any:
    if name in ("CachedDocument", "DocumentCache"):
        from verifier import cache

        return getattr(cache, name)
    if name in ("Credential", "Presentation"):
        from verifier import credential

        return getattr(credential, name)
    if name == "KeyPair":
        from verifier import keypairs

        return keypairs.KeyPair
    if name in ("verify", "verify_credential", "verify_presentation"):
        from verifier import pipeline

        return getattr(pipeline, name)
    if name in ("CheckResult", "Outcome", "Report", "Status"):
        from verifier import report

        return getattr(report, name)
    if name in ("TrustStore", "TrustedIssuer"):
        from verifier import trust

        return getattr(trust, name)
    raise AttributeError(f"module 'verifier' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
