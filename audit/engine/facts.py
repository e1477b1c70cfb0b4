"""Facts: what one check finds that another needs (DKIM keys, SPF results per sending IP).

A fact is declared once, by the package that knows how to establish it, as a `Fact`
with the coroutine that produces it from the run's context. Every check that needs it,
its provider included, awaits `ctx.fact(FACT)`: the first caller starts it, every other
caller awaits the same task. So a fact is computed once per run, whether or not its
providing check was selected (then it is computed for the consumer only, and reported
by nobody). The engine knows no fact by name: checks declare them (`needs`/`provides`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from audit.engine.context import AuditContext

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Fact(Generic[T]):
    """A named fact and how to establish it. Identity is the object itself."""

    name: str
    produce: Callable[[AuditContext], Awaitable[T]]

    def __repr__(self) -> str:
        return f"Fact({self.name})"


@dataclass
class FactStore:
    """The facts of one run: one task per fact, shared by every caller."""

    _tasks: dict[Fact[Any], asyncio.Future[Any]] = field(default_factory=dict)

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
