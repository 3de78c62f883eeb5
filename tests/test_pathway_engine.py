"""The pathway engine, pure: scenario tables per requirement kind, matching where first-fit
fails, no double counting, validity windows and levels, and hypothesis properties."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from wallet.pathways.definition import parse_document
from wallet.pathways.engine import MET, MISSING, PARTLY, NodeResult, evaluate
from wallet.pathways.holdings import Facts, Holdings

NOW = datetime(2026, 6, 1, tzinfo=UTC)
ESCO = "http://data.europa.eu/esco/skill/"


def fact(fid: str, **fields: Any) -> Facts:
    """A verified credential issued a month ago; ``ects`` in whole credits."""
    fields.setdefault("title", fid)
    fields.setdefault("issued", NOW - timedelta(days=30))
    fields["ects"] = round(fields.get("ects", 0) * 100)
    for name in ("keys", "skills", "part_keys"):
        fields[name] = frozenset(fields.get(name, ()))
    return Facts(id=fid, credential_id=None, **fields)


def document(requirements: dict[str, Any], **target: Any) -> dict[str, Any]:
    return {
        "format": "learner-wallet-pathway/1",
        "target": {"title": "T", **target},
        "requirements": requirements,
    }


def run(requirements: dict[str, Any], facts: list[Facts], **target: Any):
    return evaluate(parse_document(document(requirements, **target)), Holdings(facts), now=NOW)


def ach(key: str) -> dict[str, Any]:
    return {"kind": "achievement", "achievement_id": key}


def skills(*names: str, count: int | None = None) -> dict[str, Any]:
    req: dict[str, Any] = {"kind": "skills", "skills": [ESCO + n for n in names]}
    if count is not None:
        req["count"] = count
    return req


def all_of(*reqs: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "all_of", "requirements": list(reqs)}


def n_of(n: int, *reqs: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "n_of", "n": n, "requirements": list(reqs)}


def ects_from(ects: float, **rule: Any) -> dict[str, Any]:
    return {"kind": "ects_from", "ects": ects, "from": rule}


def sk(*names: str) -> frozenset[str]:
    return frozenset(ESCO + n for n in names)


# -- scenario tables, one per requirement kind ------------------------------------------------
SCENARIOS = {
    # achievement
    "achievement_by_id": (ach("A"), [fact("c", keys={"A"})], MET),
    "achievement_by_specification_id": (
        {"kind": "achievement", "specification_id": "S"},
        [fact("c", keys={"S"})],
        MET,
    ),
    "achievement_by_title_and_issuer_name": (
        {"kind": "achievement", "title": "Databases", "issuer": "Demo University"},
        [fact("c", title=" databases ", issuer_name="Demo University")],
        MET,
    ),
    "achievement_by_title_and_issuer_id": (
        {"kind": "achievement", "title": "Databases", "issuer": "did:key:z6Mk"},
        [fact("c", title="Databases", issuer_id="did:key:z6Mk")],
        MET,
    ),
    "achievement_title_from_another_issuer": (
        {"kind": "achievement", "title": "Databases", "issuer": "Demo University"},
        [fact("c", title="Databases", issuer_name="Elsewhere")],
        MISSING,
    ),
    "achievement_not_held": (ach("A"), [fact("c", keys={"B"})], MISSING),
    "achievement_held_only_expired": (
        ach("A"),
        [fact("c", keys={"A"}, outcome="expired")],
        MISSING,
    ),
    "achievement_held_through_a_whole": (ach("A"), [fact("w", part_keys={"A"})], MET),
    # skills
    "skills_all_in_one_credential": (skills("x", "y"), [fact("c", skills=sk("x", "y"))], MET),
    "skills_split_over_two_credentials": (
        skills("x", "y"),
        [fact("c", skills=sk("x")), fact("d", skills=sk("y"))],
        MISSING,
    ),
    "skills_count_of_listed": (
        skills("x", "y", "z", count=2),
        [fact("c", skills=sk("x", "z"))],
        MET,
    ),
    "skills_revoked": (skills("x"), [fact("c", skills=sk("x"), outcome="revoked")], MISSING),
    # ects_from
    "ects_enough_from_two": (ects_from(10), [fact("c", ects=6), fact("d", ects=4)], MET),
    "ects_short": (ects_from(10), [fact("c", ects=6)], PARTLY),
    "ects_none": (ects_from(10), [], MISSING),
    "ects_from_issuer": (
        ects_from(5, issuers=["U"]),
        [fact("c", ects=5, issuer_name="V"), fact("d", ects=5, issuer_name="u")],
        MET,
    ),
    "ects_from_other_issuer_only": (
        ects_from(5, issuers=["U"]),
        [fact("c", ects=5, issuer_name="V")],
        MISSING,
    ),
    "ects_min_level": (
        ects_from(5, min_eqf_level=6),
        [fact("c", ects=5, eqf_level=5), fact("d", ects=2, eqf_level=6)],
        PARTLY,
    ),
    "ects_level_not_stated_does_not_count_for_a_level_filter": (
        ects_from(5, min_eqf_level=6),
        [fact("c", ects=5)],
        MISSING,
    ),
    "ects_field": (ects_from(5, isced_f="06"), [fact("c", ects=5, isced_f="0613")], MET),
    "ects_skills_filter": (
        ects_from(5, skills=[ESCO + "x"]),
        [fact("c", ects=5, skills=sk("x")), fact("d", ects=9)],
        MET,
    ),
    "ects_achievements_filter": (
        ects_from(3, achievements=["A", "B"]),
        [fact("c", ects=2, keys={"A"}), fact("d", ects=2, keys={"B"})],
        MET,
    ),
    "ects_zero_needed": (ects_from(0), [], MET),
    # all_of / n_of
    "all_of_all": (all_of(ach("A"), ach("B")), [fact("a", keys={"A"}), fact("b", keys={"B"})], MET),
    "all_of_some": (all_of(ach("A"), ach("B")), [fact("a", keys={"A"})], PARTLY),
    "all_of_none": (all_of(ach("A"), ach("B")), [], MISSING),
    "n_of_enough": (n_of(1, ach("A"), ach("B")), [fact("b", keys={"B"})], MET),
    "n_of_short": (n_of(2, ach("A"), ach("B"), ach("C")), [fact("b", keys={"B"})], PARTLY),
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_requirement_kind_scenarios(name):
    requirement, facts, status = SCENARIOS[name]
    assert run(requirement, facts).root.status == status


@pytest.mark.parametrize(
    ("target", "facts", "met"),
    [
        ({"valid_years": 5}, [fact("c", keys={"A"}, issued=NOW - timedelta(days=365 * 4))], 1),
        ({"valid_years": 5}, [fact("c", keys={"A"}, issued=NOW - timedelta(days=365 * 6))], 0),
        ({"valid_years": 5}, [fact("c", keys={"A"}, issued=None)], 0),
        ({"min_eqf_level": 6}, [fact("c", keys={"A"}, eqf_level=5)], 0),
        ({"min_eqf_level": 6}, [fact("c", keys={"A"}, eqf_level=7)], 1),
        ({"min_eqf_level": 6}, [fact("c", keys={"A"})], 1),  # no level stated: not refused
    ],
)
def test_validity_window_and_level(target, facts, met):
    progress = run(ach("A"), facts, **target)
    assert progress.requirements_met == met
    if not met:
        (blocked,) = progress.root.blocked
        assert blocked[0] == "c" and "Not counted" in str(blocked[1])


def test_matching_succeeds_where_first_fit_fails():
    # Credential x evidences both skills; y only the first. First-fit gives x to the first
    # requirement and leaves the second unmet; the matching gives y to the first, x to the second.
    reqs = all_of(skills("s1"), skills("s2"))
    facts = [fact("x", skills=sk("s1", "s2")), fact("y", skills=sk("s1"))]
    first_fit: dict[int, str] = {}
    for i, wanted in enumerate(("s1", "s2")):
        free = [f for f in facts if ESCO + wanted in f.skills and f.id not in first_fit.values()]
        if free:
            first_fit[i] = free[0].id
    assert len(first_fit) == 1  # first-fit meets one requirement
    progress = run(reqs, facts)
    assert progress.requirements_met == 2
    assert progress.root.status == MET
    assert {progress.assignments["x"], progress.assignments["y"]} == {
        "$.requirements.requirements[0]",
        "$.requirements.requirements[1]",
    }


def test_an_ects_requirement_gets_a_credential_a_skill_requirement_can_do_without():
    # x (5 ECTS) and y (0 ECTS) both evidence the skill; the ECTS requirement needs x.
    reqs = all_of(skills("s"), ects_from(5))
    facts = [fact("x", skills=sk("s"), ects=5), fact("y", skills=sk("s"))]
    progress = run(reqs, facts)
    assert progress.root.status == MET
    assert progress.assignments == {
        "y": "$.requirements.requirements[0]",
        "x": "$.requirements.requirements[1]",
    }


def test_an_ects_requirement_frees_a_credential_by_moving_a_skill_requirement():
    # Matching first gives x to the skill; the ECTS requirement asks for it back and the skill
    # requirement moves to y (an alternating path), so both are met.
    reqs = all_of(skills("s"), ects_from(5, issuers=["U"]))
    facts = [fact("x", skills=sk("s"), ects=5, issuer_name="U"), fact("y", skills=sk("s"), ects=9)]
    progress = run(reqs, facts)
    assert progress.root.status == MET


def test_the_same_credential_twice_counts_once():
    facts = [fact("c", keys={"A"}, ects=5), fact("d", keys={"A"}, ects=5)]
    progress = run(all_of(ach("A"), ects_from(5)), facts, total_ects=10)
    assert progress.ects_counted == 500
    assert progress.requirements_met == 1
    assert dict(progress.set_apart).keys() == {"d"}


def test_a_whole_and_its_part_do_not_add_up_twice():
    part = fact("module", keys={"M"}, ects=6)
    whole = fact("programme", keys={"P"}, ects=10, part_keys={"M"})
    progress = run(ects_from(16), [part, whole], total_ects=60)
    assert progress.ects_counted == 1000  # 6 from the module, 4 more from the programme
    assert progress.root.status == PARTLY


def test_a_whole_whose_parts_are_all_held_adds_nothing_more():
    parts = [fact("a", keys={"A"}, ects=6), fact("b", keys={"B"}, ects=4)]
    whole = fact("w", keys={"W"}, ects=10, part_keys={"A", "B"})
    progress = run(all_of(ach("A"), ach("B"), ach("W")), [*parts, whole], total_ects=30)
    assert progress.ects_counted == 1000
    assert progress.requirements_met == 3  # each is still its own credential


def test_unmet_requirements_say_what_would_meet_them():
    progress = run(
        all_of(ach("A"), skills("s"), ects_from(10, issuers=["U"])),
        [fact("c", ects=4, issuer_name="U"), fact("x", keys={"A"}, outcome="expired")],
    )
    a, s, e = progress.root.children
    assert "the achievement A" in str(a.hint)
    assert a.blocked == (("x", a.blocked[0][1]),) and "expired" in str(a.blocked[0][1])
    assert ESCO + "s" in str(s.hint)
    assert str(e.hint) == "6 more ECTS from U."
    assert e.status == PARTLY


def test_electives_count_towards_the_total_and_levels_add_up():
    facts = [
        fact("a", keys={"A"}, ects=5, eqf_level=5),
        fact("b", ects=3, eqf_level=6),
        fact("c", ects=2),
    ]
    progress = run(ach("A"), facts, total_ects=10)
    assert progress.assignments == {"a": "$.requirements"}
    assert progress.electives == {"b", "c"}
    assert progress.ects_counted == 1000 and progress.complete
    assert progress.by_level == ((5, 500), (6, 300), (None, 200))


def test_a_sub_pathway_used_twice_is_evaluated_as_two_requirements():
    doc = document(all_of({"kind": "pathway", "ref": "m"}, {"kind": "pathway", "ref": "m"}))
    doc["subpathways"] = {"m": {"target": {"title": "Module"}, "requirements": ach("A")}}
    progress = evaluate(parse_document(doc), Holdings([fact("a", keys={"A"})]), now=NOW)
    assert progress.requirements_met == 1 and progress.requirements_needed == 2


# -- properties ---------------------------------------------------------------------------------
KEYS = [f"k{i}" for i in range(6)]
SKILLS = [ESCO + f"s{i}" for i in range(4)]
ISSUERS = ["U", "V", "W"]


@st.composite
def facts_lists(draw, min_size: int = 0) -> list[Facts]:
    count = draw(st.integers(min_size, 8))
    out = []
    for i in range(count):
        out.append(
            Facts(
                id=f"c{i}",
                title=f"c{i}",
                issuer_name=draw(st.sampled_from(ISSUERS)),
                # its own credential id, and the achievement it awards (if stated)
                keys=frozenset({f"urn:c{i}", *draw(st.sets(st.sampled_from(KEYS), max_size=1))}),
                part_keys=frozenset(draw(st.sets(st.sampled_from(KEYS), max_size=2))),
                ects=draw(st.integers(0, 10)) * 100,
                eqf_level=draw(st.sampled_from([None, 4, 5, 6])),
                skills=frozenset(draw(st.sets(st.sampled_from(SKILLS), max_size=3))),
                issued=NOW - timedelta(days=draw(st.integers(0, 3000))),
                outcome=draw(st.sampled_from(["verified"] * 4 + ["expired", "cannot_check"])),
            )
        )
    return out


leaf = st.one_of(
    st.builds(lambda k: {"kind": "achievement", "achievement_id": k}, st.sampled_from(KEYS)),
    st.builds(
        lambda s: {"kind": "skills", "skills": sorted(s)},
        st.sets(st.sampled_from(SKILLS), min_size=1, max_size=2),
    ),
    st.builds(
        lambda e, i: {"kind": "ects_from", "ects": e, "from": {"issuers": sorted(i)} if i else {}},
        st.integers(1, 15),
        st.sets(st.sampled_from(ISSUERS), max_size=2),
    ),
)
trees = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=4).map(
            lambda reqs: {"kind": "all_of", "requirements": reqs}
        ),
        st.lists(inner, min_size=1, max_size=4).flatmap(
            lambda reqs: st.integers(1, len(reqs)).map(
                lambda n: {"kind": "n_of", "n": n, "requirements": reqs}
            )
        ),
    ),
    max_leaves=8,
)
targets = st.fixed_dictionaries(
    {},
    optional={
        "total_ects": st.integers(0, 40),
        "valid_years": st.integers(1, 8),
        "min_eqf_level": st.sampled_from([4, 5, 6]),
    },
)
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def filled(node: NodeResult) -> list[str]:
    return [*node.filled_by, *(f for child in node.children for f in filled(child))]


@PROPERTY
@given(trees, targets, facts_lists())
def test_no_credential_is_ever_counted_twice(tree, target, facts):
    progress = run(tree, facts, **target)
    used = filled(progress.root)
    assert len(used) == len(set(used))  # one requirement per credential
    by_id = {f.id: f for f in facts}
    counted = set(progress.counted)
    assert len(counted) == len(progress.counted)
    for fid in counted:
        assert by_id[fid].outcome == "verified"
        others = counted - {fid}
        # no two counted credentials are the same learning
        assert not any(by_id[fid].keys & by_id[o].keys for o in others)


def distinct_total(facts: list[Facts]) -> int:
    """The ECTS of distinct verified credentials: one per shared key, the largest."""
    groups: list[tuple[set[str], int]] = []
    for f in facts:
        if f.outcome != "verified":
            continue
        merged_keys, best = set(f.keys), f.ects
        rest = []
        for keys, ects in groups:
            if keys & merged_keys:
                merged_keys |= keys
                best = max(best, ects)
            else:
                rest.append((keys, ects))
        groups = [*rest, (merged_keys, best)]
    return sum(ects for _, ects in groups)


@PROPERTY
@given(trees, targets, facts_lists())
def test_the_ects_total_never_exceeds_the_sum_of_distinct_credentials(tree, target, facts):
    assert run(tree, facts, **target).ects_counted <= distinct_total(facts)


@PROPERTY
@given(trees, targets, facts_lists(), facts_lists(min_size=1))
def test_adding_a_credential_never_lowers_progress(tree, target, facts, extra):
    new = Facts(
        **{name: getattr(extra[0], name) for name in Facts.__slots__},
    )
    new = replace(
        new, id="new", keys=frozenset("urn:new" if k.startswith("urn:") else k for k in new.keys)
    )
    held = [f for f in facts if f.outcome == "verified"]
    # A credential that reveals that held ones are parts of a whole (or the reverse) rightly
    # moves credits between them; that is the "hasPart" rule, tested on its own above.
    assume(not new.keys & set().union(*(f.part_keys for f in held)))
    assume(not new.part_keys & set().union(*(f.keys for f in held)))
    before = run(tree, facts, **target)
    after = run(tree, [*facts, new], **target)
    # The two progress bars: requirements met, and ECTS where the target states a total.
    assert after.requirements_met >= before.requirements_met
    if "total_ects" in target:
        assert after.ects_counted >= before.ects_counted


def test_a_credential_itself_fills_its_achievement_before_a_whole_that_has_it():
    part = fact("module", keys={"M"}, ects=4)
    whole = fact("transcript", keys={"T"}, part_keys={"M"})  # no credits of its own
    progress = run(ach("M"), [part, whole])
    assert progress.assignments == {"module": "$.requirements"}


def test_an_ects_requirement_that_cannot_be_met_does_not_take_what_another_needs():
    # 2 ECTS from U cannot be met (U brings 1); it must not take c0, which "any" needs.
    reqs = all_of(ects_from(2, issuers=["U"]), ects_from(2))
    facts = [fact("c0", ects=1, issuer_name="U"), fact("c2", ects=1, issuer_name="V")]
    progress = run(reqs, facts)
    first, second = progress.root.children
    assert (first.status, second.status) == (MISSING, MET)


def test_a_short_ects_requirement_takes_credits_another_can_spare():
    # Processed first (same number eligible, earlier in the tree), "from U" takes u5, which
    # alone completes it; "any" then has u1 and u1b, 3 short, and takes u5 back once "from U"
    # has u1 and u1b in its place.
    reqs = all_of(ects_from(2, issuers=["U"]), ects_from(5))
    facts = [fact(f, ects=e, issuer_name="U") for f, e in (("u5", 5), ("u1", 1), ("u1b", 1))]
    progress = run(reqs, facts)
    assert progress.root.status == MET
    assert progress.assignments == {
        "u1": "$.requirements.requirements[0]",
        "u1b": "$.requirements.requirements[0]",
        "u5": "$.requirements.requirements[1]",
    }


def test_an_ects_requirement_completes_itself_with_the_smallest_credential_that_does():
    # 3 from 2, 2 and 1 takes a 2 and the 1, leaving the other 2 for a second requirement.
    reqs = all_of(ects_from(3), ects_from(2))
    facts = [fact("v2", ects=2), fact("w2", ects=2), fact("u1", ects=1)]
    progress = run(reqs, facts)
    assert progress.root.status == MET
    assert progress.assignments["u1"] == "$.requirements.requirements[0]"


def test_a_new_credential_does_not_undo_two_met_requirements():
    # Found by the property below: once the 1 arrives, "from V" (3) is processed first (fewer
    # eligible) and takes both 2s, leaving both "any" requirements short: 2 met became 1. The
    # engine now also tries the other orders when one leaves a requirement short.
    reqs = all_of(ects_from(2), ects_from(2), ects_from(3, issuers=["V"]))
    held = [fact("c0", ects=2, issuer_name="V"), fact("c1", ects=2, issuer_name="V")]
    before = run(reqs, held)
    after = run(reqs, [*held, fact("new", ects=1, issuer_name="U")])
    assert before.requirements_met == 2
    assert after.requirements_met == 2


def test_a_short_ects_requirement_gives_way_to_one_it_would_complete():
    # "5 from W" cannot be met (c1 is the only credential for k0); "1 from any" can, with c0.
    reqs = all_of(ach("k0"), ects_from(1), ects_from(5, issuers=["W"]))
    facts = [
        fact("c0", ects=4, issuer_name="W"),
        fact("c1", ects=1, issuer_name="W", part_keys={"k0"}),
        fact("z", issuer_name="U"),  # no credits: changes nothing
    ]
    progress = run(reqs, facts)
    assert [c.status for c in progress.root.children] == [MET, MET, MISSING]
