"""JUnit XML for CI systems that show test reports (GitLab, Jenkins, GitHub actions)."""

from __future__ import annotations

from dataclasses import dataclass

from audit.model import AuditResult, CheckResult, Finding, Severity
from audit.render.templates import environment


@dataclass(frozen=True)
class _Case:
    check: CheckResult
    failing: tuple[Finding, ...]
    other: tuple[Finding, ...]


def render_junit(result: AuditResult, fail_on: Severity | None) -> str:
    def failing(finding: Finding) -> bool:
        return fail_on is not None and finding.severity >= fail_on

    cases = [
        _Case(
            check,
            tuple(f for f in check.findings if failing(f)),
            tuple(f for f in check.findings if not failing(f)),
        )
        for check in result.checks
    ]
    template = environment().get_template("junit.xml.j2")
    return (
        template.render(
            result=result,
            cases=cases,
            failures=sum(1 for c in cases if c.failing),
            errors=sum(1 for c in cases if c.check.unknowns and not c.failing),
            skipped=sum(1 for c in cases if c.check.skipped),
        )
        + "\n"
    )
