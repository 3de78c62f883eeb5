"""EU trusted lists: importing signed lists (small ones signed inside the test, then the
published LOTL and national lists of the corpus), refusing bad ones without changing the
store, and anchoring e-seal certificate chains."""

from __future__ import annotations

import json
import socket
from datetime import datetime, timedelta

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from tests.tl_factory import (
    LISTS,
    NOW_2019,
    NOW_2025,
    T0,
    ListSpec,
    Service,
    corpus_store,
    lotl_signer,
    manifest_entry,
    pki,
    seal_chain,
    signed_list,
    trusted_list,
)
from verifier.errors import TrustListError
from verifier.trustlists import Anchor, TrustedListStore, import_files

DAY = timedelta(days=1)
EU_POLICY = "0.4.0.194112.1.1"  # QCP-l


@pytest.fixture(scope="module")
def world():
    """Signers, a qualified CA and a LOTL that points to the SI list's signer."""
    lotl_signer = pki("EU LOTL Signer", kind="rsa")
    si_signer = pki("SI Scheme Operator")
    ca = pki("Test Qualified CA for eSeal", ca=True)
    return {
        "lotl_signer": lotl_signer,
        "si_signer": si_signer,
        "ca": ca,
        "lotl": signed_list(ListSpec(territory="EU", lotl=True, sequence=12,
                                     pointers=[("EU", [lotl_signer.cert]),
                                               ("SI", [si_signer.cert]),
                                               ("AT", [pki("AT Operator").cert])]),
                            lotl_signer),
    }


def si_list(world, *services: Service, sequence: int = 7, signer=None, **kw) -> bytes:
    return signed_list(ListSpec(sequence=sequence, services=list(services), **kw),
                       signer or world["si_signer"])


def ca_service(world, **kw) -> Service:
    return Service("Test Qualified CA for eSeal", world["ca"].cert, **kw)


def store_with_lotl(world) -> TrustedListStore:
    store = TrustedListStore.empty()
    store.pin_lotl_signer(world["lotl_signer"].cert)
    store.import_list(world["lotl"], now=T0)
    return store


# -- importing ----------------------------------------------------------------------------------
def test_lotl_with_caller_given_signer(world):
    store = TrustedListStore.empty()
    result = store.import_list(world["lotl"], now=T0,
                               signer_certificates=[world["lotl_signer"].cert])
    assert (result.signer_trust, result.pinned, result.pointers) == ("caller", False, 2)
    assert result.describe() == "imported EU LOTL seq 12 issued 2024-05-22: 2 pointers"
    assert store.lotl.signers_for("SI") == (world["si_signer"].cert,)


def test_lotl_with_pinned_signer_records_that_it_was_pinned(world):
    store = TrustedListStore.empty()
    store.pin_lotl_signer(world["lotl_signer"].cert)
    store.pin_lotl_signer(world["lotl_signer"].cert)
    assert len(store.pinned_lotl_signers) == 1
    result = store.import_list(world["lotl"], now=T0, signer_certificates=[pki("Other").cert])
    assert (result.signer_trust, result.pinned) == ("pinned", True)
    assert store.lotl.signer_trust == "pinned"


def test_given_certificates_can_stand_in_for_the_lotl_pointer(world):
    store = TrustedListStore.empty()
    other = pki("Old SI Operator")
    result = store.import_list(si_list(world, ca_service(world), signer=other), now=T0,
                               signer_certificates=[other.cert])
    assert result.signer_trust == "caller"


def test_national_list_is_trusted_through_the_lotl_pointer(world):
    store = store_with_lotl(world)
    result = store.import_list(si_list(world, ca_service(world)), now=T0)
    assert (result.territory, result.signer_trust, result.services) == ("SI", "lotl_pointer", 1)
    assert result.describe() == "imported SI TL seq 7 issued 2024-05-22: 1 service"
    assert [t.territory for t in store.lists()] == ["EU", "SI"]


def state(store: TrustedListStore) -> str:
    return json.dumps([t.to_json() for t in store.lists()], sort_keys=True)


