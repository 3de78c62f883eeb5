"""The engine's input: a learner's credentials as :class:`Facts`, deduplicated and indexed.

:func:`prepare` runs once per learner, however many pathways are then evaluated:

1. Only credentials whose verification passed (outcome ``verified``) count; the others are set
   apart with the reason (expired, revoked, could not be checked, ...).
2. The same learning held twice (two credentials sharing an achievement, specification or
   credential id) counts once: the one with the most ECTS is kept.
3. A credential that ``hasPart`` others the learner also holds counts only for the ECTS its
   parts do not already bring (its remainder), so a programme and its modules are never added
   up twice.
4. Sets by key, skill, issuer and level make each requirement a few set operations, which is
   what keeps thousands of credentials times many pathways fast.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from wallet.pathways.definition import Requirement
from wallet.pathways.messages import N_, Message

APART_REASONS = {
    "not_genuine": N_("Not counted: the credential is not genuine."),
    "expired": N_("Not counted: the credential has expired."),
    "revoked": N_("Not counted: the issuer has revoked the credential."),
    "suspended": N_("Not counted: the issuer has suspended the credential."),
    "not_yet_valid": N_("Not counted: the credential is not valid yet."),
    "cannot_check": N_("Not counted: the wallet could not check this credential."),
}


@dataclass(frozen=True, slots=True)
class Facts:
    """What the engine knows about one credential (or one part of a transcript).

    ``ects`` is in hundredths of a credit; ``keys`` are its achievement, specification and
    credential ids; ``part_keys`` the keys of the credentials it ``hasPart``.
    """

    id: str
    title: str
    credential_id: int | None = None
    issuer_id: str | None = None
    issuer_name: str | None = None
    keys: frozenset[str] = frozenset()
    ects: int = 0
    eqf_level: int | None = None
    isced_f: str | None = None
    skills: frozenset[str] = frozenset()
    issued: datetime | None = None
    outcome: str = "verified"
    part_keys: frozenset[str] = frozenset()


@lru_cache(maxsize=65_536)
def fold(text: str | None) -> str:
    """Text compared without case or surrounding spaces."""
    return " ".join((text or "").split()).casefold()


class Index:
    """Sets of credential ids by key, title, issuer, skill, level and field."""

    def __init__(self, facts: Mapping[str, Facts], members: Mapping[str, list[Facts]]) -> None:
        self.counted = facts
        self.members = members
        self.by_key: dict[str, set[str]] = defaultdict(set)
        self.by_title: dict[str, set[str]] = defaultdict(set)
        self.by_issuer: dict[str, set[str]] = defaultdict(set)
        self.by_skill: dict[str, set[str]] = defaultdict(set)
        by_key, by_title, by_issuer, by_skill = (
            self.by_key,
            self.by_title,
            self.by_issuer,
            self.by_skill,
        )
        for fact_id, fact in facts.items():
            for key in fact.keys:
                by_key[key].add(fact_id)
            for key in fact.part_keys:  # a whole evidences its parts too
                by_key[key].add(fact_id)
            for member in members[fact_id]:  # the same learning, by any of its names
                by_title[fold(member.title)].add(fact_id)
                if member.issuer_id:
                    by_issuer[fold(member.issuer_id)].add(fact_id)
                if member.issuer_name:
                    by_issuer[fold(member.issuer_name)].add(fact_id)
            for skill in fact.skills:
                by_skill[skill].add(fact_id)
        self.all_ids = frozenset(facts)
        self._cache: dict[tuple[object, ...], Any] = {}

    def cached(self, key: tuple[object, ...], build: Callable[[], Any]) -> Any:
        """A value computed once per learner for ``key`` (``build`` makes it)."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def issued_since(self, moment: datetime) -> frozenset[str]:
        """Credentials issued at or after ``moment``."""
        return self.cached(
            ("since", moment),
            lambda: frozenset(
                i for i, f in self.counted.items() if f.issued and f.issued >= moment
            ),
        )

    def at_least_level(self, level: int) -> frozenset[str]:
        """Credentials that state no EQF level or a level of at least ``level``."""
        return self.cached(
            ("eqf", level),
            lambda: frozenset(
                i
                for i, group in self.members.items()
                if any(f.eqf_level is None or f.eqf_level >= level for f in group)
            ),
        )

    def stating_level(self, level: int) -> frozenset[str]:
        """Credentials that state an EQF level of at least ``level``."""
        return self.cached(
            ("eqf!", level),
            lambda: frozenset(
                i
                for i, group in self.members.items()
                if any((f.eqf_level or 0) >= level for f in group)
            ),
        )

    def in_field(self, code: str) -> frozenset[str]:
        """Credentials whose ISCED-F code is ``code`` or lies within it."""
        return self.cached(
            ("isced", code),
            lambda: frozenset(
                i
                for i, group in self.members.items()
                if any((f.isced_f or "").startswith(code) for f in group)
            ),
        )

    def from_issuers(self, issuers: Iterable[str]) -> frozenset[str]:
        """Credentials from any of ``issuers`` (ids or names)."""
        found: set[str] = set()
        for issuer in issuers:
            found |= self.by_issuer.get(fold(issuer), set())
        return frozenset(found)

    def with_skills(self, skills: Iterable[str]) -> frozenset[str]:
        """Credentials evidencing any of ``skills``."""
        found: set[str] = set()
        for skill in skills:
            found |= self.by_skill.get(skill, set())
        return frozenset(found)

    def with_keys(self, keys: Iterable[str]) -> frozenset[str]:
        """Credentials holding any of ``keys`` (or a whole that has such a part)."""
        found: set[str] = set()
        for key in keys:
            found |= self.by_key.get(key, set())
        return frozenset(found)

    def candidates(self, node: Requirement) -> frozenset[str]:
        """Every credential of the index that would fill a single-credential requirement."""
        if node.kind == "achievement":
            if node.achievement_ids:
                return self.with_keys(node.achievement_ids)
            found = self.by_title.get(fold(node.achievement_title), set())
            return frozenset(found & self.by_issuer.get(fold(node.issuer), set()))
        if node.count == 1:
            return self.with_skills(node.skills)
        tally: Counter[str] = Counter()
        for skill in node.skills:
            tally.update(self.by_skill.get(skill, ()))
        return frozenset(f for f, n in tally.items() if n >= node.count)

    def eligible(self, node: Requirement) -> frozenset[str]:
        """The credentials of the index an ``ects_from`` requirement's filter lets in."""
        rule = node.filter
        sets: list[frozenset[str]] = []
        if rule.issuers:
            sets.append(self.from_issuers(rule.issuers))
        if rule.achievements:
            sets.append(self.with_keys(rule.achievements))
        if rule.skills:
            sets.append(self.with_skills(rule.skills))
        if rule.min_eqf_level:
            sets.append(self.stating_level(rule.min_eqf_level))
        if rule.isced_f:
            sets.append(self.in_field(rule.isced_f))
        if not sets:
            return self.all_ids
        sets.sort(key=len)  # each intersection walks the smaller set
        found = sets[0]
        for more in sets[1:]:
            found = found & more
        return found


