"""Legacy ELM v2 XML credentials sealed with enveloped XAdES: scenarios signed inside the test,
then the EDCI diploma-supplement sample of the corpus."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from tests.corpus import CORPUS
from tests.tl_factory import (
    T0,
    ListSpec,
    Service,
    corpus_store,
    elm2_presentation,
    pki,
    sign,
    signed_list,
)
from verifier import verify
from verifier.cache import DocumentCache
from verifier.checks import Options
from verifier.edc.legacy_xml import verify_legacy_xml
from verifier.report import CREDENTIAL_CHECKS, Outcome, Status
from verifier.trust import TrustStore
from verifier.trustlists import TrustedListStore

P, F, U, NA = Status.PASSED, Status.FAILED, Status.UNKNOWN, Status.NOT_APPLICABLE
DAY = timedelta(days=1)
SAMPLE = CORPUS / "edc" / "elm2-diploma-supplement-presentation-signed.xml"
LISTS = CORPUS / "edc" / "trusted-lists"


def options(now: datetime, lists: TrustedListStore | None) -> Options:
    return Options(now=now, trust=TrustStore.empty(), cache=DocumentCache.in_memory(),
                   trusted_lists=lists)


def statuses(report) -> dict[str, Status]:
    return {c.id: c.status for c in report.checks}


@pytest.fixture(scope="module")
def world():
    """A LOTL, an SI list naming a qualified CA (withdrawn from T0+100d), a sealing key."""
    lotl_signer, si_signer = pki("LOTL Signer"), pki("SI Operator")
    ca = pki("Diploma Seal CA", ca=True)
    store = TrustedListStore.empty()
    store.import_list(signed_list(ListSpec(territory="EU", lotl=True,
                                           pointers=[("SI", [si_signer.cert])]), lotl_signer),
                      now=T0, signer_certificates=[lotl_signer.cert])
    store.import_list(signed_list(ListSpec(services=[Service(
        "Diploma Seal CA", ca.cert, status="withdrawn", start=T0 + 100 * DAY,
        history=[("granted", T0 - 300 * DAY)])]), si_signer), now=T0)
    return {"ca": ca, "lists": store}


def seal(world, *, qc=("compliance", "eseal")):
    return pki("University Seal", issuer=world["ca"], qc=qc, org_id="VATSI-12345678",
               label="university-seal")


def sealed(world, *, signing_time=T0, qc=("compliance", "eseal"), **doc) -> bytes:
    return sign(elm2_presentation(**doc), seal(world, qc=qc), signing_time=signing_time)


SCENARIOS = {
    # name: (document factory, now, use lists, expected statuses of the first five checks,
    #        outcome)
    "sealed_by_a_qualified_issuer": (lambda w: sealed(w), T0 + DAY, True,
                                     (P, P, P, P, P), Outcome.VERIFIED),
    "no_trusted_list_imported": (lambda w: sealed(w), T0 + DAY, False,
                                 (P, P, P, U, P), Outcome.CANNOT_CHECK),
    "expired": (lambda w: sealed(w, valid_until="2024-05-31T00:00:00+02:00"), T0 + DAY, True,
                (P, P, P, P, F), Outcome.EXPIRED),
    "not_yet_valid": (lambda w: sealed(w, valid_from="2024-07-01T00:00:00Z"), T0 + DAY, True,
                      (P, P, P, P, F), Outcome.NOT_YET_VALID),
    "no_end_date": (lambda w: sealed(w, valid_until=None), T0 + DAY, True,
                    (P, P, P, P, P), Outcome.VERIFIED),
    "issuer_identifier_differs": (lambda w: sealed(w, registration="VATSI-99999999"), T0 + DAY,
                                  True, (P, P, U, P, P), Outcome.CANNOT_CHECK),
    "sealed_after_the_ca_was_withdrawn": (lambda w: sealed(w, signing_time=T0 + 120 * DAY),
                                          T0 + 121 * DAY, True, (P, P, P, F, P),
                                          Outcome.NOT_GENUINE),
    "advanced_seal_not_qualified": (lambda w: sealed(w, qc=()), T0 + DAY, True,
                                    (P, P, P, P, P), Outcome.VERIFIED),
    "sealed_by_an_unlisted_ca": (lambda w: sign(elm2_presentation(), pki(
        "Other Seal", issuer=pki("Unlisted CA", ca=True), org_id="VATSI-12345678")),
        T0 + DAY, True, (P, P, P, U, P), Outcome.CANNOT_CHECK),
    "changed_after_sealing": (lambda w: sealed(w).replace(b"Diploma in Testing",
                                                          b"Doctorate in Testing"),
                              T0 + DAY, True, (P, F, U, U, U), Outcome.NOT_GENUINE),
    "not_sealed": (lambda w: etree.tostring(elm2_presentation()), T0 + DAY, True,
                   (P, F, U, U, U), Outcome.NOT_GENUINE),
    "not_an_elm_document": (lambda w: sign(etree.fromstring(b"<other xmlns='urn:x'/>"),
                                           seal(w)), T0 + DAY, True, (F, U, U, U, U),
                            Outcome.NOT_GENUINE),
    "external_entity": (lambda w: b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                        b"<r>&x;</r>", T0 + DAY, True, (F, U, U, U, U), Outcome.NOT_GENUINE),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_legacy_xml_scenarios(world, name):
    make, now, use_lists, expected, outcome = SCENARIOS[name]
    report = verify_legacy_xml(make(world), options(now, world["lists"] if use_lists else None))
    assert tuple(c.id for c in report.checks) == CREDENTIAL_CHECKS
    assert tuple(statuses(report)[i] for i in CREDENTIAL_CHECKS[:5]) == expected, \
        report.to_json()
    assert report.outcome is outcome
    assert report.kind == "credential"


def test_verified_report_reads_well(world):
    report = verify_legacy_xml(sealed(world), options(T0 + DAY, world["lists"]))
    assert report.format == "edc_xml"
    assert [statuses(report)[i] for i in CREDENTIAL_CHECKS[5:]] == [NA, NA, NA]
    assert report.check("issuer_binding").message == (
        "The seal belongs to Test University: the certificate's organisation identifier "
        "VATSI-12345678 is the one the document gives.")
    trust = report.check("issuer_trust")
    assert trust.message == (
        "Advanced electronic seal with a qualified certificate for e-seal, not on a secure "
        "device (QSCD), from \u201cDiploma Seal CA\u201d (CA/QC) in the SI trusted list (seq 7), "
        "granted at the signing time.")
    assert trust.data_date == T0 - 10 * DAY
    assert report.summary["title"] == "Diploma in Testing"
    assert report.check("validity").message.startswith(
        "It is valid from 2024-01-01 until 2030-12-31")


def test_withdrawn_and_advanced_messages(world):
    late = verify_legacy_xml(sealed(world, signing_time=T0 + 120 * DAY),
                             options(T0 + 121 * DAY, world["lists"]))
    assert late.check("issuer_trust").message.startswith(
        "Not trusted: the seal's certificate authority, \u201cDiploma Seal CA\u201d")
    assert "(withdrawn)" in late.check("issuer_trust").message
    advanced = verify_legacy_xml(sealed(world, qc=()), options(T0 + DAY, world["lists"]))
    assert advanced.check("issuer_trust").detail == "advanced"


def test_messages_for_refused_documents(world):
    no_lists = verify_legacy_xml(sealed(world), options(T0 + DAY, None))
    assert "No EU trusted list is imported" in no_lists.check("issuer_trust").message
    xxe = SCENARIOS["external_entity"][0](world)
    assert "DTD" in verify_legacy_xml(xxe, options(T0, None)).check("format").message
    changed = verify_legacy_xml(SCENARIOS["changed_after_sealing"][0](world),
                                options(T0 + DAY, None))
    assert "changed after it was signed" in changed.check("proof").message
    assert changed.check("validity").message.startswith("Not checked: the seal did not verify")


# -- the EDCI sample -----------------------------------------------------------------------------
needs_sample = pytest.mark.skipif(not SAMPLE.exists() or not LISTS.exists(),
                                  reason="the shared corpus is not on this machine")
NOW = datetime(2025, 9, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def spanish_list():
    if not SAMPLE.exists() or not LISTS.exists():
        pytest.skip("the shared corpus is not on this machine")
    return corpus_store("eu-lotl-seq370-2025-08-08.xml", NOW, "ES-tl-seq174-2025-08-06.xml")


@pytest.mark.conformance
@needs_sample
def test_diploma_supplement_sample_verifies(spanish_list):
    report = verify_legacy_xml(SAMPLE.read_bytes(), options(NOW, spanish_list))
    assert report.verified, report.to_json()
    assert report.check("proof").message == (
        "Sealed by Certificado TEST Sello Electronico on 2022-08-09 (XAdES-B-LT); nothing has "
        "changed since.")
    assert report.check("issuer_binding").detail == "VATES-B00000000"
    trust = report.check("issuer_trust")
    assert (trust.detail, trust.data_date) == (
        "qualified_no_qscd", datetime(2025, 8, 6, 0, 0, 53, tzinfo=UTC))
    assert "ANF Assured ID CA1" in trust.message
    assert report.summary["issuer"] == "JAMK University of Applied Sciences"


@pytest.mark.conformance
@needs_sample
def test_the_public_verify_sends_xml_here(spanish_list):
    report = verify(SAMPLE.read_bytes(), now=NOW, trusted_lists=spanish_list)
    assert (report.format, report.outcome) == ("edc_xml", Outcome.VERIFIED)


@pytest.mark.conformance
@needs_sample
def test_diploma_supplement_sample_without_lists_and_changed():
    data = SAMPLE.read_bytes()
    plain = verify_legacy_xml(data, options(NOW, None))
    assert statuses(plain)["issuer_trust"] is U and plain.outcome is Outcome.CANNOT_CHECK
    changed = verify_legacy_xml(data.replace(b"1999-10-02", b"1999-10-03", 1),
                                options(NOW, None))
    assert (changed.check("proof").status, changed.outcome) == (F, Outcome.NOT_GENUINE)

