"""The one async runner: target resolution, then every selected check concurrently.

Each check runs under its own timeout and the run's global deadline. This is the only
place that turns exceptions into outcomes: a check that raises becomes
`unknown(internal)` (exit code 4) and the other checks still report.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from audit import __version__
from audit.engine.check import Check
from audit.engine.context import AuditContext, AuditOptions, utc_now
from audit.engine.targets import resolve_target
from audit.engine.verdict import summarize
from audit.knowledge.remediation import attach
from audit.model import (
    AuditResult,
    CheckId,
    CheckResult,
    ResolverInfo,
    Severity,
    Target,
    Unknown,
    UnknownReason,
)
from audit.net.dns import DnsClient, Lookup, Nameserver

if TYPE_CHECKING:
    from audit.model.rejection import Classification

log = logging.getLogger(__name__)

ISSUES_URL = "https://github.com/mailhygiene/mailhygiene/issues"

CheckObserver = Callable[[CheckResult], None]


@dataclass(frozen=True)
class RunConfig:
    options: AuditOptions
    check_ids: tuple[CheckId, ...]
    nameservers: tuple[Nameserver, ...]
    given_ips: tuple[str, ...] = ()
    timeout: float = 3.0  # per DNS query
    retries: int = 1
    deadline: float = 120.0  # whole run
    fail_on: Severity | None = Severity.HIGH
    allow_incomplete: bool = False
    concurrency: int = 128
    dns_log_limit: int = 2000
    extra: dict[str, object] = field(default_factory=dict)


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


async def run_check(
    check: Check, ctx: AuditContext, budget: float, deadline_bound: bool
) -> CheckResult:
    """Run one check within `budget` seconds; the single exception boundary."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(budget):
            result = await check.run(ctx)
        result = replace(result, findings=tuple(attach(f) for f in result.findings))
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


async def run_audit(
    config: RunConfig,
    checks: Sequence[Check],
    *,
    clock: Callable[[], datetime] = utc_now,
    observer: CheckObserver | None = None,
) -> tuple[AuditResult, DnsClient]:
    started_at = clock()
    started = time.perf_counter()
    dns = DnsClient(
        config.nameservers,
        timeout=config.timeout,
        retries=config.retries,
        concurrency=config.concurrency,
    )
    run_unknowns: list[Unknown] = []
    try:
        async with asyncio.timeout(config.deadline):
            target, run_unknowns = await resolve_target(
                dns, config.options.domain, config.given_ips, config.options.log_files
            )
    except TimeoutError:
        target = Target(config.options.domain, ())
        run_unknowns = [
            Unknown("sending IPs", UnknownReason.DEADLINE, "could not be derived in time")
        ]
    ctx = AuditContext(dns=dns, options=config.options, target=target, clock=clock)

    async def one(check: Check) -> CheckResult:
        remaining = max(config.deadline - (time.perf_counter() - started), 0.001)
        budget = min(config.options.check_timeout, remaining)
        result = await run_check(check, ctx, budget, budget < config.options.check_timeout)
        if observer is not None:
            observer(result)
        return result

    results = await asyncio.gather(*(one(c) for c in checks))
    ordered = tuple(sorted(results, key=lambda r: list(CheckId).index(r.check)))
    remaining = max(config.deadline - (time.perf_counter() - started), 0.001)
    rejections, bounce_unknowns = await classify_bounces(config.options.bounce_files, remaining)
    run_unknowns = [*run_unknowns, *bounce_unknowns]
    result = assemble_result(
        ordered,
        target,
        RunClock(started_at, started),
        dns.info,
        config.fail_on,
        config.allow_incomplete,
        run_unknowns=tuple(run_unknowns),
        dns_lookups=tuple(dns.lookups[: config.dns_log_limit]),
        rejections=rejections,
    )
    return result, dns


@dataclass(frozen=True)
class RunClock:
    """When a run started: the wall-clock timestamp and the monotonic start."""

    started_at: datetime
    started: float

    @classmethod
    def now(cls, clock: Callable[[], datetime] = utc_now) -> RunClock:
        return cls(clock(), time.perf_counter())


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
) -> AuditResult:
    """The one place an `AuditResult` and its verdict are put together (audit, and the
    single-check commands `blacklist` and `logs`)."""
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
    )
