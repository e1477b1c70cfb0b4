"""The one async runner: every command (audit, blacklist, logs, demo) builds a `RunPlan`
and calls `run_audit`. Target resolution, then every selected check concurrently.

Each check runs under its own timeout and the run's global deadline. This is the only
place that turns exceptions into outcomes: a check that raises becomes
`unknown(internal)` (exit code 4) and the other checks still report.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from audit import __version__
from audit.engine.check import Check
from audit.engine.context import AuditContext, utc_now
from audit.engine.options import RunOptions
from audit.engine.targets import resolve_target
from audit.engine.verdict import summarize
from audit.engine.warmup import warm_up
from audit.model import (
    AuditResult,
    CheckId,
    CheckResult,
    IpSource,
    ResolverInfo,
    SendingIp,
    Severity,
    Target,
    Unknown,
    UnknownReason,
)
from audit.net.dns import DnsClient, Lookup

if TYPE_CHECKING:
    from audit.model.compliance import Compliance
    from audit.model.rejection import Classification

log = logging.getLogger(__name__)

ISSUES_URL = "https://github.com/mailhygiene/mailhygiene/issues"

CheckObserver = Callable[[CheckResult], None]


class RunPlan(NamedTuple):  # a NamedTuple: a sixth of a frozen dataclass's cost to define
    """Everything a run needs, built by a command: what to check, and with which options.

    `checks` are instances (a command may give one its progress callback); the options
    are typed per check and found by type (`AuditContext.options_for`). `retarget`
    states how the reported target follows from the results (`logs`: the IPs the logs
    state), when it is not known before the checks run.
    """

    run: RunOptions
    checks: tuple[Check, ...]
    check_options: tuple[object, ...] = ()
    target_extra: Mapping[str, Any] = MappingProxyType({})  # read-only: shared safely
    retarget: Callable[[Target, tuple[CheckResult, ...]], Target] | None = None
    # Slow modules the command needs after the run (a PDF renderer): warmed up with the
    # checks' own (audit/engine/warmup.py).
    warm_imports: tuple[str, ...] = ()
    # What the command concludes from the results beyond findings: the per-provider
    # compliance verdict (checks/compliance.py); None: the document has no `compliance`.
    conclude: Callable[[tuple[CheckResult, ...]], Compliance] | None = None

    @property
    def derives_ips(self) -> bool:
        return self.run.derive_ips and self.run.domain is not None and not self.run.given_ips

    @property
    def needs_dns(self) -> bool:
        """Whether the run queries DNS at all; a run that does not has no resolver."""
        return self.derives_ips or any(check.uses_dns for check in self.checks)


def _internal_failure(check_id: CheckId, exc: BaseException) -> CheckResult:
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}" if frame else ""
    detail = f"{type(exc).__name__}: {exc}"[:300] + where
    return CheckResult(
        check=check_id,
        unknowns=(Unknown(check_id.value, UnknownReason.INTERNAL, detail),),
        detail=f"internal error in the {check_id} check; please report it at {ISSUES_URL}",
        internal_error=True,
    )


def _timed_out(check_id: CheckId, seconds: float, reason: UnknownReason) -> CheckResult:
    what = "the run's deadline" if reason is UnknownReason.DEADLINE else "its time limit"
    return CheckResult(
        check=check_id,
        unknowns=(Unknown(check_id.value, reason, f"did not finish within {what} ({seconds:g}s)"),),
        detail=f"the {check_id} check did not finish in time",
    )


def _with_remediation(result: CheckResult) -> CheckResult:
    """Each finding with what to do; the remediation catalog loads only for findings."""
    if not result.findings:
        return result
    from audit.knowledge.remediation import attach

    return replace(result, findings=tuple(attach(f) for f in result.findings))


async def run_check(
    check: Check, ctx: AuditContext, budget: float, deadline_bound: bool
) -> CheckResult:
    """Run one check within `budget` seconds; the single exception boundary."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(budget):
            result = await check.run(ctx)
        result = _with_remediation(result)
    except TimeoutError:
        reason = UnknownReason.DEADLINE if deadline_bound else UnknownReason.TIMEOUT
        result = _timed_out(check.id, budget, reason)
    except Exception as exc:  # the one boundary: a bug becomes unknown(internal)
        log.exception("check %s failed", check.id)
        result = _internal_failure(check.id, exc)
    return replace(result, duration_s=round(time.perf_counter() - started, 3))


async def classify_bounces(
    paths: Sequence[str], budget: float
) -> tuple[tuple[Classification, ...] | None, list[Unknown]]:
    """The --bounce rejections, classified in a worker thread within `budget` seconds.

    None when no --bounce was given. A file that vanished since validation, a run out of
    time or a classifier bug becomes a run-level unknown: the checks still report.
    """
    if not paths:
        return None, []
    from audit.bounce.files import classify_bounce_files
    from audit.model.errors import InputError

    try:
        async with asyncio.timeout(budget):
            classified, truncated = await asyncio.to_thread(classify_bounce_files, paths)
    except TimeoutError:
        detail = f"not classified within the run's deadline ({budget:g}s)"
        return (), [Unknown("bounces", UnknownReason.DEADLINE, detail)]
    except InputError as exc:
        return (), [Unknown("bounces", UnknownReason.MALFORMED, str(exc))]
    except Exception as exc:  # the one boundary: a bug becomes unknown(internal)
        log.exception("classifying the --bounce files failed")
        detail = f"{type(exc).__name__}: {exc}"[:300] + f"; please report it at {ISSUES_URL}"
        return (), [Unknown("bounces", UnknownReason.INTERNAL, detail)]
    if not truncated:
        return classified, []
    detail = (
        f"{truncated} more rejection(s) beyond the limit of {len(classified)} a run were not "
        "classified; split the --bounce files"
    )
    return classified, [Unknown("bounces", UnknownReason.INPUT_LIMIT, detail)]


