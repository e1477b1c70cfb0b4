"""The report's per-sending-IP table and the blocklist matrix, from the JSON document.

A value a check did not produce reads "not checked"; an *unknown* lookup reads
"unknown", never clean (SPEC.md "Outcomes are three-state").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from audit.render.report.view import SOURCE_LABELS, Cell, DataTable

MATRIX_MAX_TARGETS = 8
NOT_CHECKED = Cell("not checked", "muted")
STATE_CELLS = {
    "listed": Cell("listed", "bad"),
    "clean": Cell("clean", "ok"),
    "unknown": Cell("unknown", "unknown"),
}
SPF_TONES = {"pass": "ok", "fail": "bad", "softfail": "warn", "neutral": "warn", "none": "warn"}


def evidence_of(document: Mapping[str, Any], check_id: str) -> Mapping[str, Any] | None:
    for check in document["checks"]:
        if check["id"] == check_id and check["status"] != "skipped":
            evidence: Mapping[str, Any] = check.get("evidence", {})
            return evidence
    return None


def _by_ip(rows: Any) -> dict[str, Mapping[str, Any]]:
    return {r["ip"]: r for r in rows or [] if isinstance(r, Mapping) and "ip" in r}


def _ptr_cells(entry: Mapping[str, Any] | None) -> tuple[Cell, Cell]:
    if entry is None:
        return NOT_CHECKED, NOT_CHECKED
    status = entry.get("ptr_lookup", {}).get("status")
    names = entry.get("ptr") or []
    if status == "unknown":
        ptr = Cell("unknown", "unknown", entry["ptr_lookup"].get("reason", ""))
    elif not names:
        ptr = Cell("none", "bad", f"reverse lookup: {status}")
    else:
        generic = entry.get("generic_reason")
        ptr = Cell(", ".join(names), "warn" if generic else "", generic or "", mono=True)
    fcrdns = entry.get("fcrdns")
    if fcrdns is None or status == "unknown":
        return ptr, Cell("unknown", "unknown")
    return ptr, Cell("confirmed", "ok") if fcrdns else Cell("failed", "bad")


def _spf_cell(entry: Mapping[str, Any] | None, checked: bool) -> Cell:
    if not checked:
        return NOT_CHECKED
    if entry is None:
        return Cell("unknown", "unknown")
    result = str(entry.get("result", "unknown"))
    note = f"matched {entry['matched_term']}" if entry.get("matched_term") else ""
    tone = SPF_TONES.get(result, "unknown" if result == "temperror" else "bad")
    return Cell(result, tone, note)


def _list_names(evidence: Mapping[str, Any]) -> dict[str, str]:
    return {str(entry["id"]): str(entry["name"]) for entry in evidence.get("lists", [])}


def _blocklist_cell(rows: list[Mapping[str, Any]] | None, names: Mapping[str, str]) -> Cell:
    if rows is None:
        return NOT_CHECKED
    listed = sorted(names.get(r["list"], r["zone"]) for r in rows if r["state"] == "listed")
    unknown = sum(1 for r in rows if r["state"] == "unknown")
    clean = sum(1 for r in rows if r["state"] == "clean")
    note = f"clean on {clean} of {len(rows)}" + (f", unknown on {unknown}" if unknown else "")
    if listed:
        return Cell(f"listed on {len(listed)}", "bad", f"{', '.join(listed)}; {note}")
    if unknown:
        return Cell(f"unknown on {unknown}", "unknown", note)
    return Cell("clean", "ok", note) if rows else Cell("no list applies", "muted")


def _rows_by_target(evidence: Mapping[str, Any] | None) -> dict[str, list[Mapping[str, Any]]]:
    grouped: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in (evidence or {}).get("results", []):
        grouped[str(row["target"])].append(row)
    return grouped


def ip_table(document: Mapping[str, Any]) -> DataTable:
    ptr_evidence = evidence_of(document, "ptr")
    spf_evidence = evidence_of(document, "spf")
    blacklist = evidence_of(document, "blacklist")
    ptr_rows = _by_ip((ptr_evidence or {}).get("ips"))
    spf_rows = _by_ip((spf_evidence or {}).get("results"))
    targets = _rows_by_target(blacklist)
    names = _list_names(blacklist or {})
    rows = []
    for ip in document["target"]["ips"]:
        address = ip["ip"]
        ptr, fcrdns = _ptr_cells(ptr_rows.get(address) if ptr_evidence is not None else None)
        rows.append(
            (
                Cell(address, mono=True),
                Cell(SOURCE_LABELS.get(ip["source"], ip["source"]), note=ip.get("detail", "")),
                ptr,
                fcrdns,
                _spf_cell(spf_rows.get(address), spf_evidence is not None),
                _blocklist_cell(targets.get(address, []) if blacklist else None, names),
            )
        )
    headers = ("Sending IP", "Source", "PTR", "FCrDNS", "SPF", "Blocklists")
    return DataTable(headers, tuple(rows), css_class="ips")


def blocklist_matrix(document: Mapping[str, Any]) -> DataTable | None:
    """Lists x targets (listed / clean / unknown); None when too wide or not checked."""
    evidence = evidence_of(document, "blacklist")
    targets = _rows_by_target(evidence)
    if evidence is None or not targets or len(targets) > MATRIX_MAX_TARGETS:
        return None
    order = list(targets)
    states = {(str(r["list"]), str(r["target"])): str(r["state"]) for r in evidence["results"]}
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
