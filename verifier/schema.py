"""``credentialSchema`` validation (VCDM 2.0 §4.11, VC JSON Schema §2, Open Badges 3.0 §8.1.1
``1EdTechJsonSchemaValidator2019``) against schemas held in the local cache.

Nothing is fetched: the ``referencing`` registry serves only cached documents and the bundled
JSON Schema metaschemas, so a ``$ref`` to anything else is reported by name.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jsonschema_specifications
from jsonschema import (
    Draft3Validator,
    Draft4Validator,
    Draft202012Validator,
    exceptions,
    validators,
)
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource, Unresolvable
from referencing.jsonschema import DRAFT202012

from verifier.cache import DocumentCache
from verifier.errors import MalformedDocument

# Schema documents are JSON Schemas; JsonSchemaCredential wraps one in a credential.
SCHEMA_TYPES = frozenset({"1EdTechJsonSchemaValidator2019", "JsonSchema",
                          "JsonSchemaValidator2018"})
CREDENTIAL_TYPES = frozenset({"JsonSchemaCredential"})
MAX_MESSAGES = 3
_MAX_ERRORS = 100  # stop collecting errors from a document that is wildly off its schema
_MAX_MESSAGE = 200


@dataclass(frozen=True)
class SchemaOutcome:
    """One declared schema: its id and type, and why it failed or could not be checked."""

    id: str
    type: str
    errors: tuple[str, ...] = ()  # the first few problems, each "at $.path: what is wrong"
    error_count: int = 0
    reason: str | None = None  # why it was not checked
    fetched_at: datetime | None = None

    @property
    def message(self) -> str:
        """A sentence about this schema's result."""
        if self.reason:
            return self.reason
        if not self.errors:
            return f"It follows the schema {self.id}."
        more = self.error_count - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        return f"{self.errors[0]}{tail}"

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class SchemaResult:
    """The schemas a credential declares, sorted into passed, failed and not checked offline."""

    passed: tuple[SchemaOutcome, ...]
    failed: tuple[SchemaOutcome, ...]
    not_cached: tuple[SchemaOutcome, ...]  # not in the cache, or not usable offline: see reason

    @property
    def data_date(self) -> datetime | None:
        """When the oldest schema that was used was fetched."""
        dates = [o.fetched_at for o in self.passed + self.failed if o.fetched_at is not None]
        return min(dates) if dates else None


def check_schemas(document: dict[str, Any], schemas: list[dict[str, Any]], *,
                  cache: DocumentCache) -> SchemaResult:
    """Validate ``document`` against each declared schema the cache holds (no network)."""
    passed: list[SchemaOutcome] = []
    failed: list[SchemaOutcome] = []
    missing: list[SchemaOutcome] = []
    for entry in _entries(schemas):
        outcome = _check_one(document, entry["id"], entry["type"], cache)
        if outcome.reason:
            missing.append(outcome)
        elif outcome.errors:
            failed.append(outcome)
        else:
            passed.append(outcome)
    return SchemaResult(tuple(passed), tuple(failed), tuple(missing))


def _entries(schemas: list[dict[str, Any]]) -> Iterator[dict[str, str]]:
    seen: set[str] = set()
    for entry in schemas:
        schema_id = entry.get("id") if isinstance(entry, Mapping) else None
        schema_type = entry.get("type") if isinstance(entry, Mapping) else None
        if not isinstance(schema_id, str) or not schema_id:
            raise MalformedDocument("A credentialSchema entry has no id naming the schema.")
        if not isinstance(schema_type, str):
            raise MalformedDocument(f"The credentialSchema {schema_id} has no type.")
        if schema_id not in seen:
            seen.add(schema_id)
            yield {"id": schema_id, "type": schema_type}


def _check_one(document: dict[str, Any], schema_id: str, schema_type: str,
               cache: DocumentCache) -> SchemaOutcome:
    def skip(reason: str, when: datetime | None = None) -> SchemaOutcome:
        return SchemaOutcome(schema_id, schema_type, reason=reason, fetched_at=when)

    if schema_type not in SCHEMA_TYPES | CREDENTIAL_TYPES:
        return skip(f"The schema {schema_id} is of type {schema_type}, which this verifier "
                    "does not check.")
    cached = cache.get(schema_id)
    if cached is None:
        return skip(f"The schema {schema_id} is not available offline.")
    try:
        schema = json.loads(cached.body)
    except ValueError:
        return skip(f"The cached schema {schema_id} is not JSON.", cached.fetched_at)
    if schema_type in CREDENTIAL_TYPES:
        # VC JSON Schema §2.2: the schema is credentialSubject.jsonSchema.  The schema
        # credential's own proof is not verified here.
        subject = schema.get("credentialSubject") if isinstance(schema, Mapping) else None
        schema = subject.get("jsonSchema") if isinstance(subject, Mapping) else None
    if not isinstance(schema, Mapping | bool):
        return skip(f"The cached schema {schema_id} holds no JSON Schema.", cached.fetched_at)
    validator_class = _validator_class(schema)
    if validator_class is None:
        return skip(f"The schema {schema_id} declares a JSON Schema version this verifier "
                    f"does not know ({schema.get('$schema')!r}).", cached.fetched_at)
    try:
        validator_class.check_schema(schema)
    except exceptions.SchemaError as exc:
        return skip(f"The schema {schema_id} is not a valid JSON Schema: "
                    f"{_short(exc.message)}", cached.fetched_at)
    misses: list[str] = []
    validator = validator_class(_with_base(schema, schema_id, validator_class),
                                registry=_offline_registry(cache, misses))
    try:
        errors = list(itertools.islice(validator.iter_errors(document), _MAX_ERRORS))
    except Unresolvable as exc:
        where = misses[-1] if misses else getattr(exc, "ref", "a reference")
        return skip(f"The schema {schema_id} refers to {where}, which is not available "
                    "offline.", cached.fetched_at)
    messages = sorted({_describe(e) for e in errors})
    return SchemaOutcome(schema_id, schema_type, errors=tuple(messages[:MAX_MESSAGES]),
                         error_count=len(messages), fetched_at=cached.fetched_at)


def _validator_class(schema: Mapping[str, Any] | bool) -> Any:
    if isinstance(schema, bool) or "$schema" not in schema:
        return Draft202012Validator  # VC JSON Schema §2: 2020-12 unless the schema says other
    return validators.validator_for(schema, default=None)


def _with_base(schema: Mapping[str, Any] | bool, url: str, validator_class: Any) -> Any:
    # A schema without its own $id resolves relative $refs against the URL it came from.
    if isinstance(schema, bool):
        return schema
    key = "id" if validator_class in (Draft3Validator, Draft4Validator) else "$id"
    return schema if key in schema else {**schema, key: url.split("#", 1)[0]}


def _offline_registry(cache: DocumentCache, misses: list[str]) -> Registry:
    def retrieve(uri: str) -> Resource:
        cached = cache.get(uri)
        if cached is None:
            misses.append(uri)
            raise NoSuchResource(ref=uri)
        try:
            contents = json.loads(cached.body)
        except ValueError:
            misses.append(uri)
            raise NoSuchResource(ref=uri) from None
        return Resource.from_contents(contents, default_specification=DRAFT202012)

    return Registry(retrieve=retrieve).combine(jsonschema_specifications.REGISTRY)


def _describe(error: exceptions.ValidationError) -> str:
    # "X is not valid under any of the given schemas" says nothing: name the closest branch.
    if error.context:
        error = exceptions.best_match([error]) or error
    return f"at {error.json_path}: {_short(error.message)}"


def _short(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[:_MAX_MESSAGE - 1] + "…"
