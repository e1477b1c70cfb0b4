"""The dkim check's part of the report: its appendix section (every key found, with
its type, size, flags and record, and how many selectors were probed).

A pure function of the check's part of the result document.
"""

from __future__ import annotations

from typing import cast

from audit.model.document import CheckDocument
from audit.model.view import Cell, CheckView, DataTable, Fact, Section, text_of
from checks.dkim.evidence import DkimEvidenceDocument, DkimProbeEvidence


def _key_row(found: DkimProbeEvidence) -> tuple[Cell, ...]:
    key = found.get("key")
    kind = f"{key['key_type']} {key['bits'] or ''}".strip() if key else "?"
    return (
        Cell(found["selector"], note=found["name"], mono=True),
        Cell(kind),
        Cell(text_of(key["flags"] if key else []), note=key["state"] if key else ""),
        Cell(key["record"] if key else "", mono=True),
    )


def appendix(evidence: DkimEvidenceDocument) -> Section:
    rows = [_key_row(found) for found in evidence.get("found", [])]
    facts = (Fact("Selectors probed", str(len(evidence.get("selectors_tried", [])))),)
    table = DataTable(("Selector", "Key", "Flags", "Record"), tuple(rows), css_class="dkim")
    return Section("DKIM", facts, (table,) if rows else (), "" if rows else "No DKIM key found.")


def section(check: CheckDocument) -> CheckView:
    # The one place the document's evidence becomes this check's type: the builder wrote
    # it from that type, a saved document was validated against the schema.
    return CheckView(appendix(cast(DkimEvidenceDocument, check["evidence"])))
