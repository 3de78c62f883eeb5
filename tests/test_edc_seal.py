"""JAdES-sealed European Digital Credentials: scenario tables asserting (check_id, status), the
building blocks (thumbprints, timestamps, paths, identifiers) and a sealing property."""

from __future__ import annotations

import base64
import dataclasses
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.edc_factory import (
    ORG_ID,
    SIGNED_AT,
    FakeAnchor,
    FakeTrustedLists,
    b64url,
    elm_payload,
    key,
    make_pki,
    seal_edc,
    timestamp,
)
from verifier.cache import DocumentCache
from verifier.checks import Options
from verifier.edc import (
    EUROPASS_CHECK_TYPES,
    JadesSignature,
    LegalIdentifier,
    build_path,
    looks_like_edc,
    verification_checks,
    verify_edc,
)
from verifier.edc.certs import check_path
from verifier.errors import MalformedDocument, ProofInvalid
from verifier.records import replace
from verifier.report import CREDENTIAL_CHECKS, Outcome
from verifier.trust import TrustStore

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
STAMPED_AT = SIGNED_AT + timedelta(seconds=2)  # the factory's signature timestamp


@pytest.fixture(scope="module")
def pki():
    return make_pki()


def options(**changes) -> Options:
    base = Options(now=NOW, trust=TrustStore.empty(), cache=DocumentCache.in_memory())
    return replace(base, **changes)


def statuses(report) -> dict[str, str]:
    return {c.id: c.status.value for c in report.checks}


def edit(text: str, change) -> str:
    """Apply ``change`` to the parsed outer JWS JSON and serialise it again."""
    doc = json.loads(text)
    change(doc)
    return json.dumps(doc)


def edit_etsi_u(text: str, name: str, change) -> str:
    """Replace the etsiU item called ``name`` by ``change(value)``."""

    def apply(doc):
        items = doc["signatures"][0]["header"]["etsiU"]
        for i, item in enumerate(items):
            value = json.loads(base64.urlsafe_b64decode(item + "=" * (-len(item) % 4)))
            if name in value:
                items[i] = b64url(json.dumps({name: change(value[name])}).encode())

    return edit(text, apply)


def _reserialise(doc):
    doc["payload"] = json.dumps(json.loads(doc["payload"]), ensure_ascii=False)


