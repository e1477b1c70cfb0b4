"""The report's appendix: the run, per-check raw evidence, and every DNS lookup."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from audit.render.report.appendix_mail import relay_section, volume_section
from audit.render.report.view import (
    STATUS_LABELS,
    Cell,
    DataTable,
    Fact,
    Section,
    check_label,
    display_date,
    flatten,
    text_of,
)

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


def _spf(evidence: Mapping[str, Any]) -> Section:
    limits = evidence.get("limits", {})
    facts = (
        Fact("Record", text_of(evidence.get("record")), mono=True),
        Fact("DNS lookups", f"{evidence.get('dns_lookups')} (limit {limits.get('dns_lookups')})"),
        Fact(
            "Void lookups", f"{evidence.get('void_lookups')} (limit {limits.get('void_lookups')})"
        ),
    )
    costs = tuple(
        (Cell(str(c["term"]), mono=True), Cell(str(c["dns_lookups"])), Cell(str(c["void_lookups"])))
        for c in evidence.get("include_costs", [])
    )
    results = tuple(
        (
            Cell(str(r["ip"]), mono=True),
            Cell(str(r.get("domain", ""))),
            Cell(str(r["result"])),
            Cell(text_of(r.get("matched_term")), mono=True),
        )
        for r in [*evidence.get("results", []), *evidence.get("helo_results", [])]
    )
    tables = (
        DataTable(("Include", "DNS lookups", "Void lookups"), costs, "Cost of each include"),
        DataTable(("IP", "Identity", "Result", "Matched"), results, "check_host() per IP"),
    )
    return Section("SPF", facts, tuple(t for t in tables if t.rows))


def _dkim(evidence: Mapping[str, Any]) -> Section:
    rows = []
    for found in evidence.get("found", []):
        key = found.get("key") or {}
        rows.append(
            (
                Cell(str(found.get("selector", "")), note=str(found.get("name", "")), mono=True),
                Cell(f"{key.get('key_type', '?')} {key.get('bits') or ''}".strip()),
                Cell(text_of(key.get("flags") or []), note=str(key.get("state", ""))),
                Cell(str(key.get("record", "")), mono=True),
            )
        )
    facts = (Fact("Selectors probed", str(len(evidence.get("selectors_tried", [])))),)
    table = DataTable(("Selector", "Key", "Flags", "Record"), tuple(rows), css_class="dkim")
    return Section("DKIM", facts, (table,) if rows else (), "" if rows else "No DKIM key found.")


def _dmarc(evidence: Mapping[str, Any]) -> Section:
    tags = evidence.get("tags") or {}
    facts = (
        Fact("Record", text_of(evidence.get("record")), mono=True),
        Fact("Found at", text_of(evidence.get("location")), mono=True),
        Fact("Rules", text_of(evidence.get("rules_note") or evidence.get("rules"))),
    )
    tag_rows = tuple(
        (Cell(str(k), mono=True), Cell("; ".join(f.value for f in flatten(v)), mono=True))
        for k, v in sorted(tags.items())
    )
    alignment = tuple(
        (
            Cell(str(a["ip"]), mono=True),
            Cell(text_of(a.get("spf_result"))),
            Cell(text_of(a.get("dkim_available"))),
            Cell(text_of(a.get("dmarc_with_spf_only"))),
        )
        for a in evidence.get("alignment", [])
    )
    tables = (
        DataTable(("Tag", "Value"), tag_rows, "Tags"),
        DataTable(
            ("IP", "SPF", "DKIM key published", "DMARC with SPF only"),
            alignment,
            "Alignment per sending IP",
        ),
    )
    return Section("DMARC", facts, tuple(t for t in tables if t.rows))


def _generic(check_id: str, evidence: Mapping[str, Any]) -> Section:
    return Section(check_label(check_id), flatten(evidence, limit=80))


def _blacklist(evidence: Mapping[str, Any]) -> Section:
    rows = tuple(
        (
            Cell(str(entry["name"]), note=str(entry["zone"])),
            Cell(
                str(entry.get("health", "")),
                "ok" if entry.get("health") == "healthy" else "unknown",
                str(entry.get("health_detail", "")),
            ),
            Cell(str(entry.get("impact", ""))),
        )
        for entry in evidence.get("lists", [])
    )
    resolver = evidence.get("resolver") or {}
    facts = (
        Fact("Lists queried", str(len(rows))),
        Fact("Resolver rewrites NXDOMAIN", text_of(resolver.get("nxdomain_rewrite"))),
        Fact("Resolver warnings", text_of(resolver.get("warnings") or [])),
    )
    return Section("Blocklists", facts, (DataTable(("List", "Health", "Impact"), rows),))


SECTION_BUILDERS: dict[str, Callable[[Mapping[str, Any]], Section]] = {
    "blacklist": _blacklist,
    "spf": _spf,
    "dkim": _dkim,
    "dmarc": _dmarc,
    "relay": relay_section,
    "volume": volume_section,
}


def evidence_sections(document: Mapping[str, Any]) -> tuple[Section, ...]:
    sections = []
    for check in document["checks"]:
        if check["status"] == "skipped" or check["id"] == "ptr":  # ptr: the IP table
            continue
        builder = SECTION_BUILDERS.get(check["id"])
        evidence = check.get("evidence", {})
        sections.append(builder(evidence) if builder else _generic(check["id"], evidence))
    return tuple(sections)


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
