"""credentialSchema checks against cached schemas, with no network and plain-word errors."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest

from verifier.cache import DocumentCache
from verifier.errors import MalformedDocument
from verifier.schema import SchemaResult, check_schemas

FETCHED = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
LATER = datetime(2026, 5, 20, 8, 0, tzinfo=UTC)
BASE = "https://schemas.example/"
OB3 = "1EdTechJsonSchemaValidator2019"

CREDENTIAL = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": "did:web:uni.example", "name": "Uni"},
    "validFrom": "2026-01-15T09:00:00Z",
    "credentialSubject": {"type": ["AchievementSubject"],
                          "achievement": {"type": ["Achievement"], "name": "Data Analysis"}},
}

ACHIEVEMENT_2020 = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": BASE + "achievement.json",
    "type": "object",
    "required": ["type", "issuer", "credentialSubject"],
    "properties": {
        "type": {"type": "array", "contains": {"const": "VerifiableCredential"}},
        "issuer": {"$ref": "profile.json"},
        "credentialSubject": {"type": "object", "required": ["achievement"], "properties": {
            "achievement": {"type": "object", "required": ["name", "type"],
                            "properties": {"name": {"type": "string"}}}}},
    },
}
PROFILE = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": BASE + "profile.json",
           "type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
# The same rules as OB 3.0's own schemas write them: draft 2019-09 with $defs.
ACHIEVEMENT_2019 = {
    "$schema": "https://json-schema.org/draft/2019-09/schema#",
    "type": "object",
    "properties": {"credentialSubject": {"$ref": "#/$defs/Subject"}},
    "$defs": {"Subject": {"type": "object", "required": ["achievement"]}},
}
DRAFT7 = {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
          "definitions": {"name": {"type": "string", "minLength": 3}},
          "properties": {"credentialSubject": {"properties": {"achievement": {
              "properties": {"name": {"$ref": "#/definitions/name"}}}}}}}
DRAFT4 = {"$schema": "http://json-schema.org/draft-04/schema#", "type": "object",
          "properties": {"validFrom": {"type": "string"}}, "required": ["validFrom"]}


def cache_with(**schemas) -> DocumentCache:
    """A cache holding ``name=document`` at ``BASE + name + .json`` (bytes are stored as is)."""
    cache = DocumentCache.in_memory()
    for name, doc in schemas.items():
        body = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
        cache.put(f"{BASE}{name}.json", body, fetched_at=LATER if name == "profile" else FETCHED)
    return cache


def declared(name: str, kind: str = OB3) -> dict:
    return {"id": f"{BASE}{name}.json", "type": kind}


def credential(**changes) -> dict:
    doc = copy.deepcopy(CREDENTIAL)
    doc.update(changes)
    return doc


def ids(result: SchemaResult) -> tuple[list[str], list[str], list[str]]:
    return ([o.id.removeprefix(BASE) for o in result.passed],
            [o.id.removeprefix(BASE) for o in result.failed],
            [o.id.removeprefix(BASE) for o in result.not_cached])


# -- scenarios ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "document", "schemas", "cache", "expected"), [
    ("passes_2020_12_with_cached_ref", credential(), [declared("achievement", "JsonSchema")],
     cache_with(achievement=ACHIEVEMENT_2020, profile=PROFILE), (["achievement.json"], [], [])),
    ("passes_2019_09", credential(), [declared("ob")], cache_with(ob=ACHIEVEMENT_2019),
     (["ob.json"], [], [])),
    ("passes_draft_7", credential(), [declared("d7")], cache_with(d7=DRAFT7),
     (["d7.json"], [], [])),
    ("fails_draft_7", credential(credentialSubject={"achievement": {"name": "ab"}}),
     [declared("d7")], cache_with(d7=DRAFT7), ([], ["d7.json"], [])),
    ("fails_draft_4", credential(validFrom=5), [declared("d4")],
     cache_with(d4=DRAFT4), ([], ["d4.json"], [])),
    ("schema_not_cached", credential(), [declared("achievement")], cache_with(),
     ([], [], ["achievement.json"])),
    ("mixed", credential(credentialSubject={}),
     [declared("ob"), declared("d7"), declared("gone")], cache_with(ob=ACHIEVEMENT_2019, d7=DRAFT7),
     (["d7.json"], ["ob.json"], ["gone.json"])),
    ("duplicate_declarations_checked_once", credential(), [declared("d7"), declared("d7")],
     cache_with(d7=DRAFT7), (["d7.json"], [], [])),
])
def test_schema_scenarios(name, document, schemas, cache, expected):
    assert ids(check_schemas(document, schemas, cache=cache)) == expected, name


def test_failures_name_the_path_in_plain_words():
    document = credential(credentialSubject={"achievement": {"type": ["Achievement"]}},
                          type=["OpenBadgeCredential"])
    result = check_schemas(document, [declared("achievement")],
                           cache=cache_with(achievement=ACHIEVEMENT_2020, profile=PROFILE))
    (failure,) = result.failed
    assert failure.error_count == 2
    assert failure.errors == (
        "at $.credentialSubject.achievement: 'name' is a required property",
        "at $.type: ['OpenBadgeCredential'] does not contain items matching the given schema",
    )
    assert str(failure) == ("at $.credentialSubject.achievement: 'name' is a required property "
                            "(and 1 more problem)")
    assert failure.fetched_at == FETCHED


def test_at_most_three_messages_are_kept():
    schema = {"type": "object", "required": ["a", "b", "c", "d", "e"]}
    (failure,) = check_schemas({}, [declared("five")], cache=cache_with(five=schema)).failed
    assert len(failure.errors) == 3 and failure.error_count == 5
    assert failure.message.endswith("(and 4 more problems)")


def test_any_of_reports_the_closest_branch():
    schema = {"anyOf": [{"type": "object", "required": ["name"]}, {"type": "string"}]}
    cache = cache_with(any=schema)
    (failure,) = check_schemas({"title": "x"}, [declared("any")], cache=cache).failed
    assert failure.errors == ("at $: 'name' is a required property",)


def test_long_messages_are_shortened():
    schema = {"properties": {"blob": {"type": "integer"}}}
    (failure,) = check_schemas({"blob": "x" * 1000}, [declared("long")],
                               cache=cache_with(long=schema)).failed
    assert len(failure.errors[0]) < 220 and failure.errors[0].endswith("…")


# -- what cannot be checked offline -------------------------------------------------------------
@pytest.mark.parametrize(("name", "schemas", "cache", "words"), [
    ("not_cached", [declared("x")], cache_with(), "https://schemas.example/x.json is not "
                                                  "available offline"),
    ("ref_not_cached", [declared("achievement")], cache_with(achievement=ACHIEVEMENT_2020),
     "refers to https://schemas.example/profile.json, which is not available offline"),
    ("relative_ref_without_id_resolves_against_its_url",
     [declared("noid")], cache_with(noid={"$ref": "elsewhere.json"}),
     "refers to https://schemas.example/elsewhere.json"),
    ("unknown_type", [declared("x", "ShaclValidator2017")], cache_with(x={}),
     "of type ShaclValidator2017, which this verifier does not check"),
    ("unknown_draft", [declared("x")], cache_with(x={"$schema": "https://example.com/my-draft"}),
     "JSON Schema version this verifier does not know"),
    ("invalid_schema", [declared("x")], cache_with(x={"type": 5}), "not a valid JSON Schema"),
    ("not_json", [declared("x")], cache_with(x=b"<html>"), "is not JSON"),
    ("not_a_schema", [declared("x")], cache_with(x=[1, 2]), "holds no JSON Schema"),
    ("schema_credential_without_schema", [declared("x", "JsonSchemaCredential")],
     cache_with(x={"credentialSubject": {"type": "JsonSchema"}}), "holds no JSON Schema"),
])
def test_not_checkable_offline(name, schemas, cache, words):
    result = check_schemas(credential(), schemas, cache=cache)
    (outcome,) = result.not_cached
    assert words in outcome.reason, name
    assert str(outcome) == outcome.reason
    assert not result.passed and not result.failed


def test_relative_ref_resolves_from_the_schema_url():
    cache = cache_with(root={"$ref": "profile.json#/properties/id"}, profile=PROFILE)
    result = check_schemas("did:web:a", [declared("root")], cache=cache)
    assert ids(result) == (["root.json"], [], [])


def test_metaschemas_are_available_offline():
    schema = {"$ref": "https://json-schema.org/draft/2020-12/schema"}
    result = check_schemas({"type": 5}, [declared("meta")], cache=cache_with(meta=schema))
    assert ids(result) == ([], ["meta.json"], [])


def test_json_schema_credential_is_unwrapped():
    wrapped = {"@context": ["https://www.w3.org/ns/credentials/v2"],
               "type": ["VerifiableCredential", "JsonSchemaCredential"],
               "credentialSubject": {"type": "JsonSchema", "jsonSchema": DRAFT7}}
    cache = cache_with(wrapped=wrapped)
    good = check_schemas(credential(), [declared("wrapped", "JsonSchemaCredential")], cache=cache)
    bad = check_schemas(credential(credentialSubject={"achievement": {"name": 1}}),
                        [declared("wrapped", "JsonSchemaCredential")], cache=cache)
    assert (len(good.passed), len(bad.failed)) == (1, 1)


def test_data_date_is_the_oldest_schema_used():
    cache = cache_with(achievement=ACHIEVEMENT_2020, profile=PROFILE)
    result = check_schemas(credential(), [declared("achievement"), declared("profile"),
                                          declared("gone")], cache=cache)
    assert result.data_date == FETCHED
    assert check_schemas(credential(), [declared("gone")], cache=cache).data_date is None


@pytest.mark.parametrize("entry", [{"type": OB3}, {"id": "", "type": OB3},
                                   {"id": BASE + "x.json"}, "https://schemas.example/x.json"])
def test_malformed_declarations(entry):
    with pytest.raises(MalformedDocument):
        check_schemas(credential(), [entry], cache=cache_with())


def test_no_network_is_touched(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the network was used")

    monkeypatch.setattr("socket.socket.connect", no_network)
    monkeypatch.setattr("urllib.request.urlopen", no_network)
    schema = {"$ref": "https://json-schema.org/draft/2099-01/not-bundled"}
    result = check_schemas(credential(), [declared("remote")], cache=cache_with(remote=schema))
    assert "not-bundled, which is not available offline" in result.not_cached[0].reason
