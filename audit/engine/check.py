"""The check contract. Each check module defines one class satisfying `Check`.

A check collects evidence through `ctx.dns`, judges it in pure functions, and returns a
`CheckResult` with findings (stable codes, see audit/knowledge/remediation/*.toml) and
unknowns (what it could not determine, and why). It never prints and never exits.
Exceptions that escape `run` are turned into `unknown(internal)` by the runner.
"""

from __future__ import annotations

from typing import ClassVar, Protocol

from audit.engine.context import AuditContext
from audit.model import CheckId, CheckResult


class Check(Protocol):
    id: ClassVar[CheckId]
    # Every code this check can emit; a test checks each has a remediation entry.
    finding_codes: ClassVar[frozenset[str]]

    async def run(self, ctx: AuditContext) -> CheckResult: ...
