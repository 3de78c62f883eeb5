"""The summary model: language maps, every format's mapping, and hostile input.

Corpus files are read in place from ``../shared/corpus`` and the tests that need them skip when
it is absent.
"""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ob3_credential
from tests.corpus import CORPUS
from verifier import Credential, verify_credential
from verifier.credential import parse
from verifier.elm_summary import elm_summary, summarize_elm
from verifier.ob_summary import summarize_ob2, summarize_w3c, w3c_summary
from verifier.summary import MAX_ITEMS, MAX_TEXT, Duration, LangText, summarize

ESCO_SKILL = "http://data.europa.eu/esco/skill/ccdf3597-5c80-410f-896d-e1bdfa223de9"


def corpus_json(rel: str):
    path = CORPUS / rel
    if not path.exists():
        pytest.skip(f"corpus file {rel} is absent")
    return json.loads(path.read_text("utf-8"))


def edc_payload(rel: str) -> dict:
    """An EDC sample; for a JAdES-sealed one, its signed JSON payload."""
    doc = corpus_json(f"edc/{rel}")
    return json.loads(doc["payload"]) if isinstance(doc.get("payload"), str) else doc


def ob3(**achievement) -> Credential:
    doc = ob3_credential("did:example:issuer")
    doc["credentialSubject"]["achievement"].update(achievement)
    return Credential.from_document(doc)


def dumps(summary: dict) -> str:
    return json.dumps(summary, allow_nan=False)


# -- language maps ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,expected",
    [
        ("Teamwork", {"": "Teamwork"}),
        ({"en": "Data", "pl": "Dane"}, {"en": "Data", "pl": "Dane"}),
        (
            [{"@value": "Data", "@language": "en"}, {"@value": "Dane", "@language": "pl"}],
            {"en": "Data", "pl": "Dane"},
        ),
        ({"@value": "Data"}, {"": "Data"}),
        ({"EN-GB": "Data"}, {"en-gb": "Data"}),
        ({"@none": "Data"}, {"": "Data"}),
        ({"en": ["Data", "More"]}, {"en": "Data"}),
        (42, {"": "42"}),
        (None, {}),
        (True, {}),
        ("   ", {}),
        ({"type": "Note", "en": "x"}, {}),  # an object, not a language map
        ({"not a tag!": "x", "en": 5}, {"en": "5"}),
        ([[["deep"]]], {}),
    ],
)
def test_lang_text_reads_every_shape(value, expected):
    assert LangText.of(value).to_json() == expected


def test_pick_prefers_the_readers_language_then_english_then_any():
    text = LangText({"de": "Daten", "en": "Data", "pl": "Dane"})
    assert text.pick(["pl"]) == "Dane"
    assert text.pick(["pl-PL", "en"]) == "Dane"
    assert text.pick("pl") == "Dane"
    assert text.pick(["fr"]) == "Data"
    assert LangText({"pl-pl": "Dane", "en": "Data"}).pick(["pl"]) == "Dane"
    assert LangText({"de": "Daten", "fr": "Données"}).pick(["pl"]) == "Daten"
    assert LangText({"de": "Daten", "": "Data"}).pick(["pl"]) == "Data"
    assert LangText().pick(["pl"]) == ""


def test_lang_text_is_an_immutable_hashable_mapping():
    text = LangText.plain("Data")
    assert text == {"": "Data"} and len(text) == 1 and hash(text) == hash(LangText.plain("Data"))
    with pytest.raises(AttributeError):
        text._texts = {}  # type: ignore[misc]
    assert len(LangText.plain("x" * (MAX_TEXT + 10)).pick()) == MAX_TEXT


@pytest.mark.parametrize(
    "iso,hours",
    [("PT60H", 60), ("PT90M", 1.5), ("PT1H30M", 1.5), ("P2M", None), ("P1D", None)],
)
def test_volume_of_learning_hours_only_from_hours_minutes_seconds(iso, hours):
    assert Duration.of(iso) == Duration(iso, hours)


