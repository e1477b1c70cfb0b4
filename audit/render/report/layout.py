"""Where the checks' report sections go: the per-sending-IP table's columns and the
order of the tables in the Sending IPs chapter. The cells and tables themselves come
from each check's `CheckView` (audit/render/report/sections.py).

A column of a check that did not run reads "not checked" (SPEC.md: unknown is never
clean, and neither is not looked at). Consecutive addresses whose rows are alike are one
row in the main report (`alike_runs`); the annex lists each.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from audit.model import CheckId
from audit.model.document import ResultDocument
from audit.model.view import NOT_CHECKED, Cell, CheckView, DataTable, Subsection
from audit.render.report.view import SOURCE_LABELS
from audit.render.report.wording import address_runs, run_size

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


def alike_runs(table: DataTable) -> DataTable:
    """The table with each run of 3 or more consecutive addresses whose other cells are all
    alike as one row ("198.51.100.101 – 198.51.100.150", its size below): a block of 50
    log-found addresses listed on the same lists reads as one line, not 50 capped to 8."""
    rows: list[tuple[Cell, ...]] = []
    for tail, alike in itertools.groupby(table.rows, key=lambda row: row[1:]):
        by_ip = {row[0].text: row for row in alike}
        for run in address_runs(list(by_ip)):
            if run in by_ip:
                rows.append(by_ip[run])
            else:
                note = f"{run_size(run)} addresses"
                rows.append((Cell(run, mono=True, note=note), *tail))
    return DataTable(table.headers, tuple(rows), table.caption, table.css_class)
