"""Top-K tables (audit/maillog/bounded.py): bounded whatever the keys, heavy keys kept."""

from __future__ import annotations

from dataclasses import dataclass

from audit.maillog.bounded import TopTable


@dataclass
class Tally:
    n: int = 0


def table(limit: int, coarse=None) -> TopTable[str, Tally]:
    def merge(into: Tally, other: Tally) -> None:
        into.n += other.n

    return TopTable("hosts", limit, Tally, lambda t: t.n, coarse=coarse, merge=merge)


def test_a_table_never_holds_more_keys_than_its_limit() -> None:
    # given a table of 100 keys; when 100,000 distinct keys are counted
    hosts = table(100)
    for n in range(100_000):
        hosts.get(f"mx{n}").n += 1
    # then it holds at most 100, and says how many keys and counts went to the rest
    capped = hosts.capped()
    assert len(hosts) <= 100 and capped is not None
    assert capped.folded_weight + sum(t.n for _, t in hosts) == 100_000


def test_heavy_keys_survive_folding_even_when_first_seen_late() -> None:
    # given 10,000 one-off keys, then a key counted 50 times among more one-offs
    hosts = table(100)
    for n in range(10_000):
        hosts.get(f"once{n}").n += 1
        if n >= 5_000 and n % 100 == 0:
            hosts.get("heavy").n += 10
    # then the heavy key is there with its whole count
    assert dict((k, t.n) for k, t in hosts)["heavy"] == 500


def test_folded_keys_merge_into_their_coarse_key() -> None:
    # given keys "host/reason" folded into "reason" when the table is full
    hosts = table(10, coarse=lambda key: key.split("/")[1] if "/" in key else None)
    for n in range(1000):
        hosts.get(f"mx{n}/user_unknown").n += 1
    # then no count is lost: the host-less key holds the folded ones
    counts = dict((k, t.n) for k, t in hosts)
    assert sum(counts.values()) == 1000 and counts["user_unknown"] >= 900


def test_an_uncapped_table_says_nothing() -> None:
    hosts = table(10)
    hosts.get("mx1").n += 1
    assert hosts.capped() is None
