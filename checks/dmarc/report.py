"""The dmarc check's part of the report: its appendix section (the record and where
it was found, every tag, and the alignment each sending IP could reach).

A pure function of the check's part of the result document.
"""

from __future__ import annotations

from typing import cast

from audit.model.document import CheckDocument
from audit.model.view import Cell, CheckView, DataTable, Fact, Section, flatten, text_of
from checks.dmarc.evidence import DmarcEvidenceDocument


def appendix(evidence: DmarcEvidenceDocument) -> Section:
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


def section(check: CheckDocument) -> CheckView:
    # The one place the document's evidence becomes this check's type: the builder wrote
    # it from that type, a saved document was validated against the schema.
    return CheckView(appendix(cast(DmarcEvidenceDocument, check["evidence"])))
