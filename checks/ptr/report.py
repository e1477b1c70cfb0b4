"""The ptr check's part of the report: the PTR and FCrDNS columns of the per-IP table.

Its evidence has no appendix section of its own: the IP table shows it all, and the raw
answers are in the DNS appendix. A pure function of the check's part of the document.
"""

from __future__ import annotations

from typing import cast

from audit.model.document import CheckDocument
from audit.model.view import NOT_CHECKED, Cell, CheckView, IpColumns
from checks.ptr.evidence import PtrEvidenceDocument, PtrIpEvidence


def ptr_cells(entry: PtrIpEvidence) -> tuple[Cell, Cell]:
    """(PTR, FCrDNS) for one sending IP's row of the evidence."""
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


def ip_columns(evidence: PtrEvidenceDocument) -> IpColumns:
    rows = [r for r in evidence.get("ips") or [] if "ip" in r]
    return IpColumns({r["ip"]: ptr_cells(r) for r in rows}, (NOT_CHECKED, NOT_CHECKED))


def section(check: CheckDocument) -> CheckView:
    # The one place the document's evidence becomes this check's type: the builder
    # wrote it from that type, and a saved document was validated against the schema.
    evidence = cast(PtrEvidenceDocument, check["evidence"])
    return CheckView(ip_columns=ip_columns(evidence))