BAD_IMPORTS = {
    "lotl_signer_not_pinned": lambda w: (TrustedListStore.empty(), w["lotl"],
                                         "neither a pinned LOTL signer"),
    "national_list_before_lotl": lambda w: (TrustedListStore.empty(),
                                            si_list(w, ca_service(w)), "import the EU list"),
    "national_list_signed_by_unlisted_certificate": lambda w: (
        store_with_lotl(w), si_list(w, ca_service(w), signer=pki("Old SI Operator")),
        "does not list for SI"),
    "territory_without_pointer": lambda w: (
        store_with_lotl(w), si_list(w, ca_service(w), territory="DK"), "does not list for DK"),
    "tampered_list": lambda w: (
        store_with_lotl(w), si_list(w, ca_service(w)).replace(b"granted", b"grantee", 1),
        "changed after it was signed"),
    "malformed_xml": lambda w: (store_with_lotl(w), b"<TrustServiceStatusList", "well-formed"),
    "external_entity": lambda w: (
        store_with_lotl(w), b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
        "DTD"),
    "not_a_trusted_list": lambda w: (store_with_lotl(w), b"<r/>", "not an ETSI trusted list"),
    "issued_in_the_future": lambda w: (
        store_with_lotl(w), si_list(w, ca_service(w), issued=T0 + 3 * DAY), "in the future"),
    "unsigned_list": lambda w: (store_with_lotl(w), etree.tostring(trusted_list(ListSpec())),
                                "carries 0"),
}


@pytest.mark.parametrize("case", sorted(BAD_IMPORTS))
def test_bad_list_is_refused_and_store_unchanged(world, case):
    store, data, needle = BAD_IMPORTS[case](world)
    before = state(store)
    with pytest.raises(TrustListError) as info:
        store.import_list(data, now=T0)
    assert needle in info.value.message
    assert state(store) == before


def test_refused_list_leaves_the_saved_file_byte_for_byte(world, tmp_path):
    path = tmp_path / "trustlists.json"
    store = store_with_lotl(world)
    store.path = path
    store.import_list(si_list(world, ca_service(world)), now=T0)
    store.save()
    saved = path.read_bytes()
    reopened = TrustedListStore.from_file(path)
    with pytest.raises(TrustListError):
        reopened.import_list(si_list(world, ca_service(world), sequence=8)
                             .replace(b"Test TSP", b"Evil TSP", 1), now=T0)
    reopened.save()
    assert path.read_bytes() == saved


def test_a_comment_inserted_into_a_signed_list_changes_nothing(world):
    data = si_list(world, ca_service(world), sequence=370).replace(
        b">370<", b">3<!-- 7 -->70<", 1)
    assert b"<!-- 7 -->" in data
    result = store_with_lotl(world).import_list(data, now=T0)
    assert result.sequence == 370


