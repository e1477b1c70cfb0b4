"""Rebuild an `AuditResult` from a saved JSON result (`mailhygiene report RESULT.json`).

Every renderer is a function of `AuditResult`, so re-rendering a saved result goes
through the same model as a live audit: one source of truth. The document is validated
against the shipped schema first; anything unreadable, malformed or from an unknown
schema is an `InputError` (exit 2). The summary is taken as recorded, never recomputed:
the report describes that run. `from_document(to_document(r))` renders identically.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from audit.knowledge.providers import Reason
from audit.model import (
    AuditResult,
    CheckId,
    CheckResult,
    CheckStatus,
    Finding,
    IpSource,
    Remediation,
    ResolverInfo,
    SendingIp,
    Severity,
    Summary,
    SummaryStatus,
    Target,
    Unknown,
    UnknownReason,
)
from audit.model.errors import InputError
from audit.model.rejection import Classification

TARGET_KEYS = ("domain", "ips")


@dataclass(frozen=True)
class StoredLookup:
    """A DNS lookup as saved in `appendix.dns` (quacks like `audit.net.dns.Lookup`)."""

    name: str
    rdtype: str
    evidence: Mapping[str, Any]

    def to_evidence(self) -> dict[str, Any]:
        return dict(self.evidence)


def _schema() -> dict[str, Any]:
    text = (resources.files("audit") / "schema" / "result.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def validate_document(document: Any, where: str) -> None:
    import jsonschema

    if not isinstance(document, dict) or document.get("schema_version") != "1":
        raise InputError(f'{where}: not a mailhygiene result (schema_version "1")')
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(_schema()).iter_errors(document)
    )
    if error is not None:
        path = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        message = " ".join(error.message.split())[:200]
        raise InputError(f"{where}: invalid result document at {path}: {message}")


def load_document(path: Path) -> dict[str, Any]:
    """Read and validate a saved result; every failure is one InputError line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"cannot read {path}: not UTF-8 text") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not JSON ({exc.msg}, line {exc.lineno})") from None
    validate_document(document, str(path))
    return dict(document)


def _enum(kind: Any, value: Any, what: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        raise InputError(f"unknown {what} {value!r} (written by a newer version?)") from None


def _unknown(raw: Mapping[str, Any]) -> Unknown:
    reason = _enum(UnknownReason, raw["reason"], "unknown reason")
    return Unknown(subject=raw["subject"], reason=reason, detail=raw.get("detail", ""))


def _remediation(raw: Mapping[str, Any] | None) -> Remediation | None:
    if raw is None:
        return None
    return Remediation(
        summary=raw["summary"],
        steps=tuple(raw["steps"]),
        links=tuple(raw["links"]),
        provider=raw.get("provider"),
    )


def _finding(raw: Mapping[str, Any]) -> Finding:
    return Finding(
        check=_enum(CheckId, raw["check"], "check id"),
        code=raw["code"],
        severity=Severity.parse(raw["severity"]),
        subject=raw["subject"],
        title=raw["title"],
        detail=raw["detail"],
        evidence=raw["evidence"],
        remediation=_remediation(raw["remediation"]),
    )


def _check(raw: Mapping[str, Any], findings: list[Finding]) -> CheckResult:
    check_id = _enum(CheckId, raw["id"], "check id")
    unknowns = tuple(_unknown(u) for u in raw.get("unknowns", []))
    return CheckResult(
        check=check_id,
        evidence=raw["evidence"],
        findings=tuple(f for f in findings if f.check is check_id),
        unknowns=unknowns,
        detail=raw["detail"],
        skipped=raw["status"] == CheckStatus.SKIPPED.value,
        internal_error=any(u.reason is UnknownReason.INTERNAL for u in unknowns),
        duration_s=raw["duration_s"],
    )


def _target(raw: Mapping[str, Any]) -> Target:
    ips = tuple(
        SendingIp(ip["ip"], _enum(IpSource, ip["source"], "IP source"), ip.get("detail", ""))
        for ip in raw["ips"]
    )
    extra = {k: v for k, v in raw.items() if k not in TARGET_KEYS}
    return Target(domain=raw["domain"], ips=ips, extra=extra)


def _summary(raw: Mapping[str, Any]) -> Summary:
    delisting = raw["delisting"]
    worst = raw["worst_severity"]
    return Summary(
        status=SummaryStatus(raw["status"]),
        exit_code=raw["exit_code"],
        worst_severity=Severity.parse(worst) if worst else None,
        counts=dict(raw["counts"]),
        delisting_ready=delisting["ready"],
        delisting_blockers=tuple(delisting["blockers"]),
        delisting_unchecked=tuple(delisting.get("unchecked", [])),
    )


def _classification(raw: Mapping[str, Any]) -> Classification:
    remediation = _remediation(raw["remediation"])
    assert remediation is not None  # the schema requires it
    return Classification(
        input=raw["input"],
        provider=raw["provider"],
        blocklist=raw["blocklist"],
        reason=_enum(Reason, raw["reason"], "rejection reason"),
        sending_ip=raw["sending_ip"],
        temporary=raw["temporary"],
        remediation=remediation,
    )


def _rejections(document: Mapping[str, Any]) -> tuple[Classification, ...] | None:
    if "rejections" not in document:  # no --bounce in that run (or an older version)
        return None
    return tuple(_classification(r) for r in document["rejections"])


def _lookups(document: Mapping[str, Any]) -> tuple[StoredLookup, ...]:
    entries = document.get("appendix", {}).get("dns", [])
    return tuple(
        StoredLookup(str(e.get("name", "")), str(e.get("type", "")), e)
        for e in entries
        if isinstance(e, dict)
    )


def _started_at(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"invalid started_at {text!r}: not an ISO-8601 timestamp") from None


def from_document(document: Mapping[str, Any]) -> AuditResult:
    """The `AuditResult` a validated document describes."""
    findings = [_finding(f) for f in document["findings"]]
    resolver = document["resolver"]
    return AuditResult(
        tool_version=document["tool"]["version"],
        target=_target(document["target"]),
        started_at=_started_at(document["started_at"]),
        duration_s=document["duration_s"],
        resolver=ResolverInfo(
            nameservers=tuple(resolver["nameservers"]),
            public=resolver["public"],
            public_names=tuple(resolver.get("public_names", [])),
        ),
        checks=tuple(_check(c, findings) for c in document["checks"]),
        summary=_summary(document["summary"]),
        unknowns=tuple(_unknown(u) for u in document.get("unknowns", [])),
        dns_lookups=_lookups(document),
        rejections=_rejections(document),
    )


def load_result(path: Path) -> AuditResult:
    return from_document(load_document(path))
