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

# First: keeps pyld's network document loaders out of the process (see pyld_offline).
from verifier import pyld_offline  # noqa: F401  # isort: skip
from verifier.cache import CachedDocument, DocumentCache
from verifier.credential import Credential, Presentation
from verifier.errors import MalformedDocument, VerificationError
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