def test_import_and_anchoring_open_no_socket(world, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("trusted-list code tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    store = store_with_lotl(world)
    store.import_list(si_list(world, ca_service(world)), now=T0)
    assert store.anchor_for([seal(world, "compliance", "eseal")], at=T0) is not None


def test_older_sequence_is_refused_same_sequence_reimports(world):
    store = store_with_lotl(world)
    store.import_list(si_list(world, ca_service(world), sequence=9), now=T0)
    with pytest.raises(TrustListError, match="older than the stored one"):
        store.import_list(si_list(world, ca_service(world), sequence=8), now=T0)
    assert store.import_list(si_list(world, ca_service(world), sequence=9), now=T0).sequence == 9


def test_out_of_date_list_imports_and_says_so(world):
    store = store_with_lotl(world)
    result = store.import_list(si_list(world, ca_service(world)), now=T0 + 400 * DAY)
    assert result.expired
    assert "out of date: its next update was due 2024-11-18" in result.describe()


def test_store_round_trips_through_its_file(world, tmp_path):
    path = tmp_path / "sub" / "trustlists.json"
    store = TrustedListStore.from_file(path)
    store.pin_lotl_signer(world["lotl_signer"].cert)
    store.import_list(world["lotl"], now=T0)
    store.import_list(si_list(world, ca_service(world, history=[("withdrawn", T0 - 400 * DAY)])),
                      now=T0)
    store.save()
    again = TrustedListStore.from_file(path)
    assert state(again) == state(store)
    assert again.pinned_lotl_signers == (world["lotl_signer"].cert,)
    data = json.loads(path.read_text("utf-8"))
    service = data["lists"][1]["services"][0]
    assert service["phases"][0]["type"] == "CA/QC"
    assert [p["status"] for p in service["phases"]] == ["granted", "withdrawn"]


def test_unreadable_store_file_is_a_trust_list_error(tmp_path):
    path = tmp_path / "trustlists.json"
    path.write_text('{"lists": [{"territory": 1}]}', "utf-8")
    with pytest.raises(TrustListError, match="cannot be read"):
        TrustedListStore.from_file(path)


# -- anchoring ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def anchored(world):
    """A store whose SI list has the CA granted since T0-300d and withdrawn at T0+100d."""
    store = store_with_lotl(world)
    store.import_list(si_list(world, ca_service(
        world, status="withdrawn", start=T0 + 100 * DAY,
        history=[("granted", T0 - 300 * DAY)])), now=T0 + 101 * DAY)
    return store


def seal(world, *qc: str, policies=(EU_POLICY,), issuer=None):
    return pki("VELOCERT TEST SEAL", issuer=issuer or world["ca"], qc=qc, policies=policies,
               label="seal").cert


def test_anchor_found_through_the_issuing_service(world, anchored):
    leaf = seal(world, "compliance", "eseal")
    anchor = anchored.anchor_for([leaf], at=T0)
    assert isinstance(anchor, Anchor)
    assert (anchor.service_name, anchor.service_type, anchor.status_at_time) == (
        "Test Qualified CA for eSeal", "CA/QC", "granted")
    assert (anchor.territory, anchor.list_sequence, anchor.depth) == ("SI", 7, 0)
    assert anchor.qualifiers == ("ForeSeals",)
    assert anchor.certificate == world["ca"].cert
    assert anchor.granted and not anchor.stale
    assert anchor.seal_qualification(leaf) == "qualified_no_qscd"


@pytest.mark.parametrize("at,status,qualification", [
    (T0 - 400 * DAY, None, "none"),
    (T0 - 300 * DAY, "granted", "qualified_no_qscd"),
    (T0 + 99 * DAY, "granted", "qualified_no_qscd"),
    (T0 + 100 * DAY, "withdrawn", "none"),
])
def test_status_is_read_from_the_history_at_the_time(world, anchored, at, status, qualification):
    leaf = seal(world, "compliance", "eseal")
    anchor = anchored.anchor_for([leaf], at=at)
    assert (anchor.status_at_time, anchor.seal_qualification(leaf)) == (status, qualification)


def test_anchor_through_an_intermediate_checks_each_link(world, anchored):
    intermediate = pki("Issuing CA", issuer=world["ca"], ca=True)
    leaf = pki("Seal via intermediate", issuer=intermediate, qc=("compliance", "eseal")).cert
    anchor = anchored.anchor_for([leaf, pki("Unrelated").cert, intermediate.cert], at=T0)
    assert anchor.depth == 1
    forged = pki("Issuing CA", ca=True, label="forged")  # same name, another key
    assert anchored.anchor_for([leaf, forged.cert], at=T0) is None


@pytest.mark.parametrize("chain", ["empty", "self_signed", "same_name_other_key"])
def test_no_anchor(world, anchored, chain):
    certs = {
        "empty": [],
        "self_signed": [pki("Nobody").cert],
        "same_name_other_key": [seal(world, "compliance", "eseal",
                                     issuer=pki("Test Qualified CA for eSeal", ca=True,
                                                label="impostor"))],
    }[chain]
    assert anchored.anchor_for(certs, at=T0) is None


def test_anchor_for_needs_an_aware_time(world, anchored):
    with pytest.raises(ValueError):
        anchored.anchor_for([seal(world, "eseal")], at=datetime(2024, 1, 1))


OTHER_POLICY = "1.3.6.1.4.1.99.9"
QUALIFICATION_TABLE = {
    # name: (leaf QC statements, service type, list qualifications as (qualifiers, policies
    #        the certificate must have), additional service information, expected)
    "qc_eseal_no_qscd": (("compliance", "eseal"), "CA/QC", (), ("ForeSeals",),
                         "qualified_no_qscd"),
    "qc_eseal_on_qscd": (("compliance", "eseal", "sscd"), "CA/QC", (), ("ForeSeals",),
                         "qualified_qscd"),
    "list_says_no_qscd": (("compliance", "eseal", "sscd"), "CA/QC",
                          ((("QCNoQSCD",), (EU_POLICY,)),), ("ForeSeals",), "qualified_no_qscd"),
    "list_says_qscd": (("compliance", "eseal"), "CA/QC", ((("QCWithQSCD",), (EU_POLICY,)),),
                       ("ForeSeals",), "qualified_qscd"),
    "qscd_as_in_cert": (("compliance", "eseal", "sscd"), "CA/QC",
                        ((("QCQSCDStatusAsInCert",), (EU_POLICY,)),), ("ForeSeals",),
                        "qualified_qscd"),
    "list_makes_it_qualified_for_eseal": ((), "CA/QC",
                                          ((("QCStatement", "QCForESeal"), (EU_POLICY,)),),
                                          ("ForeSeals",), "qualified_no_qscd"),
    "no_qc_compliance": (("eseal",), "CA/QC", (), ("ForeSeals",), "advanced"),
    "qc_for_signatures": (("compliance", "esign"), "CA/QC", (), ("ForeSeals",), "advanced"),
    "no_qc_type_seal_only_service": (("compliance",), "CA/QC", (), ("ForeSeals",),
                                     "qualified_no_qscd"),
    "no_qc_type_signature_service": (("compliance",), "CA/QC", (), ("ForeSignatures",),
                                     "advanced"),
    "list_says_not_qualified": (("compliance", "eseal"), "CA/QC",
                                ((("NotQualified",), (EU_POLICY,)),), ("ForeSeals",), "advanced"),
    "qualifier_for_other_policy_ignored": (("compliance", "eseal"), "CA/QC",
                                           ((("QCWithQSCD",), (OTHER_POLICY,)),), ("ForeSeals",),
                                           "qualified_no_qscd"),
    "non_qualified_ca": (("compliance", "eseal"), "CA/PKC", (), ("ForeSeals",), "advanced"),
    "timestamp_service": (("compliance", "eseal"), "TSA/QTST", (), (), "none"),
}


@pytest.mark.parametrize("case", sorted(QUALIFICATION_TABLE))
def test_seal_qualification(world, case):
    qc, service_type, qualifications, additional, expected = QUALIFICATION_TABLE[case]
    store = store_with_lotl(world)
    store.import_list(si_list(world, ca_service(world, type=service_type, additional=additional,
                                                qualifications=qualifications)), now=T0)
    leaf = seal(world, *qc)
    assert store.anchor_for([leaf], at=T0).seal_qualification(leaf) == expected


# -- the command-line import --------------------------------------------------------------------
def test_import_files_puts_the_lotl_first_and_saves(world, tmp_path):
    lotl, si = tmp_path / "eu.xml", tmp_path / "si.xml"
    lotl.write_bytes(world["lotl"])
    si.write_bytes(si_list(world, ca_service(world)))
    signer = tmp_path / "oj.pem"
    signer.write_bytes(world["lotl_signer"].cert.public_bytes(Encoding.PEM))
    store_path = tmp_path / "trustlists.json"
    summary = import_files([si, lotl], store_path=store_path, now=T0, lotl_signer=signer)
    assert summary == ("imported EU LOTL seq 12 issued 2024-05-22: 2 pointers; "
                       "imported SI TL seq 7 issued 2024-05-22: 1 service")
    assert [t.territory for t in TrustedListStore.from_file(store_path).lists()] == ["EU", "SI"]


def test_import_files_changes_nothing_for_a_bad_file(world, tmp_path):
    lotl, bad = tmp_path / "eu.xml", tmp_path / "si.xml"
    lotl.write_bytes(world["lotl"])
    bad.write_bytes(si_list(world, ca_service(world), signer=pki("Old SI Operator")))
    signer = tmp_path / "oj.der"
    signer.write_bytes(world["lotl_signer"].cert.public_bytes(Encoding.DER))
    store_path = tmp_path / "trustlists.json"
    with pytest.raises(TrustListError, match=r"^si\.xml: .*Nothing was imported\.$"):
        import_files([lotl, bad], store_path=store_path, now=T0, lotl_signer=signer)
    assert not store_path.exists()
    with pytest.raises(TrustListError, match="cannot be read"):
        import_files([tmp_path / "missing.xml"], store_path=store_path, now=T0,
                     lotl_signer=None)
    with pytest.raises(TrustListError, match="not a readable certificate"):
        import_files([lotl], store_path=store_path, now=T0, lotl_signer=lotl)


# -- the published lists ------------------------------------------------------------------------
needs_corpus = pytest.mark.skipif(not (LISTS / "MANIFEST.json").exists(),
                                  reason="the shared corpus is not on this machine")


@pytest.fixture(scope="module")
def store_2025():
    if not (LISTS / "MANIFEST.json").exists():
        pytest.skip("the shared corpus is not on this machine")
    return corpus_store("eu-lotl-seq370-2025-08-08.xml", NOW_2025,
                        "SI-tl-seq78-2025-07-02.xml", "ES-tl-seq174-2025-08-06.xml")


@pytest.mark.conformance
@needs_corpus
@pytest.mark.parametrize("name,now,summary", [
    ("eu-lotl-seq370-2025-08-08.xml", NOW_2025,
     "imported EU LOTL seq 370 issued 2025-08-08: 31 pointers"),
    ("eu-lotl-seq248-2019-09-04.xml", NOW_2019,
     "imported EU LOTL seq 248 issued 2019-09-04: 31 pointers"),
])
def test_published_lotl_imports_with_its_pinned_signer(name, now, summary):
    store = TrustedListStore.empty()
    store.pin_lotl_signer(lotl_signer(name, now))
    result = store.import_list((LISTS / name).read_bytes(), now=now)
    assert (result.describe(), result.pinned, result.expired) == (summary, True, False)


@pytest.mark.conformance
@needs_corpus
@pytest.mark.parametrize("lotl,name,now,services", [
    ("eu-lotl-seq370-2025-08-08.xml", "SI-tl-seq78-2025-07-02.xml", NOW_2025, 98),
    ("eu-lotl-seq370-2025-08-08.xml", "ES-tl-seq174-2025-08-06.xml", NOW_2025, 376),
    ("eu-lotl-seq248-2019-09-04.xml", "SI-tl-seq37-2019-08-20.xml", NOW_2019, 60),
])
def test_published_national_lists_import_through_lotl_pointers(lotl, name, now, services):
    store = corpus_store(lotl, now)
    result = store.import_list((LISTS / name).read_bytes(), now=now)
    entry = manifest_entry(name)
    assert (result.territory, result.sequence, result.services, result.signer_trust) == (
        entry["territory"], entry["tsl_sequence_number"], services, "lotl_pointer")
    assert result.signing_time == datetime.fromisoformat(entry["xades_signing_time"])


@pytest.mark.conformance
@needs_corpus
def test_tampered_lotl_is_refused_and_the_store_file_is_unchanged(tmp_path):
    path = tmp_path / "trustlists.json"
    store = corpus_store("eu-lotl-seq248-2019-09-04.xml", NOW_2019, "SI-tl-seq37-2019-08-20.xml")
    store.path = path
    store.save()
    saved = path.read_bytes()
    reopened = TrustedListStore.from_file(path)
    with pytest.raises(TrustListError, match="changed after it was signed"):
        reopened.import_list((LISTS / "eu-lotl-seq248-tampered-broken-sig.xml").read_bytes(),
                             now=NOW_2019)
    reopened.save()
    assert path.read_bytes() == saved


@pytest.mark.conformance
@needs_corpus
def test_danish_list_signed_by_an_unlisted_certificate_is_not_trusted():
    store = corpus_store("eu-lotl-seq248-2019-09-04.xml", NOW_2019)
    before = state(store)
    with pytest.raises(TrustListError, match="does not list for DK, so it is not trusted"):
        store.import_list((LISTS / "DK-tl-seq21-2019-08-05-unlisted-signer.xml").read_bytes(),
                          now=NOW_2019)
    assert state(store) == before
    assert store.get("DK") is None


@pytest.mark.conformance
@pytest.mark.parametrize("name,territory,service,stale", [
    ("mynextid-edc-mc-signed.jsonld", "SI", "Halcom CA PO e-seal 2", True),
    ("elm3-mc-annex1-signed.jsonld", "ES", "ANF AC Qualified Certificates for eSeal", False),
])
def test_published_seals_anchor_in_a_qualified_service(store_2025, name, territory, service,
                                                       stale):
    chain, signed_at = seal_chain(name)
    anchor = store_2025.anchor_for(chain, at=signed_at)
    assert service in anchor.service_name
    assert (anchor.service_type, anchor.status_at_time, anchor.territory) == (
        "CA/QC", "granted", territory)
    assert "ForeSeals" in anchor.qualifiers
    assert anchor.certificate in chain[1:]  # the xVals intermediate is the listed certificate
    assert (anchor.depth, anchor.stale) == (0, stale)  # Halcom: sigT after SI 78's NextUpdate
    assert anchor.seal_qualification(chain[0]) == "qualified_no_qscd"


@pytest.mark.conformance
def test_withdrawn_service_was_granted_when_it_sealed(store_2025):
    chain, signed_at = seal_chain("edci-jades-signed-with-expiration.jsonld")
    then = store_2025.anchor_for(chain, at=signed_at)
    assert (then.status_at_time, then.seal_qualification(chain[0])) == (
        "granted", "qualified_no_qscd")
    later = store_2025.anchor_for(chain, at=NOW_2025)
    assert (later.status_at_time, later.seal_qualification(chain[0])) == ("withdrawn", "none")


@pytest.mark.conformance
@needs_corpus
def test_older_slovenian_list_anchors_at_the_root():
    store = corpus_store("eu-lotl-seq248-2019-09-04.xml", NOW_2019, "SI-tl-seq37-2019-08-20.xml")
    chain, signed_at = seal_chain("mynextid-edc-mc-signed.jsonld")
    anchor = store.anchor_for(chain, at=signed_at)
    assert (anchor.service_name, anchor.depth, anchor.stale) == (
        "Halcom Root Certificate Authority", 1, True)


@pytest.mark.conformance
@needs_corpus
def test_import_files_with_the_published_lists(tmp_path):
    signer = tmp_path / "lotl-signer.pem"
    signer.write_bytes(lotl_signer("eu-lotl-seq370-2025-08-08.xml", NOW_2025)
                       .public_bytes(Encoding.PEM))
    paths = [LISTS / n for n in ("SI-tl-seq78-2025-07-02.xml", "eu-lotl-seq370-2025-08-08.xml",
                                  "ES-tl-seq174-2025-08-06.xml")]
    summary = import_files(paths, store_path=tmp_path / "t.json", now=NOW_2025,
                           lotl_signer=signer)
    assert summary == ("imported EU LOTL seq 370 issued 2025-08-08: 31 pointers; "
                       "imported SI TL seq 78 issued 2025-07-02: 98 services; "
                       "imported ES TL seq 174 issued 2025-08-06: 376 services")
    store = TrustedListStore.from_file(tmp_path / "t.json")
    chain, signed_at = seal_chain("mynextid-edc-mc-signed.jsonld")
    assert store.anchor_for(chain, at=signed_at).seal_qualification(chain[0]) == \
        "qualified_no_qscd"