@pytest.mark.parametrize("junk", ["60 hours", "P", "PT", 60, None, {"iso": "PT1H"}])
def test_volume_of_learning_rejects_junk(junk):
    assert Duration.of(junk) is None


# -- Open Badges 3.0 and CLR 2.0 ---------------------------------------------------------------


def test_ob3_achievement_with_alignments_results_and_languages():
    cred = ob3(
        name=[
            {"@value": "Analiza danych", "@language": "pl"},
            {"@value": "Data Analysis", "@language": "en"},
        ],
        alignment=[
            {
                "type": ["Alignment"],
                "targetName": "stimulate creativity in the team",
                "targetUrl": ESCO_SKILL,
                "targetFramework": "ESCO",
            },
            {
                "type": ["Alignment"],
                "targetName": "EQF level 5",
                "targetUrl": "http://data.europa.eu/snb/eqf/5",
                "targetFramework": "European Qualifications Framework",
            },
            {
                "type": ["Alignment"],
                "targetName": "5 credits",
                "targetUrl": "https://example.edu/credit-system",
                "targetFramework": "European Credit Transfer and Accumulation System (ECTS)",
            },
        ],
        creditsAvailable=5,
        resultDescription=[
            {"id": "urn:uuid:rd1", "type": ["ResultDescription"], "name": "Final exam"}
        ],
        inLanguage="pl",
        image={"id": "data:image/png;base64,iVBORw0KGgo=", "type": "Image"},
        tag=["data", "python"],
    )
    cred.document["credentialSubject"]["result"] = [
        {"type": ["Result"], "resultDescription": "urn:uuid:rd1", "value": "B+"}
    ]
    s = summarize(cred)
    assert s["data_model"] == "ob3" and s["kind"] == "achievement"
    assert LangText.of(s["title"]).pick(["pl"]) == "Analiza danych"
    assert LangText.of(s["title"]).pick(["de"]) == "Data Analysis"
    assert [(k["uri"], k["label"], k["framework"]) for k in s["skills"]] == [
        (ESCO_SKILL, {"": "stimulate creativity in the team"}, "ESCO")
    ]
    assert [o["text"] for o in s["outcomes"]] == [{"": "stimulate creativity in the team"}]
    assert s["eqf_level"] == 5 and s["eqf"]["framework"] == "EQF"
    assert [(c["value"], c["framework"]) for c in s["credits"]] == [(5, "ECTS")]
    assert s["assessment"][0]["label"] == {"": "Final exam"}
    assert s["grades"] == [{"name": {"": "Final exam"}, "value": {"": "B+"}}]
    assert [lang["code"] for lang in s["languages"]] == ["pl"]
    assert s["image"] == "data:image/png;base64,iVBORw0KGgo="
    assert s["tags"] == ["data", "python"]
    assert s["awarding_bodies"] == [s["issuer"]]
    assert s["paths"]["skills"] == "credentialSubject.achievement.alignment"
    assert s["paths"]["credits"] == "credentialSubject.achievement.creditsAvailable"
    dumps(s)


def test_ob3_credits_are_ects_only_when_the_badge_says_so():
    s = summarize(ob3(creditsAvailable=3.5))
    assert s["credits"] == [
        {
            "text": "3.5",
            "value": 3.5,
            "framework": None,
            "framework_label": {},
            "framework_uri": None,
        }
    ]
    s = summarize(ob3(creditsAvailable=2, fieldOfStudy="Informatics (ECTS module)"))
    assert s["credits"][0]["framework"] == "ECTS"


def test_html_in_titles_is_kept_as_text_and_unsafe_images_are_dropped():
    s = summarize(ob3(name="<script>alert(1)</script>", image="javascript:alert(1)"))
    assert s["title"] == {"": "<script>alert(1)</script>"}
    assert s["image"] is None


