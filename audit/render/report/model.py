"""The report view model: pure functions from the JSON result document to what the
HTML template needs (sorted, grouped, labelled).

Built from the document (`audit.render.json_report.to_document`), so a live audit and
a saved result (`mailhygiene report RESULT.json`) render the same way. Nothing here
reads the clock: the date shown is the run's, so the same input gives the same HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from audit.knowledge.remediation import catalog
from audit.render.branding import ReportBranding
from audit.render.report.appendix import dns_table, evidence_sections, run_section
from audit.render.report.chart import VolumeChart, volume_chart
from audit.render.report.ips import blocklist_matrix, ip_table
from audit.render.report.playbook import LISTING_CODES, Playbook, build_playbooks, playbook_anchor
from audit.render.report.rejections import RejectionPlaybook, build_rejection_playbooks
from audit.render.report.smtp import smtp_table
from audit.render.report.view import (
    SEVERITIES,
    STATUS_LABELS,
    DataTable,
    Fact,
    Section,
    check_label,
    display_date,
    flatten,
    reason_label,
)

OVERALL_LABELS = {
    "pass": "No significant issues",
    "fail": "Action required",
    "incomplete": "Incomplete audit",
}


@dataclass(frozen=True)
class Blocker:
    code: str
    severity: str
    title: str
    anchor: str


@dataclass(frozen=True)
class Verdict:
    kind: str  # "ready", "blocked", "unknown"
    headline: str
    explanation: str
    blockers: tuple[Blocker, ...] = ()


@dataclass(frozen=True)
class Tile:
    check: str
    label: str
    status: str
    status_label: str
    detail: str
    findings: int


@dataclass(frozen=True)
class FindingView:
    anchor: str
    code: str
    severity: str
    check: str
    check_label: str
    title: str
    subject: str
    detail: str
    why: str
    summary: str
    steps: tuple[str, ...]
    links: tuple[str, ...]
    evidence: tuple[Fact, ...]
    playbook_anchor: str | None


@dataclass(frozen=True)
class UnknownView:
    where: str
    subject: str
    reason: str
    detail: str


@dataclass(frozen=True)
class ReportView:
    branding: ReportBranding
    subject: str
    domain: str | None
    date: str
    tool_version: str
    overall: str
    overall_label: str
    verdict: Verdict
    counts: tuple[tuple[str, int], ...]
    tiles: tuple[Tile, ...]
    ip_table: DataTable
    matrix: DataTable | None
    smtp: DataTable | None
    findings: tuple[FindingView, ...]
    volume_chart: VolumeChart | None
    playbooks: tuple[Playbook, ...]
    rejection_playbooks: tuple[RejectionPlaybook, ...]
    unknowns: tuple[UnknownView, ...]
    public_resolver_warning: str | None
    run: Section
    evidence: tuple[Section, ...]
    dns: DataTable


def finding_anchor(index: int, finding: Mapping[str, Any]) -> str:
    return f"finding-{index + 1}-{finding['code'].lower()}"


def _blockers(document: Mapping[str, Any]) -> tuple[Blocker, ...]:
    codes = set(document["summary"]["delisting"]["blockers"])
    return tuple(
        Blocker(f["code"], f["severity"], f["title"], finding_anchor(i, f))
        for i, f in enumerate(document["findings"])
        if f["code"] in codes
    )


def verdict(document: Mapping[str, Any]) -> Verdict:
    delisting = document["summary"]["delisting"]
    listed = any(f["code"] in LISTING_CODES for f in document["findings"])
    if delisting["ready"]:
        note = "" if listed else " Nothing is currently listed on the lists checked."
        return Verdict(
            "ready",
            "Ready to request delisting",
            "No finding blocks a delisting request and every check completed." + note,
        )
    if delisting["blockers"]:
        return Verdict(
            "blocked",
            "Fix these first",
            "List operators relist quickly when the cause is still there. Fix these "
            "findings, re-run the audit, then request delisting:",
            _blockers(document),
        )
    unchecked = delisting.get("unchecked", [])
    if unchecked:
        names = ", ".join(check_label(c) for c in unchecked)
        why = f"This run did not check {names}; run the full audit before requesting delisting."
    else:
        why = (
            "Some checks could not be completed (see “What could not be determined”); "
            "re-run the audit before requesting delisting."
        )
    return Verdict("unknown", "Not yet known", why)


def _tiles(document: Mapping[str, Any]) -> tuple[Tile, ...]:
    counts: dict[str, int] = {}
    for finding in document["findings"]:
        counts[finding["check"]] = counts.get(finding["check"], 0) + 1
    return tuple(
        Tile(
            c["id"],
            check_label(c["id"]),
            c["status"],
            STATUS_LABELS.get(c["status"], c["status"]),
            c["detail"],
            counts.get(c["id"], 0),
        )
        for c in document["checks"]
    )


def _finding_view(index: int, finding: Mapping[str, Any]) -> FindingView:
    remediation = finding.get("remediation") or {}
    entry = catalog().get(finding["code"])
    listing = finding["code"] in LISTING_CODES
    return FindingView(
        anchor=finding_anchor(index, finding),
        code=finding["code"],
        severity=finding["severity"],
        check=finding["check"],
        check_label=check_label(finding["check"]),
        title=finding["title"],
        subject=finding["subject"],
        detail=finding["detail"],
        why=entry.why if entry else "",
        summary=str(remediation.get("summary", "")),
        steps=tuple(remediation.get("steps", [])),
        links=tuple(remediation.get("links", [])),
        # A listing's evidence is laid out in its playbook.
        evidence=() if listing else flatten(finding.get("evidence", {})),
        playbook_anchor=playbook_anchor(finding) if listing else None,
    )


def _unknowns(document: Mapping[str, Any]) -> tuple[UnknownView, ...]:
    views = [
        UnknownView(check_label(c["id"]), u["subject"], reason_label(u["reason"]), u["detail"])
        for c in document["checks"]
        for u in c.get("unknowns", [])
    ]
    views += [
        UnknownView("Audit", u["subject"], reason_label(u["reason"]), u["detail"])
        for u in document.get("unknowns", [])
    ]
    views += [
        UnknownView(check_label(c["id"]), "whole check", "not run in this audit", c["detail"])
        for c in document["checks"]
        if c["status"] == "skipped"
    ]
    views += [
        UnknownView(check_label(c), "whole check", "not run in this audit", "")
        for c in document["summary"]["delisting"].get("unchecked", [])
        if c not in {check["id"] for check in document["checks"]}
    ]
    return tuple(views)


def _public_warning(document: Mapping[str, Any]) -> str | None:
    resolver = document["resolver"]
    if not resolver["public"]:
        return None
    names = ", ".join(resolver.get("public_names") or resolver["nameservers"])
    return (
        f"The audit used a public resolver ({names}). Spamhaus and other lists refuse "
        "queries from public resolvers, so their answers are reported as unknown, not clean."
    )


def _subject(document: Mapping[str, Any]) -> str:
    """What the report is about: the domain, else the sending IPs, else the log files."""
    target = document["target"]
    if target.get("domain"):
        return str(target["domain"])
    ips = [ip["ip"] for ip in target["ips"]]
    if ips:
        return ", ".join(ips[:3]) + (f" and {len(ips) - 3} more" if len(ips) > 3 else "")
    files = [str(f.get("path", "")).rsplit("/", 1)[-1] for f in _log_files(document)]
    if files:
        return "mail logs: " + ", ".join(files[:2]) + (" …" if len(files) > 2 else "")
    return "—"


def _log_files(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    for check in document["checks"]:
        if check["id"] == "volume" and check["status"] != "skipped":
            return [f for f in check.get("evidence", {}).get("files", []) if isinstance(f, Mapping)]
    return []


def build_report(document: Mapping[str, Any], branding: ReportBranding) -> ReportView:
    """Everything the HTML template shows, from a (validated) result document."""
    summary = document["summary"]
    date = display_date(document["started_at"])
    return ReportView(
        branding=branding,
        subject=_subject(document),
        domain=document["target"].get("domain"),
        date=date,
        tool_version=document["tool"]["version"],
        overall=summary["status"],
        overall_label=OVERALL_LABELS.get(summary["status"], summary["status"]),
        verdict=verdict(document),
        counts=tuple((s, int(summary["counts"].get(s, 0))) for s in SEVERITIES),
        tiles=_tiles(document),
        ip_table=ip_table(document),
        matrix=blocklist_matrix(document),
        smtp=smtp_table(document),
        findings=tuple(_finding_view(i, f) for i, f in enumerate(document["findings"])),
        volume_chart=volume_chart(document),
        playbooks=build_playbooks(document, date),
        rejection_playbooks=build_rejection_playbooks(document, date),
        unknowns=_unknowns(document),
        public_resolver_warning=_public_warning(document),
        run=run_section(document),
        evidence=evidence_sections(document),
        dns=dns_table(document),
    )
