"""A finding's evidence as the report shows it: a few facts and small tables.

Never a flattened key dump: top-level scalars become labelled facts, a list of records a
table of its scalar columns, long values are shortened with their length stated, and rows
are capped with "and N more". Everything is in full in the JSON result and the annex.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from audit.model.view import Cell, DataTable, Fact
from audit.render.report.wording import client_text, enum_words

MAX_FACTS = 5
MAX_ROWS = 3
MAX_COLUMNS = 4
MAX_VALUE = 96
MAX_LIST_ITEMS = 6


@dataclass(frozen=True)
class EvidenceView:
    facts: tuple[Fact, ...] = ()
    tables: tuple[DataTable, ...] = ()
    omitted: bool = False  # nested detail left to the annex / JSON

    def __bool__(self) -> bool:
        return bool(self.facts or self.tables)


ACRONYMS = {
    "ip": "IP",
    "ips": "IPs",
    "ptr": "PTR",
    "fcrdns": "FCrDNS",
    "dns": "DNS",
    "spf": "SPF",
    "dkim": "DKIM",
    "dmarc": "DMARC",
    "mx": "MX",
    "ttl": "TTL",
    "txt": "TXT",
    "rcpt": "RCPT",
    "smtp": "SMTP",
    "helo": "HELO",
    "ehlo": "EHLO",
    "rua": "rua",
    "pct": "pct",
    "url": "URL",
}


def label(key: str) -> str:
    words = client_text(str(key).replace("_", " ")).split()
    shown = [ACRONYMS.get(word.lower(), word) for word in words]
    return " ".join(shown)[:1].upper() + " ".join(shown)[1:]


def shorten(text: str, limit: int = MAX_VALUE) -> str:
    """A long token (a DKIM key, a hostile 5,000-character TXT) cut, its length stated."""
    if len(text) <= limit:
        return text
    return f"{text[: limit - 1]}… ({len(text)} characters)"


def value_text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        items = [value_text(v) for v in value[:MAX_LIST_ITEMS]]
        more = len(value) - len(items)
        return (", ".join(items) + (f" and {more} more" if more else "")) if items else "none"
    text = str(value)
    if text.islower() and "_" in text and " " not in text and "." not in text:
        return enum_words(text)
    return shorten(text)


def _scalar(value: Any) -> bool:
    return not isinstance(value, Mapping) and not (
        isinstance(value, list | tuple) and any(isinstance(v, Mapping | list) for v in value)
    )


def _records_table(key: str, records: Sequence[Mapping[str, Any]]) -> DataTable:
    columns = [k for k in records[0] if _scalar(records[0][k])][:MAX_COLUMNS]
    rows = tuple(
        tuple(Cell(value_text(record.get(c)), mono=True) for c in columns)
        for record in records[:MAX_ROWS]
    )
    more = len(records) - len(rows)
    caption = label(key)
    return DataTable(
        tuple(label(c) for c in columns),
        rows,
        caption=caption + (f" (first {len(rows)} of {len(records)})" if more else ""),
        css_class="evidence-table",
    )


def evidence_view(evidence: Mapping[str, Any]) -> EvidenceView:
    facts: list[Fact] = []
    tables: list[DataTable] = []
    omitted = False
    for key in sorted(evidence, key=str):
        value = evidence[key]
        if _scalar(value):
            if value is not None and value != "":
                facts.append(Fact(label(key), value_text(value), mono=True))
        elif (
            isinstance(value, list | tuple)
            and value
            and all(isinstance(v, Mapping) for v in value)
            and not tables
        ):
            tables.append(_records_table(key, value))
        else:
            omitted = True
    return EvidenceView(tuple(facts[:MAX_FACTS]), tuple(tables), omitted or len(facts) > MAX_FACTS)