def test_ob30_signed_vector():
    s = summarize(
        Credential.from_json(
            corpus_json("1edtech-ob30-impl-test-vectors/ob30-signed-credential.json")
        )
    )
    assert s["title"] == {"": "Teamwork"}
    assert s["issuer"]["name"] == {"": "Example Corp"}
    assert s["issuer"]["homepage"] == "https://www.imsglobal.org"
    assert s["learner"]["id"] == "did:example:ebfeb1f712ebc6f1c276e12ec21"
    assert s["criteria"][""].startswith("Team members are nominated")
    assert s["issued"] == "2010-01-01T00:00:00Z" and s["paths"]["issued"] == "validFrom"
    assert s["types"] == ["VerifiableCredential", "OpenBadgeCredential"]


def test_ob30_complete_fixture_carries_results_endorsements_and_address():
    s = summarize(Credential.from_json(corpus_json("1edtech-validator/ob30/complete.json")))
    assert s["achievement_type"]["code"] == "Degree"
    assert [(c["value"], c["framework"]) for c in s["credits"]] == [(36, None)]
    assert [g["value"] for g in s["grades"]] == [{"": "A"}, {"": "Mastery"}, {"": "Completed"}]
    assert s["issuer"]["countries"][0]["code"] == "US"
    assert s["endorsements"][0]["issuer"] == {"": "Example Accrediting Agency"}
    assert [e["url"] for e in s["evidence"]] == [
        "https://1edtech.edu/credentials/3732/evidence/1",
        "https://github.com/somebody/project",
    ]
    assert {"scheme": "humanCode", "value": "R1"} in s["identifiers"]
    assert s["specialization"] == {"": "Computer Science Research"}
    assert s["valid_until"] == "2030-01-01T00:00:00Z"


def test_dcc_alignments_fixture():
    rel = (
        "dcc-vc-test-fixtures/verifiableCredentials/v2/dataIntegrityProof/didKey/"
        "legacyRegistry-noStatus-noExpiry-alignments.json"
    )
    s = summarize(Credential.from_json(corpus_json(rel)))
    assert s["title"] == {"": "Text analysis"}
    assert [o["text"] for o in s["outcomes"]] == [{"": "Requirements Analysis"}]
    assert s["skills"] == [] and s["credits"] == [] and s["eqf_level"] is None


def test_clr_parts_are_the_nested_credentials_and_achievements():
    s = summarize(Credential.from_json(corpus_json("1edtech-validator/clr20/simple.json")))
    assert s["data_model"] == "clr" and s["kind"] == "record"
    assert s["title"] == {"": "Sample Transcript"}
    assert s["part_count"] == 3
    assert [p["title"] for p in s["parts"]] == [
        {"": "Teamwork"},
        {"": "Achievement 1"},
        {"": "Achievement 2"},
    ]
    assert s["parts"][1]["image"] == "https://example.edu/achievements/sample.png"


def test_summary_reaches_the_report(issue_credential, trust, now):
    report = verify_credential(issue_credential(), now=now, trust=trust)
    assert report.summary["title"] == {"": "Data Analysis Basics"}
    assert report.summary["eu_standard"]["mandatory_total"] == 11
    dumps(report.to_json())


# -- SD-JWT VC ---------------------------------------------------------------------------------


def test_sd_jwt_vc_claims():
    path = CORPUS / "sd-jwt-vc/03-pid/sd_jwt_issuance.sd-jwt"
    if not path.exists():
        pytest.skip("corpus absent")
    s = summarize(parse(path.read_text("utf-8").strip()))
    assert s["data_model"] == "sd_jwt_vc"
    assert s["title"] == {"": "urn:example:eudi:pid:aendgard:1"}
    assert s["learner"]["name"] == {"": "Astrid Holmgren"}
    assert s["issuer"]["id"] == "https://pid-issuer.aendgard.example"
    assert s["issued"] == "2023-05-02T04:00:00Z" and s["paths"]["issued"] == "iat"


