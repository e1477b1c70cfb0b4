"""Summary, delisting verdict and exit code, computed from the model (never in a renderer).

Exit codes (SPEC.md): 0 clean, 1 a finding at or above --fail-on, 3 incomplete, 4
internal error; precedence 4 > 1 > 3 > 0. Exit 2 (usage) is raised before a run.
"""

from __future__ import annotations

from collections.abc import Sequence

from audit.model import (
    CheckId,
    CheckResult,
    CheckStatus,
    Finding,
    Severity,
    Summary,
    SummaryStatus,
    Unknown,
)

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3
EXIT_INTERNAL = 4

# The checks that find the causes list operators look for before delisting (SPEC.md:
# PTR, SPF/DKIM/DMARC, open relay). A run that skipped any of them cannot call itself "ready".
DELISTING_CAUSE_CHECKS: tuple[CheckId, ...] = (
    CheckId.PTR,
    CheckId.SPF,
    CheckId.DKIM,
    CheckId.DMARC,
    CheckId.RELAY,
)


def is_incomplete(checks: Sequence[CheckResult], run_unknowns: Sequence[Unknown]) -> bool:
    return bool(run_unknowns) or any(
        c.unknowns or c.status is CheckStatus.UNKNOWN for c in checks if not c.skipped
    )


def summarize(
    checks: Sequence[CheckResult],
    run_unknowns: Sequence[Unknown],
    fail_on: Severity | None,
    allow_incomplete: bool,
) -> Summary:
    findings = [f for c in checks for f in c.findings]
    counts = {s.label: 0 for s in sorted(Severity, reverse=True)}
    for finding in findings:
        counts[finding.severity.label] += 1
    worst = max((f.severity for f in findings), default=None)
    failing = fail_on is not None and worst is not None and worst >= fail_on
    incomplete = is_incomplete(checks, run_unknowns)
    internal = any(c.internal_error for c in checks)
    if internal:
        exit_code = EXIT_INTERNAL
    elif failing:
        exit_code = EXIT_FINDINGS
    elif incomplete and not allow_incomplete:
        exit_code = EXIT_INCOMPLETE
    else:
        exit_code = EXIT_OK
    # `--fail-on never` changes only the exit code: the status still says that findings
    # at the default threshold exist, so a report never reads "pass" over them.
    status_threshold = fail_on if fail_on is not None else Severity.HIGH
    if worst is not None and worst >= status_threshold:
        status = SummaryStatus.FAIL
    elif incomplete or internal:
        status = SummaryStatus.INCOMPLETE
    else:
        status = SummaryStatus.PASS
    blockers = _delisting_blockers(findings)
    ran = {c.check for c in checks if not c.skipped}
    unchecked = tuple(c.value for c in DELISTING_CAUSE_CHECKS if c not in ran)
    return Summary(
        status=status,
        exit_code=exit_code,
        worst_severity=worst,
        counts=counts,
        # Unknown is never clean: an incomplete audit cannot say "ready".
        delisting_ready=not blockers and not unchecked and not incomplete and not internal,
        delisting_blockers=blockers,
        delisting_unchecked=unchecked,
    )


def _delisting_blockers(findings: Sequence[Finding]) -> tuple[str, ...]:
    """The finding codes that block delisting; the remediation catalog loads only for findings."""
    if not findings:
        return ()
    from audit.knowledge.remediation import blocks_delisting

    return tuple(sorted({f.code for f in findings if blocks_delisting(f.code)}))
