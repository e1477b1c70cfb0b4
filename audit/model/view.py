"""The report's view vocabulary: plain facts, cells, tables and sections.

What a check's report section (`checks/<id>/report.py`) returns and what the report
templates (report_templates/report*) print. Here, below both the checks and the render
layer, so a check can lay out its own evidence without importing the renderer. Strings
are raw text: the templates escape them (autoescape), whatever DNS, SMTP or a log put
in them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    mono: bool = False


@dataclass(frozen=True)
class Cell:
    text: str
    tone: str = ""  # "ok", "bad", "warn", "unknown", "muted" (CSS classes)
    note: str = ""  # a smaller second line
    mono: bool = False


NOT_CHECKED = Cell("not checked", "muted")


@dataclass(frozen=True)
class DataTable:
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    caption: str = ""
    css_class: str = ""


@dataclass(frozen=True)
class Section:
    """A titled block of facts and tables (appendix evidence, per check)."""

    title: str
    facts: tuple[Fact, ...] = ()
    tables: tuple[DataTable, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Subsection:
    """A titled table in a chapter of the report body, with an optional lead paragraph."""

    title: str
    table: DataTable
    lead: str = ""


@dataclass(frozen=True)
class IpColumns:
    """A check's cells in the report's per-sending-IP table (the layout owns the headers)."""

    by_ip: Mapping[str, tuple[Cell, ...]]
    default: tuple[Cell, ...]  # for a sending IP the check has no row for

    def cells(self, ip: str) -> tuple[Cell, ...]:
        return self.by_ip.get(ip, self.default)


@dataclass(frozen=True)
class CheckView:
    """Everything one check contributes to the report, from its part of the document."""

    appendix: Section | None = None  # its raw evidence, laid out
    ip_columns: IpColumns | None = None
    ip_subsections: tuple[Subsection, ...] = ()  # tables in the "Sending IPs" chapter
    subject: str | None = None  # what the report is about when there is no domain or IP


def text_of(value: Any) -> str:
    """One evidence value as display text."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(text_of(v) for v in value) if value else "none"
    return str(value)


def flatten(value: Any, prefix: str = "", limit: int = 60) -> tuple[Fact, ...]:
    """Nested evidence as labelled facts ('forward › mx1.example › records')."""
    facts: list[Fact] = []
    _flatten_into(facts, value, prefix)
    return tuple(facts[:limit])


def _flatten_into(facts: list[Fact], value: Any, prefix: str) -> None:
    if isinstance(value, Mapping):
        for key in sorted(value, key=str):
            label = str(key).replace("_", " ")
            _flatten_into(facts, value[key], f"{prefix} › {label}" if prefix else label)
    elif isinstance(value, list | tuple) and any(isinstance(v, Mapping) for v in value):
        for index, item in enumerate(value, start=1):
            _flatten_into(facts, item, f"{prefix} [{index}]")
    else:
        facts.append(Fact(prefix or "value", text_of(value), mono=True))