def _dns_client(run: RunOptions) -> DnsClient:
    settings = {"timeout": run.timeout, "retries": run.retries, "concurrency": run.concurrency}
    if run.multiplexed_dns:
        from audit.net.dns_mux import MuxDnsClient

        return MuxDnsClient(run.nameservers, **settings)  # type: ignore[arg-type]
    return DnsClient(run.nameservers, **settings)  # type: ignore[arg-type]


async def _target(plan: RunPlan, dns: DnsClient | None) -> tuple[Target, list[Unknown]]:
    run = plan.run
    if not plan.derives_ips or dns is None:
        ips = tuple(SendingIp(ip, IpSource.GIVEN) for ip in dict.fromkeys(run.given_ips))
        return Target(run.domain, ips, dict(plan.target_extra)), []
    try:
        async with asyncio.timeout(run.deadline):
            return await resolve_target(dns, run.domain, run.given_ips, run.log_files)
    except TimeoutError:
        detail = "could not be derived in time"
        return Target(run.domain, ()), [Unknown("sending IPs", UnknownReason.DEADLINE, detail)]


async def run_audit(
    plan: RunPlan,
    *,
    clock: Callable[[], datetime] = utc_now,
    observer: CheckObserver | None = None,
) -> AuditResult:
    """The one run path of every command: target, checks, --bounce files, verdict."""
    run_clock = RunClock(clock(), plan.run.started or time.perf_counter())
    warm_up((*(m for check in plan.checks for m in check.warm_imports), *plan.warm_imports))
    dns = _dns_client(plan.run) if plan.needs_dns else None
    try:
        return await _run(plan, dns, run_clock, clock, observer)
    finally:
        close = getattr(dns, "close", None)  # the multiplexed client holds sockets
        if close is not None:
            close()


async def _run(
    plan: RunPlan,
    dns: DnsClient | None,
    run_clock: RunClock,
    clock: Callable[[], datetime],
    observer: CheckObserver | None,
) -> AuditResult:
    run = plan.run
    target, run_unknowns = await _target(plan, dns)
    ctx = AuditContext(
        run=run,
        target=target,
        client=dns,
        check_options={type(options): options for options in plan.check_options},
        selected=frozenset(check.id for check in plan.checks),
        clock=clock,
        deadline_at=run_clock.started + run.deadline,
    )

    async def one(check: Check) -> CheckResult:
        remaining = max(run.deadline - (time.perf_counter() - run_clock.started), 0.001)
        budget = min(run.check_timeout, remaining)
        result = await run_check(check, ctx, budget, budget < run.check_timeout)
        if observer is not None:
            observer(result)
        return result

    try:
        results = await asyncio.gather(*(one(c) for c in plan.checks))
    finally:
        ctx.facts.cancel_pending()
    ordered = tuple(sorted(results, key=lambda r: list(CheckId).index(r.check)))
    remaining = max(run.deadline - (time.perf_counter() - run_clock.started), 0.001)
    rejections, bounce_unknowns = await classify_bounces(run.bounce_files, remaining)
    if plan.retarget is not None:
        target = plan.retarget(target, ordered)
    return assemble_result(
        ordered,
        target,
        run_clock,
        dns.info if dns is not None else ResolverInfo(nameservers=(), public=False),
        run.fail_on,
        run.allow_incomplete,
        run_unknowns=(*run_unknowns, *bounce_unknowns),
        dns_lookups=tuple(dns.lookups[: run.dns_log_limit]) if dns is not None else (),
        rejections=rejections,
        compliance=plan.conclude(ordered) if plan.conclude is not None else None,
    )


class RunClock(NamedTuple):  # a NamedTuple: a sixth of a frozen dataclass's cost to define
    """When a run started: the wall-clock timestamp and the monotonic start."""

    started_at: datetime
    started: float


def assemble_result(
    checks: tuple[CheckResult, ...],
    target: Target,
    run_clock: RunClock,
    resolver: ResolverInfo,
    fail_on: Severity | None,
    allow_incomplete: bool,
    run_unknowns: tuple[Unknown, ...] = (),
    dns_lookups: tuple[Lookup, ...] = (),
    rejections: tuple[Classification, ...] | None = None,
    compliance: Compliance | None = None,
) -> AuditResult:
    """The one place an `AuditResult` and its verdict are put together."""
    return AuditResult(
        tool_version=__version__,
        target=target,
        started_at=run_clock.started_at,
        duration_s=round(time.perf_counter() - run_clock.started, 3),
        resolver=resolver,
        checks=checks,
        summary=summarize(checks, run_unknowns, fail_on, allow_incomplete),
        unknowns=run_unknowns,
        dns_lookups=dns_lookups,
        rejections=rejections,
        compliance=compliance,
    )
