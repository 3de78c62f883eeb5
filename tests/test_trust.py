"""The trust store: presets, the file, and importing DCC registries of both formats."""

from __future__ import annotations

import copy
import json
import os
from datetime import UTC, datetime, timedelta

import pytest

from verifier.errors import TrustListError
from verifier.trust import TrustedIssuer, TrustStore

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
JWK = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
UNI = "did:web:uni.example"
SCHOOL = "did:key:z6MkpLDL3RoAoMRTwTgo3rs39ZwssfaPKtGdZw7AGRN7CK4W"

# The legacy "known DID registry" shape served by DCC (issuer-registry-client DidMapRegistry).
LEGACY = {
    "meta": {"created": "2022-10-27T17:57:31+00:00", "updated": "2025-03-12T16:20:00+00:00"},
    "registry": {
        UNI: {"name": "Example University", "location": "Cambridge, MA, USA",
              "url": "https://uni.example"},
        SCHOOL: {"name": "(Example) My School"},
        "did:key:z6MkRemovedIssuerEntryIsNull": None,
    },
}
# A decoded OpenID Federation subordinate statement from the DCC registry's fetch endpoint.
FEDERATION = {
    "iss": "https://test.registry.dcconsortium.org",
    "sub": "did:web:twotr.testschool.edu",
    "iat": int((NOW - timedelta(days=1)).timestamp()),
    "exp": int((NOW + timedelta(days=1)).timestamp()),
    "metadata": {
        "federation_entity": {"organization_name": "TwoTraining Nursing School",
                              "homepage_uri": "https://twotraining.com",
                              "logo_uri": "data:image/png;base64,iVBORw0KGgo="},
        "institution_additional_information": {"legal_name": "TwoTraining Inc."},
    },
}


def issuer(issuer_id: str = UNI, **overrides) -> TrustedIssuer:
    fields = {"id": issuer_id, "name": "Example University", "registry": "local",
              "added_at": NOW, **overrides}
    return TrustedIssuer(**fields)


def with_changes(base: dict, path: tuple[str, ...], value) -> dict:
    """A deep copy of ``base`` with the value at ``path`` replaced (``...`` deletes it)."""
    doc = copy.deepcopy(base)
    *parents, last = path
    target = doc
    for key in parents:
        target = target[key]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return doc


# -- presets and lookups --------------------------------------------------------------------
def test_empty_store_trusts_nobody():
    store = TrustStore.empty()
    assert not store.trusts_anyone
    assert store.lookup(UNI) is None
    assert not store.is_trusted(UNI)
    assert store.pinned_keys(UNI) == ()
    assert store.issuers() == ()


def test_accept_any_issuer_is_named_as_dangerous_and_knows_nobody(tmp_path):
    store = TrustStore.accept_any_issuer_insecure()
    assert store.trusts_anyone
    assert store.is_trusted("did:example:anyone")
    assert store.lookup("did:example:anyone") is None  # trusted, but nothing is known
    assert "INSECURE" in repr(store)
    store.add(issuer(keys=(JWK,)))  # the conformance run pins keys on top
    assert store.pinned_keys(UNI) == (JWK,)
    with pytest.raises(ValueError, match="accept-any"):
        store.path = tmp_path / "trust.json"
        store.save()


def test_a_store_has_no_truth_value_trap():
    # An empty store must not look "missing" to `if trust:`; there is no __len__.
    assert bool(TrustStore.empty()) is True


def test_add_lookup_remove():
    store = TrustStore.empty()
    store.add(issuer(keys=[JWK], url="https://uni.example"))
    entry = store.lookup(UNI)
    assert entry is not None and entry.keys == (JWK,) and entry.url == "https://uni.example"
    store.add(issuer(name="Renamed University"))
    assert store.lookup(UNI).name == "Renamed University"
    store.remove(UNI)
    assert store.lookup(UNI) is None
    with pytest.raises(KeyError):
        store.remove(UNI)
    with pytest.raises(TypeError):
        store.add({"id": UNI})


def test_pinned_keys_are_copies():
    store = TrustStore.empty()
    store.add(issuer(keys=(JWK,)))
    store.pinned_keys(UNI)[0]["x"] = "tampered"
    assert store.pinned_keys(UNI) == (JWK,)


@pytest.mark.parametrize(("overrides", "words"), [
    ({"added_at": datetime(2026, 6, 1)}, "timezone-aware"),
    ({"keys": ({**JWK, "d": "secret"},)}, "private key"),
    ({"keys": ("not a jwk",)}, "JWK"),
    ({"keys": ({"x": "no kty"},)}, "JWK"),
    ({"name": ""}, "name"),
    ({"registry": None}, "registry"),
])
def test_trusted_issuer_refuses_programming_mistakes(overrides, words):
    with pytest.raises(ValueError, match=words):
        issuer(**overrides)


