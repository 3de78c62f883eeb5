"""Reading and checking the wallet's answer to an OpenID4VP request (OID4VP 1.0 §8).

The answer (§8.2, ``response_mode=direct_post``) is a form post with ``vp_token``, a JSON object
whose keys are the DCQL credential query ids and whose values are arrays of presentations
(§8.1), and ``state``; or ``error=access_denied`` when the learner declines (§8.5). Each
presentation is verified with :func:`verifier.verify_presentation`, its challenge being the
request's nonce and its domain the client id (Appendix B.1.3.2; for SD-JWT the key binding JWT's
``nonce`` and ``aud``), then the credentials in it are matched against the DCQL query.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from verifier import Credential, Report, Status, VerificationError, verify_presentation
from verifier.credential import parse
from verifier.dcql import Candidate, DcqlQuery
from verifier.report import CHALLENGE, DOMAIN
from verifier.web.oid4vp_store import StoredRequest

MAX_PRESENTATIONS = 10
MAX_ANSWER_CHARS = 2_000_000


class BadAnswer(ValueError):
    """A response the verifier cannot read at all; the message says why, for the wallet."""


def read_answer(stored: StoredRequest, form: Mapping[str, str]) -> list[dict[str, Any]]:
    """The presentations in a ``direct_post`` form, as ``[{"query_id", "document"}]``;
    :class:`BadAnswer` when the form cannot be read as an answer to this request."""
    if form.get("state") != stored.state:
        raise BadAnswer("The state does not match the request.")
    raw = form.get("vp_token")
    if not raw:
        raise BadAnswer("The response has no vp_token.")
    if len(raw) > MAX_ANSWER_CHARS:
        raise BadAnswer("The vp_token is too large.")
    try:
        token = json.loads(raw)
    except ValueError:
        raise BadAnswer("The vp_token is not a JSON object.") from None
    if not isinstance(token, dict) or not token:
        raise BadAnswer("The vp_token must be a JSON object keyed by credential query id.")
    query = DcqlQuery.from_json(stored.query)
    items = []
    for qid, presentations in token.items():
        if query.query(qid) is None:
            raise BadAnswer(f"The vp_token answers {qid!r}, which the request did not ask for.")
        if not isinstance(presentations, list) or not presentations:
            raise BadAnswer(f"The vp_token entry {qid!r} must be a non-empty array.")
        for document in presentations:
            if not isinstance(document, dict | str):
                raise BadAnswer(f"A presentation for {qid!r} is neither JSON nor a token.")
            text = document if isinstance(document, str) else json.dumps(document)
            items.append({"query_id": qid, "document": text})
    if len(items) > MAX_PRESENTATIONS:
        raise BadAnswer(f"The response holds more than {MAX_PRESENTATIONS} presentations.")
    return items


@dataclass(frozen=True)
class Answered:
    """One presentation in the answer: its query, its report, and whether it answers the query."""

    query_id: str
    document: str
    report: Report
    matches: bool


@dataclass(frozen=True)
class Evaluation:
    """Everything the employer's page shows about an answer."""

    items: tuple[Answered, ...]
    nonce_matches: bool
    audience_matches: bool
    query_satisfied: bool
    post_check: bool | None  # None: the request set none
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def accepted(self) -> bool:
        """Whether every presentation is verified, bound to this request, and answers it."""
        return (
            self.nonce_matches
            and self.audience_matches
            and self.query_satisfied
            and self.post_check is not False
            and all(item.report.verified for item in self.items)
        )


def evaluate(
    stored: StoredRequest, items: list[dict[str, Any]], *, now: datetime, stores: Any
) -> Evaluation:
    """Verify each presentation against this request's nonce and client id, and check that
    together they satisfy its DCQL query and the verifier's own check."""
    query = DcqlQuery.from_json(stored.query)
    answered = []
    found: dict[str, list[int]] = {}
    for n, item in enumerate(items):
        report = verify_presentation(
            item["document"],
            challenge=stored.nonce,
            domain=stored.client_id,
            now=now,
            trust=stores.trust,
            cache=stores.cache,
            trusted_lists=stores.trusted_lists,
        )
        credential_query = query.query(item["query_id"])
        matches = credential_query is not None and _answers(credential_query, item["document"])
        if matches:
            found.setdefault(item["query_id"], []).append(n)
        answered.append(Answered(item["query_id"], item["document"], report, matches))
    for qid, hits in found.items():
        q = query.query(qid)
        if q is not None and not q.multiple and len(hits) > 1:
            found[qid] = []  # one presentation was asked for
    reports = [a.report for a in answered]
    return Evaluation(
        items=tuple(answered),
        nonce_matches=bool(reports) and all(_passed(r, CHALLENGE) for r in reports),
        audience_matches=bool(reports) and all(_passed(r, DOMAIN) for r in reports),
        query_satisfied=query.satisfied_by(found),
        post_check=_post_check(stored.post_check, [a for a in answered if a.matches]),
    )


def _passed(report: Report, check_id: str) -> bool:
    try:
        return report.check(check_id).status is Status.PASSED
    except KeyError:
        return False


def _answers(credential_query: Any, document: str) -> bool:
    """Whether the credentials inside ``document`` (a presentation, or an SD-JWT with key
    binding) answer ``credential_query``."""
    try:
        parsed = parse(document)
    except VerificationError:
        return False
    if isinstance(parsed, Credential):  # dc+sd-jwt: the presentation is the credential
        credentials: tuple[Any, ...] = (parsed,) if parsed.format == "sd_jwt_vc" else ()
    else:
        credentials = parsed.credentials
    if not credentials or (len(credentials) > 1 and not credential_query.multiple):
        return False
    for credential in credentials:
        if isinstance(credential, VerificationError):
            return False
        candidate = Candidate.of(credential)
        if candidate is None or not credential_query.matches(candidate):
            return False
    return True


def _post_check(check: Mapping[str, Any], answered: list[Answered]) -> bool | None:
    """The verifier's own check on what the credentials say: at least ``min_ects`` ECTS credits
    in a credential whose title, description or skills mention ``topic``."""
    if not check:
        return None
    minimum = check.get("min_ects")
    topic = str(check.get("topic") or "").casefold()
    for item in answered:
        for credential in item.report.credentials:
            summary = credential.summary
            credits = [
                c.get("value")
                for c in summary.get("credits") or ()
                if isinstance(c, Mapping) and str(c.get("framework") or "").upper() == "ECTS"
            ]
            enough = minimum is None or any(
                isinstance(v, int | float) and not isinstance(v, bool) and v >= minimum
                for v in credits
            )
            words = json.dumps(
                [summary.get(k) for k in ("title", "description", "skills", "outcomes", "tags")],
                ensure_ascii=False,
            ).casefold()
            if enough and (not topic or topic in words):
                return True
    return False
