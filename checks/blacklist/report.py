"""The blacklist check's part of the report: its column of the per-IP table (listed /
unknown / clean per list), the lists x targets matrix, and its appendix section (each
list's health and impact, the resolver's NXDOMAIN behaviour).

Pure functions of the check's part of the result document. An *unknown* lookup reads
"unknown", never clean (SPEC.md "Outcomes are three-state").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import cast

from audit.model.document import CheckDocument
from audit.model.view import (
    NOT_CHECKED,
    Cell,
    CheckView,
    DataTable,
    Fact,
    IpColumns,
    Section,
    Subsection,
    text_of,
)
from checks.blacklist.evidence import (
    BlacklistEvidenceDocument,
    BlacklistResolverEvidence,
    BlacklistResultEvidence,
)

MATRIX_MAX_TARGETS = 8
STATE_CELLS = {
    "listed": Cell("listed", "bad"),
    "clean": Cell("clean", "ok"),
    "unknown": Cell("unknown", "unknown"),
}
NO_LIST_APPLIES = Cell("no list applies", "muted")


def _list_names(evidence: BlacklistEvidenceDocument) -> dict[str, str]:
    return {str(entry["id"]): str(entry["name"]) for entry in evidence.get("lists", [])}


def _rows_by_target(
    evidence: BlacklistEvidenceDocument,
) -> dict[str, list[BlacklistResultEvidence]]:
    grouped: dict[str, list[BlacklistResultEvidence]] = defaultdict(list)
    for row in evidence.get("results", []):
        grouped[str(row["target"])].append(row)
    return grouped


def status_cell(rows: list[BlacklistResultEvidence], names: Mapping[str, str]) -> Cell:
    """One target's blocklist status over every list that applies to it."""
    listed = sorted(names.get(r["list"], r["zone"]) for r in rows if r["state"] == "listed")
    unknown = sum(1 for r in rows if r["state"] == "unknown")
    clean = sum(1 for r in rows if r["state"] == "clean")
    note = f"clean on {clean} of {len(rows)}" + (f", unknown on {unknown}" if unknown else "")
    if listed:
        return Cell(f"listed on {len(listed)}", "bad", f"{', '.join(listed)}; {note}")
    if unknown:
        return Cell(f"unknown on {unknown}", "unknown", note)
    return Cell("clean", "ok", note) if rows else NO_LIST_APPLIES


def ip_columns(evidence: BlacklistEvidenceDocument) -> IpColumns:
    if not evidence:  # the check ran but recorded nothing (e.g. it crashed)
        return IpColumns({}, (NOT_CHECKED,))
    names = _list_names(evidence)
    by_target = _rows_by_target(evidence)
    return IpColumns(
        {target: (status_cell(rows, names),) for target, rows in by_target.items()},
        (NO_LIST_APPLIES,),
    )


def matrix(evidence: BlacklistEvidenceDocument) -> DataTable | None:
    """Lists x targets (listed / clean / unknown); None when too wide or empty."""
    targets = _rows_by_target(evidence)
    if not targets or len(targets) > MATRIX_MAX_TARGETS:
        return None
    order = list(targets)
    states = {(r["list"], r["target"]): r["state"] for r in evidence.get("results", [])}
    rows = []
    for entry in evidence.get("lists", []):
        cells = [
            STATE_CELLS.get(states.get((entry["id"], t), ""), Cell("—", "muted")) for t in order
        ]
        if all(c.text == "—" for c in cells):
            continue
        rows.append((Cell(str(entry["name"]), note=str(entry["zone"])), *cells))
    headers = ("List", *order)
    return DataTable(headers, tuple(rows), css_class="matrix")


def appendix(evidence: BlacklistEvidenceDocument) -> Section:
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
    resolver = evidence.get("resolver") or BlacklistResolverEvidence(
        nameservers=[], public=False, nxdomain_rewrite=None, warnings=[]
    )
    facts = (
        Fact("Lists queried", str(len(rows))),
        Fact("Resolver rewrites NXDOMAIN", text_of(resolver.get("nxdomain_rewrite"))),
        Fact("Resolver warnings", text_of(resolver.get("warnings") or [])),
    )
    return Section("Blocklists", facts, (DataTable(("List", "Health", "Impact"), rows),))


def section(check: CheckDocument) -> CheckView:
    # The one place the document's evidence becomes this check's type: the builder wrote
    # it from that type, a saved document was validated against the schema.
    evidence = cast(BlacklistEvidenceDocument, check["evidence"])
    table = matrix(evidence)
    subsections = (Subsection("Blocklist status per list", table),) if table else ()
    return CheckView(appendix(evidence), ip_columns(evidence), subsections)
