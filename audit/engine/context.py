"""What a check receives: the run's options, its own typed options, DNS, the target,
the facts other checks establish, and a clock."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from audit.engine.facts import Fact, FactStore
from audit.engine.options import CheckOptions, RunOptions
from audit.model import CheckId, Target

if TYPE_CHECKING:
    from audit.net.dns import DnsClient

OptionsT = TypeVar("OptionsT", bound=CheckOptions)
T = TypeVar("T")


def utc_now() -> datetime:
    return datetime.now(UTC)


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

    async def fact(self, fact: Fact[T]) -> T:
        """A fact of this run, established once, whoever asks first."""
        return await self.facts.get(fact, self)
