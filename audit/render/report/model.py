"""The report view model: pure functions from the result document to what the HTML
template needs (sorted, grouped, labelled).

Built from the document (audit/render/document/build.py), so a live audit and a saved
result (`mailhygiene report RESULT.json`) render the same way. What is specific to one
check comes from that check's report section (`checks/<id>/report.py`, called through
audit/render/report/sections.py); this module keeps the parts every report shares:
verdict, tiles, findings, unknowns, playbooks. Nothing here reads the clock: the date
shown is the run's, so the same input gives the same HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from audit.knowledge.remediation import catalog
from audit.model.document import FindingDocument, ResultDocument
from audit.model.view import CheckView, DataTable, Fact, Section, Subsection, flatten
from audit.render.branding import ReportBranding
from audit.render.report.appendix import dns_table, evidence_sections, run_section
from audit.render.report.chart import VolumeChart, volume_chart
from audit.render.report.compliance import (
    ProviderRequirements,
    provider_requirements,
    requirement_notes,
)
from audit.render.report.layout import ip_subsections, ip_table
from audit.render.report.playbook import LISTING_CODES, Playbook, build_playbooks, playbook_anchor
from audit.render.report.rejections import RejectionPlaybook, build_rejection_playbooks
from audit.render.report.sections import check_views
from audit.render.report.view import (
    SEVERITIES,
    STATUS_LABELS,
    check_label,
    display_date,
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
    # Provider rules not met (a rejection for them is not a listing): fix before asking.
    requirement_notes: tuple[str, ...] = ()


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
    ip_subsections: tuple[Subsection, ...]  # relay's servers probed, blacklist's matrix
    findings: tuple[FindingView, ...]
    volume_chart: VolumeChart | None
    playbooks: tuple[Playbook, ...]
    rejection_playbooks: tuple[RejectionPlaybook, ...]
    unknowns: tuple[UnknownView, ...]
    compliance: tuple[ProviderRequirements, ...]
    public_resolver_warning: str | None
    run: Section
    evidence: tuple[Section, ...]
    dns: DataTable


def finding_anchor(index: int, finding: FindingDocument) -> str:
    return f"finding-{index + 1}-{finding['code'].lower()}"


def _blockers(document: ResultDocument) -> tuple[Blocker, ...]:
    codes = set(document["summary"]["delisting"]["blockers"])
    return tuple(
        Blocker(f["code"], f["severity"], f["title"], finding_anchor(i, f))
        for i, f in enumerate(document["findings"])
        if f["code"] in codes
    )


def verdict(document: ResultDocument) -> Verdict:
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


def _tiles(document: ResultDocument) -> tuple[Tile, ...]:
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


def _finding_view(index: int, finding: FindingDocument) -> FindingView:
    remediation = finding["remediation"]
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
        summary=remediation["summary"] if remediation else "",
        steps=tuple(remediation["steps"]) if remediation else (),
        links=tuple(remediation["links"]) if remediation else (),
        # A listing's evidence is laid out in its playbook.
        evidence=() if listing else flatten(finding["evidence"]),
        playbook_anchor=playbook_anchor(finding) if listing else None,
    )


def _unknowns(document: ResultDocument) -> tuple[UnknownView, ...]:
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


def _public_warning(document: ResultDocument) -> str | None:
    resolver = document["resolver"]
    if not resolver["public"]:
        return None
    names = ", ".join(resolver.get("public_names") or resolver["nameservers"])
    return (
        f"The audit used a public resolver ({names}). Spamhaus and other lists refuse "
        "queries from public resolvers, so their answers are reported as unknown, not clean."
    )


def _subject(document: ResultDocument, views: Mapping[str, CheckView]) -> str:
    """What the report is about: the domain, else the sending IPs, else what a check
    says (the volume check: the log files)."""
    target = document["target"]
    if target.get("domain"):
        return str(target["domain"])
    ips = [ip["ip"] for ip in target["ips"]]
    if ips:
        return ", ".join(ips[:3]) + (f" and {len(ips) - 3} more" if len(ips) > 3 else "")
    return next((v.subject for v in views.values() if v.subject), "—")


def build_report(document: ResultDocument, branding: ReportBranding) -> ReportView:
    """Everything the HTML template shows, from a (validated) result document."""
    summary = document["summary"]
    date = display_date(document["started_at"])
    views = check_views(document)
    providers = provider_requirements(document)
    delisting = verdict(document)
    return ReportView(
        branding=branding,
        subject=_subject(document, views),
        domain=document["target"].get("domain"),
        date=date,
        tool_version=document["tool"]["version"],
        overall=summary["status"],
        overall_label=OVERALL_LABELS.get(summary["status"], summary["status"]),
        verdict=replace(delisting, requirement_notes=requirement_notes(providers)),
        counts=tuple((s, int(summary["counts"].get(s, 0))) for s in SEVERITIES),
        tiles=_tiles(document),
        ip_table=ip_table(document, views),
        ip_subsections=ip_subsections(views),
        findings=tuple(_finding_view(i, f) for i, f in enumerate(document["findings"])),
        volume_chart=volume_chart(document),
        playbooks=build_playbooks(document, date),
        rejection_playbooks=build_rejection_playbooks(document, date),
        unknowns=_unknowns(document),
        compliance=providers,
        public_resolver_warning=_public_warning(document),
        run=run_section(document),
        evidence=evidence_sections(views),
        dns=dns_table(document),
    )
