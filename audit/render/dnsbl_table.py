"""Plain tables for the `blacklist` and `lists` commands (rich renderables, pure).

Every string that came from DNS (TXT reasons) or from a user's catalog file is passed
as `Text`, never as markup. Rows are built from the check's evidence, so the table
shows exactly what the JSON report holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from rich.table import Table
from rich.text import Text

from audit.knowledge.dnsbl.catalog import DnsblList
from audit.knowledge.dnsbl.selection import SelectedList
from audit.render.visible import safe_text
from checks.blacklist.health import ListHealth

MAX_ROWS = 500
STATE_STYLE = {"listed": "bold red", "unknown": "magenta", "clean": "green"}


def _per_target(rows: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, list[str]]]:
    table: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        table[str(row["target"])][str(row["state"])].append(str(row["zone"]))
    return table


def _state_cell(states: Mapping[str, list[str]]) -> Text:
    if states.get("listed"):
        return safe_text("LISTED", style=STATE_STYLE["listed"])
    if states.get("unknown"):
        return safe_text("unknown", style=STATE_STYLE["unknown"])
    return safe_text("clean", style=STATE_STYLE["clean"])


def results_table(evidence: Mapping[str, Any]) -> tuple[Table, int]:
    """One row per target that is listed or not fully determined; returns (table, hidden
    clean targets)."""
    table = Table(show_edge=False, pad_edge=False)
    for column in ("target", "status", "listed on", "not determined", "clean"):
        table.add_column(column, overflow="fold")
    per_target = _per_target(evidence.get("results", []))
    shown = hidden = 0
    for target, states in per_target.items():
        if not states.get("listed") and not states.get("unknown"):
            hidden += 1
            continue
        if shown >= MAX_ROWS:
            hidden += 1
            continue
        shown += 1
        table.add_row(
            safe_text(target),
            _state_cell(states),
            safe_text(", ".join(states.get("listed", []))),
            safe_text(", ".join(states.get("unknown", []))),
            str(len(states.get("clean", []))),
        )
    return table, hidden


def catalog_table(entries: Sequence[DnsblList], selected_ids: set[str]) -> Table:
    table = Table(show_edge=False, pad_edge=False)
    for column in ("id", "zone", "targets", "impact", "status", "access", "default", "operator"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        status = entry.status.value + (f" (ended {entry.ended})" if entry.ended else "")
        table.add_row(
            safe_text(entry.id),
            safe_text(entry.zone),
            ",".join(sorted(kind.value for kind in entry.targets)),
            entry.impact.value,
            safe_text(status, style="dim" if entry.ended else ""),
            entry.access.value,
            "yes" if entry.id in selected_ids else "",
            safe_text(entry.operator),
        )
    return table


def health_table(results: Sequence[tuple[SelectedList, ListHealth]]) -> Table:
    table = Table(show_edge=False, pad_edge=False)
    for column in ("id", "zone", "health", "detail"):
        table.add_column(column, overflow="fold")
    for selected, health in results:
        style = "green" if health.health.value == "healthy" else "magenta"
        table.add_row(
            safe_text(selected.entry.id),
            safe_text(selected.display_zone),
            safe_text(health.health.value, style=style),
            safe_text(health.detail),
        )
    return table
