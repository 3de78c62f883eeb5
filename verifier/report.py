"""The verification report: every check, always in the same order, explained for a person.

``Report.verified`` and ``Report.outcome`` are computed from the checks, never stored, and a
report has no truth value: write ``report.verified``, not ``if report``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from verifier.records import Record, factory


class Status(enum.StrEnum):
    """The result of one check."""

    PASSED = "passed"
    FAILED = "failed"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not_applicable"


class Outcome(enum.StrEnum):
    """The one-line conclusion a person sees; derived from the checks."""

    VERIFIED = "verified"
    NOT_GENUINE = "not_genuine"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    CANNOT_CHECK = "cannot_check"


# Check ids, in report order.  A credential's report always lists CREDENTIAL_CHECKS; a
# presentation's report lists PRESENTATION_CHECKS and carries one report per credential.
FORMAT = "format"
PROOF = "proof"
ISSUER_BINDING = "issuer_binding"
ISSUER_TRUST = "issuer_trust"
VALIDITY = "validity"
STATUS = "status"
SCHEMA = "schema"
NESTED = "nested_credentials"
HOLDER_PROOF = "holder_proof"
CHALLENGE = "challenge"
DOMAIN = "domain"
HOLDER_BINDING = "holder_binding"
CREDENTIALS = "credentials"

CREDENTIAL_CHECKS: tuple[str, ...] = (
    FORMAT,
    PROOF,
    ISSUER_BINDING,
    ISSUER_TRUST,
    VALIDITY,
    STATUS,
    SCHEMA,
    NESTED,
)
PRESENTATION_CHECKS: tuple[str, ...] = (
    FORMAT,
    HOLDER_PROOF,
    CHALLENGE,
    DOMAIN,
    HOLDER_BINDING,
    CREDENTIALS,
)

# Checks whose "unknown" does not stop a credential being called verified: a schema we do
# not hold offline says nothing about whether the issuer signed the credential.
ADVISORY_CHECKS = frozenset({SCHEMA, NESTED})
# A failure of these leaves the document genuine (revoked, expired, issuer not trusted); any
# other failure means it is not genuine.
FAILURES_OF_A_GENUINE_DOCUMENT = frozenset({STATUS, VALIDITY, ISSUER_TRUST})
# Checks that inform but never decide: a CLR is judged by its own issuer's signature, which
# covers every part it contains (CLR 2.0 §8); each part's own report is shown beside it.
INFORMATIONAL_CHECKS = frozenset({NESTED})


class CheckResult(Record):
    """One check: a stable id, a status, a sentence for an employer, optional technical detail.

    ``data_date`` is the date of the trust data the check relied on (when a status list or
    DID document was fetched, when a trusted list was issued), so a person can judge it.
    """

    id: str
    status: Status
    message: str
    detail: str | None = None
    data_date: datetime | None = None
    #: a machine-readable reason where the outcome depends on it: ``expired``,
    #: ``not_yet_valid``, ``revoked``, ``suspended``
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The check as a JSON object: ``{id, status, message}`` plus detail and data date."""
        out: dict[str, Any] = {"id": self.id, "status": self.status.value, "message": self.message}
        if self.detail:
            out["detail"] = self.detail
        if self.data_date is not None:
            out["data_date"] = self.data_date.isoformat()
        if self.reason:
            out["reason"] = self.reason
        return out