def test_sd_jwt_vc_with_open_badge_claims():
    claims = {
        "iss": "https://issuer.example",
        "vct": "urn:eudi:micro_credential:1",
        "iat": 1700000000,
        "name": "Person Name",
        "credentialSubject": {"achievement": {"name": "Cloud basics", "creditsAvailable": 2}},
    }
    s = w3c_summary(claims, fmt="sd_jwt_vc")
    assert s.data_model == "sd_jwt_vc" and s.kind == "achievement"
    assert s.title == {"": "Cloud basics"}
    assert s.awarding_bodies[0].id == "https://issuer.example"


# -- European Digital Credentials (ELM v3) -----------------------------------------------------


def test_official_micro_credential_sample():
    s = summarize_elm(edc_payload("elm3-mc-annex1-unsigned.jsonld"))
    assert s["data_model"] == "elm" and s["kind"] == "achievement"
    assert s["claim_types"] == ["LearningAchievement"]
    assert s["title"] == {"en": "Digital micro-credential creation"}
    assert s["learner"]["name"] == {"en": "Ana Andromeda"}
    assert s["issuer"]["name"] == {"en": "University of Zed"}
    assert [c["code"] for c in s["issuer"]["countries"]] == ["IRL"]
    assert s["awarding_bodies"][0]["name"] == {"en": "University of Zed"}
    assert s["credits"] == [
        {
            "text": "2",
            "value": 2,
            "framework": "ECTS",
            "framework_label": {"en": "European Credit Transfer System"},
            "framework_uri": "http://data.europa.eu/snb/education-credit/6fcec5c5af",
        }
    ]
    assert s["volume_of_learning"] == {"iso": "PT60H", "hours": 60}
    assert s["eqf_level"] == 6 and s["eqf"]["uri"] == "http://data.europa.eu/snb/eqf/6"
    assert s["nqf"][0]["label"] == {"en": "RQF Level 6"}
    assert [o["text"]["en"] for o in s["outcomes"]] == [
        "Communication, collaboration and creativity",
        "Developing digital content",
    ]
    second = LangText.of(s["outcomes"][1]["text"])
    assert (
        second.pick(["es"]) == "Contento digital"
        and second.pick(["pl"]) == "Developing digital content"
    )
    esco = [k["uri"] for k in s["skills"] if k["framework"] == "ESCO"]
    assert len(esco) == 4 and esco[0] == ESCO_SKILL
    assert s["assessment"][0]["label"] == {"en": "artefact assessment"}
    assert s["grades"] == [{"name": {"en": "Digital artefact assessment"}, "value": {"en": "Pass"}}]
    assert s["supervision"][0]["label"] == {"en": "Unsupervised without ID Verification"}
    assert s["participation"][0]["label"] == {"en": "Blended"}
    assert s["learning_setting"]["label"] == {"en": "non-formal learning"}
    assert s["prerequisites"][0]["en"].startswith("The learner needs to have an EDC")
    assert s["stackability"]["partial_qualification"] is False
    assert s["achievement_type"]["label"] == {"en": "Short learning programme"}
    assert s["image"].startswith("data:image/jpeg;base64,/9j/")
    assert [lang["uri"].rsplit("/", 1)[-1] for lang in s["languages"]] == ["ENG"]
    assert s["issued"] is None and s["valid_from"] == "2022-12-31T23:00:00Z"
    assert s["quality_assurance"] == []
    dumps(s)


def test_sealed_micro_credential_names_the_sealing_issuer_apart_from_the_awarding_body():
    s = summarize_elm(edc_payload("elm3-mc-annex1-signed.jsonld"))
    assert s["issuer"]["name"] == {"en": "ORGANIZACION TEST"}
    assert [c["code"] for c in s["issuer"]["countries"]] == ["IRL", "ESP"]
    assert [b["name"] for b in s["awarding_bodies"]] == [{"en": "University of Zed"}]
    assert s["issued"] == "2023-09-27T13:54:17+02:00"
    assert s["evidence"][0]["name"]["pl"] == "Upoważnienie"


