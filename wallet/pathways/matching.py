"""Maximum bipartite matching of requirements to credentials by augmenting paths (Kuhn).

Each single-credential requirement (a leaf) lists the credentials that could fill it, best
first. :class:`Matching` fills leaves one at a time; when every candidate of a leaf is taken,
it looks for an alternating path that moves other leaves to other credentials, which is what
makes it a maximum matching where first-fit is not. Processing the leaves in priority order
keeps every leaf that was filled filled (an augmenting path never unmatches a leaf), so the
set of filled leaves is the best one in that order. Everything is iterative: no recursion.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence


class Matching:
    """Leaves (ints) matched to credentials (strings), at most one each way."""

    def __init__(self, candidates: Mapping[int, Sequence[str]]) -> None:
        self.candidates = candidates
        self.leaf_of: dict[str, int] = {}
        self.credential_of: dict[int, str] = {}

    def copy(self) -> Matching:
        """An independent copy (the candidates are shared: they are never changed)."""
        twin = Matching(self.candidates)
        twin.leaf_of, twin.credential_of = dict(self.leaf_of), dict(self.credential_of)
        return twin

    def fill(self, leaves: Sequence[int]) -> None:
        """Try to fill each leaf in turn, moving earlier leaves where that helps."""
        for leaf in leaves:
            self.augment(leaf, frozenset())

    def augment(self, start: int, banned: Collection[str]) -> bool:
        """Fill ``start`` along an augmenting path that avoids ``banned`` credentials."""
        visited: set[str] = set()
        stack = [(start, iter(self.candidates.get(start, ())))]
        path: list[tuple[int, str]] = []
        while stack:
            leaf, options = stack[-1]
            for credential in options:
                if credential in visited or credential in banned:
                    continue
                visited.add(credential)
                path.append((leaf, credential))
                owner = self.leaf_of.get(credential)
                if owner is None:
                    for moved, taken in path:
                        self.credential_of[moved] = taken
                        self.leaf_of[taken] = moved
                    return True
                stack.append((owner, iter(self.candidates.get(owner, ()))))
                break
            else:
                stack.pop()
                if path:
                    path.pop()
        return False

    def release(self, credential: str, banned: Collection[str]) -> bool:
        """Free ``credential`` by refilling its leaf with credentials outside ``banned``.

        Returns whether it worked; when it does not, the matching is as it was.
        """
        leaf = self.leaf_of.get(credential)
        if leaf is None:
            return True
        del self.leaf_of[credential]
        del self.credential_of[leaf]
        if self.augment(leaf, {*banned, credential}):
            return True
        self.leaf_of[credential] = leaf
        self.credential_of[leaf] = credential
        return False
