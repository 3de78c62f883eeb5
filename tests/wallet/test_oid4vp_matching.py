"""Which of the learner's credentials the consent page offers and pre-selects, and which picks
it accepts: verified first, required sets only, nothing that does not answer the query."""

from __future__ import annotations

from types import SimpleNamespace

from verifier.dcql import Candidate, DcqlQuery
from wallet.oid4vp.matching import chosen, plan

W3C = {"type_values": [["VerifiableCredential"]]}
QUERY = DcqlQuery.from_json(
    {
        "credentials": [
            {"id": "degree", "format": "ldp_vc", "meta": W3C, "claims": [{"path": ["degree"]}]},
            {"id": "badge", "format": "ldp_vc", "meta": W3C, "claims": [{"path": ["badge"]}]},
            {"id": "extra", "format": "ldp_vc", "meta": W3C, "claims": [{"path": ["extra"]}]},
        ],
        "credential_sets": [
            {"options": [["degree"], ["badge"]]},
            {"options": [["extra"]], "required": False},
        ],
    }
)


def held(*rows: tuple[int, str, str]):
    """Credentials by id: (id, the claim they carry, the wallet's outcome)."""
    return {
        cid: (
            SimpleNamespace(id=cid, outcome=outcome),
            Candidate("ldp_vc", {claim: "yes"}, ("VerifiableCredential",)),
        )
        for cid, claim, outcome in rows
    }


def test_first_answerable_option_is_preselected_verified_first():
    wallet = held((1, "badge", "expired"), (2, "badge", "verified"), (3, "extra", "verified"))
    found = plan(QUERY, wallet)
    assert found.possible
    assert found.choice("degree").matches == ()
    assert [c.id for c in found.choice("badge").matches] == [2, 1]
    assert found.choice("badge").preselected == (2,)
    # The optional set is offered, not pre-selected: share no more than asked.
    assert [c.id for c in found.choice("extra").matches] == [3]
    assert found.choice("extra").preselected == ()


def test_nothing_answers():
    found = plan(QUERY, held((1, "extra", "verified")))
    assert not found.possible


def test_picks_are_checked():
    wallet = held((1, "degree", "verified"), (2, "badge", "verified"), (3, "extra", "verified"))
    found = plan(QUERY, wallet)
    picked = chosen(QUERY, found, {"badge": ["2"], "extra": ["3"]})
    assert {k: [c.id for c in v] for k, v in picked.items()} == {"badge": [2], "extra": [3]}
    assert chosen(QUERY, found, {"badge": ["1"]}) is None  # 1 does not answer "badge"
    assert chosen(QUERY, found, {"extra": ["3"]}) is None  # the required set is unanswered
    assert chosen(QUERY, found, {"degree": ["1", "1"]}) is not None  # a repeat counts once
    assert chosen(QUERY, found, {}) is None
