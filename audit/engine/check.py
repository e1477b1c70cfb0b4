"""The check contract. Each check module defines one class satisfying `Check`.

A check collects evidence through `ctx.dns`, judges it in pure functions, and returns a
`CheckResult` with findings (stable codes, see audit/knowledge/remediation/*.toml) and
unknowns (what it could not determine, and why). It never prints and never exits.
Exceptions that escape `run` are turned into `unknown(internal)` by the runner.

Its typed options come from `ctx.options_for(ItsOptions)`; facts another check
establishes (`needs`) from `await ctx.fact(FACT)`, never by recomputing them.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol

from audit.engine.context import AuditContext, Fact
from audit.model import CheckId, CheckResult


class Check(Protocol):
    id: ClassVar[CheckId]
    # Every code this check can emit; a test checks each has a remediation entry.
    finding_codes: ClassVar[frozenset[str]]
    # False: the check never queries DNS, so a run of only such checks has no resolver.
    uses_dns: ClassVar[bool]
    # Slow modules the check imports (checkdmarc): imported while the run's network work
    # goes on (audit/engine/warmup.py).
    warm_imports: ClassVar[tuple[str, ...]]
    # Facts this check establishes for others, and facts it takes from the run.
    provides: ClassVar[tuple[Fact[Any], ...]]
    needs: ClassVar[tuple[Fact[Any], ...]]

    async def run(self, ctx: AuditContext) -> CheckResult: ...
