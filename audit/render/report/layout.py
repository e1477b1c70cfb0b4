"""Where the checks' report sections go: the per-sending-IP table's columns and the
order of the tables in the Sending IPs chapter. The cells and tables themselves come
from each check's `CheckView` (audit/render/report/sections.py).

A column of a check that did not run reads "not checked" (SPEC.md: unknown is never
clean, and neither is not looked at).
"""

from __future__ import annotations

from collections.abc import Mapping

from audit.model import CheckId
from audit.model.document import ResultDocument
from audit.model.view import NOT_CHECKED, Cell, CheckView, DataTable, Subsection
from audit.render.report.view import SOURCE_LABELS

# (check, its column headers), left to right after "Sending IP" and "Source".
IP_TABLE_COLUMNS: tuple[tuple[CheckId, tuple[str, ...]], ...] = (
    (CheckId.PTR, ("PTR", "FCrDNS")),
    (CheckId.SPF, ("SPF",)),
    (CheckId.BLACKLIST, ("Blocklists",)),
)
# The Sending IPs chapter: the servers probed, then the blocklist matrix.
IP_CHAPTER_ORDER = (CheckId.RELAY, CheckId.BLACKLIST)


def _check_cells(view: CheckView | None, ip: str, width: int) -> tuple[Cell, ...]:
    if view is None or view.ip_columns is None:
        return (NOT_CHECKED,) * width
    return view.ip_columns.cells(ip)


def ip_table(document: ResultDocument, views: Mapping[str, CheckView]) -> DataTable:
    rows = []
    for ip in document["target"]["ips"]:
        address = ip["ip"]
        cells = [
            Cell(address, mono=True),
            Cell(SOURCE_LABELS.get(ip["source"], ip["source"]), note=ip.get("detail", "")),
        ]
        for check_id, headers in IP_TABLE_COLUMNS:
            cells.extend(_check_cells(views.get(check_id), address, len(headers)))
        rows.append(tuple(cells))
    headers = ("Sending IP", "Source", *(h for _, group in IP_TABLE_COLUMNS for h in group))
    return DataTable(headers, tuple(rows), css_class="ips")


def ip_subsections(views: Mapping[str, CheckView]) -> tuple[Subsection, ...]:
    return tuple(
        subsection
        for check_id in IP_CHAPTER_ORDER
        if check_id in views
        for subsection in views[check_id].ip_subsections
    )