def test_trusted_issuer_is_hashable_with_keys():
    assert len({issuer(keys=(JWK,)), issuer(keys=(JWK,))}) == 1


# -- the file ----------------------------------------------------------------------------------
def test_from_file_missing_creates_nothing(tmp_path):
    path = tmp_path / "sub" / "trust.json"
    store = TrustStore.from_file(path)
    assert store.issuers() == () and store.path == path
    assert not path.exists() and not path.parent.exists()


def test_save_and_reload_round_trip(tmp_path):
    path = tmp_path / "home" / "trust.json"
    store = TrustStore.from_file(path)
    store.add(issuer(keys=(JWK,), url="https://uni.example", location="Cambridge"))
    store.add(issuer(SCHOOL, name="My School", registry="DCC Sandbox Registry"))
    store.save()
    assert json.loads(path.read_text("utf-8"))["version"] == 1
    again = TrustStore.from_file(path)
    assert again.issuers() == store.issuers()
    assert again.lookup(UNI).added_at == NOW
    assert [p.name for p in path.parent.iterdir()] == ["trust.json"]  # no temporary left


def test_save_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "trust.json"
    store = TrustStore.from_file(path)
    store.add(issuer())
    store.save()
    before = path.read_bytes()
    store.add(issuer(SCHOOL, name="My School"))

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        store.save()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["trust.json"]


def test_save_needs_a_file():
    with pytest.raises(ValueError, match="no file"):
        TrustStore.empty().save()


@pytest.mark.parametrize(("content", "words"), [
    ("not json", "cannot be read"),
    ("[]", "not a trust store file"),
    ('{"issuers": {}}', "not a trust store file"),
    ('{"issuers": [{"id": "did:web:a.example"}]}', "malformed issuer entry"),
    ('{"issuers": [{"id": "did:web:a.example", "name": "A", "registry": "local", '
     '"added_at": "2026-01-01T00:00:00"}]}', "malformed issuer entry"),
    ('{"issuers": [{"id": "did:web:a.example", "name": "A", "registry": "local", '
     '"added_at": "2026-01-01T00:00:00+00:00", "keys": [{"kty": "OKP", "d": "x"}]}]}',
     "malformed issuer entry"),
])
def test_malformed_trust_file(tmp_path, content, words):
    path = tmp_path / "trust.json"
    path.write_text(content, "utf-8")
    with pytest.raises(TrustListError, match=words):
        TrustStore.from_file(path)


# -- importing registries --------------------------------------------------------------------------
def test_import_legacy_registry():
    store = TrustStore.empty()
    count = store.import_dcc_registry(LEGACY, registry_name="DCC Sandbox Registry", now=NOW)
    assert count == 2  # the null entry means "not listed"
    uni = store.lookup(UNI)
    assert (uni.name, uni.registry, uni.added_at) == ("Example University",
                                                       "DCC Sandbox Registry", NOW)
    assert (uni.url, uni.location, uni.keys) == ("https://uni.example", "Cambridge, MA, USA", ())
    assert store.lookup(SCHOOL).url is None
    assert store.lookup("did:key:z6MkRemovedIssuerEntryIsNull") is None


@pytest.mark.parametrize(("data", "given", "recorded"), [
    (LEGACY, None, "DCC issuer registry"),
    ({**LEGACY, "meta": {"name": "DCC Community Registry"}}, None, "DCC Community Registry"),
    (LEGACY, "My Registry", "My Registry"),
    (FEDERATION, None, "https://test.registry.dcconsortium.org"),
    (FEDERATION, "DCC Member Registry", "DCC Member Registry"),
])
def test_registry_name_recorded(data, given, recorded):
    store = TrustStore.empty()
    store.import_dcc_registry(data, registry_name=given, now=NOW)
    assert {i.registry for i in store.issuers()} == {recorded}


def test_reimport_replaces_the_registry_but_keeps_other_sources():
    store = TrustStore.empty()
    store.add(issuer(SCHOOL, name="Pinned by hand", keys=(JWK,)))
    store.import_dcc_registry(LEGACY, registry_name="Sandbox", now=NOW)
    assert store.lookup(SCHOOL).name == "Pinned by hand"  # a hand-made entry is not overwritten
    smaller = with_changes(LEGACY, ("registry", UNI), ...)
    later = NOW + timedelta(days=7)
    assert store.import_dcc_registry(smaller, registry_name="Sandbox", now=later) == 1
    assert store.lookup(UNI) is None  # the registry dropped it, so the store drops it
    assert store.lookup(SCHOOL).keys == (JWK,)