class Holdings(Index):
    """A learner's counted credentials with the indexes the engine reads; ``apart`` holds the
    reasons the others do not count, and ``apart_index`` finds those among them that would
    meet a requirement (to say why they do not)."""

    def __init__(self, facts: Iterable[Facts]) -> None:
        self.facts: dict[str, Facts] = {}
        self.apart: dict[str, Message] = {}
        verified: list[Facts] = []
        unverified: dict[str, Facts] = {}
        self.members: dict[str, list[Facts]] = {}
        for fact in facts:
            self.facts[fact.id] = fact
            if fact.outcome == "verified":
                verified.append(fact)
            else:
                reason = APART_REASONS.get(fact.outcome, N_("Not counted: not verified."))
                self.apart[fact.id] = Message(reason)
                unverified[fact.id] = fact
        counted = self._deduplicate(verified)
        super().__init__({f.id: f for f in counted}, self.members)
        self.ects: dict[str, int] = self._remainders(counted)
        self.order: list[str] = sorted(self.ects, key=lambda i: (-self.ects[i], i))
        self.rank = {fact_id: n for n, fact_id in enumerate(self.order)}
        self.apart_index = Index(unverified, {i: [f] for i, f in unverified.items()})

    def total(self, ids: frozenset[str]) -> tuple[int, Counter[int | None], frozenset[str]]:
        """The ECTS of ``ids`` (a set that recurs, such as a pathway's eligible credentials),
        in all and per EQF level, and those of them that bring some; once per set."""

        def build() -> tuple[int, Counter[int | None], frozenset[str]]:
            levels: Counter[int | None] = Counter()
            for fact_id in ids:
                levels[self.counted[fact_id].eqf_level] += self.ects[fact_id]
            bringing = frozenset(f for f in ids if self.ects[f] > 0)
            return sum(levels.values()), levels, bringing

        return self.cached(("total", ids), build)

    def _deduplicate(self, verified: list[Facts]) -> list[Facts]:
        """One credential per group sharing a key (the most ECTS, then the latest), standing
        for everything the group evidences: adding a copy never takes anything away."""
        parent = {fact.id: fact.id for fact in verified}

        def root(item: str) -> str:
            while parent[item] != item:
                parent[item] = parent[parent[item]]
                item = parent[item]
            return item

        owner: dict[str, str] = {}
        for fact in verified:
            for key in fact.keys:
                if key in owner:
                    parent[root(fact.id)] = root(owner[key])
                else:
                    owner[key] = fact.id
        groups: dict[str, list[Facts]] = defaultdict(list)
        for fact in verified:
            # most credentials share nothing: their own id is their group
            groups[fact.id if parent[fact.id] == fact.id else root(fact.id)].append(fact)
        kept = []
        for group in groups.values():
            if len(group) == 1:
                self.members[group[0].id] = group
                kept.append(group[0])
                continue
            group.sort(key=lambda f: (-f.ects, -(f.issued.timestamp() if f.issued else 0), f.id))
            self.members[group[0].id] = group
            dates = [f.issued for f in group if f.issued is not None]
            best = group[0]
            kept.append(  # built directly: dataclasses.replace is slow for thousands
                Facts(
                    id=best.id,
                    title=best.title,
                    credential_id=best.credential_id,
                    issuer_id=best.issuer_id,
                    issuer_name=best.issuer_name,
                    keys=frozenset().union(*(f.keys for f in group)),
                    ects=best.ects,
                    eqf_level=best.eqf_level,
                    isced_f=best.isced_f,
                    skills=frozenset().union(*(f.skills for f in group)),
                    issued=max(dates) if dates else None,
                    outcome=best.outcome,
                    part_keys=frozenset().union(*(f.part_keys for f in group)),
                )
            )
            for other in group[1:]:
                self.apart[other.id] = Message(
                    N_("Counted once: the same learning as “%(title)s”."),
                    {"title": group[0].title},
                )
        return kept

    def _remainders(self, counted: list[Facts]) -> dict[str, int]:
        """Each credential's ECTS less what the parts the learner also holds already bring."""
        holder_of: dict[str, str] = {}
        for fact in counted:
            for key in fact.keys:
                holder_of[key] = fact.id
        by_id = {fact.id: fact for fact in counted}
        contained: dict[str, set[str]] = {}
        for fact in counted:
            inside = {holder_of[k] for k in fact.part_keys if k in holder_of} - {fact.id}
            if inside:
                contained[fact.id] = inside
        ects = {fact.id: fact.ects for fact in counted}
        for whole, parts in contained.items():
            # Subtract only the outermost parts: a part of a part is inside its own whole.
            nested = set().union(*(contained.get(p, set()) for p in parts))
            brought = sum(by_id[p].ects for p in parts - nested)
            ects[whole] = max(0, by_id[whole].ects - brought)
        return ects
