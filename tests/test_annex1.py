"""The EU standard check: Council Recommendation 2022/C 243/02, Annex I, element by element.

The EC samples are read in place from ``../shared/corpus/edc`` (skipped when absent). Missing
elements are reported, never a reason to reject.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import ob3_credential
from tests.corpus import CORPUS
from verifier import Credential
from verifier.annex1 import (
    ELEMENTS,
    MANDATORY_COUNT,
    OPTIONAL_COUNT,
    ElementStatus,
    annex1_report,
    with_eu_standard,
)
from verifier.elm_summary import elm_summary, summarize_elm
from verifier.ob_summary import ob2_summary, w3c_summary
from verifier.summary import (
    Concept,
    Credits,
    Duration,
    LangText,
    Learner,
    Outcome,
    Party,
    Summary,
    summarize,
)

CLAIM = "credentialSubject.hasClaim"
SPEC = f"{CLAIM}.specifiedBy"
P, M, NA = "present", "missing", "not_applicable"


def edc_payload(rel: str) -> dict:
    """An EDC sample; for a JAdES-sealed one, its signed JSON payload."""
    path = CORPUS / "edc" / rel
    if not path.exists():
        pytest.skip(f"corpus file edc/{rel} is absent")
    doc = json.loads(path.read_text("utf-8"))
    return json.loads(doc["payload"]) if isinstance(doc.get("payload"), str) else doc


def table(report) -> dict[str, tuple[str, str | None]]:
    return {e.id: (e.status.value, e.path) for e in report.elements}


def test_annex_one_has_eleven_mandatory_and_five_optional_elements():
    assert (MANDATORY_COUNT, OPTIONAL_COUNT) == (11, 5)
    assert [e[0] for e in ELEMENTS] == [
        "learner",
        "title",
        "issuer_country",
        "awarding_body",
        "date_of_issuing",
        "learning_outcomes",
        "workload",
        "level",
        "assessment_type",
        "participation_form",
        "quality_assurance",
        "prerequisites",
        "supervision",
        "grade",
        "stackability",
        "further_information",
    ]
    assert [e[1] for e in ELEMENTS] == [True] * 11 + [False] * 5


# What the official EC micro-credential sample (European-Learning-Model, "Sample-MC-Annex1")
# carries, element by element, read from the file:
#  learner        credentialSubject.fullName {"en": "Ana Andromeda"} (also nationalID).
#  title          hasClaim.title "Digital micro-credential creation" (the claim's own title).
#  issuer_country issuer.location.address.countryCode = country/IRL.
#  awarding_body  hasClaim.awardedBy.awardingBody = University of Zed.
#  date           the unsigned file has only validFrom (2022-12-31), which ELM defines as when
#                 the claims became valid, not as the issuing date; `issued`/`issuanceDate` are
#                 added when the credential is sealed (the sealed twin has 2023-09-27). So the
#                 unsigned draft does not state a date of issuing.
#  outcomes       specifiedBy.learningOutcome: two outcomes linked to four ESCO skills.
#  workload       specifiedBy.creditPoint: 2 ECTS (and volumeOfLearning PT60H).
#  level          specifiedBy.eqfLevel = eqf/6 (and nqfLevel "RQF Level 6").
#  assessment     provenBy.specifiedBy.dcType "artefact assessment".
#  participation  specifiedBy.mode "Blended".
#  quality        no `accreditation` anywhere (specification, awarding body or issuer): missing,
#                 as the corpus manifest also notes.
#  prerequisites  specifiedBy.entryRequirement (an EU Login account).
#  supervision    provenBy.idVerification "Unsupervised without ID Verification".
#  grade          provenBy.grade "Pass".
#  stackability   specifiedBy.isPartialQualification = false: a stand-alone micro-credential,
#                 which is itself an integration/stackability statement.
#  further info   no additionalNote, supplementaryDocument or homepage on the claim or its
#                 specification: missing.
MC_SAMPLE = {
    "learner": (P, "credentialSubject.fullName"),
    "title": (P, f"{CLAIM}.title"),
    "issuer_country": (P, "issuer.location.address.countryCode"),
    "awarding_body": (P, f"{CLAIM}.awardedBy.awardingBody"),
    "date_of_issuing": (M, None),
    "learning_outcomes": (P, f"{SPEC}.learningOutcome"),
    "workload": (P, f"{SPEC}.creditPoint"),
    "level": (P, f"{SPEC}.eqfLevel"),
    "assessment_type": (P, f"{CLAIM}.provenBy.specifiedBy.dcType"),
    "participation_form": (P, f"{SPEC}.mode"),
    "quality_assurance": (M, None),
    "prerequisites": (P, f"{SPEC}.entryRequirement"),
    "supervision": (P, f"{CLAIM}.provenBy.idVerification"),
    "grade": (P, f"{CLAIM}.provenBy.grade"),
    "stackability": (P, f"{SPEC}.isPartialQualification"),
    "further_information": (M, None),
}


def test_official_micro_credential_sample_unsigned():
    report = annex1_report(elm_summary(edc_payload("elm3-mc-annex1-unsigned.jsonld")))
    assert table(report) == MC_SAMPLE
    assert report.kind == "achievement" and not report.complete
    assert (report.mandatory_present, report.optional_present) == (9, 4)
    assert report.sentence == (
        "9 of 11 mandatory elements present; date of issuing and type of quality assurance "
        "not stated."
    )


def test_official_micro_credential_sample_sealed_payload():
    # The sealed twin adds `issued` and a second issuer location (the seal's, in Spain), so the
    # date of issuing is present and the issuer's countries are read from location[0] onwards.
    report = annex1_report(elm_summary(edc_payload("elm3-mc-annex1-signed.jsonld")))
    expected = dict(
        MC_SAMPLE,
        date_of_issuing=(P, "issued"),
        issuer_country=(P, "issuer.location[0].address.countryCode"),
    )
    assert table(report) == expected
    assert report.mandatory_present == 10
    assert [e.id for e in report.missing_mandatory] == ["quality_assurance"]
    assert report.sentence == (
        "10 of 11 mandatory elements present; type of quality assurance not stated."
    )


@pytest.mark.parametrize(
    "rel,present",
    [
        ("elm3-cert-of-participation-unsigned.jsonld", 6),
        ("elm3-cert-of-participation-signed.jsonld", 7),
    ],
)
def test_certificate_of_participation_does_not_look_like_a_micro_credential(rel, present):
    report = annex1_report(elm_summary(edc_payload(rel)))
    assert report.kind == "activity" and not report.complete
    assert report.mandatory_present == present
    for element in ("learning_outcomes", "level", "assessment_type", "quality_assurance"):
        assert report.element(element).status is ElementStatus.MISSING
    # Nothing was assessed, so supervision and grade cannot apply.
    assert report.element("supervision").status is ElementStatus.NOT_APPLICABLE
    assert report.element("grade").status is ElementStatus.NOT_APPLICABLE
    assert report.element("workload").path == f"{SPEC}.volumeOfLearning"
    assert report.sentence.startswith(
        "A record of participation in a learning activity, not of assessed learning outcomes. "
        f"{present} of 11 mandatory elements present; "
    )


def test_accreditation_is_the_type_of_quality_assurance():
    payload = edc_payload("elm3-mc-annex1-signed.jsonld")
    payload["credentialSubject"]["hasClaim"]["specifiedBy"]["accreditation"] = {
        "id": "urn:epass:accreditation:1",
        "type": "Accreditation",
        "title": {"en": "Institutional accreditation 2024"},
        "dcType": {
            "id": "http://data.europa.eu/snb/accreditation/e9b6ad0e4e",
            "type": "Concept",
            "prefLabel": {"en": "Institutional accreditation"},
        },
    }
    result = summarize_elm(payload)
    assert result["quality_assurance"][0]["label"] == {"en": "Institutional accreditation 2024"}
    eu = result["eu_standard"]
    assert eu["complete"] is True and eu["sentence"] == "All 11 mandatory elements present."
    qa = next(e for e in eu["elements"] if e["id"] == "quality_assurance")
    assert qa == {
        "id": "quality_assurance",
        "label": "Type of quality assurance used to underpin the micro-credential",
        "mandatory": True,
        "status": "present",
        "path": f"{SPEC}.accreditation",
    }


def test_an_open_badge_states_few_annex_elements():
    summary = w3c_summary(ob3_credential("did:example:issuer"))
    report = annex1_report(summary)
    assert {e.id for e in report.elements if e.status is ElementStatus.PRESENT} == {
        "learner",
        "title",
        "awarding_body",
        "date_of_issuing",
    }
    assert report.element("awarding_body").path == "issuer"
    assert report.element("title").path == "credentialSubject.achievement.name"
    assert report.mandatory_present == 4


def test_an_open_badges_2_assertion():
    assertion = {
        "recipient": {"type": "email", "identity": "a@b.example"},
        "issuedOn": "2020-01-01",
    }
    badge = {
        "name": "Robots",
        "alignment": [{"targetName": "Build a robot", "targetUrl": "https://x"}],
    }
    report = annex1_report(ob2_summary(assertion, badge, {"name": "Club", "id": "https://club"}))
    assert table(report)["learner"] == (P, "recipient.identity")
    assert table(report)["learning_outcomes"] == (P, "badge.alignment")
    assert table(report)["awarding_body"] == (P, "badge.issuer")


def test_summarize_puts_the_report_under_eu_standard():
    result = summarize(Credential.from_document(ob3_credential("did:example:issuer")))
    report = annex1_report(w3c_summary(ob3_credential("did:example:issuer")))
    assert result["eu_standard"] == report.to_json()
    assert result["eu_standard"]["standard"] == "Council Recommendation 2022/C 243/02, Annex I"
    assert len(result["eu_standard"]["elements"]) == 16
    json.dumps(result["eu_standard"])


def _full(**changes) -> Summary:
    base = {
        "learner": Learner(LangText.plain("Ana")),
        "title": LangText.plain("Data"),
        "issuer": Party(LangText.plain("Uni"), "urn:x", (Concept(code="IRL"),)),
        "awarding_bodies": (Party(LangText.plain("Uni")),),
        "issued": "2024-01-01",
        "outcomes": (Outcome(LangText.plain("Cleans data")),),
        "credits": (Credits("5", 5, "ECTS"),),
        "eqf": Concept(LangText.plain("Level 5")),
        "assessment": (Concept(LangText.plain("Exam")),),
        "participation": (Concept(LangText.plain("Online")),),
        "quality_assurance": (Concept(LangText.plain("Accredited")),),
    }
    base.update(changes)
    return Summary(**base)


@pytest.mark.parametrize(
    "changes,sentence",
    [
        ({}, "All 11 mandatory elements present."),
        ({"issued": None}, "10 of 11 mandatory elements present; date of issuing not stated."),
        (
            {"issued": None, "eqf": None},
            "9 of 11 mandatory elements present; date of issuing and level not stated.",
        ),
        (
            {"learner": None, "issued": None, "quality_assurance": ()},
            "8 of 11 mandatory elements present; identification of the learner, date of issuing "
            "and type of quality assurance not stated.",
        ),
    ],
)
def test_the_sentence_names_what_is_not_stated(changes, sentence):
    assert annex1_report(_full(**changes)).sentence == sentence


def test_either_credits_or_volume_is_a_workload_and_either_eqf_or_nqf_a_level():
    report = annex1_report(
        _full(credits=(), volume_of_learning=Duration("PT30H", 30), eqf=None, nqf=(Concept(),))
    )
    assert report.complete
    assert report.element("workload").status is ElementStatus.PRESENT


def test_an_empty_summary_is_reported_not_rejected():
    report = annex1_report(Summary())
    assert report.mandatory_present == 0 and report.optional_present == 0
    assert all(e.status is ElementStatus.MISSING for e in report.elements)
    assert report.sentence.startswith("0 of 11 mandatory elements present; identification")
    assert with_eu_standard(Summary())["eu_standard"]["complete"] is False
