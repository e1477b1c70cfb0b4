"""Plain view objects and labels the HTML report template renders.

The report model (audit/render/report/model.py and its helpers) turns the JSON result
document into these; the template only loops and prints. Strings here are raw text:
the template escapes them (autoescape), whatever DNS, SMTP or a log put in them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

SEVERITIES = ("critical", "high", "medium", "low", "info")

CHECK_LABELS = {
    "blacklist": "Blocklists",
    "ptr": "Reverse DNS",
    "spf": "SPF",
    "dkim": "DKIM",
    "dmarc": "DMARC",
    "relay": "Open relay",
    "volume": "Sending volume",
}
STATUS_LABELS = {
    "pass": "Passed",
    "fail": "Issues found",
    "unknown": "Not determined",
    "skipped": "Not run",
}
SOURCE_LABELS = {"given": "given", "mx": "MX host", "spf": "SPF record", "log": "mail log"}
REASON_LABELS = {
    "timeout": "the query timed out",
    "servfail": "the resolver answered SERVFAIL",
    "refused": "the resolver refused the query",
    "network_error": "network error",
    "malformed_response": "malformed DNS response",
    "no_nameservers": "no nameserver answered",
    "query_refused": "the list refused the query (error code)",
    "list_unhealthy": "the list failed its RFC 5782 test points",
    "resolver_rewrites_nxdomain": "the resolver rewrites NXDOMAIN",
    "deadline": "the run's deadline was reached",
    "internal": "internal error in the check",
    "dependency": "an input the check needs could not be determined",
    "not_applicable": "not applicable",
}


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


def check_label(check_id: str) -> str:
    return CHECK_LABELS.get(check_id, check_id.upper())


def reason_label(reason: str) -> str:
    return REASON_LABELS.get(reason, reason.replace("_", " "))


def display_date(iso: str) -> str:
    """'22 November 2026, 14:57 UTC' from an ISO-8601 timestamp (the run's, never now)."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


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
