"""The report view model: pure functions from the result document to what the HTML
template needs (sorted, grouped, labelled, bounded).

Built from the document (audit/render/document/build.py), so a live audit and a saved
result (`mailhygiene report RESULT.json`) render the same way. What is specific to one
check comes from that check's report section (`checks/<id>/report.py`, called through
audit/render/report/sections.py); this module keeps the parts every report shares:
verdict, grades, action plan, grouped findings, playbooks, methodology. Every table of
the main report is capped ("and N more"); the annex and the JSON hold everything.
Nothing here reads the clock: the date shown is the run's, so the same input gives the
same HTML.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from audit.model.document import FindingDocument, ResultDocument
from audit.model.view import CheckView, DataTable, Fact, Section, Subsection
from audit.render.branding import ReportBranding
from audit.render.report.appendix import dns_table, evidence_sections, run_section
from audit.render.report.chart import VolumeChart, volume_chart
from audit.render.report.compliance import (
    REQUIREMENTS_ADVICE,
    RequirementsChapter,
    requirement_notes,
    requirements_chapter,
)
from audit.render.report.delisting.playbook import (
    LISTING_CODES,
    SELF_SERVICE_ADVICE,
    Playbook,
    build_playbooks,
    listing_row,
)
from audit.render.report.delisting.rejections import build_rejection_playbooks
from audit.render.report.groups import (
    GRADE_METHOD,
    Area,
    build_areas,
    build_groups,
    finding_anchor,
)
from audit.render.report.layout import alike_runs, ip_subsections, ip_table
from audit.render.report.plan import PlanStep, build_plan, top_causes
from audit.render.report.sections import check_views
from audit.render.report.view import SEVERITIES, check_label, display_date, reason_label
from audit.render.report.wording import address_runs, client_text

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
class UnknownView:
    where: str
    subject: str
    reason: str
    detail: str


def _blockers(document: ResultDocument) -> tuple[Blocker, ...]:
    codes = set(document["summary"]["delisting"]["blockers"])
    return tuple(
        Blocker(f["code"], f["severity"], client_text(f["title"]), finding_anchor(i, f))
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
            "List operators relist quickly when the cause is still there. Fix the causes "
            "below, re-run the audit, then request delisting.",
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


def _unknowns(document: ResultDocument) -> tuple[UnknownView, ...]:
    views = [
        UnknownView(
            check_label(c["id"]), u["subject"], reason_label(u["reason"]), client_text(u["detail"])
        )
        for c in document["checks"]
        for u in c.get("unknowns", [])
    ]
    views += [
        UnknownView("Audit", u["subject"], reason_label(u["reason"]), client_text(u["detail"]))
        for u in document.get("unknowns", [])
    ]
    views += [
        UnknownView(
            check_label(c["id"]), "whole check", "not run in this audit", client_text(c["detail"])
        )
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


MAX_SUMMARY_LISTINGS = 8
MAX_IP_ROWS = 8
# Past MANY_ROWS listings (a 50-IP audit: 140) the first rows stand for the rest: every
# row is in the playbooks, the annex and the JSON, and the summary stays within 2 pages.
MANY_ROWS = 20
MAX_SUMMARY_LISTINGS_MANY = 4
MAX_TABLE_ROWS = 10
MAX_UNKNOWNS = 12
# With nothing undetermined, the methodology says so in a line, not a chapter section.
ALL_DETERMINED = Fact(
    "Could not be determined", "nothing: everything the audit checked could be determined"
)
ALL_CHECKED_AND_DETERMINED = Fact(
    "Not checked", "nothing: every check ran, and everything it checked could be determined"
)
SEVERITY_LEGEND = (
    ("critical", "Mail is being blocked now, or the server can be abused; fix first."),
    ("high", "Causes rejections or blocks delisting; fix before requesting delisting."),
    ("medium", "Weakens authentication or reputation; fix in the coming weeks."),
    ("low", "Best-practice gap; fix when convenient."),
    ("info", "For information; no action needed."),
)


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
    areas: tuple[Area, ...]
    grade_method: str
    listings: DataTable
    listing_count: int
    listed_ips: tuple[str, ...]
    listed_ip_runs: tuple[str, ...]  # the same, consecutive addresses as runs
    listed_lists: tuple[str, ...]
    plan: tuple[PlanStep, ...]
    top_causes: tuple[PlanStep, ...]
    ip_table: DataTable
    ip_subsections: tuple[Subsection, ...]  # relay's servers probed, blacklist's matrix
    volume_chart: VolumeChart | None
    playbooks: tuple[Playbook, ...]
    self_service_advice: str | None  # once, when a playbook's route is a self-service form
    rejection_playbooks: tuple[Playbook, ...]  # operators of rejections only, no listing
    unknowns: tuple[UnknownView, ...]
    unknowns_more: int
    compliance: RequirementsChapter | None
    requirements_advice: str
    public_resolver_warning: str | None
    methodology: tuple[Fact, ...]
    severity_legend: tuple[tuple[str, str], ...]
    appendix: bool
    annex_tables: tuple[Subsection, ...]  # the main report's capped tables, in full
    run: Section
    evidence: tuple[Section, ...]
    dns: DataTable


def cap(table: DataTable, limit: int) -> DataTable:
    """At most `limit` rows, the rest counted ("and N more"); the annex has them all."""
    more = len(table.rows) - limit
    if more <= 0:
        return table
    note = f"and {more} more; every row is in the annex and the JSON result."
    caption = f"{table.caption} {note}".strip() if table.caption else note[:1].upper() + note[1:]
    return dataclasses.replace(table, rows=table.rows[:limit], caption=caption)


def cap_many(table: DataTable, limit: int, many_limit: int) -> DataTable:
    """`cap` at `limit` rows, or at `many_limit` when the table has more than MANY_ROWS."""
    return cap(table, many_limit if len(table.rows) > MANY_ROWS else limit)


def _listings(
    findings: Sequence[FindingDocument],
) -> tuple[DataTable, tuple[str, ...], tuple[str, ...]]:
    listed = [f for f in findings if f["code"] in LISTING_CODES]
    table = DataTable(
        ("Listed", "List", "Category", "Return code"),
        tuple(listing_row(f) for f in listed),
        css_class="listings",
    )
    ips = tuple(dict.fromkeys(f["subject"] for f in listed))
    lists = tuple(
        dict.fromkeys(
            str(f["evidence"].get("list_name") or f["evidence"].get("zone")) for f in listed
        )
    )
    return table, ips, lists


def _vantage(document: ResultDocument) -> str | None:
    relay = next((c for c in document["checks"] if c["id"] == "relay"), None)
    servers = relay["evidence"].get("servers", []) if relay else []
    vantages = [s.get("vantage") or {} for s in servers]
    if not vantages:
        return None
    if any(v.get("internal") for v in vantages):
        reasons = ", ".join(
            dict.fromkeys(str(v.get("reason", "")) for v in vantages if v.get("internal"))
        )
        return (
            f"from inside the server's networks ({reasons}); confirm a relay finding from outside"
        )
    return "from outside the server's networks"


def _methodology(
    document: ResultDocument, date: str, determined: bool, tool_on_cover: bool
) -> tuple[Fact, ...]:
    """The methodology's facts; `determined`: nothing ended unknown (said in the "Not
    checked" line when every check ran, else in a line of its own); the tool and its
    version only when the cover does not name them."""
    resolver = document["resolver"]
    ran = [check_label(c["id"]) for c in document["checks"] if c["status"] != "skipped"]
    skipped = [check_label(c["id"]) for c in document["checks"] if c["status"] == "skipped"]
    skipped += [check_label(c) for c in document["summary"]["delisting"].get("unchecked", [])]
    not_checked = ", ".join(dict.fromkeys(skipped))
    facts = [
        Fact("Audit date", f"{date} (the run took {document['duration_s']:.1f} seconds)"),
        Fact("Checked", ", ".join(ran) or "nothing"),
        Fact("Not checked", not_checked or "nothing: every check ran"),
        Fact("Sending IPs", f"{len(document['target']['ips'])} (from MX, SPF, mail logs or given)"),
        Fact(
            "Resolver",
            ("a public resolver" if resolver["public"] else "the auditor's own resolver")
            + f" ({', '.join(resolver['nameservers']) or 'none'})",
        ),
    ]
    if not tool_on_cover:
        facts.append(Fact("Tool", f"{document['tool']['name']} {document['tool']['version']}"))
    vantage = _vantage(document)
    if vantage:
        facts.insert(5, Fact("Relay probe", "run " + vantage))  # after the resolver
    if determined and not not_checked:
        facts[2] = ALL_CHECKED_AND_DETERMINED
    elif determined:
        facts.append(ALL_DETERMINED)
    return tuple(facts)


def _annex_tables(
    full_ip_table: DataTable, main_ip_table: DataTable, subsections: Sequence[Subsection]
) -> tuple[Subsection, ...]:
    """The tables the main report shortens (runs of alike addresses, caps), in full."""
    shortened = len(main_ip_table.rows) < len(full_ip_table.rows)
    tables = [Subsection("Sending IPs", full_ip_table)] if shortened else []
    tables += [s for s in subsections if len(s.table.rows) > MAX_TABLE_ROWS]
    return tuple(tables)


def build_report(
    document: ResultDocument, branding: ReportBranding, appendix: bool = True
) -> ReportView:
    """Everything the HTML template shows, from a (validated) result document;
    `appendix` False leaves the raw-evidence annex out (the PDF without --appendix)."""
    summary = document["summary"]
    date = display_date(document["started_at"])
    views = check_views(document)
    groups = build_groups(document["findings"])
    plan = build_plan(groups)
    listings, listed_ips, listed_lists = _listings(document["findings"])
    unknowns = _unknowns(document)
    full_ip_table = ip_table(document, views)
    main_ip_table = cap(alike_runs(full_ip_table), MAX_IP_ROWS)
    subsections = ip_subsections(views)
    # The blocklist matrix goes to the annex: the summary's listings table names every
    # listing, and the matrix grows with IPs x lists.
    matrix = tuple(ip_subsections({k: v for k, v in views.items() if k == "blacklist"}))
    main_subsections = tuple(s for s in subsections if s not in matrix)
    chapter = requirements_chapter(document)
    providers = chapter.providers if chapter else ()
    delisting = verdict(document)
    playbooks = build_playbooks(document, branding.fixed)
    rejection_playbooks = build_rejection_playbooks(document, branding.fixed)
    self_service = any(
        r.requestable and not r.letter for p in playbooks + rejection_playbooks for r in p.routes
    )
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
        areas=build_areas(document["checks"], groups),
        grade_method=GRADE_METHOD,
        listings=cap_many(listings, MAX_SUMMARY_LISTINGS, MAX_SUMMARY_LISTINGS_MANY),
        listing_count=len(listings.rows),
        listed_ips=listed_ips,
        listed_ip_runs=address_runs(listed_ips),
        listed_lists=listed_lists,
        plan=plan,
        top_causes=top_causes(plan),
        ip_table=main_ip_table,
        ip_subsections=tuple(
            dataclasses.replace(s, table=cap(s.table, MAX_TABLE_ROWS)) for s in main_subsections
        ),
        volume_chart=volume_chart(document),
        playbooks=playbooks,
        self_service_advice=SELF_SERVICE_ADVICE if self_service else None,
        rejection_playbooks=rejection_playbooks,
        unknowns=unknowns[:MAX_UNKNOWNS],
        unknowns_more=max(0, len(unknowns) - MAX_UNKNOWNS),
        compliance=chapter,
        requirements_advice=REQUIREMENTS_ADVICE,
        public_resolver_warning=_public_warning(document),
        methodology=_methodology(document, date, not unknowns, branding.show_tool),
        severity_legend=SEVERITY_LEGEND,
        appendix=appendix,
        annex_tables=_annex_tables(full_ip_table, main_ip_table, main_subsections) + matrix,
        run=run_section(document),
        evidence=evidence_sections(views),
        dns=dns_table(document),
    )
