"""Summary, exit codes and the delisting verdict (audit/engine/verdict.py, audit/model.py)."""

from __future__ import annotations

import pytest

from audit.engine.verdict import (
    EXIT_FINDINGS,
    EXIT_INCOMPLETE,
    EXIT_INTERNAL,
    EXIT_OK,
    summarize,
)
from audit.model import (
    CheckId,
    CheckResult,
    CheckStatus,
    Finding,
    Severity,
    SummaryStatus,
    Unknown,
    UnknownReason,
)


def finding(code: str = "PTR_GENERIC", severity: Severity = Severity.MEDIUM) -> Finding:
    return Finding(CheckId.PTR, code, severity, "192.0.2.1", "title")


def failed(*findings: Finding, check: CheckId = CheckId.PTR) -> CheckResult:
    return CheckResult(check=check, findings=findings)


def unknown(check: CheckId = CheckId.SPF) -> CheckResult:
    return CheckResult(
        check=check, unknowns=(Unknown("example.test", UnknownReason.TIMEOUT, "no answer"),)
    )


def internal(check: CheckId = CheckId.DKIM) -> CheckResult:
    return CheckResult(
        check=check,
        unknowns=(Unknown(check.value, UnknownReason.INTERNAL, "KeyError"),),
        internal_error=True,
    )


CLEAN = CheckResult(check=CheckId.DMARC)
RUN_UNKNOWN = Unknown("sending IPs", UnknownReason.DEADLINE, "")


def summary(checks, run_unknowns=(), fail_on=Severity.HIGH, allow_incomplete=False):
    return summarize(list(checks), list(run_unknowns), fail_on, allow_incomplete)


# -- model -----------------------------------------------------------------------------------


def test_severities_are_ordered():
    assert sorted(Severity) == [
        Severity.INFO,
        Severity.LOW,
        Severity.MEDIUM,
        Severity.HIGH,
        Severity.CRITICAL,
    ]


@pytest.mark.parametrize("text", ["high", "HIGH", " High "])
def test_severity_parses_case_insensitively(text):
    assert Severity.parse(text) is Severity.HIGH


def test_unknown_severity_is_rejected():
    with pytest.raises(ValueError):
        Severity.parse("severe")


def test_check_ids_are_the_spec_ids():
    assert {c.value for c in CheckId} <= {
        "blacklist",
        "ptr",
        "spf",
        "dkim",
        "dmarc",
        "relay",
        "volume",
        "mx",
        "message",  # the `message` command's check (SPEC "Commands"; its id to add to "Check ids")
    }


@pytest.mark.parametrize(
    ("result", "status"),
    [
        (CheckResult(check=CheckId.PTR), CheckStatus.PASS),
        (failed(finding()), CheckStatus.FAIL),
        (failed(finding(severity=Severity.INFO)), CheckStatus.PASS),
        (unknown(), CheckStatus.UNKNOWN),
        (CheckResult(check=CheckId.PTR, skipped=True), CheckStatus.SKIPPED),
        (
            CheckResult(check=CheckId.PTR, findings=(finding(),), unknowns=unknown().unknowns),
            CheckStatus.FAIL,
        ),
    ],
)
def test_check_status(result, status):
    assert result.status is status


def test_findings_sort_by_severity_then_code():
    ordered = sorted(
        [
            finding("PTR_MULTIPLE", Severity.LOW),
            finding("PTR_MISSING", Severity.HIGH),
            finding("PTR_GENERIC", Severity.MEDIUM),
            finding("PTR_FCRDNS_FAILED", Severity.HIGH),
        ],
        key=Finding.sort_key,
    )
    assert [f.code for f in ordered] == [
        "PTR_FCRDNS_FAILED",
        "PTR_MISSING",
        "PTR_GENERIC",
        "PTR_MULTIPLE",
    ]


# -- exit codes ------------------------------------------------------------------------------


def test_nothing_found_is_exit_0_pass():
    result = summary([CLEAN])
    assert (result.exit_code, result.status) == (EXIT_OK, SummaryStatus.PASS)


def test_finding_at_fail_on_is_exit_1():
    result = summary([failed(finding(severity=Severity.HIGH))])
    assert (result.exit_code, result.status) == (EXIT_FINDINGS, SummaryStatus.FAIL)


def test_finding_below_fail_on_is_exit_0():
    assert summary([failed(finding(severity=Severity.MEDIUM))]).exit_code == EXIT_OK


@pytest.mark.parametrize(
    ("fail_on", "exit_code"),
    [
        (Severity.INFO, EXIT_FINDINGS),
        (Severity.LOW, EXIT_FINDINGS),
        (Severity.MEDIUM, EXIT_FINDINGS),
        (Severity.HIGH, EXIT_OK),
        (Severity.CRITICAL, EXIT_OK),
        (None, EXIT_OK),
    ],
)
def test_fail_on_threshold_for_a_medium_finding(fail_on, exit_code):
    assert summary([failed(finding(severity=Severity.MEDIUM))], fail_on=fail_on).exit_code == (
        exit_code
    )


def test_fail_on_never_ignores_even_critical_findings():
    result = summary([failed(finding(severity=Severity.CRITICAL))], fail_on=None)
    assert result.exit_code == EXIT_OK


def test_info_finding_fails_at_fail_on_info():
    result = summary([failed(finding(severity=Severity.INFO))], fail_on=Severity.INFO)
    assert result.exit_code == EXIT_FINDINGS


