"""The Digital Credentials Query Language (DCQL) of OpenID for Verifiable Presentations 1.0 §6:
parse a query, and find which credentials answer it.

Pure code: no Flask, no network, no clock. Both sides use it: the employer's verifier checks that
what came back answers its query, the wallet pre-selects the learner's credentials with it.

Example::

    query = DcqlQuery.from_json({"credentials": [{"id": "badge", "format": "ldp_vc",
        "meta": {"type_values": [["OpenBadgeCredential"]]},
        "claims": [{"path": ["credentialSubject", "achievement", "name"]}]}]})
    found = query.match({"c1": Candidate.of(parsed_credential)})  # {"badge": ["c1"]}
    query.satisfied_by(found)                                      # True

Supported: ``credentials`` (``id``, ``format`` ``ldp_vc`` / ``jwt_vc_json`` / ``dc+sd-jwt``,
``multiple``, ``meta`` ``type_values`` / ``vct_values``, ``claims`` with ``path`` and ``values``,
``claim_sets``, ``require_cryptographic_holder_binding``) and ``credential_sets`` (``options``,
``required``, ``purpose``). ``trusted_authorities`` is refused: the verifier's own trust store
decides which issuers it recognises, and a query must not pretend otherwise.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: DCQL format identifier (OID4VP 1.0 Appendix B) for each format the verifier reports.
FORMATS = {"ldp_vc": "ldp_vc", "jwt_vc": "jwt_vc_json", "sd_jwt_vc": "dc+sd-jwt"}
W3C_FORMATS = ("ldp_vc", "jwt_vc_json")
SD_JWT_FORMAT = "dc+sd-jwt"
#: Identifiers: "alphanumeric, underscore or hyphen" (§6.1, §6.3).
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_QUERIES = 20
MAX_CLAIMS = 50
MAX_PATH = 16
MAX_QUERY_BYTES = 20_000
_NOTHING = object()


class DcqlError(ValueError):
    """A query that is not valid DCQL, or asks for something this verifier does not support."""


def _fail(message: str) -> DcqlError:
    return DcqlError(message)


@dataclass(frozen=True)
class ClaimQuery:
    """One claim asked for (§6.3): a claims path pointer and, optionally, the values accepted."""

    path: tuple[str | int | None, ...]
    id: str | None = None
    values: tuple[str | int | bool, ...] | None = None

    def matches(self, document: Any) -> bool:
        """Whether ``document`` has this claim (with one of ``values``, when they are given)."""
        found = select(document, self.path)
        if self.values is None:
            return any(v is not None for v in found)
        return any(_same(v, accepted) for v in found for accepted in self.values)


@dataclass(frozen=True)
class CredentialQuery:
    """One credential asked for (§6.1)."""

    id: str
    format: str
    meta: Mapping[str, Any]
    claims: tuple[ClaimQuery, ...] = ()
    claim_sets: tuple[tuple[str, ...], ...] | None = None
    multiple: bool = False
    require_cryptographic_holder_binding: bool = True

    def matches(self, candidate: Candidate) -> bool:
        """Whether ``candidate`` has this format, these types and these claims (§6.4.1)."""
        if candidate.format != self.format:
            return False
        if self.format in W3C_FORMATS:
            wanted = self.meta.get("type_values") or ()
            if not any(all(_has_type(candidate.types, t) for t in group) for group in wanted):
                return False
        elif candidate.vct not in self.meta.get("vct_values", ()):
            return False
        if not self.claims:
            return True
        passed = {i for i, claim in enumerate(self.claims) if claim.matches(candidate.document)}
        if self.claim_sets is None:
            return len(passed) == len(self.claims)
        by_id = {claim.id: i for i, claim in enumerate(self.claims)}
        return any(all(by_id[c] in passed for c in option) for option in self.claim_sets)

    def claim_paths(self) -> list[str]:
        """The paths asked for, readable (``credentialSubject.achievement.name``)."""
        return [".".join("*" if p is None else str(p) for p in c.path) for c in self.claims]


@dataclass(frozen=True)
class CredentialSet:
    """Alternatives among the credential queries (§6.2)."""

    options: tuple[tuple[str, ...], ...]
    required: bool = True
    purpose: Any = None


@dataclass(frozen=True)
class Candidate:
    """A credential as DCQL sees it: its format identifier, types, ``vct`` and claims."""

    format: str
    document: Mapping[str, Any]
    types: tuple[str, ...] = ()
    vct: str | None = None

    @classmethod
    def of(cls, credential: Any) -> Candidate | None:
        """The candidate for a parsed :class:`verifier.Credential`; ``None`` for other formats."""
        fmt = FORMATS.get(credential.format)
        if fmt is None:
            return None
        document = credential.document
        vct = document.get("vct") if isinstance(document.get("vct"), str) else None
        return cls(fmt, document, tuple(credential.types), vct)


@dataclass(frozen=True)
class DcqlQuery:
    """A whole DCQL query: credential queries and the sets that combine them."""

    credentials: tuple[CredentialQuery, ...]
    credential_sets: tuple[CredentialSet, ...] | None = None

    @classmethod
    def from_json(cls, data: str | bytes | Mapping[str, Any]) -> DcqlQuery:
        """Parse and check a query; :class:`DcqlError` says, in one sentence, what is wrong."""
        if isinstance(data, str | bytes):
            if len(data) > MAX_QUERY_BYTES:
                raise _fail(f"The query is longer than {MAX_QUERY_BYTES} characters.")
            try:
                data = json.loads(data)
            except (ValueError, RecursionError) as exc:
                raise _fail(f"The query is not valid JSON: {exc}.") from None
        if not isinstance(data, Mapping):
            raise _fail("The query must be a JSON object.")
        unknown = set(data) - {"credentials", "credential_sets"}
        if unknown:
            raise _fail(f"The query has unknown members: {', '.join(sorted(unknown))}.")
        raw = data.get("credentials")
        if not isinstance(raw, list) or not raw:
            raise _fail('The query needs a non-empty "credentials" array.')
        if len(raw) > MAX_QUERIES:
            raise _fail(f"The query asks for more than {MAX_QUERIES} credentials.")
        queries = tuple(_credential_query(item, n) for n, item in enumerate(raw, 1))
        ids = [q.id for q in queries]
        if len(set(ids)) != len(ids):
            raise _fail("Two credential queries have the same id.")
        sets = None
        if "credential_sets" in data:
            raw_sets = data["credential_sets"]
            if not isinstance(raw_sets, list) or not raw_sets:
                raise _fail('"credential_sets" must be a non-empty array.')
            sets = tuple(_credential_set(item, set(ids)) for item in raw_sets)
        return cls(queries, sets)

    def to_json(self) -> dict[str, Any]:
        """The query as JSON, as it goes into an authorization request."""
        out: dict[str, Any] = {"credentials": [_query_json(q) for q in self.credentials]}
        if self.credential_sets is not None:
            out["credential_sets"] = [
                {"options": [list(o) for o in s.options], "required": s.required}
                | ({"purpose": s.purpose} if s.purpose is not None else {})
                for s in self.credential_sets
            ]
        return out

    def query(self, query_id: str) -> CredentialQuery | None:
        """The credential query with this id, if there is one."""
        return next((q for q in self.credentials if q.id == query_id), None)

    def match(self, candidates: Mapping[Any, Candidate | None]) -> dict[str, list[Any]]:
        """For each credential query, the keys of the candidates that answer it."""
        return {
            q.id: [key for key, c in candidates.items() if c is not None and q.matches(c)]
            for q in self.credentials
        }

    def satisfied_by(self, found: Mapping[str, Sequence[Any]]) -> bool:
        """Whether answering the queries that have entries in ``found`` satisfies the query
        (§6.4.2): every required credential set has an option whose queries are all answered,
        or, without sets, every credential query is answered."""
        answered = {qid for qid, keys in found.items() if keys}
        if self.credential_sets is None:
            return all(q.id in answered for q in self.credentials)
        return all(
            any(set(option) <= answered for option in s.options)
            for s in self.credential_sets
            if s.required
        )

    def purposes(self) -> list[Any]:
        """The purposes the verifier gave for its credential sets."""
        return [s.purpose for s in self.credential_sets or () if s.purpose is not None]


def select(document: Any, path: Iterable[str | int | None]) -> list[Any]:
    """The values a claims path pointer (§7) selects in ``document``; empty if none."""
    current = [document]
    for step in path:
        following: list[Any] = []
        for value in current:
            if isinstance(step, str) and isinstance(value, Mapping):
                found = value.get(step, _NOTHING)
                if found is not _NOTHING:
                    following.append(found)
            elif step is None and isinstance(value, list):
                following.extend(value)
            elif isinstance(step, int) and isinstance(value, list) and step < len(value):
                following.append(value[step])
        current = following
    return current


def _same(value: Any, accepted: Any) -> bool:
    # True == 1 in Python; DCQL compares JSON values, where they differ.
    return type(value) is type(accepted) and value == accepted


def _has_type(types: Sequence[str], wanted: str) -> bool:
    """Whether ``wanted`` (a type name, or its expanded IRI) is one of ``types``.

    DCQL compares expanded IRIs (Appendix B.1.1); without expanding each credential's JSON-LD,
    an IRI matches a compact type that is its last segment (``...vocab.html#OpenBadgeCredential``
    matches ``OpenBadgeCredential``).
    """
    for have in types:
        if have == wanted:
            return True
        tail = re.split(r"[#/]", wanted)[-1]
        if tail and tail == have and wanted != tail:
            return True
    return False


def _credential_query(item: Any, n: int) -> CredentialQuery:
    if not isinstance(item, Mapping):
        raise _fail(f"Credential query {n} is not a JSON object.")
    qid = item.get("id")
    if not isinstance(qid, str) or not ID_PATTERN.match(qid):
        raise _fail(
            f"Credential query {n} needs an id of letters, digits, '_' or '-' (at most 64)."
        )
    if "trusted_authorities" in item:
        raise _fail(f'Query "{qid}": trusted_authorities is not supported by this verifier.')
    fmt = item.get("format")
    if fmt not in (*W3C_FORMATS, SD_JWT_FORMAT):
        raise _fail(f'Query "{qid}": the format must be ldp_vc, jwt_vc_json or dc+sd-jwt.')
    meta = item.get("meta")
    if not isinstance(meta, Mapping):
        raise _fail(f'Query "{qid}": "meta" must be an object.')
    if fmt in W3C_FORMATS:
        groups = meta.get("type_values")
        if not (
            isinstance(groups, list)
            and groups
            and all(
                isinstance(g, list) and g and all(isinstance(t, str) for t in g) for g in groups
            )
        ):
            raise _fail(f'Query "{qid}": meta.type_values must be a list of lists of types.')
        meta = {"type_values": [list(g) for g in groups]}
    else:
        vcts = meta.get("vct_values")
        if not (isinstance(vcts, list) and vcts and all(isinstance(v, str) for v in vcts)):
            raise _fail(f'Query "{qid}": meta.vct_values must be a list of type URIs.')
        meta = {"vct_values": list(vcts)}
    for flag in ("multiple", "require_cryptographic_holder_binding"):
        if flag in item and not isinstance(item[flag], bool):
            raise _fail(f'Query "{qid}": {flag} must be true or false.')
    claims = _claims(qid, item.get("claims", _NOTHING))
    claim_sets = _claim_sets(qid, item.get("claim_sets", _NOTHING), claims)
    return CredentialQuery(
        id=qid,
        format=fmt,
        meta=meta,
        claims=claims,
        claim_sets=claim_sets,
        multiple=item.get("multiple", False),
        require_cryptographic_holder_binding=item.get("require_cryptographic_holder_binding", True),
    )


def _claims(qid: str, raw: Any) -> tuple[ClaimQuery, ...]:
    if raw is _NOTHING:
        return ()
    if not isinstance(raw, list) or not raw or len(raw) > MAX_CLAIMS:
        raise _fail(f'Query "{qid}": "claims" must be a non-empty array (at most {MAX_CLAIMS}).')
    claims = []
    for n, claim in enumerate(raw, 1):
        if not isinstance(claim, Mapping):
            raise _fail(f'Query "{qid}": claim {n} is not a JSON object.')
        path = claim.get("path")
        if not (
            isinstance(path, list)
            and 0 < len(path) <= MAX_PATH
            and all(p is None or isinstance(p, str) or (type(p) is int and p >= 0) for p in path)
        ):
            raise _fail(f'Query "{qid}": claim {n} needs a "path" of names, indexes and nulls.')
        values = claim.get("values")
        if values is not None and not (
            isinstance(values, list)
            and values
            and all(isinstance(v, str | int | bool) for v in values)
        ):
            raise _fail(f'Query "{qid}": claim {n} has "values" that are not plain values.')
        cid = claim.get("id")
        if cid is not None and not (isinstance(cid, str) and ID_PATTERN.match(cid)):
            raise _fail(f'Query "{qid}": claim {n} has an invalid id.')
        claims.append(ClaimQuery(tuple(path), cid, tuple(values) if values else None))
    ids = [c.id for c in claims if c.id is not None]
    if len(set(ids)) != len(ids):
        raise _fail(f'Query "{qid}": two claims have the same id.')
    return tuple(claims)


def _claim_sets(
    qid: str, raw: Any, claims: tuple[ClaimQuery, ...]
) -> tuple[tuple[str, ...], ...] | None:
    if raw is _NOTHING:
        return None
    known = {c.id for c in claims if c.id is not None}
    if not claims or len(known) != len(claims):
        raise _fail(f'Query "{qid}": claim_sets needs claims that all have ids.')
    if not isinstance(raw, list) or not raw:
        raise _fail(f'Query "{qid}": "claim_sets" must be a non-empty array.')
    for option in raw:
        if not isinstance(option, list) or not option or not set(option) <= known:
            raise _fail(f'Query "{qid}": each claim set must list ids of its claims.')
    return tuple(tuple(option) for option in raw)


def _credential_set(item: Any, ids: set[str]) -> CredentialSet:
    if not isinstance(item, Mapping):
        raise _fail("Each credential set must be a JSON object.")
    options = item.get("options")
    if not isinstance(options, list) or not options:
        raise _fail('Each credential set needs a non-empty "options" array.')
    for option in options:
        if not isinstance(option, list) or not option or not all(o in ids for o in option):
            raise _fail("Each credential set option must list ids of credential queries.")
    required = item.get("required", True)
    if not isinstance(required, bool):
        raise _fail("A credential set's required must be true or false.")
    return CredentialSet(tuple(tuple(o) for o in options), required, item.get("purpose"))


def _query_json(q: CredentialQuery) -> dict[str, Any]:
    out: dict[str, Any] = {"id": q.id, "format": q.format, "meta": dict(q.meta)}
    if q.multiple:
        out["multiple"] = True
    if not q.require_cryptographic_holder_binding:
        out["require_cryptographic_holder_binding"] = False
    if q.claims:
        out["claims"] = [
            {"path": list(c.path)}
            | ({"id": c.id} if c.id is not None else {})
            | ({"values": list(c.values)} if c.values is not None else {})
            for c in q.claims
        ]
    if q.claim_sets is not None:
        out["claim_sets"] = [list(o) for o in q.claim_sets]
    return out
