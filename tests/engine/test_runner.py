"""The async runner (audit/engine/runner.py): timeouts, deadline, the exception boundary."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import ClassVar

import pytest

from audit.engine.context import AuditContext
from audit.engine.options import RunOptions
from audit.engine.runner import RunPlan, run_audit
from audit.engine.verdict import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_INTERNAL, EXIT_OK
from audit.model import (
    CheckId,
    CheckResult,
    CheckStatus,
    Finding,
    Severity,
    SummaryStatus,
    UnknownReason,
)
from audit.net.dns import Nameserver

LONG = 30.0  # how long the slow fake would sleep if nobody stopped it


class FakeCheck:
    """What every fake shares: it may query DNS, and trades no facts."""

    uses_dns: ClassVar[bool] = True

    warm_imports: ClassVar[tuple] = ()
    provides: ClassVar[tuple] = ()
    needs: ClassVar[tuple] = ()


class FindingCheck(FakeCheck):
    """Returns one high PTR finding for every sending IP."""

    id: ClassVar[CheckId] = CheckId.PTR
    finding_codes: ClassVar[frozenset[str]] = frozenset({"PTR_MISSING"})

    async def run(self, ctx: AuditContext) -> CheckResult:
        findings = tuple(
            Finding(self.id, "PTR_MISSING", Severity.HIGH, ip.ip, "no PTR") for ip in ctx.target.ips
        )
        return CheckResult(check=self.id, findings=findings)


class CleanCheck(FakeCheck):
    id: ClassVar[CheckId] = CheckId.DMARC
    finding_codes: ClassVar[frozenset[str]] = frozenset()

    async def run(self, ctx: AuditContext) -> CheckResult:
        return CheckResult(check=self.id, detail="clean")


class RaisingCheck(FakeCheck):
    id: ClassVar[CheckId] = CheckId.SPF
    finding_codes: ClassVar[frozenset[str]] = frozenset()

    async def run(self, ctx: AuditContext) -> CheckResult:
        raise KeyError("boom")


class SleepingCheck(FakeCheck):
    id: ClassVar[CheckId] = CheckId.DKIM
    finding_codes: ClassVar[frozenset[str]] = frozenset()

    def __init__(self) -> None:
        self.cancelled = False
        self.finished = False

    async def run(self, ctx: AuditContext) -> CheckResult:
        try:
            await asyncio.sleep(LONG)
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        self.finished = True
        return CheckResult(check=self.id)


class UncataloguedCheck(FakeCheck):
    id: ClassVar[CheckId] = CheckId.BLACKLIST
    finding_codes: ClassVar[frozenset[str]] = frozenset({"NO_SUCH_CODE"})

    async def run(self, ctx: AuditContext) -> CheckResult:
        finding = Finding(self.id, "NO_SUCH_CODE", Severity.LOW, "x", "no catalog entry")
        return CheckResult(check=self.id, findings=(finding,))


FIXED_CLOCK = datetime(2026, 1, 1, tzinfo=UTC)


def config(
    nameserver: str = "127.0.0.1:53",
    *,
    ips: tuple[str, ...] = ("192.0.2.1",),
    check_timeout: float = 10.0,
    deadline: float = 20.0,
    timeout: float = 2.0,
    fail_on: Severity | None = Severity.HIGH,
    allow_incomplete: bool = False,
) -> RunOptions:
    return RunOptions(
        domain="example.test",
        check_timeout=check_timeout,
        nameservers=(Nameserver.parse(nameserver),),
        given_ips=ips,
        timeout=timeout,
        deadline=deadline,
        fail_on=fail_on,
        allow_incomplete=allow_incomplete,
    )


def run(run_options: RunOptions, checks, **kwargs):
    plan = RunPlan(run_options, tuple(checks))
    return asyncio.run(run_audit(plan, clock=lambda: FIXED_CLOCK, **kwargs))


def by_id(result, check_id: CheckId) -> CheckResult:
    return next(c for c in result.checks if c.check is check_id)


# -- results ---------------------------------------------------------------------------------


def test_findings_are_reported_with_their_catalog_remediation():
    result = run(config(), [FindingCheck()])
    finding = result.findings[0]
    assert (finding.code, finding.subject) == ("PTR_MISSING", "192.0.2.1")
    assert finding.remediation is not None
    assert "192.0.2.1" in finding.remediation.summary


def test_failing_finding_gives_exit_1():
    result = run(config(), [FindingCheck(), CleanCheck()])
    assert result.summary.exit_code == EXIT_FINDINGS
    assert result.summary.status is SummaryStatus.FAIL


def test_clean_checks_give_exit_0():
    result = run(config(), [CleanCheck()])
    assert (result.summary.status, result.summary.exit_code) == (SummaryStatus.PASS, EXIT_OK)


def test_checks_are_reported_in_check_id_order():
    result = run(config(), [CleanCheck(), RaisingCheck(), FindingCheck()])
    assert [c.check for c in result.checks] == [CheckId.PTR, CheckId.SPF, CheckId.DMARC]


def test_clock_sets_started_at():
    assert run(config(), [CleanCheck()]).started_at == FIXED_CLOCK


def test_observer_sees_every_check():
    seen: list[CheckId] = []
    run(config(), [CleanCheck(), FindingCheck()], observer=lambda r: seen.append(r.check))
    assert sorted(seen) == sorted([CheckId.DMARC, CheckId.PTR])


def test_given_ips_become_the_target():
    result = run(config(ips=("192.0.2.1", "2001:db8::1")), [CleanCheck()])
    assert [ip.ip for ip in result.target.ips] == ["192.0.2.1", "2001:db8::1"]


# -- the exception boundary ------------------------------------------------------------------


def test_raising_check_becomes_unknown_internal():
    check = by_id(run(config(), [RaisingCheck()]), CheckId.SPF)
    assert check.status is CheckStatus.UNKNOWN
    assert check.internal_error is True
    assert [u.reason for u in check.unknowns] == [UnknownReason.INTERNAL]


def test_raising_check_gives_exit_4():
    assert run(config(), [RaisingCheck(), CleanCheck()]).summary.exit_code == EXIT_INTERNAL


def test_other_checks_still_report_when_one_raises():
    result = run(config(), [RaisingCheck(), FindingCheck()])
    assert [f.code for f in result.findings] == ["PTR_MISSING"]


def test_internal_error_outranks_failing_findings():
    result = run(config(), [RaisingCheck(), FindingCheck()])
    assert result.summary.exit_code == EXIT_INTERNAL


def test_finding_code_without_remediation_is_an_internal_error():
    check = by_id(run(config(), [UncataloguedCheck()]), CheckId.BLACKLIST)
    assert check.internal_error is True


# -- timeouts --------------------------------------------------------------------------------


def test_check_past_its_time_limit_is_stopped_and_unknown_timeout():
    # given a check that would sleep for 30 s and a 0.1 s per-check limit
    sleeper = SleepingCheck()
    # when the audit runs
    result = run(config(check_timeout=0.1), [sleeper, CleanCheck()])
    # then the check was really cancelled, and reported as unknown(timeout)
    assert sleeper.cancelled and not sleeper.finished
    check = by_id(result, CheckId.DKIM)
    assert check.status is CheckStatus.UNKNOWN
    assert [u.reason for u in check.unknowns] == [UnknownReason.TIMEOUT]


def test_timed_out_check_gives_exit_3_and_others_still_report():
    result = run(config(check_timeout=0.1), [SleepingCheck(), CleanCheck()])
    assert result.summary.exit_code == EXIT_INCOMPLETE
    assert by_id(result, CheckId.DMARC).status is CheckStatus.PASS


def test_allow_incomplete_turns_a_timeout_into_exit_0():
    result = run(config(check_timeout=0.1, allow_incomplete=True), [SleepingCheck()])
    assert result.summary.exit_code == EXIT_OK
    assert result.summary.status is SummaryStatus.INCOMPLETE


def test_global_deadline_stops_checks_with_reason_deadline():
    sleeper = SleepingCheck()
    result = run(config(check_timeout=60, deadline=0.2), [sleeper])
    assert sleeper.cancelled
    reasons = [u.reason for u in by_id(result, CheckId.DKIM).unknowns]
    assert reasons == [UnknownReason.DEADLINE]


def test_failing_finding_outranks_a_timeout():
    result = run(config(check_timeout=0.1), [SleepingCheck(), FindingCheck()])
    assert result.summary.exit_code == EXIT_FINDINGS


def test_deadline_while_deriving_sending_ips_is_a_run_unknown(silent_nameserver):
    # given no --ip and a resolver that never answers, slower than the whole run
    run_config = config(silent_nameserver, ips=(), timeout=5.0, deadline=0.3)
    result = run(run_config, [CleanCheck()])
    assert [u.reason for u in result.unknowns] == [UnknownReason.DEADLINE]
    assert result.summary.exit_code == EXIT_INCOMPLETE


@pytest.mark.parametrize("fail_on", [Severity.CRITICAL, None])
def test_findings_below_fail_on_do_not_fail(fail_on):
    result = run(config(fail_on=fail_on), [FindingCheck()])
    assert result.summary.exit_code == EXIT_OK
