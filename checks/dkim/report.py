"""The dkim check's part of the report: its appendix section (every key found, with
its type, size, flags and record, and how many selectors were probed).

A pure function of the check's part of the result document.
"""

from __future__ import annotations

from audit.model.document import CheckDocument, Evidence
from audit.model.view import Cell, CheckView, DataTable, Fact, Section, text_of


def appendix(evidence: Evidence) -> Section:
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


def section(check: CheckDocument) -> CheckView:
    return CheckView(appendix(check["evidence"]))
