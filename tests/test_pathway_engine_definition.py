"""Reading pathway files: the schema, the example file, and bad input refused with a message
naming the place (cycles, unknown kinds, negative ECTS, 10,000 nested levels, explosions)."""

from __future__ import annotations

import json
import sys

import pytest
from jsonschema import Draft202012Validator

from wallet.pathways.definition import (
    MAX_LEVELS,
    SCHEMA_FILE,
    DefinitionError,
    parse_document,
    parse_text,
)
from wallet.pathways.demo import EXAMPLE


def doc(requirements, **extra):
    return {
        "format": "learner-wallet-pathway/1",
        "target": {"title": "T"},
        "requirements": requirements,
        **extra,
    }


def ach(key="A"):
    return {"kind": "achievement", "achievement_id": key}


def problems(document) -> list[tuple[str, str]]:
    with pytest.raises(DefinitionError) as caught:
        parse_text(document if isinstance(document, str) else json.dumps(document))
    return [(p.path, str(p.message)) for p in caught.value.problems]


def test_the_schema_is_a_valid_json_schema():
    Draft202012Validator.check_schema(json.loads(SCHEMA_FILE.read_text()))


def test_the_example_file_reads():
    pathway = parse_text(EXAMPLE.read_text())
    assert pathway.target.title == "Certificate in Applied Computing"
    assert pathway.target.total_ects == 3000
    foundations = pathway.root.children[0]
    assert foundations.kind == "pathway" and foundations.title == "Computing Foundations"
    assert [c.kind for c in foundations.children[0].children] == ["achievement", "achievement"]


BAD = {
    "cycle_of_two": (
        doc(
            {"kind": "pathway", "ref": "a"},
            subpathways={
                "a": {"target": {"title": "A"}, "requirements": {"kind": "pathway", "ref": "b"}},
                "b": {"target": {"title": "B"}, "requirements": {"kind": "pathway", "ref": "a"}},
            },
        ),
        "$.subpathways.b.requirements",
        "cycle: a → b → a",
    ),
    "cycle_of_one_deep_inside": (
        doc(
            ach(),
            subpathways={
                "a": {
                    "target": {"title": "A"},
                    "requirements": {
                        "kind": "all_of",
                        "requirements": [ach(), {"kind": "pathway", "ref": "a"}],
                    },
                }
            },
        ),
        "$.subpathways.a.requirements.requirements[1]",
        "cycle: a → a",
    ),
    "unknown_kind": (
        doc({"kind": "all_of", "requirements": [ach(), {"kind": "any_of"}]}),
        "$.requirements.requirements[1].kind",
        'Unknown requirement kind "any_of"',
    ),
    "negative_ects": (
        doc({"kind": "ects_from", "ects": -0.5}),
        "$.requirements.ects",
        "-0.5 is too small here: the least allowed is 0.",
    ),
    "negative_total_ects": (
        {**doc(ach()), "target": {"title": "T", "total_ects": -30}},
        "$.target.total_ects",
        "-30 is too small",
    ),
    "n_larger_than_children": (
        doc({"kind": "n_of", "n": 2, "requirements": [ach()]}),
        "$.requirements.n",
        "n is 2 but only 1 requirements follow.",
    ),
    "count_larger_than_skills": (
        doc({"kind": "skills", "skills": ["x"], "count": 2}),
        "$.requirements.count",
        "count is 2 but only 1 skills are listed.",
    ),
    "achievement_without_what": (
        doc({"kind": "achievement", "title": "Databases"}),
        "$.requirements",
        "needs an achievement_id, a specification_id, or a title and an issuer",
    ),
    "unknown_property": (
        doc({"kind": "ects_from", "ects": 5, "n": 2}),
        "$.requirements",
        "A property is not allowed here",
    ),
    "missing_target": (
        {"format": "learner-wallet-pathway/1", "requirements": ach()},
        "$",
        "'target' is a required property",
    ),
    "unknown_sub_pathway": (
        doc({"kind": "pathway", "ref": "x"}),
        "$.requirements.ref",
        'There is no sub-pathway "x" in this file.',
    ),
    "bad_isced": (
        {**doc(ach()), "target": {"title": "T", "isced_f": "computing"}},
        "$.target.isced_f",
        "does not match",
    ),
}


@pytest.mark.parametrize("name", BAD)
def test_bad_definitions_name_the_place(name):
    document, place, words = BAD[name]
    found = problems(document)
    assert any(path == place and words in message for path, message in found), found


def test_ten_thousand_nested_levels_are_refused_without_recursion():
    nested = '{"kind":"all_of","requirements":[' * 10_000 + "{}" + "]}" * 10_000
    text = '{"format":"learner-wallet-pathway/1","target":{"title":"T"},"requirements":' + nested
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # any recursion over the levels would fail loudly
    try:
        found = problems(text + "}")
    finally:
        sys.setrecursionlimit(limit)
    depth, column = 0, 0
    while depth <= 64:  # no brackets inside strings here
        depth += (text[column] in "[{") - (text[column] in "]}")
        column += 1
    ((place, message),) = found
    assert place == f"line 1, column {column}"
    assert f"nests more than 64 levels deep at line 1, column {column}" in message


def test_too_many_levels_once_sub_pathways_are_inlined():
    subs = {
        f"s{i}": {
            "target": {"title": f"S{i}"},
            "requirements": {"kind": "pathway", "ref": f"s{i + 1}"},
        }
        for i in range(MAX_LEVELS + 2)
    }
    subs[f"s{MAX_LEVELS + 2}"] = {"target": {"title": "end"}, "requirements": ach()}
    ((place, message),) = problems(doc({"kind": "pathway", "ref": "s0"}, subpathways=subs))
    assert "more than 16 levels" in message
    assert place.startswith("$.subpathways.s")


def test_a_sub_pathway_explosion_is_refused():
    # Each level uses the next one 20 times: 20^4 requirements once inlined.
    subs = {
        f"s{i}": {
            "target": {"title": f"S{i}"},
            "requirements": {
                "kind": "all_of",
                "requirements": [{"kind": "pathway", "ref": f"s{i + 1}"}] * 20,
            },
        }
        for i in range(4)
    }
    subs["s4"] = {"target": {"title": "end"}, "requirements": ach()}
    ((_place, message),) = problems(doc({"kind": "pathway", "ref": "s0"}, subpathways=subs))
    assert "2000 requirements" in message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{", "This is not valid JSON"),
        ("[]", "Not allowed here"),
        (b"\xff", "not UTF-8"),
        (b" " * (600 * 1024), "larger than 512 KB"),
    ],
)
def test_unreadable_text(text, words):
    with pytest.raises(DefinitionError) as caught:
        parse_text(text)
    assert words in str(caught.value)


def test_ects_are_kept_exactly_in_hundredths():
    pathway = parse_document(doc({"kind": "ects_from", "ects": 7.5}))
    assert pathway.root.ects == 750
