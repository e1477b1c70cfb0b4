"""The report's appendix: the run, per-check raw evidence (each check's own section,
audit/render/report/sections.py), and every DNS lookup."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from audit.model.view import Cell, CheckView, DataTable, Fact, Section, text_of
from audit.render.report.view import STATUS_LABELS, check_label, display_date

STATUS_TONES = {"pass": "ok", "fail": "bad", "unknown": "unknown", "skipped": "muted"}
LOOKUP_TONES = {"answer": "", "nxdomain": "muted", "nodata": "muted", "unknown": "unknown"}
DNS_ROW_LIMIT = 2000


def run_section(document: Mapping[str, Any]) -> Section:
    resolver = document["resolver"]
    facts = [
        Fact("Started", f"{display_date(document['started_at'])} ({document['started_at']})"),
        Fact("Duration", f"{document['duration_s']:.2f} s"),
        Fact("Tool", f"{document['tool']['name']} {document['tool']['version']}"),
        Fact("Resolver(s)", ", ".join(resolver["nameservers"]) or "—", mono=True),
        Fact("Public resolver", "yes" if resolver["public"] else "no"),
    ]
    checks = tuple(
        (
            Cell(check_label(c["id"])),
            Cell(STATUS_LABELS.get(c["status"], c["status"]), STATUS_TONES.get(c["status"], "")),
            Cell(f"{c['duration_s']:.2f} s"),
            Cell(c["detail"]),
        )
        for c in document["checks"]
    )
    table = DataTable(("Check", "Status", "Duration", "Detail"), checks, css_class="checks")
    return Section("Run and resolver", tuple(facts), (table,))


def evidence_sections(views: Mapping[str, CheckView]) -> tuple[Section, ...]:
    """Each check's appendix section, in the document's check order (ptr has none: the
    IP table shows its evidence)."""
    return tuple(view.appendix for view in views.values() if view.appendix is not None)


def dns_table(document: Mapping[str, Any]) -> DataTable:
    lookups = document.get("appendix", {}).get("dns", [])
    rows = tuple(
        (
            Cell(str(lookup.get("name", "")), mono=True),
            Cell(str(lookup.get("type", ""))),
            Cell(
                str(lookup.get("status", "")),
                LOOKUP_TONES.get(lookup.get("status", ""), ""),
                str(lookup.get("reason", "")),
            ),
            Cell("\n".join(str(r) for r in lookup.get("records", [])), mono=True),
            Cell(text_of(lookup.get("ttl"))),
        )
        for lookup in lookups[:DNS_ROW_LIMIT]
    )
    caption = f"{len(lookups)} lookups" + (
        f" (first {DNS_ROW_LIMIT} shown)" if len(lookups) > DNS_ROW_LIMIT else ""
    )
    return DataTable(("Name", "Type", "Status", "Records", "TTL"), rows, caption, "dns")