def test_certificate_of_participation_is_an_activity():
    s = summarize_elm(edc_payload("elm3-cert-of-participation-unsigned.jsonld"))
    assert s["kind"] == "activity" and s["claim_types"] == ["LearningActivity"]
    assert s["title"] == {"en": "EDC Updates Webinar"}
    assert s["volume_of_learning"] == {"iso": "P2M", "hours": None}
    assert s["participation"][0]["label"] == {"en": "Online"}
    assert s["outcomes"] == [] and s["credits"] == [] and s["assessment"] == []
    assert s["further_information"][0]["en"].startswith(
        "Common European Skills Data Space (https://"
    )


def test_minimal_elm_sample_through_summarize():
    s = summarize(Credential.from_json(corpus_json("edc/elm3-minimal-credential-sample.jsonld")))
    assert s["data_model"] == "elm"
    assert LangText.of(s["title"]).pick(["fr"]) == "une sorte de réussite scolaire"
    assert LangText.of(s["issuer"]["name"]).pick(["fr"]) == "un nom légal"
    assert s["valid_until"] == "2024-09-25T00:00:00"


def test_third_party_edc_micro_credential():
    s = summarize_elm(edc_payload("mynextid-edc-mc-unsigned.json"))
    assert [(c["value"], c["framework"]) for c in s["credits"]] == [(5, "ECTS")]
    assert s["eqf_level"] == 6 and s["nqf"][0]["label"]["en"] == "MECU Level 7"
    assert s["grades"][0]["value"] == {"de": "19", "en": "19"}
    assert s["supervision"][0]["label"]["en"] == "Supervised with ID Verification"
    assert s["assessment"][0]["label"]["en"] == "Graded exercises"
    assert s["issuer"]["countries"][0]["code"] == "EST"
    assert s["awarding_bodies"][0]["countries"][0]["code"] == "SVN"


# -- Open Badges 2.0 ---------------------------------------------------------------------------


def ob20(name: str):
    return corpus_json(f"1edtech-validator/ob20/{name}")


def test_ob20_assertion_badge_class_and_issuer():
    s = summarize_ob2(
        ob20("basic-assertion.json"),
        ob20("assets/robotics-badge.json"),
        ob20("assets/organization.json"),
    )
    assert s["data_model"] == "ob2"
    assert s["title"] == {"": "Awesome Robotics Badge"}
    assert s["issuer"] == {
        "name": {"": "An Example Badge Issuer"},
        "id": "https://example.org/organization.json",
        "countries": [],
        "homepage": "https://example.org",
        "email": "contact@example.org",
    }
    assert s["issued"] == "2016-12-31T23:59:59Z" and s["valid_until"] is None
    assert s["learner"]["identifiers"][0]["scheme"] == "email (hashed)"
    assert s["criteria_url"] == "https://example.org/badgecriteria.json"
    assert s["image"] == "https://example.org/robotics-badge.png"
    assert s["evidence"][0]["url"] == "https://example.org/beths-robot-work.html"


def test_ob20_embedded_criteria_alignments_and_tags():
    badge = dict(
        ob20("assets/robotics-badge.json"),
        criteria=ob20("assets/badgecriteria.json"),
        tags=["robots"],
        alignment=[
            {"targetName": "stimulate creativity in the team", "targetUrl": ESCO_SKILL},
            {"targetName": "Level 4", "targetUrl": "http://data.europa.eu/snb/eqf/4"},
        ],
    )
    s = summarize_ob2(ob20("basic-assertion.json"), badge, ob20("assets/organization.json"))
    assert s["criteria"] == {"": "Do the important things."}
    assert s["tags"] == ["robots"]
    assert s["skills"][0]["uri"] == ESCO_SKILL and s["eqf_level"] == 4


