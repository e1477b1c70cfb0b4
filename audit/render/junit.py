"""JUnit XML for CI systems that show test reports (GitLab, Jenkins, GitHub actions).

A function of the result document: one testcase per check; a finding at or above
`--fail-on` is a failure, an unknown an error, the rest goes to system-out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from audit.model import Severity
from audit.model.document import CheckDocument, FindingDocument, ResultDocument
from audit.render.templates import environment


@dataclass(frozen=True)
class _Case:
    check: CheckDocument
    failing: tuple[FindingDocument, ...]
    other: tuple[FindingDocument, ...]

    @property
    def skipped(self) -> bool:
        return self.check["status"] == "skipped"


def _case(
    check: CheckDocument, findings: Sequence[FindingDocument], fail_on: Severity | None
) -> _Case:
    def failing(finding: FindingDocument) -> bool:
        return fail_on is not None and Severity.parse(finding["severity"]) >= fail_on

    own = [f for f in findings if f["check"] == check["id"]]
    return _Case(
        check,
        tuple(f for f in own if failing(f)),
        tuple(f for f in own if not failing(f)),
    )


def render_junit(document: ResultDocument, fail_on: Severity | None) -> str:
    cases = [_case(check, document["findings"], fail_on) for check in document["checks"]]
    template = environment().get_template("junit.xml.j2")
    return (
        template.render(
            document=document,
            cases=cases,
            failures=sum(1 for c in cases if c.failing),
            errors=sum(1 for c in cases if c.check.get("unknowns") and not c.failing),
            skipped=sum(1 for c in cases if c.skipped),
        )
        + "\n"
    )
