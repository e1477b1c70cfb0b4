"""Per-key tables of bounded size: the top keys by weight, with counts for the rest.

A log chooses its own keys (remote hosts, client IPs, recipients), so no table the digest
keeps may grow with them. A `TopTable` holds at most `limit` keys; when a new key finds it
full, the lighter half is folded into `rest` (their weight and how many keys they were),
or, given `coarse`, into a coarser key (a rejection kind without its host: the totals the
judges read stay exact). Keys that stay heavy stay; a key first seen late still gets in
and, if it grows, stays. Amortized cost per new key: one sort of `limit` entries every
`limit / 2` new keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True)
class Capped:
    """What a capped table left out: its name, its limit, the keys folded and their weight
    (in the rest, or in the coarser keys they were merged into)."""

    table: str
    limit: int
    folded_keys: int
    folded_weight: int


class TopTable(Generic[K, V]):
    def __init__(
        self,
        name: str,
        limit: int,
        factory: Callable[[], V],
        weight: Callable[[V], int],
        coarse: Callable[[K], K | None] | None = None,
        merge: Callable[[V, V], None] | None = None,
    ) -> None:
        self.name, self.limit = name, max(2, limit)
        self.factory, self.weight = factory, weight
        self.coarse, self.merge = coarse, merge
        self.items: dict[K, V] = {}
        self.folded_keys = 0
        self.folded_weight = 0

    def get(self, key: K) -> V:
        """The value of `key`, created (and the table folded first, if full) when new."""
        value = self.items.get(key)
        if value is None:
            if len(self.items) >= self.limit:
                self._fold()
            value = self.items[key] = self.factory()
        return value

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[tuple[K, V]]:
        return iter(self.items.items())

    def capped(self) -> Capped | None:
        if not self.folded_keys:
            return None
        return Capped(self.name, self.limit, self.folded_keys, self.folded_weight)

    def _fold(self) -> None:
        items, weight = self.items, self.weight
        keys, values = list(items), list(items.values())
        weights = list(map(weight, values))
        # the positions by weight (stable: ties in insertion order), sorted in C: a key
        # function per item would cost a Python call each, `limit` of them per fold
        lighter = sorted(range(len(keys)), key=weights.__getitem__)[: len(keys) // 2]
        coarse_of, merge = self.coarse, self.merge
        if coarse_of is None or merge is None:
            for index in lighter:
                del items[keys[index]]
            self.folded_keys += len(lighter)
            self.folded_weight += sum(weights[index] for index in lighter)
            return
        for index in lighter:
            key, value = keys[index], values[index]
            del items[key]
            coarse = coarse_of(key)
            if coarse is not None and coarse != key:
                self._merge_into(coarse, value)
                continue
            self.folded_keys += 1
            # weighed now: a coarse key merged into earlier in this fold weighs more
            self.folded_weight += weight(value)

    def _merge_into(self, coarse: K, value: V) -> None:
        """`value` added to the coarse key's (which may be new: the table is half empty)."""
        assert self.merge is not None
        target = self.items.get(coarse)
        if target is None:
            target = self.items[coarse] = self.factory()
        self.merge(target, value)
        self.folded_keys += 1  # its detail is gone, its weight is in the coarse key's
        self.folded_weight += self.weight(value)