def _truncate(value):
    token = value["tstTokens"][0]["val"]
    return {"tstTokens": [{"val": token[: len(token) // 2]}]}


def _retimestamp(pki):
    def change(value):
        other = timestamp(b"some other data", pki, at=STAMPED_AT, serial=99)
        return {"tstTokens": [{"val": base64.b64encode(other).decode()}]}

    return change


def _mismatch(**issuer_changes):
    doc = elm_payload()
    doc["issuer"]["eIDASIdentifier"].update(issuer_changes)
    return doc


P, F, U, NA = "passed", "failed", "unknown", "not_applicable"
# name: (how to make the document, option changes, expected (check_id, status), outcome)
SCENARIOS = {
    "valid_b_lta": (
        lambda pki: seal_edc(elm_payload(), pki),
        {},
        {
            "format": P,
            "proof": P,
            "issuer_binding": P,
            "issuer_trust": U,
            "validity": P,
            "status": NA,
            "schema": NA,
            "nested_credentials": NA,
        },
        Outcome.CANNOT_CHECK,
    ),
    "valid_b_lta_on_a_trusted_list": (
        lambda pki: seal_edc(elm_payload(), pki),
        {"trusted": "qualified_no_qscd"},
        {"proof": P, "issuer_binding": P, "issuer_trust": P, "validity": P},
        Outcome.VERIFIED,
    ),
    "b_t_without_revocation_data": (
        lambda pki: seal_edc(elm_payload(), pki, level="B-T"),
        {},
        {"format": P, "proof": U, "issuer_binding": P, "validity": P},
        Outcome.CANNOT_CHECK,
    ),
    "b_b_claimed_time_only": (
        lambda pki: seal_edc(elm_payload(), pki, level="B-B"),
        {},
        {"proof": U, "issuer_binding": P, "validity": P},
        Outcome.CANNOT_CHECK,
    ),
    "ocsp_good_only": (
        lambda pki: seal_edc(elm_payload(), pki, revocation=("ocsp",)),
        {},
        {"proof": P},
        Outcome.CANNOT_CHECK,
    ),
    "crl_good_only": (
        lambda pki: seal_edc(elm_payload(), pki, revocation=("crl",)),
        {},
        {"proof": P},
        Outcome.CANNOT_CHECK,
    ),
    "ps256": (lambda pki: seal_edc(elm_payload(), pki, alg="PS256"), {}, {"proof": P}, None),
    "flattened_serialization": (
        lambda pki: seal_edc(elm_payload(), pki, flattened=True),
        {},
        {"proof": P},
        None,
    ),
    "payload_reserialised": (
        lambda pki: edit(seal_edc(elm_payload(), pki), _reserialise),
        {},
        {"format": P, "proof": F, "issuer_binding": U, "validity": U, "status": U},
        Outcome.NOT_GENUINE,
    ),
    "payload_one_letter_changed": (
        lambda pki: seal_edc(elm_payload(), pki).replace("Ana Prueba", "Ana Pruebo"),
        {},
        {"proof": F},
        Outcome.NOT_GENUINE,
    ),
    "swapped_certificate": (
        lambda pki: seal_edc(elm_payload(), pki, x5c=(pki.other_seal,)),
        {},
        {"proof": F},
        Outcome.NOT_GENUINE,
    ),
    "unknown_critical_header": (
        lambda pki: seal_edc(
            elm_payload(),
            pki,
            header={"sigPSt": {"id": "x"}, "crit": ["b64", "sigT", "adoTst", "sigPSt"]},
        ),
        {},
        {"format": P, "proof": F},
        Outcome.NOT_GENUINE,
    ),
    "truncated_signature_timestamp": (
        lambda pki: edit_etsi_u(seal_edc(elm_payload(), pki), "sigTst", _truncate),
        {},
        {"format": F, "proof": U, "validity": U},
        Outcome.NOT_GENUINE,
    ),
    "signature_timestamp_over_other_data": (
        lambda pki: edit_etsi_u(
            seal_edc(elm_payload(), pki, level="B-LT"), "sigTst", _retimestamp(pki)
        ),
        {},
        {"proof": F},
        Outcome.NOT_GENUINE,
    ),
    "validation_data_changed_after_archive_timestamp": (
        lambda pki: edit_etsi_u(
            seal_edc(elm_payload(), pki), "rVals", lambda v: {"crlVals": v["crlVals"]}
        ),
        {},
        {"proof": F},
        Outcome.NOT_GENUINE,
    ),
    "revoked_by_crl_before_sealing": (
        lambda pki: seal_edc(
            elm_payload(), pki, revocation=("crl",), revoked_at=SIGNED_AT - timedelta(days=1)
        ),
        {},
        {"format": P, "proof": F, "validity": U},
        Outcome.NOT_GENUINE,
    ),
    "revoked_by_ocsp_before_sealing": (
        lambda pki: seal_edc(
            elm_payload(), pki, revocation=("ocsp",), revoked_at=SIGNED_AT - timedelta(days=1)
        ),
        {},
        {"proof": F},
        Outcome.NOT_GENUINE,
    ),
    "revoked_after_a_timestamped_seal": (
        lambda pki: seal_edc(
            elm_payload(), pki, revocation=("crl",), revoked_at=SIGNED_AT + timedelta(days=30)
        ),
        {},
        {"proof": P},
        Outcome.CANNOT_CHECK,
    ),
    "expired_credential": (
        lambda pki: seal_edc(elm_payload(expirationDate="2026-03-01T00:00:00Z"), pki),
        {"trusted": "qualified_no_qscd"},
        {"format": P, "proof": P, "issuer_binding": P, "issuer_trust": P, "validity": F},
        Outcome.EXPIRED,
    ),
    "not_yet_valid_credential": (
        lambda pki: seal_edc(elm_payload(validFrom="2027-01-01T00:00:00Z"), pki),
        {"trusted": "qualified_no_qscd"},
        {"validity": F},
        Outcome.NOT_YET_VALID,
    ),
    "issuer_identifier_mismatch": (
        lambda pki: seal_edc(_mismatch(notation="VATES-B87654321"), pki),
        {},
        {"proof": P, "issuer_binding": F},
        Outcome.NOT_GENUINE,
    ),
    "issuer_identifier_bare_value_and_country": (
        lambda pki: seal_edc(_mismatch(notation="B12345678"), pki),
        {},
        {"issuer_binding": P},
        None,
    ),
    "issuer_identifier_bare_value_wrong_country": (
        lambda pki: seal_edc(
            _mismatch(
                notation="B12345678",
                spatial={"id": "http://publications.europa.eu/resource/authority/country/FRA"},
            ),
            pki,
        ),
        {},
        {"issuer_binding": F},
        Outcome.NOT_GENUINE,
    ),
    "alg_none": (
        lambda pki: seal_edc(elm_payload(), pki, alg="none"),
        {},
        {"proof": F, "issuer_binding": U},
        Outcome.NOT_GENUINE,
    ),
    "alg_hs256": (lambda pki: seal_edc(elm_payload(), pki, alg="HS256"), {}, {"proof": F}, None),
    "unsupported_algorithm": (
        lambda pki: seal_edc(elm_payload(), pki, alg="RS512"),
        {},
        {"proof": U, "issuer_binding": U},
        Outcome.CANNOT_CHECK,
    ),
    "profile_field_missing": (
        lambda pki: seal_edc(elm_payload(displayParameter=None), pki),
        {},
        {"format": F, "proof": P, "issuer_binding": P},
        Outcome.NOT_GENUINE,
    ),
    "payload_not_an_edc": (
        lambda pki: seal_edc(elm_payload(type=["VerifiableCredential"]), pki),
        {},
        {"format": F, "proof": P, "issuer_binding": U},
        Outcome.NOT_GENUINE,
    ),
    "status_list_not_cached": (
        lambda pki: seal_edc(
            elm_payload(
                credentialStatus={
                    "id": "https://status.example/1#5",
                    "type": "StatusList2021Entry",
                    "statusPurpose": "revocation",
                    "statusListIndex": "5",
                    "statusListCredential": "https://status.example/1",
                }
            ),
            pki,
        ),
        {"trusted": "qualified_no_qscd"},
        {"status": U},
        Outcome.CANNOT_CHECK,
    ),
}


def _trusted(pki, qualification):
    return FakeTrustedLists(FakeAnchor(pki.intermediate, qualification=qualification))


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario(name, pki):
    make, changes, expected, outcome = SCENARIOS[name]
    changes = dict(changes)
    if "trusted" in changes:
        changes["trusted_lists"] = _trusted(pki, changes.pop("trusted"))
    report = verify_edc(make(pki), options(**changes))
    assert report.kind == "credential" and report.format == "edc_jades"
    assert tuple(c.id for c in report.checks) == CREDENTIAL_CHECKS
    got = statuses(report)
    assert {k: got[k] for k in expected} == expected, [c.to_json() for c in report.checks]
    if outcome is not None:
        assert report.outcome is outcome


def test_valid_seal_explains_itself(pki):
    report = verify_edc(seal_edc(elm_payload(), pki), options())
    proof = report.check("proof").message
    assert "intact" in proof and "B-LTA" in proof and "timestamped 2026-01-15 09:00" in proof
    assert "not revoked (OCSP" in proof
    assert f"({ORG_ID})" in report.check("issuer_binding").message
    assert report.check("issuer_trust").message.startswith("No EU trusted list is imported")
    seal = report.summary["seal"]
    assert seal["level"] == "B-LTA" and seal["time_source"] == "timestamp"
    assert seal["organization_identifier"] == ORG_ID
    assert "qualified certificate for e-seal, not on a secure device" in seal["certificate"]


@pytest.mark.parametrize("level", ["B-B", "B-T", "B-LT", "B-LTA"])
def test_reports_the_level_found(level, pki):
    report = verify_edc(seal_edc(elm_payload(), pki, level=level), options())
    assert report.summary["seal"]["level"] == level


def test_es256_seal(pki):
    ec_pki = make_pki(seal_key="ec-seal")
    report = verify_edc(seal_edc(elm_payload(), ec_pki, alg="ES256"), options())
    assert statuses(report)["proof"] == P


def test_expired_but_genuine_is_told_apart(pki):
    text = seal_edc(elm_payload(expirationDate="2026-03-01T00:00:00Z"), pki)
    report = verify_edc(text, options())
    assert report.check("proof").status.value == P
    assert report.check("validity").reason == "expired"
    assert report.outcome is Outcome.EXPIRED


def test_certificate_expired_at_signing_time_is_not_genuine():
    expired = make_pki(valid_to=datetime(2025, 12, 31, tzinfo=UTC))
    report = verify_edc(seal_edc(elm_payload(), expired), options())
    assert statuses(report)["validity"] == F
    assert report.check("validity").reason is None
    assert "was not valid when the credential was sealed" in report.check("validity").message
    assert report.outcome is Outcome.NOT_GENUINE


def test_certificate_expired_since_sealing_is_fine(pki):
    report = verify_edc(seal_edc(elm_payload(), pki), options(now=datetime(2029, 1, 1, tzinfo=UTC)))
    assert statuses(report)["validity"] == P
    assert "expired since" in report.check("validity").message


def test_seal_certificate_without_organisation_identifier():
    report = verify_edc(seal_edc(elm_payload(), make_pki(org_id=None)), options())
    assert statuses(report)["issuer_binding"] == U


def test_messages_name_the_problem(pki):
    cases = {
        "payload_reserialised": "does not verify",
        "swapped_certificate": "x5t#S256",
        "unknown_critical_header": "'sigPSt'",
        "truncated_signature_timestamp": "truncated",
        "signature_timestamp_over_other_data": "does not cover the seal's signature value",
        "validation_data_changed_after_archive_timestamp": "does not cover the seal and its",
        "revoked_by_crl_before_sealing": "revoked on 2026-01-14",
        "alg_none": "none algorithm",
        "issuer_identifier_mismatch": "none of the issuer's identifiers is the seal's",
    }
    for name, words in cases.items():
        report = verify_edc(SCENARIOS[name][0](pki), options())
        messages = " ".join(c.message for c in report.checks)
        assert words in messages, (name, messages)


def test_issued_on_behalf_of_an_awarding_body_shows_the_mandate(pki):
    doc = elm_payload(
        evidence={
            "id": "urn:epass:evidence:1",
            "type": "Evidence",
            "dcType": {
                "id": "http://data.europa.eu/snb/evidence-type/c_18016257",
                "type": "Concept",
            },
            "evidenceStatement": "The issuer seals on behalf of the awarding body.",
        }
    )
    doc["credentialSubject"]["hasClaim"]["awardedBy"]["awardingBody"] = {
        "id": "urn:epass:org:2",
        "type": "Organisation",
        "legalName": {"en": "Instituto Ejemplo"},
    }
    message = verify_edc(seal_edc(doc, pki), options()).check("issuer_binding").message
    assert "on behalf of the awarding body Instituto Ejemplo" in message
    assert "The issuer seals on behalf of the awarding body." in message


# -- trusted lists --------------------------------------------------------------------------

TRUST = {
    "qualified_qscd": (P, "Qualified electronic seal"),
    "qualified_no_qscd": (P, "qualified certificate for e-seal, not on a secure device"),
    "advanced": (P, "Advanced electronic seal: its certificate comes from"),
    "none": (F, "Not trusted"),
}


@pytest.mark.parametrize("qualification", TRUST)
def test_trust_from_trusted_lists(qualification, pki):
    lists = _trusted(pki, qualification)
    report = verify_edc(seal_edc(elm_payload(), pki), options(trusted_lists=lists))
    status, words = TRUST[qualification]
    check = report.check("issuer_trust")
    assert (check.status.value, words in check.message) == (status, True), check.message
    assert check.data_date == datetime(2025, 12, 1, tzinfo=UTC)
    assert lists.asked == [STAMPED_AT]  # judged at the timestamp's genTime, not sigT or now


def test_not_anchored_is_not_trusted(pki):
    lists = FakeTrustedLists(FakeAnchor(pki.tsa))  # a service that issued none of the chain
    report = verify_edc(seal_edc(elm_payload(), pki), options(trusted_lists=lists))
    assert statuses(report)["issuer_trust"] == U
    assert report.check("issuer_trust").message.startswith("Not trusted")
    assert report.outcome is Outcome.CANNOT_CHECK  # genuine seal, unknown signer: never verified


def test_empty_trusted_list_store_is_unknown(pki):
    class Empty(FakeTrustedLists):
        def lists(self):
            return ()

    report = verify_edc(seal_edc(elm_payload(), pki), options(trusted_lists=Empty()))
    assert statuses(report)["issuer_trust"] == U


def test_trust_of_a_b_t_seal_anchors_through_the_list(pki):
    report = verify_edc(
        seal_edc(elm_payload(), pki, level="B-T"),
        options(trusted_lists=_trusted(pki, "qualified_no_qscd")),
    )
    assert statuses(report)["issuer_trust"] == P


def test_stale_list_is_mentioned(pki):
    anchor = FakeAnchor(pki.intermediate, stale=True)
    report = verify_edc(
        seal_edc(elm_payload(), pki), options(trusted_lists=FakeTrustedLists(anchor))
    )
    assert "due for renewal" in report.check("issuer_trust").message


# -- bad input ------------------------------------------------------------------------------

BAD_INPUT = {
    "not_json": (b"this is not json", "not valid JSON"),
    "xml": (b"<?xml version='1.0'?>" + b"<a>" * 300_000, "XML"),
    "eleven_megabytes": (b'{"payload": "' + b"a" * (11 * 1024 * 1024) + b'"}', "larger than"),
    "duplicate_member": (b'{"payload": "x", "payload": "y"}', "twice"),
    "plain_credential": (json.dumps(elm_payload()).encode(), "no payload"),
    "protected_not_base64url": (
        b'{"payload": "x", "protected": "***", "signature": ""}',
        "base64url",
    ),
}


@pytest.mark.parametrize("name", BAD_INPUT)
def test_bad_input_is_a_clear_format_failure(name):
    data, words = BAD_INPUT[name]
    report = verify_edc(data, options())
    check = report.check("format")
    assert check.status.value == F and words in check.message, check.message
    assert all(c.status.value == U for c in report.checks[1:])
    assert looks_like_edc(data) is False


def test_b64_false_must_be_critical(pki):
    report = verify_edc(seal_edc(elm_payload(), pki, header={"crit": ["sigT"]}), options())
    assert statuses(report)["format"] == F
    assert "critical" in report.check("format").message


def test_two_seals_cannot_be_checked(pki):
    text = edit(seal_edc(elm_payload(), pki), lambda d: d["signatures"].append(d["signatures"][0]))
    assert statuses(verify_edc(text, options()))["format"] == U


def test_a_900_kb_credential_verifies(pki):
    doc = elm_payload()
    doc["displayParameter"]["individualDisplay"][0]["displayDetail"][0]["image"] = {
        "id": "urn:epass:mediaObject:1",
        "type": "MediaObject",
        "content": "A" * 900_000,
    }
    text = seal_edc(doc, pki)
    assert len(text) > 900_000
    report = verify_edc(text.encode(), options())
    assert statuses(report)["proof"] == P


def test_looks_like_edc(pki):
    text = seal_edc(elm_payload(), pki)
    assert (
        looks_like_edc(text) and looks_like_edc(text.encode()) and looks_like_edc(json.loads(text))
    )
    assert not looks_like_edc(seal_edc(elm_payload(type=["VerifiableCredential"]), pki))
    assert not looks_like_edc("eyJhbGciOiJFUzI1NiJ9.e30.sig")
    assert not looks_like_edc({"payload": 3, "signatures": []})


# -- building blocks ------------------------------------------------------------------------


def test_payload_is_kept_exactly_as_stored(pki):
    text = seal_edc(elm_payload(), pki)
    sig = JadesSignature.from_json(text)
    assert sig.payload == json.loads(text)["payload"].encode("utf-8")
    assert sig.signing_input.endswith(b"." + sig.payload)
    with pytest.raises(dataclasses.FrozenInstanceError):
        sig.alg = "none"


def test_thumbprint_mismatch_is_a_proof_error(pki):
    sig = JadesSignature.from_json(seal_edc(elm_payload(), pki, x5c=(pki.other_seal,)))
    with pytest.raises(ProofInvalid, match="x5t#S256"):
        sig.verify()


def test_truncated_token_is_malformed(pki):
    text = edit_etsi_u(seal_edc(elm_payload(), pki), "arcTst", _truncate)
    with pytest.raises(MalformedDocument, match="truncated"):
        JadesSignature.from_json(text)


def test_build_path_reaches_an_anchor_and_checks_signatures(pki):
    path = build_path(pki.seal, [pki.intermediate], [pki.root], at=SIGNED_AT)
    assert path == [pki.seal, pki.intermediate, pki.root]
    check_path(path)
    assert build_path(pki.seal, [], [pki.intermediate], at=SIGNED_AT)[-1] == pki.intermediate
    forged = (
        x509.CertificateBuilder()
        .subject_name(pki.seal.subject)
        .issuer_name(pki.intermediate.subject)
        .public_key(key("forger").public_key())
        .serial_number(7)
        .not_valid_before(SIGNED_AT - timedelta(days=1))
        .not_valid_after(SIGNED_AT + timedelta(days=1))
        .sign(key("forger"), hashes.SHA256())
    )
    with pytest.raises(ProofInvalid, match="not signed by the certificate named as its issuer"):
        build_path(forged, [pki.intermediate], [pki.root], at=SIGNED_AT)


def test_a_certificate_that_is_no_ca_cannot_issue(pki):
    with pytest.raises(ProofInvalid, match="not a certification authority"):
        check_path([pki.seal, pki.tsa])


@pytest.mark.parametrize(
    ("text", "country", "expected"),
    [
        ("VATES-B12345678", None, ("VAT", "ES", "B12345678")),
        ("NTREE-17207834", None, ("NTR", "EE", "17207834")),
        ("LEIXG-5493001KJTIIGC8Y1R12", None, ("LEI", "XG", "5493001KJTIIGC8Y1R12")),
        ("DE:DE-HRB 12345", None, ("DE:", "DE", "HRB12345")),
        ("17207834", "EE", (None, "EE", "17207834")),
    ],
)
def test_legal_identifiers_follow_en_319_412_1(text, country, expected):
    ident = LegalIdentifier.parse(text, country=country)
    assert (ident.scheme, ident.country, ident.value) == expected
    assert ident.matches(LegalIdentifier.parse(text, country=country))


def test_verification_checks_render_europass_concepts(pki):
    report = verify_edc(
        seal_edc(elm_payload(expirationDate="2026-03-01T00:00:00Z"), pki), options()
    )
    checks = verification_checks(report, subject="urn:credential:1")
    by_type = {c["dcType"]["prefLabel"]["en"]: c for c in checks}
    assert by_type["Expiry"]["verificationStatus"]["id"].endswith("9d26eb9a37")
    assert by_type["Format"]["dcType"]["id"] == EUROPASS_CHECK_TYPES["format"]
    seal = [c for c in checks if c["dcType"]["id"] == EUROPASS_CHECK_TYPES["proof"]]
    assert {c["verificationStatus"]["prefLabel"]["en"] for c in seal} == {"OK", "Skipped"}
    assert all(
        c["type"] == "VerificationCheck" and c["elmSubject"] == "urn:credential:1" for c in checks
    )
    assert all(c["description"]["en"] for c in checks)


# -- property: sealing, then changing any single leaf of the payload, fails the proof --------


def _leaves(value, path=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, (*path, i))
    else:
        yield path


LEAVES = list(_leaves(elm_payload()))


@settings(max_examples=25, deadline=None)
@given(index=st.integers(0, len(LEAVES) - 1), new=st.text(min_size=1, max_size=8))
def test_changing_any_leaf_breaks_the_seal(pki, index, new):
    doc = elm_payload()
    text = seal_edc(doc, pki, level="B-B")
    target = doc
    for step in LEAVES[index][:-1]:
        target = target[step]
    if target[LEAVES[index][-1]] == new:
        new += "x"
    target[LEAVES[index][-1]] = new
    changed = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    tampered = edit(text, lambda d: d.update(payload=changed))
    assert verify_edc(tampered, options()).check("proof").status.value == F


def test_sealed_edc_enveloped_in_a_presentation_is_verified_as_an_edc(pki):
    """A learner shares an e-sealed EDC exactly as issued, enveloped in a signed presentation
    (VCDM 2.0 §4.13): the seal is checked as an EDC's; nothing binds its subject to the
    holder's key, and the report says so rather than calling the presentation verified."""
    from verifier import KeyPair, verify_presentation
    from verifier.issuing import VC_V2
    from verifier.suites import sign

    sealed = seal_edc(elm_payload(), pki).encode()
    holder = KeyPair.generate("Ed25519")
    envelope = {
        "@context": VC_V2,
        "id": "data:application/jose+json;base64," + base64.b64encode(sealed).decode(),
        "type": "EnvelopedVerifiableCredential",
    }
    vp = {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "holder": holder.controller,
        "verifiableCredential": [envelope],
    }
    signed = sign(
        vp, holder, cryptosuite="eddsa-rdfc-2022", created=NOW, proof_purpose="authentication"
    )
    report = verify_presentation(signed, now=NOW, trust=TrustStore.empty())
    assert report.check("holder_proof").status.value == "passed"
    (inner,) = report.credentials
    assert inner.format == "edc_jades"
    assert statuses(inner)["proof"] == "passed"
    assert statuses(inner)["issuer_binding"] == "passed"
    assert report.check("holder_binding").status.value == "unknown"
    assert not report.verified
    # A changed word of the sealed payload fails the seal, not the parsing.
    doc = json.loads(sealed)
    assert "Data analysis" in doc["payload"]
    doc["payload"] = doc["payload"].replace("Data analysis", "Data analytics")
    envelope["id"] = "data:application/jose+json;base64," + base64.b64encode(
        json.dumps(doc).encode()
    ).decode()
    tampered = sign(
        vp, holder, cryptosuite="eddsa-rdfc-2022", created=NOW, proof_purpose="authentication"
    )
    (inner,) = verify_presentation(tampered, now=NOW, trust=TrustStore.empty()).credentials
    assert statuses(inner)["proof"] == "failed"
