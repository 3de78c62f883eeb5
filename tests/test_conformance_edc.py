"""The published JAdES-sealed European Digital Credentials of the shared corpus
(``../shared/corpus/edc``, read in place): every seal verifies as intact, trust is unknown
without a trusted list, the expired EDC is genuine but expired, and with the real EU trusted
lists evaluated at each seal's signing time the ANF seals anchor through the Spanish list and
the Halcom seal through the Slovenian one."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.corpus import CORPUS, EVALUATED_AT
from verifier.cache import DocumentCache
from verifier.checks import Options
from verifier.edc import looks_like_edc, verify_edc
from verifier.records import replace
from verifier.report import Outcome
from verifier.trust import TrustStore

pytestmark = pytest.mark.conformance

EDC = CORPUS / "edc"
LISTS = EDC / "trusted-lists"


def _samples() -> list[str]:
    manifest = EDC / "MANIFEST.json"
    if not manifest.exists():
        return []
    return [e["file"] for e in json.loads(manifest.read_text("utf-8")) if "JAdES" in e["format"]]


SAMPLES = _samples()
needs_corpus = pytest.mark.skipif(not SAMPLES, reason="the shared EDC corpus is absent")

P, F, U, NA = "passed", "failed", "unknown", "not_applicable"
# file: (format, proof, issuer_binding, validity, status), outcome without a trusted list
EXPECTED = {
    "elm3-mc-annex1-signed.jsonld": ((P, P, P, P, NA), Outcome.CANNOT_CHECK),
    "elm3-cert-of-participation-signed.jsonld": ((P, P, P, P, NA), Outcome.CANNOT_CHECK),
    "edci-jades-signed-with-expiration.jsonld": ((P, P, P, F, NA), Outcome.EXPIRED),
    # An early EDCI test file: no credentialProfiles, displayParameter or issuer identifier.
    "edci-jades-invalid-signature.jsonld": ((F, P, U, F, NA), Outcome.NOT_GENUINE),
    # Its StatusList2021 lists were never fetched into the cache.
    "mynextid-edc-mc-signed.jsonld": ((P, P, P, P, U), Outcome.CANNOT_CHECK),
}
# file: (trusted list territory, service) the seal anchors in, at its signing time
ANCHORS = {
    "elm3-mc-annex1-signed.jsonld": ("ES", "ANF AC Qualified Certificates for eSeal"),
    "elm3-cert-of-participation-signed.jsonld": ("ES", "ANF AC Qualified Certificates for eSeal"),
    "edci-jades-signed-with-expiration.jsonld": ("ES", "ANF Assured ID CA1"),
    "edci-jades-invalid-signature.jsonld": ("ES", "ANF Assured ID CA1"),
    "mynextid-edc-mc-signed.jsonld": ("SI", "Halcom CA PO e-seal 2"),
}


def options(**changes) -> Options:
    base = Options(now=EVALUATED_AT, trust=TrustStore.empty(), cache=DocumentCache.in_memory())
    return replace(base, **changes)


def verify(name: str, **changes):
    return verify_edc((EDC / name).read_bytes(), options(**changes))


@needs_corpus
def test_the_manifest_lists_the_five_jades_samples():
    assert sorted(SAMPLES) == sorted(EXPECTED)


@needs_corpus
@pytest.mark.parametrize("name", SAMPLES)
def test_seal_is_intact_and_trust_unknown_without_a_list(name):
    report = verify(name)
    assert looks_like_edc((EDC / name).read_bytes())
    assert report.check("proof").status.value == P, report.check("proof").message
    assert report.check("issuer_trust").status.value == U
    assert report.summary["seal"]["level"] == "B-LTA"
    statuses, outcome = EXPECTED[name]
    got = tuple(
        report.check(c).status.value
        for c in ("format", "proof", "issuer_binding", "validity", "status")
    )
    assert got == statuses, [c.to_json() for c in report.checks]
    assert report.outcome is outcome


@needs_corpus
def test_the_expired_edc_is_genuine_but_expired():
    report = verify("edci-jades-signed-with-expiration.jsonld")
    assert report.outcome is Outcome.EXPIRED
    assert report.check("proof").status.value == P
    assert report.check("validity").reason == "expired"
    # The payload carries mojibake inside the signed bytes: verified as stored, not repaired.
    assert "registration VATES-B00000000" in report.check("issuer_binding").message


@needs_corpus
def test_issued_on_behalf_of_an_awarding_body():
    message = verify("mynextid-edc-mc-signed.jsonld").check("issuer_binding").message
    assert "NTREE-17207834" in message and "NETIS d.o.o." in message and "mandate" in message
    message = verify("elm3-mc-annex1-signed.jsonld").check("issuer_binding").message
    assert "University of Zed" in message


@needs_corpus
def test_print_a_table(capsys):
    rows = []
    for name in SAMPLES:
        report = verify(name)
        seal = report.summary["seal"]
        rows.append(
            f"{name:44} {seal['level']:6} {seal['signed_at'][:16]:17} "
            f"{report.check('proof').status.value:8} {report.outcome.value}"
        )
    with capsys.disabled():
        print(
            "\nEDC sample                                   level  signed at         "
            "proof    outcome (no trusted list)"
        )
        print("\n".join(rows))


# -- the real EU trusted lists ----------------------------------------------------------------


@pytest.fixture(scope="module")
def eu_lists():
    """LOTL seq 370 (its signer taken from its own signature, as a test stands in for the
    Official Journal), SI seq 78 and ES seq 174, imported as of 2025-08-09."""
    trustlists = pytest.importorskip("verifier.trustlists")
    from verifier.xades import verify_xades

    if not (LISTS / "MANIFEST.json").exists():
        pytest.skip("the trusted lists of the corpus are absent")
    at = datetime(2025, 8, 9, tzinfo=UTC)
    lotl = (LISTS / "eu-lotl-seq370-2025-08-08.xml").read_bytes()
    store = trustlists.TrustedListStore.empty()
    store.import_list(
        lotl, now=at, signer_certificates=[verify_xades(lotl, now=at).signing_certificate]
    )
    for name in ("SI-tl-seq78-2025-07-02.xml", "ES-tl-seq174-2025-08-06.xml"):
        store.import_list((LISTS / name).read_bytes(), now=at)
    return store


@needs_corpus
@pytest.mark.parametrize("name", SAMPLES)
def test_seals_anchor_in_the_eu_trusted_lists(name, eu_lists):
    report = verify(name, trusted_lists=eu_lists)
    trust = report.check("issuer_trust")
    territory, service = ANCHORS[name]
    assert trust.status.value == P, trust.message
    assert "qualified certificate for e-seal, not on a secure device" in trust.message
    assert service in trust.message and f"({territory} trusted list)" in trust.message
    assert trust.data_date is not None


@needs_corpus
def test_the_official_micro_credential_is_verified_with_the_lists(eu_lists):
    assert (
        verify("elm3-mc-annex1-signed.jsonld", trusted_lists=eu_lists).outcome is Outcome.VERIFIED
    )


@needs_corpus
def test_the_halcom_list_copy_was_due_for_renewal_at_signing(eu_lists):
    message = (
        verify("mynextid-edc-mc-signed.jsonld", trusted_lists=eu_lists)
        .check("issuer_trust")
        .message
    )
    assert "due for renewal" in message
