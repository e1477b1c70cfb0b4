"""The JSON result document (SPEC.md "JSON result", schema_version "1").

Built from the model by one function; keys of evidence mappings are sorted so output
is deterministic (golden-file tests). Validated by audit/schema/result.schema.json.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from audit.bounce.explain import classification_document
from audit.model import AuditResult, CheckResult, Finding, Remediation, Unknown

SCHEMA_VERSION = "1"


def _plain(value: Any) -> Any:
    """Evidence to JSON-safe values with sorted mapping keys."""
    if isinstance(value, Mapping):
        return {str(k): _plain(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if hasattr(value, "to_evidence"):
        return _plain(value.to_evidence())
    if hasattr(value, "value") and not isinstance(value, int | float | str | bool):
        return value.value
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _remediation(remediation: Remediation | None) -> dict[str, Any] | None:
    if remediation is None:
        return None
    return {
        "summary": remediation.summary,
        "steps": list(remediation.steps),
        "links": list(remediation.links),
        "provider": remediation.provider,
    }


def _unknown(unknown: Unknown) -> dict[str, Any]:
    return {"subject": unknown.subject, "reason": unknown.reason.value, "detail": unknown.detail}


def _check(check: CheckResult) -> dict[str, Any]:
    return {
        "id": check.check.value,
        "status": check.status.value,
        "duration_s": check.duration_s,
        "detail": check.detail,
        "evidence": _plain(check.evidence),
        "unknowns": [_unknown(u) for u in sorted(check.unknowns, key=Unknown.sort_key)],
    }


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "check": finding.check.value,
        "code": finding.code,
        "severity": finding.severity.label,
        "subject": finding.subject,
        "title": finding.title,
        "detail": finding.detail,
        "evidence": _plain(finding.evidence),
        "remediation": _remediation(finding.remediation),
    }


def to_document(result: AuditResult) -> dict[str, Any]:
    summary = result.summary
    target: dict[str, Any] = {
        "domain": result.target.domain,
        "ips": [
            {"ip": ip.ip, "source": ip.source.value, "detail": ip.detail}
            for ip in result.target.ips
        ],
    }
    target.update(_plain(result.target.extra))
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "mailhygiene", "version": result.tool_version},
        "target": target,
        "started_at": result.started_at.isoformat(),
        "duration_s": result.duration_s,
        "resolver": {
            "nameservers": list(result.resolver.nameservers),
            "public": result.resolver.public,
            "public_names": list(result.resolver.public_names),
        },
        "summary": {
            "status": summary.status.value,
            "exit_code": summary.exit_code,
            "worst_severity": (
                summary.worst_severity.label if summary.worst_severity is not None else None
            ),
            "counts": dict(summary.counts),
            "delisting": {
                "ready": summary.delisting_ready,
                "blockers": list(summary.delisting_blockers),
                "unchecked": list(summary.delisting_unchecked),
            },
        },
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
    if result.rejections is not None:  # present exactly when --bounce was given
        document["rejections"] = [classification_document(c) for c in result.rejections]
    return document


def render_json(result: AuditResult) -> str:
    return json.dumps(to_document(result), indent=2, ensure_ascii=False) + "\n"
