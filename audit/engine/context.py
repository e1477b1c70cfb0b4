"""What a check receives: the run's options, its own typed options, DNS, the target,
the facts other checks establish, and a clock.

Facts are what one check finds that another needs (DKIM keys, SPF results per sending
IP). A fact is declared once, by the package that knows how to establish it, as a
`Fact` with the coroutine that produces it from the context. Every check that needs
it, its provider included, awaits `ctx.fact(FACT)`: the first caller starts it, every
other caller awaits the same task. So a fact is computed once per run, whether or not
its providing check was selected (then it is computed for the consumer only and
reported by nobody). The engine knows no fact by name: checks declare them
(`Check.needs` / `Check.provides`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from audit.engine.options import CheckOptions, RunOptions
from audit.model import CheckId, Target

if TYPE_CHECKING:
    from audit.net.dns import DnsClient

OptionsT = TypeVar("OptionsT", bound=CheckOptions)
T = TypeVar("T")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, eq=False)
class Fact(Generic[T]):
    """A named fact and how to establish it. Identity is the object itself."""

    name: str
    produce: Callable[[AuditContext], Awaitable[T]]

    def __repr__(self) -> str:
        return f"Fact({self.name})"


class FactStore:
    """The facts of one run: one task per fact, shared by every caller.

    A plain class: nothing compares or prints a store, and a dataclass costs ~0.7 ms to
    define at every start (`blacklist IP`, bench/bench_startup.py)."""

    def __init__(self) -> None:
        self._tasks: dict[Fact[Any], asyncio.Future[Any]] = {}

    async def get(self, fact: Fact[T], ctx: AuditContext) -> T:
        task = self._tasks.get(fact)
        if task is None:
            task = asyncio.ensure_future(fact.produce(ctx))
            self._tasks[fact] = task
        # Shielded: a consumer that hits its time limit must not cancel the fact that
        # another check (or its provider) still awaits.
        result: T = await asyncio.shield(task)
        return result

    @property
    def established(self) -> tuple[str, ...]:
        return tuple(fact.name for fact in self._tasks)

    def cancel_pending(self) -> None:
        """At the end of a run, stop facts nobody waits for any more."""
        for task in self._tasks.values():
            if not task.done():
                task.cancel()


class NoDnsError(RuntimeError):
    """A check used DNS in a run planned without it (its `uses_dns` is wrong)."""


@dataclass
class AuditContext:
    """Shared by every check of one run. Checks read it; they never print or exit."""

    run: RunOptions
    target: Target
    client: DnsClient | None = None  # None: the run needs no DNS (e.g. `logs`)
    check_options: Mapping[type[Any], object] = field(default_factory=dict)
    selected: frozenset[CheckId] = frozenset()
    clock: Callable[[], datetime] = utc_now
    facts: FactStore = field(default_factory=FactStore)
    # perf_counter() instant the run's --deadline ends; None: no deadline (tests, bench)
    deadline_at: float | None = None

    @property
    def dns(self) -> DnsClient:
        if self.client is None:
            raise NoDnsError("this run has no DNS client: the check must declare uses_dns")
        return self.client

    @property
    def domain(self) -> str | None:
        """The audited domain: the target's, else the one given for the run."""
        return self.target.domain or self.run.domain

    def options_for(self, options_type: type[OptionsT]) -> OptionsT:
        """This run's options of one check (its defaults when the plan gave none)."""
        found = self.check_options.get(options_type)
        if found is None:
            return options_type()
        assert isinstance(found, options_type)
        return found

    def check_ends_at(self, started: float) -> float | None:
        """When a check that started at `started` (perf_counter) is stopped: its own
        time limit or the run's deadline, whichever comes first. A check that can
        report part of its work (blacklist) stops itself a little before."""
        if self.deadline_at is None:
            return None
        return min(self.deadline_at, started + self.run.check_timeout)

    async def fact(self, fact: Fact[T]) -> T:
        """A fact of this run, established once, whoever asks first."""
        return await self.facts.get(fact, self)