class Report(Record):
    """The frozen result of verifying one credential or presentation."""

    kind: str  # "credential" or "presentation"
    format: str  # e.g. "ldp_vc", "jwt_vc", "sd_jwt_vc"
    checks: tuple[CheckResult, ...]
    checked_at: datetime
    credentials: tuple[Report, ...] = ()
    summary: Mapping[str, Any] = factory(dict)

    def __bool__(self) -> bool:
        raise TypeError("a Report has no truth value: use report.verified or report.outcome")

    def check(self, check_id: str) -> CheckResult:
        """Return the check with this id (``KeyError`` if the report has none)."""
        for c in self.checks:
            if c.id == check_id:
                return c
        raise KeyError(check_id)

    @property
    def failed(self) -> tuple[CheckResult, ...]:
        """The checks that failed and that decide the verdict."""
        return tuple(
            c
            for c in self.checks
            if c.status is Status.FAILED and c.id not in INFORMATIONAL_CHECKS
        )

    @property
    def unknown(self) -> tuple[CheckResult, ...]:
        """The checks that could not be made and that matter for the verdict."""
        return tuple(
            c for c in self.checks if c.status is Status.UNKNOWN and c.id not in ADVISORY_CHECKS
        )

    @property
    def verified(self) -> bool:
        """True only when no check failed and every check that matters could be made."""
        return not self.failed and not self.unknown

    @property
    def outcome(self) -> Outcome:
        """The one-line conclusion: genuine-but-expired/revoked is told apart from not genuine."""
        failed = {c.id: c for c in self.failed}
        if failed.keys() - FAILURES_OF_A_GENUINE_DOCUMENT:
            return Outcome.NOT_GENUINE
        if STATUS in failed and failed[STATUS].reason in ("revoked", "suspended"):
            return Outcome(failed[STATUS].reason)
        if VALIDITY in failed and failed[VALIDITY].reason in ("expired", "not_yet_valid"):
            return Outcome(failed[VALIDITY].reason)
        if failed:
            return Outcome.NOT_GENUINE
        if self.unknown:
            return Outcome.CANNOT_CHECK
        return Outcome.VERIFIED

    @property
    def headline(self) -> str:
        """A short sentence for the top of a results page."""
        return HEADLINES[self.outcome]

    def to_json(self) -> dict[str, Any]:
        """The report as JSON: outcome, verified, checks in order, nested credential reports."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "format": self.format,
            "verified": self.verified,
            "outcome": self.outcome.value,
            "headline": self.headline,
            "checked_at": self.checked_at.isoformat(),
            "checks": [c.to_json() for c in self.checks],
        }
        if self.summary:
            out["summary"] = dict(self.summary)
        if self.credentials:
            out["credentials"] = [r.to_json() for r in self.credentials]
        return out


HEADLINES: Mapping[Outcome, str] = {
    Outcome.VERIFIED: "Verified: every check passed.",
    Outcome.NOT_GENUINE: "Not genuine: this document was altered or was not issued as it claims.",
    Outcome.REVOKED: "Genuine, but the issuer has revoked it.",
    Outcome.SUSPENDED: "Genuine, but the issuer has suspended it.",
    Outcome.EXPIRED: "Genuine, but it has expired.",
    Outcome.NOT_YET_VALID: "Genuine, but it is not valid yet.",
    Outcome.CANNOT_CHECK: "Could not be fully checked: nothing failed, but some checks could "
    "not be made offline.",
}


def ordered(
    check_ids: Iterable[str], results: Mapping[str, CheckResult]
) -> tuple[CheckResult, ...]:
    """Return the results in the fixed order of ``check_ids`` (every id must be present)."""
    return tuple(results[i] for i in check_ids)


class LazyMapping(Mapping[str, Any]):
    """A read-only mapping made on first use: a report's summary costs as much as the checks
    that matter, and callers that only want the verdict never read it."""

    __slots__ = ("_make", "_value")

    def __init__(self, make: Callable[[], Mapping[str, Any]]) -> None:
        self._make: Callable[[], Mapping[str, Any]] | None = make
        self._value: Mapping[str, Any] | None = None

    def _get(self) -> Mapping[str, Any]:
        if self._value is None:
            assert self._make is not None
            self._value, self._make = self._make(), None
        return self._value

    def __getitem__(self, key: str) -> Any:
        return self._get()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())

    def __repr__(self) -> str:
        return repr(dict(self._get()))
