"""The spf check's part of the report: the SPF column of the per-IP table (the
check_host() result for that IP) and its appendix section (the record, lookup counts
against the RFC 7208 §4.6.4 limits, the cost of each include, the result per IP).

Pure functions of the check's part of the result document.
"""

from __future__ import annotations

from typing import cast

from audit.model.document import CheckDocument
from audit.model.view import Cell, CheckView, DataTable, Fact, IpColumns, Section, text_of
from checks.spf.evidence import SpfEvidenceDocument, SpfOutcomeEvidence

SPF_TONES = {"pass": "ok", "fail": "bad", "softfail": "warn", "neutral": "warn", "none": "warn"}
NO_RESULT = Cell("unknown", "unknown")  # the check ran but has no result for this IP


def result_cell(entry: SpfOutcomeEvidence) -> Cell:
    result = str(entry.get("result", "unknown"))
    note = f"matched {entry['matched_term']}" if entry.get("matched_term") else ""
    tone = SPF_TONES.get(result, "unknown" if result == "temperror" else "bad")
    return Cell(result, tone, note)


def ip_columns(evidence: SpfEvidenceDocument) -> IpColumns:
    rows = [r for r in evidence.get("results") or [] if "ip" in r]
    return IpColumns({r["ip"]: (result_cell(r),) for r in rows}, (NO_RESULT,))


def appendix(evidence: SpfEvidenceDocument) -> Section:
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


def section(check: CheckDocument) -> CheckView:
    # The one place the document's evidence becomes this check's type: the builder wrote
    # it from that type, a saved document was validated against the schema.
    evidence = cast(SpfEvidenceDocument, check["evidence"])
    return CheckView(appendix(evidence), ip_columns(evidence))
