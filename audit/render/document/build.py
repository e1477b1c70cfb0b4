"""The result document from the model: the one function every output goes through.

Keys of evidence mappings are sorted so output is deterministic (golden-file tests);
check unknowns are sorted too, findings come sorted from the model (severity, then
code). Validated by audit/schema/result.schema.json (tests/render/test_document.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from audit.model import Unknown

# The document types are for type checking alone (TypedDicts: a document is a plain dict);
# audit.model.document and the remediation model load only where something needs them.
if TYPE_CHECKING:
    from audit.model import AuditResult, CheckResult, Finding, Remediation
    from audit.model.compliance import RuleVerdict  # only a result with a verdict holds them
    from audit.model.document import (
        CheckDocument,
        CheckStatusLabel,
        ClassificationDocument,
        FindingDocument,
        RemediationDocument,
        ResultDocument,
        RuleVerdictDocument,
        SeverityLabel,
        SummaryDocument,
        SummaryStatusLabel,
        TargetDocument,
        UnknownDocument,
    )

SCHEMA_VERSION = "1"


def plain(value: Any) -> Any:
    """Evidence to JSON-safe values with sorted mapping keys."""
    if isinstance(value, Mapping):
        return {str(k): plain(value[k]) for k in sorted(value, key=str)}
    if hasattr(value, "to_evidence"):  # before tuples: a record may be a NamedTuple (Lookup)
        return plain(value.to_evidence())
    if isinstance(value, list | tuple | set | frozenset):
        items = [plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if hasattr(value, "value") and not isinstance(value, int | float | str | bool):
        return value.value
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _remediation(remediation: Remediation | None) -> RemediationDocument | None:
    if remediation is None:
        return None
    return {
        "summary": remediation.summary,
        "steps": list(remediation.steps),
        "links": list(remediation.links),
        "provider": remediation.provider,
    }


def _unknown(unknown: Unknown) -> UnknownDocument:
    return {"subject": unknown.subject, "reason": unknown.reason.value, "detail": unknown.detail}


def _check(check: CheckResult) -> CheckDocument:
    return {
        "id": check.check.value,
        "status": cast("CheckStatusLabel", check.status.value),
        "duration_s": check.duration_s,
        "detail": check.detail,
        "evidence": plain(check.evidence),
        "unknowns": [_unknown(u) for u in sorted(check.unknowns, key=Unknown.sort_key)],
    }


def _finding(finding: Finding) -> FindingDocument:
    return {
        "check": finding.check.value,
        "code": finding.code,
        "severity": cast("SeverityLabel", finding.severity.label),
        "subject": finding.subject,
        "title": finding.title,
        "detail": finding.detail,
        "evidence": plain(finding.evidence),
        "remediation": _remediation(finding.remediation),
    }


def _target(result: AuditResult) -> TargetDocument:
    target: dict[str, Any] = {
        "domain": result.target.domain,
        "ips": [
            {"ip": ip.ip, "source": ip.source.value, "detail": ip.detail}
            for ip in result.target.ips
        ],
    }
    target.update(plain(result.target.extra))  # e.g. `domains` of a multi-domain blacklist
    return cast("TargetDocument", target)


def _summary(result: AuditResult) -> SummaryDocument:
    summary = result.summary
    worst = summary.worst_severity
    return {
        "status": cast("SummaryStatusLabel", summary.status.value),
        "exit_code": summary.exit_code,
        "worst_severity": cast("SeverityLabel", worst.label) if worst is not None else None,
        "counts": dict(summary.counts),
        "delisting": {
            "ready": summary.delisting_ready,
            "blockers": list(summary.delisting_blockers),
            "unchecked": list(summary.delisting_unchecked),
        },
    }


def _rule(verdict: RuleVerdict) -> RuleVerdictDocument:
    return {
        "rule": verdict.rule,
        "provider": verdict.provider,
        "title": verdict.title,
        "bulk": verdict.bulk,
        "state": verdict.state.value,
        "reason": verdict.reason,
        "answered_by": verdict.answered_by,
        "source": verdict.source,
        "snapshot": verdict.snapshot,
    }


def build_document(result: AuditResult) -> ResultDocument:
    """The SPEC's JSON result for `result`; every renderer takes this, never the model."""
    document: ResultDocument = {
        "schema_version": "1",
        "tool": {"name": "mailhygiene", "version": result.tool_version},
        "target": _target(result),
        "started_at": result.started_at.isoformat(),
        "duration_s": result.duration_s,
        "resolver": {
            "nameservers": list(result.resolver.nameservers),
            "public": result.resolver.public,
            "public_names": list(result.resolver.public_names),
        },
        "summary": _summary(result),
        "checks": [_check(c) for c in result.checks],
        "findings": [_finding(f) for f in result.findings],
        "unknowns": [_unknown(u) for u in result.unknowns],
        "appendix": {
            "dns": [
                lookup.to_evidence()
                for lookup in sorted(
                    result.dns_lookups, key=lambda entry: (entry.name, entry.rdtype)
                )
            ]
        },
    }
    if result.compliance is not None:
        document["compliance"] = [_rule(verdict) for verdict in result.compliance.rules]
    if result.rejections is not None:  # present exactly when --bounce was given
        from audit.bounce.explain import classification_document  # only for --bounce runs

        document["rejections"] = [
            cast("ClassificationDocument", classification_document(c)) for c in result.rejections
        ]
    return document
