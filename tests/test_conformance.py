"""Conformance: reach the corpus's ``policy_verdict`` on every entry whose format is
implemented (``../shared/corpus/README.md``), print a table of counts, list disagreements."""

from __future__ import annotations

import collections
import json

import pytest

from tests import corpus
from verifier import Outcome, TrustStore, verify
from verifier.report import Report
from verifier.trust import TrustedIssuer

pytestmark = [
    pytest.mark.conformance,
    pytest.mark.skipif(not corpus.available(), reason="../shared/corpus is not on this machine"),
]

# Every format of the main manifest is implemented (EDC entries live in edc/MANIFEST.json and
# tests/test_conformance_edc.py).
OUT_OF_SCOPE_PREFIXES: tuple[str, ...] = ()

# Entries where the corpus verdict contradicts its own policy; each is explained here and
# reported, never silently passed.
KNOWN_DISAGREEMENTS = {
    "1edtech-validator/ob30/simple.jwt": (
        "RS256 JWT with no kid, no jwk and no published key: by policy 1 the key cannot be "
        "established offline, so the product reports cannot_check; the manifest says genuine "
        "although its own 'checked' note says the signature was not checked."
    ),
}
_BAKED_OB3 = (
    "The credential baked into this image is signed with a key known only from a {where}, "
    "which binds nothing under policy 1; the manifest labels the same credential unbaked "
    "({twin}) cannot_check, and an image cannot make its contents more trustworthy."
)
for _name, _where, _twin in (
    ("simple-json.png", "URL fragment", "ob30/simple.json"),
    ("simple-json.svg", "URL fragment", "ob30/simple.json"),
    ("simple-jwt.png", "JWT header jwk", "clr20/simple.jwt and 1edtech-ob30-spec/jwt/*"),
    ("simple-jwt.svg", "JWT header jwk", "clr20/simple.jwt and 1edtech-ob30-spec/jwt/*"),
    ("simple-jwt_v1.png", "JWT header jwk", "clr20/simple.jwt and 1edtech-ob30-spec/jwt/*"),
    ("simple-jwt_v1.svg", "JWT header jwk", "clr20/simple.jwt and 1edtech-ob30-spec/jwt/*"),
):
    KNOWN_DISAGREEMENTS[f"1edtech-validator/ob30/{_name}"] = _BAKED_OB3.format(
        where=_where, twin=_twin
    )


def in_scope(entry: dict) -> bool:
    """Whether this issue's formats cover the entry."""
    return "policy_verdict" in entry and not entry["format"].startswith(OUT_OF_SCOPE_PREFIXES)


def verdict(report: Report) -> str:
    """Map a report's outcome onto the corpus vocabulary."""
    if report.outcome is Outcome.VERIFIED:
        return "genuine"
    if report.outcome is Outcome.CANNOT_CHECK:
        return "cannot_check"
    return "not_genuine"


def trust_store() -> TrustStore:
    """Any issuer trusted (corpus policy), plus the published SD-JWT VC issuer key pinned."""
    store = TrustStore.accept_any_issuer_insecure()
    key_file = corpus.CORPUS / "sd-jwt-vc" / "issuer-key.public.jwk.json"
    if key_file.exists():
        jwk = json.loads(key_file.read_text("utf-8"))
        for sample in ("01", "02", "03-pid"):
            token = (corpus.CORPUS / "sd-jwt-vc" / sample / "sd_jwt_issuance.sd-jwt").read_text()
            from verifier.suites.sd_jwt import SdJwt

            iss = SdJwt.parse(token.strip()).claims["iss"]
            store.add(
                TrustedIssuer(
                    id=iss,
                    name="SD-JWT VC example issuer",
                    registry="corpus",
                    keys=(jwk,),
                    added_at=corpus.FETCHED_AT,
                )
            )
    return store


def run_entry(entry: dict, store: TrustStore) -> Report:
    """Verify one corpus file as of the evaluation time."""
    data = (corpus.CORPUS / entry["file"]).read_bytes()
    return verify(data, now=corpus.EVALUATED_AT, trust=store, cache=CACHE)


ENTRIES = [e for e in corpus.manifest() if in_scope(e)]
CACHE = corpus.shared_cache() if corpus.available() else None


@pytest.fixture(scope="module")
def store() -> TrustStore:
    return trust_store()


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["file"] for e in ENTRIES])
def test_policy_verdict(entry, store):
    report = run_entry(entry, store)
    got = verdict(report)
    if entry["file"] in KNOWN_DISAGREEMENTS:
        assert got == "cannot_check", "a credential without an established key is never verified"
        pytest.xfail(KNOWN_DISAGREEMENTS[entry["file"]])
    detail = "; ".join(
        f"{c.id}={c.status.value}: {c.message}"
        for c in report.checks
        if c.status.value in ("failed", "unknown")
    )
    assert got == entry["policy_verdict"], detail


def test_print_conformance_table(store, capsys):
    table: dict[tuple[str, str], collections.Counter] = collections.defaultdict(collections.Counter)
    disagreements = []
    for entry in ENTRIES:
        got = verdict(run_entry(entry, store))
        key = (entry["file"].split("/")[0], entry["format"])
        table[key]["agree" if got == entry["policy_verdict"] else "disagree"] += 1
        if got != entry["policy_verdict"]:
            disagreements.append((entry["file"], entry["policy_verdict"], got))
    skipped = collections.Counter(
        e["file"].split("/")[0]
        for e in corpus.manifest()
        if "policy_verdict" in e and not in_scope(e)
    )
    with capsys.disabled():
        print("\nconformance: source | format | agree | disagree")
        for (source, fmt), counts in sorted(table.items()):
            print(f"  {source} | {fmt} | {counts['agree']} | {counts['disagree']}")
        total = sum(c["agree"] for c in table.values())
        print(
            f"  total agree {total} of {len(ENTRIES)} in scope; out of scope (other issues): "
            f"{dict(skipped)}"
        )
        for file, want, got in disagreements:
            print(f"  DISAGREE {file}: corpus {want}, product {got}")
    assert {f for f, _, _ in disagreements} <= set(KNOWN_DISAGREEMENTS)
