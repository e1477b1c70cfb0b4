"""Facts (audit/engine/context.py): established once per run, for whoever asks first."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from audit.engine.context import AuditContext, Fact
from audit.engine.options import RunOptions
from audit.engine.runner import RunPlan, run_audit
from audit.model import CheckId, CheckResult

PRODUCED: list[str] = []


async def _keys(ctx: AuditContext) -> str:
    PRODUCED.append("keys")
    await asyncio.sleep(0.01)  # both checks are waiting when it finishes
    return f"keys of {ctx.domain}"


KEYS: Fact[str] = Fact("test.keys", _keys)


class Provider:
    id: ClassVar[CheckId] = CheckId.DKIM
    finding_codes: ClassVar[frozenset[str]] = frozenset()
    uses_dns: ClassVar[bool] = False
    warm_imports: ClassVar[tuple] = ()
    provides: ClassVar[tuple] = (KEYS,)
    needs: ClassVar[tuple] = ()

    async def run(self, ctx: AuditContext) -> CheckResult:
        return CheckResult(self.id, detail=await ctx.fact(KEYS))


class Consumer:
    id: ClassVar[CheckId] = CheckId.DMARC
    finding_codes: ClassVar[frozenset[str]] = frozenset()
    uses_dns: ClassVar[bool] = False
    warm_imports: ClassVar[tuple] = ()
    provides: ClassVar[tuple] = ()
    needs: ClassVar[tuple] = (KEYS,)

    async def run(self, ctx: AuditContext) -> CheckResult:
        return CheckResult(self.id, detail="saw " + await ctx.fact(KEYS))


def run(*checks: object) -> dict[CheckId, str]:
    PRODUCED.clear()
    plan = RunPlan(RunOptions(domain="example.test", derive_ips=False), tuple(checks))  # type: ignore[arg-type]
    result = asyncio.run(run_audit(plan))
    return {c.check: c.detail for c in result.checks}


def test_a_fact_two_checks_need_is_established_once():
    # given a provider and a consumer of one fact, when they run together
    details = run(Provider(), Consumer())
    # then the fact was produced once, and both got it
    assert PRODUCED == ["keys"]
    assert details == {
        CheckId.DKIM: "keys of example.test",
        CheckId.DMARC: "saw keys of example.test",
    }


def test_a_fact_is_established_for_a_consumer_whose_provider_was_not_selected():
    # given the consumer alone, when it runs
    details = run(Consumer())
    # then the fact is produced for it, and no provider result is reported
    assert PRODUCED == ["keys"]
    assert details == {CheckId.DMARC: "saw keys of example.test"}


def test_a_run_of_checks_without_dns_has_no_resolver():
    # given checks that declare uses_dns = False and no nameserver at all
    plan = RunPlan(RunOptions(domain="example.test", derive_ips=False), (Consumer(),))  # type: ignore[arg-type]
    # when the run is planned and run
    result = asyncio.run(run_audit(plan))
    # then it needs no DNS, and reports no resolver
    assert not plan.needs_dns
    assert result.resolver.nameservers == ()