def test_ob20_with_unresolved_references_still_summarizes():
    s = summarize_ob2(ob20("basic-assertion.json"), "https://example.org/robotics-badge.json", None)
    assert s["title"] == {} and s["issuer"] is None
    assert s["issued"] == "2016-12-31T23:59:59Z"


# -- hostile input -----------------------------------------------------------------------------

JUNK = [
    None,
    True,
    0,
    -1.5,
    "",
    [],
    {},
    [None, 1, "x", [], {}],
    {"@value": {"x": 1}},
    {"type": "x", "id": 5},
    "javascript:alert(1)",
    [[[[[[]]]]]],
    {"en": {"nested": ["x"]}},
    float("nan"),
]
ELM_SLOTS = [
    (),
    ("credentialSubject",),
    ("credentialSubject", "hasClaim"),
    ("credentialSubject", "hasClaim", "specifiedBy"),
    ("credentialSubject", "hasClaim", "provenBy"),
    ("issuer",),
    ("displayParameter",),
]


def _slot(doc: dict, keys: tuple[str, ...]) -> dict:
    for key in keys:
        doc = doc[key]
    return doc


@pytest.mark.parametrize("junk", JUNK, ids=repr)
def test_junk_in_any_property_of_an_edc_never_raises(junk):
    base = edc_payload("elm3-mc-annex1-signed.jsonld")
    for keys in ELM_SLOTS:
        for key in list(_slot(base, keys)):
            doc = copy.deepcopy(base)
            _slot(doc, keys)[key] = junk
            dumps(summarize_elm(doc))


@pytest.mark.parametrize("junk", JUNK, ids=repr)
def test_junk_in_any_property_of_an_open_badge_never_raises(junk):
    base = corpus_json("1edtech-validator/ob30/complete.json")
    for keys in [(), ("credentialSubject",), ("credentialSubject", "achievement"), ("issuer",)]:
        for key in list(_slot(base, keys)):
            doc = copy.deepcopy(base)
            _slot(doc, keys)[key] = junk
            dumps(summarize_w3c(doc))
    dumps(summarize_ob2(junk, junk, junk))


def test_deep_nesting_and_huge_lists_are_bounded():
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    claim: dict = {"type": "LearningAchievement", "title": {"en": "leaf"}}
    for i in range(500):
        claim = {"type": "LearningAchievement", "title": {"en": f"level {i}"}, "hasPart": claim}
    payload = {
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "issuer": {"legalName": deep},
        "credentialSubject": {
            "fullName": deep,
            "hasClaim": [claim] + [{"type": "LearningActivity"}] * 10_000,
        },
    }
    s = elm_summary(payload)
    assert s.title == {"en": "level 499"}
    assert s.part_count == MAX_ITEMS
    assert max(len(p.parts) for p in s.parts) <= 1
    many = [
        {"targetName": f"skill {i}", "targetUrl": f"https://x.example/{i}"} for i in range(100_000)
    ]
    assert len(summarize(ob3(alignment=many))["outcomes"]) == MAX_ITEMS


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(
        st.sampled_from(
            ["id", "type", "en", "@value", "@language", "title", "name", "hasClaim", "point",
             "specifiedBy", "achievement", "credentialSubject", "issuer", "alignment"]
        )
        | st.text(max_size=5),
        inner,
        max_size=4,
    ),
    max_leaves=30,
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_summaries_never_raise_on_parseable_json(value):
    shaped = {
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": value,
        "displayParameter": value,
        "credentialSubject": {
            "achievement": value,
            "verifiableCredential": [value],
            "hasClaim": {"specifiedBy": value, "provenBy": value, "title": value},
        },
    }
    for doc in (value, shaped):
        dumps(summarize_elm(doc))
        dumps(summarize_w3c(doc))
        dumps(summarize_w3c(doc, fmt="sd_jwt_vc"))
    dumps(summarize_ob2(value, value, value))
    dumps(summarize_ob2(shaped, shaped, shaped))