def test_import_federation_statement():
    store = TrustStore.empty()
    assert store.import_dcc_registry(FEDERATION, now=NOW) == 1
    entry = store.lookup("did:web:twotr.testschool.edu")
    assert (entry.name, entry.url, entry.added_at) == ("TwoTraining Nursing School",
                                                       "https://twotraining.com", NOW)


@pytest.mark.parametrize(("path", "value", "name"), [
    (("metadata", "federation_entity", "organization_name"), ..., "TwoTraining Inc."),
    (("metadata", "federation_entity"), ..., "TwoTraining Inc."),
    (("metadata", "institution_additional_information"), ..., "TwoTraining Nursing School"),
    (("metadata",), {}, "did:web:twotr.testschool.edu"),
    (("exp",), str(FEDERATION["exp"]), "TwoTraining Nursing School"),  # a digit string
])
def test_federation_statement_variants(path, value, name):
    store = TrustStore.empty()
    store.import_dcc_registry(with_changes(FEDERATION, path, value), now=NOW)
    assert store.lookup("did:web:twotr.testschool.edu").name == name


MALFORMED = [
    ("not_an_object", ["did:web:a.example"], "not a JSON object"),
    ("neither_format", {"issuers": []}, "not a DCC issuer registry"),
    ("registry_is_a_list", with_changes(LEGACY, ("registry",), [UNI]), "map of DIDs"),
    ("meta_is_text", with_changes(LEGACY, ("meta",), "v1"), "map of DIDs"),
    ("entry_is_text", with_changes(LEGACY, ("registry", UNI), "Example University"),
     "not an object"),
    ("name_is_a_number", with_changes(LEGACY, ("registry", UNI, "name"), 5), "not text"),
    ("url_is_a_list", with_changes(LEGACY, ("registry", UNI, "url"), ["https://a"]),
     "not text"),
    ("key_is_not_a_did",
     with_changes(LEGACY, ("registry", "Example University"), {"name": "x"}),
     "not a DID"),
    ("key_is_http", with_changes(LEGACY, ("registry", "http://uni.example"), {"name": "x"}),
     "not a DID"),
    ("expired_statement", with_changes(FEDERATION, ("exp",), int(NOW.timestamp()) - 1),
     "expired"),
    ("statement_without_exp", with_changes(FEDERATION, ("exp",), ...), "no expiry"),
    ("exp_out_of_range", with_changes(FEDERATION, ("exp",), 10 ** 20), "out of range"),
    ("exp_is_true", with_changes(FEDERATION, ("exp",), True), "no expiry"),
    ("entity_configuration", with_changes(FEDERATION, ("sub",), FEDERATION["iss"]),
     "entity configuration"),
    ("statement_without_metadata", with_changes(FEDERATION, ("metadata",), ...), "no metadata"),
    ("entity_not_an_object", with_changes(FEDERATION, ("metadata", "federation_entity"), "x"),
     "malformed"),
    ("sub_is_a_number", with_changes(FEDERATION, ("sub",), 7), "must be text"),
    ("sub_is_not_a_did", with_changes(FEDERATION, ("sub",), "twotr.testschool.edu"),
     "not a DID"),
    ("organization_name_is_a_list",
     with_changes(FEDERATION, ("metadata", "federation_entity", "organization_name"), ["x"]),
     "not text"),
]


@pytest.mark.parametrize(("name", "data", "words"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_registry_leaves_the_store_unchanged(name, data, words):
    store = TrustStore.empty()
    store.import_dcc_registry(LEGACY, registry_name="DCC issuer registry", now=NOW)
    store.import_dcc_registry(FEDERATION, now=NOW)
    before = store.issuers()
    with pytest.raises(TrustListError, match=words):
        store.import_dcc_registry(data, now=NOW)
    assert store.issuers() == before


def test_import_needs_an_aware_now():
    with pytest.raises(ValueError, match="timezone-aware"):
        TrustStore.empty().import_dcc_registry(LEGACY, now=datetime(2026, 6, 1))


def test_imported_registry_survives_save(tmp_path):
    store = TrustStore.from_file(tmp_path / "trust.json")
    store.import_dcc_registry(LEGACY, registry_name="Sandbox", now=NOW)
    store.save()
    reloaded = TrustStore.from_file(tmp_path / "trust.json").lookup(UNI)
    assert (reloaded.registry, reloaded.location, reloaded.added_at) == ("Sandbox",
                                                                         "Cambridge, MA, USA", NOW)
