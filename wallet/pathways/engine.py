"""The pathway engine: which credential fills which requirement, and how far a learner has come.

Pure Python, no web code. :func:`evaluate` takes a :class:`~wallet.pathways.definition.Pathway`
and a learner's :class:`~wallet.pathways.holdings.Holdings` and returns a frozen
:class:`PathwayProgress`. The result is advisory, "progress towards": recognising prior
learning is the receiving institution's decision.

1. The credentials that may count: verified (see ``holdings``), earned within the target's
   validity window, at or above its minimum EQF level where they state one.
2. Single-credential requirements (``achievement``, ``skills``) are matched to credentials by a
   maximum bipartite matching (:mod:`~wallet.pathways.matching`), so the most of them are met
   with no credential used twice. Requirements that must all be met go first, and each
   prefers credentials no ECTS requirement could use and with fewer credits.
3. ``ects_from`` requirements (:mod:`~wallet.pathways.credits`), most constrained first, take
   free eligible credentials with the most credits first; when short, they free credentials
   from step 2 that another credential can replace there (an alternating path), never lowering
   what step 2 met, and then take credits other ``ects_from`` requirements can spare. When
   that leaves one short, other orders of the requirements are tried and the best kept.
4. When the target states total ECTS, every other counted credential is an elective towards it.
5. Statuses go up the tree: met, partly met or missing, with what would meet each gap.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice, permutations

from wallet.pathways.credits import Credits
from wallet.pathways.definition import SINGLE_KINDS, Pathway, Requirement
from wallet.pathways.holdings import Facts, Holdings
from wallet.pathways.matching import Matching
from wallet.pathways.messages import N_, Message
from wallet.pathways.results import (
    MET,
    MISSING,
    PARTLY,
    NodeResult,
    Results,
    combine,
    describe,
    format_ects,
)

#: Below this many ECTS requirements, every order of them is tried when the first leaves one
#: short (at most 4! = 24 orders); from it on, each short requirement is tried first.
ORDERS_OF_ALL_BELOW = 5


@dataclass(frozen=True)
class PathwayProgress:
    """How far the learner's credentials go towards one pathway (advisory)."""

    pathway: Pathway
    root: NodeResult
    ects_counted: int  # hundredths of a credit
    ects_required: int | None
    requirements_met: int
    requirements_needed: int
    complete: bool
    by_level: tuple[tuple[int | None, int], ...]
    assignments: Mapping[str, str]  # fact id → the path of the requirement it fills
    electives: frozenset[str]  # fact ids counted towards the total ECTS only
    apart: Mapping[str, Message] = field(repr=False, default_factory=dict)
    outside: tuple[tuple[frozenset[str], Message], ...] = ()
    facts: Mapping[str, Facts] = field(repr=False, default_factory=dict)
    pathway_id: int | None = None

    @property
    def counted(self) -> list[str]:
        """Every fact id that counts: requirements first, then electives."""
        return [*self.assignments, *sorted(self.electives - self.assignments.keys())]

    @property
    def credential_ids(self) -> tuple[int, ...]:
        """The wallet credentials that count towards the pathway, each once."""
        ids = (self.facts[f].credential_id for f in self.counted)
        return tuple(dict.fromkeys(i for i in ids if i is not None))

    @property
    def set_apart(self) -> list[tuple[str, Message]]:
        """Credentials that do not count here, each with the reason, by id."""
        reasons = dict(self.apart)
        for ids, reason in self.outside:
            reasons.update(dict.fromkeys(ids, reason))
        return sorted(reasons.items())

    @property
    def ects_percent(self) -> int:
        """ECTS counted as a whole percentage of the ECTS required (0 when none are)."""
        if not self.ects_required:
            return 0
        return min(100, self.ects_counted * 100 // self.ects_required)

    @property
    def requirements_percent(self) -> int:
        """Requirements met as a whole percentage of those needed."""
        if not self.requirements_needed:
            return 100
        return min(100, self.requirements_met * 100 // self.requirements_needed)


def evaluate(pathway: Pathway, holdings: Holdings, *, now: datetime) -> PathwayProgress:
    """Evaluate ``pathway`` against the learner's ``holdings`` at the aware time ``now``."""
    # 1. the credentials that may count
    target = pathway.target
    since = None
    if target.valid_years:
        since = now.replace(year=now.year - target.valid_years, day=min(now.day, 28))
    base, outside = holdings.cached(
        ("base", since, target.valid_years, target.min_eqf_level),
        lambda: _base(holdings, since, target.valid_years, target.min_eqf_level),
    )
    leaves, ects_nodes, priority = _flatten(pathway.root)
    candidates_all = {i: holdings.candidates(node) for i, node in leaves.items()}
    eligible_all = {i: holdings.eligible(node) for i, node in ects_nodes.items()}
    # ECTS requirements only count credentials that bring credits.
    credited = holdings.total(base)[2]
    eligible = {i: found & credited for i, found in eligible_all.items()}
    # 2. single-credential requirements
    ects = holdings.ects
    in_base = {i: found & base for i, found in candidates_all.items()}
    wanted = frozenset().union(*in_base.values())
    ects_usable = frozenset().union(*(wanted & found for found in eligible.values()))
    rank = holdings.rank

    def preference(fact_id: str) -> tuple[bool, int, int]:
        return (fact_id in ects_usable, ects[fact_id], rank[fact_id])

    def ranked(node: Requirement, found: frozenset[str]) -> list[str]:
        if node.achievement_ids:  # the credential itself before a whole that has it as a part
            own = holdings.counted
            return sorted(
                found, key=lambda f: (not node.achievement_ids & own[f].keys, *preference(f))
            )
        return sorted(found, key=preference)

    candidates = {i: ranked(leaves[i], found) for i, found in in_base.items()}
    # Keys are id()s of nodes; positions in the tree keep the order the same from run to run.
    position = {key: n for n, key in enumerate([*leaves, *ects_nodes])}
    order = sorted(leaves, key=lambda i: (priority[i], len(candidates[i]), position[i]))
    matching = Matching(candidates)
    matching.fill(order)
    # 3. ECTS from a set
    ects_order = sorted(ects_nodes, key=lambda i: (len(eligible[i]), position[i]))
    needs = {i: node.ects for i, node in ects_nodes.items()}
    matching, taken = _allocate(pathway.root, holdings, matching, ects_order, needs, eligible)
    assignments: dict[str, str] = {}
    for leaf, fact_id in matching.credential_of.items():
        assignments[fact_id] = leaves[leaf].path
    for node_id, fact_ids in taken.items():
        for fact_id in fact_ids:
            assignments[fact_id] = ects_nodes[node_id].path
    # 4. electives: with a total to reach, every counted credential adds to it
    if target.total_ects is not None:
        counted, levels, bringing = holdings.total(base)
        electives = bringing - assignments.keys()
    else:
        electives = frozenset()
        levels = Counter()
        for fact_id in assignments:
            levels[holdings.counted[fact_id].eqf_level] += ects[fact_id]
        counted = sum(levels.values())
    # 5. statuses
    result = Results(holdings, matching, taken, candidates_all, eligible_all, assignments, outside)
    root = result.node(pathway.root)
    required = target.total_ects
    return PathwayProgress(
        pathway=pathway,
        root=root,
        ects_counted=counted,
        ects_required=required,
        requirements_met=root.met_units,
        requirements_needed=root.needed_units,
        complete=root.status == MET and (required is None or counted >= required),
        by_level=tuple(
            sorted(
                ((level, value) for level, value in levels.items() if value),
                key=lambda kv: (kv[0] is None, kv[0] or 0),
            )
        ),
        assignments=assignments,
        electives=frozenset(electives),
        apart=holdings.apart,
        outside=outside,
        facts=holdings.facts,
    )


def _allocate(
    root: Requirement,
    holdings: Holdings,
    matching: Matching,
    order: list[int],
    needs: dict[int, int],
    eligible: dict[int, frozenset[str]],
) -> tuple[Matching, dict[int, list[str]]]:
    """The ECTS requirements' credentials (and the matching they leave), from ``order``; when
    that leaves one short, also from other orders (every order of up to
    :data:`ORDERS_OF_ALL_BELOW` requirements, else each short one first), keeping the first
    that meets the most of the tree. Greedy choices depend on the order: without this, one
    more credential could make the first requirement take what two others needed."""

    def attempt(sequence: list[int]) -> tuple[Matching, dict[int, list[str]]]:
        trial = matching.copy()
        return trial, Credits(holdings, trial).allocate(sequence, needs, eligible)

    ects = holdings.ects

    def got(taken: dict[int, list[str]], key: int) -> int:
        return sum(ects[f] for f in taken.get(key, ()))

    def score(result: tuple[Matching, dict[int, list[str]]]) -> tuple[int, int]:
        trial, taken = result
        met = {key for key in order if got(taken, key) >= needs[key]}
        counted = sum(min(got(taken, key), needs[key]) for key in order)
        return _units(root, met | trial.credential_of.keys())[0], counted

    best = attempt(order)
    short = [key for key in order if got(best[1], key) < needs[key]]
    if len(order) < 2 or not short:
        return best
    if len(order) < ORDERS_OF_ALL_BELOW:
        others: Iterator[list[int]] = (list(p) for p in islice(permutations(order), 1, None))
    else:
        others = ([key, *(k for k in order if k != key)] for key in short if key != order[0])
    best_score = score(best)
    for sequence in others:
        result = attempt(sequence)
        result_score = score(result)
        if result_score > best_score:
            best, best_score = result, result_score
    return best


def _units(node: Requirement, met: set[int]) -> tuple[int, int]:
    """A requirement's units (met, needed) when the leaves and ECTS requirements whose node
    ``id()`` is in ``met`` are met, counted as :class:`~wallet.pathways.results.Results` does."""
    # Depth is bounded by definition.MAX_LEVELS, so recursion here is safe.
    if node.kind in SINGLE_KINDS or node.kind == "ects_from":
        return int(id(node) in met), 1
    return combine([_units(child, met) for child in node.children], node.n)


def _base(
    holdings: Holdings, since: datetime | None, years: int | None, level: int | None
) -> tuple[frozenset[str], tuple[tuple[frozenset[str], Message], ...]]:
    """The credentials within the validity window and level, and the others with the reason."""
    base = holdings.all_ids
    outside = []
    if since is not None:
        recent = holdings.issued_since(since)
        reason = N_("Not counted: earned more than %(years)d years ago, or undated.")
        outside.append((base - recent, Message(reason, {"years": years})))
        base = base & recent
    if level:
        level_ok = holdings.at_least_level(level)
        reason = N_("Not counted: below EQF level %(level)d.")
        outside.append((base - level_ok, Message(reason, {"level": level})))
        base = base & level_ok
    return base, tuple(outside)


def _flatten(
    root: Requirement,
) -> tuple[dict[int, Requirement], dict[int, Requirement], dict[int, tuple[int, ...]]]:
    """The leaves and ECTS requirements by ``id()`` of their node (a sub-pathway used twice
    gives equal but distinct nodes), in tree order, and each leaf's priority: leaves every
    ancestor needs first, then, under an ``n_of``, those of its smaller children."""
    leaves: dict[int, Requirement] = {}
    ects_nodes: dict[int, Requirement] = {}
    priority: dict[int, tuple[int, ...]] = {}
    stack: list[tuple[Requirement, tuple[int, ...]]] = [(root, ())]
    while stack:
        node, rank = stack.pop()
        key = id(node)
        if node.kind in SINGLE_KINDS:
            leaves[key] = node
            priority[key] = rank
        elif node.kind == "ects_from":
            ects_nodes[key] = node
        elif node.n == len(node.children):
            stack.extend((child, rank) for child in reversed(node.children))
        else:
            sizes = sorted(range(len(node.children)), key=lambda i: _size(node.children[i]))
            for order, i in enumerate(sizes):
                stack.append((node.children[i], (*rank, 1 + order)))
    return leaves, ects_nodes, priority


def _size(node: Requirement) -> int:
    """How many requirements a node holds (itself for a leaf)."""
    count, stack = 0, [node]
    while stack:
        item = stack.pop()
        count += 1
        stack.extend(item.children)
    return count


__all__ = [
    "MET",
    "MISSING",
    "PARTLY",
    "NodeResult",
    "PathwayProgress",
    "describe",
    "evaluate",
    "format_ects",
]
