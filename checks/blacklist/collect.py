"""The evidence of one blacklist run, collected until the check has to stop.

One concurrent wave: each (target, list) A+TXT, each list's RFC 5782 test points and one
NXDOMAIN-rewrite probe. A run stopped by its deadline keeps what was answered before it:
those pairs are judged, the rest is unknown(deadline), and a list whose test points were
not answered is untested. The check stops itself a little before its deadline (STOP_*),
leaving the judgement and the report the time they need, so --deadline holds.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, TypeVar

from audit.knowledge.dnsbl.selection import SelectedList
from audit.net.dns import DnsClient, Lookup
from checks.blacklist.health import Health, ListHealth, judge_health
from checks.blacklist.query import (
    DnsblTarget,
    PairLookups,
    lookup_all,
    nxdomain_probe_name,
    test_point_name,
)

# Time kept back from the deadline for what follows the lookups: judging every pair, the
# evidence, the result document and the process's exit, which frees it all (measured on
# a /22 against the default catalog, 12,264 pairs: ~1 s on a busy two-core machine, so
# ~80 us a pair), plus the reports' own time (RunOptions.report_seconds_per_result,
# from the format registry).
STOP_FIXED_S = 0.25
STOP_PER_PAIR_S = 80e-6
T = TypeVar("T")
UNTESTED_BY_DEADLINE = ListHealth(
    Health.UNTESTED, "the test points were not answered before the deadline"
)


class Collected(NamedTuple):  # a NamedTuple: a sixth of a frozen dataclass's cost to define
    healths: dict[str, ListHealth]  # by list id
    lookups: list[PairLookups | None]  # per pair; None: not answered before the stop
    probe: Lookup | None

    @property
    def unanswered(self) -> int:
        return sum(lookups is None for lookups in self.lookups)


def stop_at(ends_at: float | None, pairs: int, report_per_pair: float = 0.0) -> float | None:
    """When to stop asking (perf_counter), so the check and its report end by `ends_at`."""
    if ends_at is None:
        return None
    return ends_at - STOP_FIXED_S - (STOP_PER_PAIR_S + report_per_pair) * pairs


async def list_health(dns: DnsClient, selected: SelectedList) -> ListHealth:
    """Ask the list's RFC 5782 test points and judge its health."""
    entry = selected.entry
    names = [test_point_name(p, selected) for p in (*entry.test_listed, *entry.test_unlisted)]
    lookups = await asyncio.gather(*(dns.query(name, "A") for name in names))
    split = len(entry.test_listed)
    return judge_health(selected, lookups[:split], lookups[split:])


async def collect(
    dns: DnsClient,
    pairs: Sequence[tuple[DnsblTarget, SelectedList]],
    used: Sequence[SelectedList],
    probe_zone: str | None,
    stop: float | None,
    on_done: Callable[[], None] | None = None,
) -> Collected:
    """Every lookup of the run, or as many as are answered by `stop`."""
    lookups: list[PairLookups | None] = [None] * len(pairs)
    healths = {s.entry.id: asyncio.ensure_future(list_health(dns, s)) for s in used}
    answering = asyncio.ensure_future(lookup_all(dns, pairs, lookups, on_done))
    wave: list[asyncio.Future[Any]] = [*healths.values(), answering]
    probe = None
    if probe_zone is not None:
        probe = asyncio.ensure_future(dns.query(nxdomain_probe_name(probe_zone), "A"))
        wave.append(probe)
    try:
        timeout = None if stop is None else max(stop - time.perf_counter(), 0.0)
        await asyncio.wait(wave, timeout=timeout)
    finally:
        await _stop(wave)
    if not answering.cancelled():
        answering.result()  # a bug in a worker is raised, not taken for the deadline
    return Collected(
        {list_id: _result_or(task, UNTESTED_BY_DEADLINE) for list_id, task in healths.items()},
        lookups,
        _probe_result(probe),
    )


async def _stop(tasks: Sequence[asyncio.Future[Any]]) -> None:
    """Cancel what is still running and let it unwind (sockets, timers) before judging."""
    pending = [task for task in tasks if not task.done()]
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)


def _probe_result(probe: asyncio.Future[Lookup] | None) -> Lookup | None:
    return None if probe is None or probe.cancelled() else probe.result()


def _result_or(task: asyncio.Future[T], default: T) -> T:
    """The task's result; `default` when it was stopped. A bug still raises."""
    if task.cancelled():
        return default
    return task.result()
