"""The result tree of an evaluation: each requirement met, partly met or missing, with the
credentials filling it, what would meet it, and the held credentials that match but do not
count there (and why). Built bottom-up by :class:`Results` from the engine's choices."""

from __future__ import annotations

from dataclasses import dataclass

from wallet.pathways.definition import SINGLE_KINDS, Requirement
from wallet.pathways.holdings import Holdings
from wallet.pathways.matching import Matching
from wallet.pathways.messages import N_, Message

MET, PARTLY, MISSING = "met", "partly", "missing"
#: How many held credentials an unmet requirement lists as not counting there.
BLOCKED = 10


@dataclass(frozen=True)
class NodeResult:
    """A requirement's result: status, the credentials filling it and what would meet it."""

    requirement: Requirement
    status: str
    children: tuple[NodeResult, ...] = ()
    filled_by: tuple[str, ...] = ()  # fact ids
    ects: int = 0  # hundredths of a credit counted here (and below)
    met_units: int = 0
    needed_units: int = 1
    hint: Message | None = None
    blocked: tuple[tuple[str, Message], ...] = ()  # held credentials that match but do not count


class Results:
    """Builds the result tree bottom-up from the matching and the ECTS choices."""

    def __init__(
        self,
        holdings: Holdings,
        matching: Matching,
        taken: dict[int, list[str]],
        candidates: dict[int, frozenset[str]],
        eligible: dict[int, frozenset[str]],
        assignments: dict[str, str],
        outside: tuple[tuple[frozenset[str], Message], ...],
    ) -> None:
        self.holdings, self.matching, self.taken = holdings, matching, taken
        self.candidates, self.eligible = candidates, eligible
        self.assignments, self.outside = assignments, outside
        self.assigned = frozenset(assignments)

    def node(self, req: Requirement) -> NodeResult:
        # Depth is bounded by definition.MAX_LEVELS, so recursion here is safe.
        key = id(req)
        if req.kind in SINGLE_KINDS:
            filled = self.matching.credential_of.get(key)
            if filled is not None:
                return NodeResult(
                    req, MET, filled_by=(filled,), ects=self.holdings.ects[filled], met_units=1
                )
            return NodeResult(
                req,
                MISSING,
                hint=_hint(req),
                met_units=0,
                blocked=self._blocked(req, self.candidates[key]),
            )
        if req.kind == "ects_from":
            chosen = tuple(self.taken.get(key, ()))
            got = sum(self.holdings.ects[f] for f in chosen)
            if got >= req.ects:
                return NodeResult(req, MET, filled_by=chosen, ects=got, met_units=1)
            what = describe(req)
            missing = (
                Message(
                    N_("%(ects)s more ECTS from %(what)s."),
                    {"ects": format_ects(req.ects - got), "what": what},
                )
                if what
                else Message(
                    N_("%(ects)s more ECTS from any verified credential."),
                    {"ects": format_ects(req.ects - got)},
                )
            )
            return NodeResult(
                req,
                PARTLY if got else MISSING,
                filled_by=chosen,
                ects=got,
                hint=missing,
                blocked=self._blocked(req, self.eligible[key]),
            )
        children = tuple(self.node(child) for child in req.children)
        met_units, needed = combine([(c.met_units, c.needed_units) for c in children], req.n)
        met_children = sum(1 for c in children if c.status == MET)
        if met_children >= req.n:
            status = MET
        elif any(c.status != MISSING for c in children):
            status = PARTLY
        else:
            status = MISSING
        hint = None
        if status != MET and req.kind == "n_of":
            hint = Message(N_("%(count)d more of these."), {"count": req.n - met_children})
        return NodeResult(
            req,
            status,
            children=children,
            ects=sum(c.ects for c in children),
            met_units=met_units,
            needed_units=needed,
            hint=hint,
        )

    def _blocked(self, req: Requirement, found: frozenset[str]) -> tuple[tuple[str, Message], ...]:
        """Held credentials that would meet ``req`` but count elsewhere or not at all."""
        out: list[tuple[str, Message]] = []
        for ids, reason in self.outside:
            out += [(fact_id, reason) for fact_id in sorted(found & ids)[:BLOCKED]]
        elsewhere = [f for f in found & self.assigned if self.assignments[f] != req.path]
        out += [
            (f, Message(N_("Already counted for another requirement.")))
            for f in sorted(elsewhere)[:BLOCKED]
        ]
        apart = self.holdings.apart_index
        if req.kind == "ects_from":
            unverified = apart.eligible(req)
        else:
            unverified = apart.candidates(req)
        out += [(f, self.holdings.apart[f]) for f in sorted(unverified)[:BLOCKED]]
        return tuple(out[:BLOCKED])


def combine(children: list[tuple[int, int]], n: int) -> tuple[int, int]:
    """A group's units (met, needed) from its children's, when ``n`` of them are needed: the
    ``n`` children nearest to met count, each for at most what it needs."""
    best = sorted(children, key=lambda c: (-c[0], c[1]))[:n]
    return sum(min(met, needed) for met, needed in best), sum(needed for _, needed in best)


def _hint(req: Requirement) -> Message:
    if req.kind == "achievement":
        if req.achievement_ids:
            return Message(
                N_("A credential for the achievement %(id)s."),
                {"id": ", ".join(sorted(req.achievement_ids))},
            )
        return Message(
            N_("A credential titled “%(title)s” from %(issuer)s."),
            {"title": req.achievement_title, "issuer": req.issuer},
        )
    return Message(
        N_("A credential evidencing %(count)d of these skills: %(skills)s."),
        {"count": req.count, "skills": ", ".join(req.skills)},
    )


def describe(req: Requirement) -> str:
    """The filter of an ``ects_from`` requirement in a few words (ids and names as written)."""
    rule = req.filter
    parts = []
    if rule.issuers:
        parts.append(" / ".join(sorted(rule.issuers)))
    if rule.achievements:
        parts.append(" / ".join(sorted(rule.achievements)))
    if rule.skills:
        parts.append(" / ".join(sorted(rule.skills)))
    if rule.min_eqf_level:
        parts.append(f"EQF ≥ {rule.min_eqf_level}")
    if rule.isced_f:
        parts.append(f"ISCED-F {rule.isced_f}")
    return "; ".join(parts)


def format_ects(hundredths: int) -> str:
    """ECTS for people: ``500`` → ``5``, ``550`` → ``5.5``."""
    whole, rest = divmod(hundredths, 100)
    return str(whole) if not rest else f"{hundredths / 100:g}"
