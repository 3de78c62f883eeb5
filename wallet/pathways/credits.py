"""ECTS from a set: which credentials each ``ects_from`` requirement counts.

Requirements that their eligible credentials could meet go first. Each takes free eligible
credentials with the most credits first (so few credentials are used); when short, it frees
credentials from single-credential requirements that another credential can fill instead (an
alternating path in the matching, which keeps every single-credential requirement met); the
last credential it takes is the smallest that completes it. Greedy
choices depend on the order, so a repair pass follows: a requirement still short takes a
credential from another ``ects_from`` requirement that stays met without it, or that can
replace it with a free credential, or that is short anyway when the credential makes this one
met. No step makes a met requirement unmet, and no credential is ever counted twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from wallet.pathways.holdings import Holdings
from wallet.pathways.matching import Matching

#: An ``ects_from`` requirement with fewer eligible credentials sorts them; others walk.
SORT_BELOW = 64
#: Repair rounds (each can only add credits to requirements that are short).
REPAIR_ROUNDS = 3


class Credits:
    """The credentials each ``ects_from`` requirement (by key) counts."""

    def __init__(self, holdings: Holdings, matching: Matching) -> None:
        self.holdings, self.matching = holdings, matching
        self.taken: dict[int, list[str]] = {}
        self.owner: dict[str, int] = {}
        self.got: dict[int, int] = {}

    def allocate(
        self, order: Sequence[int], needs: dict[int, int], eligible: dict[int, frozenset[str]]
    ) -> dict[int, list[str]]:
        """Fill the requirements in ``order`` (those that all their eligible credentials could
        meet first: one that cannot be met must not take what another needs), then repair
        those still short."""
        order = sorted(order, key=lambda key: not self._reachable(needs[key], eligible[key]))
        for key in order:
            self.taken[key], self.got[key] = [], 0
            self._take(key, needs[key], eligible[key])
        for _ in range(REPAIR_ROUNDS):
            if not any(self._repair(key, needs, eligible) for key in order):
                break
        return self.taken

    def _pool(self, eligible: frozenset[str]) -> Iterator[str]:
        """Eligible credentials with credits, most credits first."""
        holdings = self.holdings
        # The walk over every credential in ECTS order stops as soon as enough credits are
        # found, usually after a few steps; only a very small set is cheaper to sort.
        if len(eligible) <= SORT_BELOW:
            found = sorted(eligible, key=holdings.rank.__getitem__)
        else:
            found = (f for f in holdings.order if f in eligible)
        for fact_id in found:
            if not holdings.ects[fact_id]:
                return
            yield fact_id

    def _reachable(self, need: int, eligible: frozenset[str]) -> bool:
        """Whether all the eligible credentials together bring ``need`` credits."""
        total = 0
        for fact_id in self._pool(eligible):
            total += self.holdings.ects[fact_id]
            if total >= need:
                return True
        return need <= 0

    def _free(self, fact_id: str) -> bool:
        return fact_id not in self.owner and fact_id not in self.matching.leaf_of

    def _add(self, key: int, fact_id: str) -> None:
        self.taken[key].append(fact_id)
        self.owner[fact_id] = key
        self.got[key] += self.holdings.ects[fact_id]

    def _remove(self, key: int, fact_id: str) -> None:
        self.taken[key].remove(fact_id)
        del self.owner[fact_id]
        self.got[key] -= self.holdings.ects[fact_id]

    def _take(self, key: int, need: int, eligible: frozenset[str]) -> None:
        # Most credits first, but the last credential is the smallest that completes the
        # requirement (3 from 2, 2 and 1 takes 2 and 1), leaving more for the others.
        ects, finisher = self.holdings.ects, None
        for fact_id in self._pool(eligible) if self.got[key] < need else ():
            if not self._free(fact_id):
                continue
            if ects[fact_id] >= need - self.got[key]:
                finisher = fact_id  # a smaller one may follow
                continue
            if finisher is not None:
                break
            self._add(key, fact_id)
        if finisher is not None:
            self._add(key, finisher)
        for fact_id in self._pool(eligible):
            if self.got[key] >= need:
                return
            if fact_id in self.matching.leaf_of and self.matching.release(fact_id, self.owner):
                self._add(key, fact_id)

    def _repair(self, key: int, needs: dict[int, int], eligible: dict[int, frozenset[str]]) -> bool:
        """Move credits to a short requirement from others that stay met (giving them free
        credentials, or smaller ones of its own, in exchange); whether anything moved."""
        ects, moved = self.holdings.ects, False
        for fact_id in self._pool(eligible[key]):
            if self.got[key] >= needs[key]:
                break
            other = self.owner.get(fact_id)
            if other is None or other == key:
                continue
            if self.got[other] < needs[other]:
                # Both short: moving is worth it only if this one is then met.
                if self.got[key] + ects[fact_id] >= needs[key]:
                    self._remove(other, fact_id)
                    self._add(key, fact_id)
                    moved = True
                continue
            deficit = needs[other] - (self.got[other] - ects[fact_id])
            spare: list[str] = []
            given = 0  # credits this requirement hands over in exchange
            if deficit > 0:  # the other requirement needs replacements
                for candidate in reversed(list(self._pool(eligible[other]))):  # smallest first
                    if deficit <= 0:
                        break
                    if self._free(candidate) or self.owner.get(candidate) == key:
                        spare.append(candidate)
                        deficit -= ects[candidate]
                        if self.owner.get(candidate) == key:
                            given += ects[candidate]
                if deficit > 0 or given >= ects[fact_id]:
                    continue
            self._remove(other, fact_id)
            for candidate in spare:
                if self.owner.get(candidate) == key:
                    self._remove(key, candidate)
                self._add(other, candidate)
            self._add(key, fact_id)
            moved = True
        return moved