def test_unknown_check_is_exit_3_incomplete():
    result = summary([CLEAN, unknown()])
    assert (result.exit_code, result.status) == (EXIT_INCOMPLETE, SummaryStatus.INCOMPLETE)


def test_run_level_unknown_is_exit_3():
    assert summary([CLEAN], run_unknowns=[RUN_UNKNOWN]).exit_code == EXIT_INCOMPLETE


def test_allow_incomplete_is_exit_0_but_still_incomplete():
    result = summary([CLEAN, unknown()], allow_incomplete=True)
    assert (result.exit_code, result.status) == (EXIT_OK, SummaryStatus.INCOMPLETE)


def test_skipped_check_is_not_incomplete():
    skipped = CheckResult(
        check=CheckId.SPF,
        skipped=True,
        unknowns=(Unknown("x", UnknownReason.NOT_APPLICABLE, ""),),
    )
    assert summary([CLEAN, skipped]).exit_code == EXIT_OK


def test_failing_finding_outranks_incomplete():
    result = summary([failed(finding(severity=Severity.HIGH)), unknown()])
    assert (result.exit_code, result.status) == (EXIT_FINDINGS, SummaryStatus.FAIL)


def test_allow_incomplete_does_not_hide_failing_findings():
    result = summary([failed(finding(severity=Severity.HIGH)), unknown()], allow_incomplete=True)
    assert result.exit_code == EXIT_FINDINGS


def test_internal_error_is_exit_4():
    result = summary([CLEAN, internal()])
    assert (result.exit_code, result.status) == (EXIT_INTERNAL, SummaryStatus.INCOMPLETE)


def test_internal_error_outranks_failing_findings():
    result = summary([failed(finding(severity=Severity.CRITICAL)), internal()])
    assert result.exit_code == EXIT_INTERNAL


def test_internal_error_is_not_hidden_by_allow_incomplete():
    assert summary([internal()], allow_incomplete=True).exit_code == EXIT_INTERNAL


# -- counts and delisting ----------------------------------------------------------------------


def test_counts_and_worst_severity():
    result = summary(
        [
            failed(finding("PTR_MISSING", Severity.HIGH), finding("PTR_MULTIPLE", Severity.LOW)),
            failed(finding("PTR_GENERIC", Severity.MEDIUM), check=CheckId.SPF),
        ]
    )
    assert dict(result.counts) == {"critical": 0, "high": 1, "medium": 1, "low": 1, "info": 0}
    assert result.worst_severity is Severity.HIGH


def test_no_findings_has_no_worst_severity():
    assert summary([CLEAN]).worst_severity is None


def test_info_only_worst_severity_is_info():
    assert summary([failed(finding(severity=Severity.INFO))]).worst_severity is Severity.INFO


def test_blocking_finding_makes_delisting_not_ready():
    result = summary([failed(finding("PTR_MISSING", Severity.HIGH))])
    assert result.delisting_ready is False
    assert result.delisting_blockers == ("PTR_MISSING",)


def passed(check: CheckId) -> CheckResult:
    return CheckResult(check=check)


def test_non_blocking_finding_leaves_delisting_ready():
    others = [passed(c) for c in (CheckId.SPF, CheckId.DKIM, CheckId.DMARC, CheckId.RELAY)]
    result = summary([failed(finding("PTR_GENERIC", Severity.MEDIUM)), *others])
    assert (result.delisting_ready, result.delisting_blockers) == (True, ())


def test_run_without_the_cause_checks_is_not_ready():
    """Given only a blacklist check (the `blacklist` command), then the verdict names the
    cause-finding checks it did not run instead of saying ready."""
    result = summary([passed(CheckId.BLACKLIST)])
    assert result.delisting_ready is False
    assert result.delisting_unchecked == ("ptr", "spf", "dkim", "dmarc", "relay")


def test_blockers_are_unique_and_sorted():
    result = summary(
        [
            failed(
                finding("PTR_MISSING", Severity.HIGH),
                finding("PTR_FCRDNS_FAILED", Severity.HIGH),
                finding("PTR_MISSING", Severity.HIGH),
            )
        ]
    )
    assert result.delisting_blockers == ("PTR_FCRDNS_FAILED", "PTR_MISSING")


def test_blockers_do_not_depend_on_fail_on():
    result = summary([failed(finding("PTR_MISSING", Severity.HIGH))], fail_on=None)
    assert result.delisting_blockers == ("PTR_MISSING",)


def test_fail_on_never_keeps_status_fail_over_high_findings() -> None:
    """Given a high finding, when --fail-on is never, then exit 0 but the status says fail."""
    from audit.engine.verdict import summarize
    from audit.model import CheckId, CheckResult, Finding, Severity

    finding = Finding(CheckId.PTR, "PTR_MISSING", Severity.HIGH, "192.0.2.1", "t")
    summary = summarize([CheckResult(CheckId.PTR, findings=(finding,))], [], None, False)
    assert summary.exit_code == 0
    assert summary.status.value == "fail"


def test_incomplete_audit_is_never_ready_for_delisting() -> None:
    """Given no findings but an unknown, when summarised, then delisting is not ready."""
    from audit.engine.verdict import summarize
    from audit.model import CheckId, CheckResult, Severity, Unknown, UnknownReason

    unknown = Unknown("192.0.2.1", UnknownReason.TIMEOUT)
    summary = summarize([CheckResult(CheckId.PTR, unknowns=(unknown,))], [], Severity.HIGH, True)
    assert summary.delisting_ready is False
    assert summary.delisting_blockers == ()
