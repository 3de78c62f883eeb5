"""One module per check.  Each check returns a :class:`~verifier.report.CheckResult` for the
answers it can give and raises a :mod:`verifier.errors` exception for data problems, which
:mod:`verifier.pipeline` (and only it) turns into ``failed`` or ``unknown`` results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from verifier.cache import DocumentCache
from verifier.errors import (
    DocumentNotCached,
    KeyNotFound,
    UnsupportedProof,
    VerificationError,
)
from verifier.records import Record, replace
from verifier.report import CheckResult, Status
from verifier.trust import TrustStore


class Options(Record):
    """What a verification may rely on: the clock, the trust store and the document cache."""

    now: datetime
    trust: TrustStore
    cache: DocumentCache
    challenge: str | None = None
    domain: str | None = None
    check_status: bool = True
    depth: int = 0
    #: EU trusted lists (``verifier.trustlists.TrustedListStore``) for e-sealed credentials
    trusted_lists: Any = None
    #: identities (e-mail, URL, telephone) the holder has confirmed, for Open Badges 2.0
    recipient_identities: tuple[str, ...] = ()

    def inner(self, **changes: Any) -> Options:
        """The options for a document inside this one (one level deeper)."""
        return replace(self, depth=self.depth + 1, **changes)


def passed(check_id: str, message: str, **kw: object) -> CheckResult:
    """A passed check."""
    return CheckResult(check_id, Status.PASSED, message, **kw)  # type: ignore[arg-type]


def failed(check_id: str, message: str, **kw: object) -> CheckResult:
    """A failed check."""
    return CheckResult(check_id, Status.FAILED, message, **kw)  # type: ignore[arg-type]


def unknown(check_id: str, message: str, **kw: object) -> CheckResult:
    """A check that could not be made."""
    return CheckResult(check_id, Status.UNKNOWN, message, **kw)  # type: ignore[arg-type]


def not_applicable(check_id: str, message: str, **kw: object) -> CheckResult:
    """A check that does not apply to this document."""
    return CheckResult(check_id, Status.NOT_APPLICABLE, message, **kw)  # type: ignore[arg-type]


def result_for_error(check_id: str, error: Exception) -> CheckResult:
    """Turn a data problem into a check result: could-not-check errors are ``unknown``,
    everything else ``failed``.  This mapping is the only one in the engine."""
    if not isinstance(error, VerificationError):
        raise TypeError(f"not a data problem: {error!r}")
    status = (
        Status.UNKNOWN
        if isinstance(error, KeyNotFound | DocumentNotCached | UnsupportedProof)
        else Status.FAILED
    )
    return CheckResult(check_id, status, error.message, detail=error.detail)


def guard(check_id: str, run: Callable[[], CheckResult]) -> CheckResult:
    """Run one check; a data problem it raises becomes its result (:func:`result_for_error`)."""
    try:
        return run()
    except VerificationError as exc:
        return result_for_error(check_id, exc)


def fill_unknown(
    results: dict[str, CheckResult], check_ids: Iterable[str], reason: str
) -> dict[str, CheckResult]:
    """Mark each of ``check_ids`` not made yet as ``unknown`` because of ``reason``."""
    for check_id in check_ids:
        results.setdefault(check_id, unknown(check_id, reason))
    return results
