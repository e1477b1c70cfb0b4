"""The report's "Mailbox provider requirements" chapter and its line in the delisting
verdict: each provider's rules (met / not met / unknown, why, source and date), from
the document's `compliance` list.

A provider rejecting for its requirements (Gmail 5.7.26, Microsoft 5.7.515) is not a
blocklist listing: the verdict names the rules to fix before asking that provider for
anything. Pure functions of the document.
"""

from __future__ import annotations

from dataclasses import dataclass

from audit.model.document import ResultDocument, RuleVerdictDocument
from audit.model.view import Cell, DataTable

PROVIDERS = {
    "gmail": "Gmail",
    "yahoo": "Yahoo / AOL",
    "microsoft": "Microsoft Outlook.com",
    "apple": "Apple iCloud Mail",
}
STATES = {"met": Cell("met", "ok"), "not_met": Cell("not met", "bad")}
HEADERS = ("Rule", "Requirement", "Status", "Why")


@dataclass(frozen=True)
class ProviderRequirements:
    provider: str
    name: str
    table: DataTable
    not_met: tuple[str, ...]  # rule ids
    sources: tuple[str, ...]  # "URL (as of DATE)", once per page the rules cite


def _state(rule: RuleVerdictDocument) -> Cell:
    return STATES.get(rule["state"], Cell("unknown", "unknown"))


def _row(rule: RuleVerdictDocument) -> tuple[Cell, ...]:
    return (
        Cell(rule["rule"], mono=True),
        Cell(rule["title"], note="bulk senders" if rule["bulk"] else "all senders"),
        _state(rule),
        Cell(rule["reason"]),
    )


def provider_requirements(document: ResultDocument) -> tuple[ProviderRequirements, ...]:
    rules = document.get("compliance", [])
    views = []
    for provider, name in PROVIDERS.items():
        mine = [rule for rule in rules if rule["provider"] == provider]
        if not mine:
            continue
        table = DataTable(HEADERS, tuple(_row(rule) for rule in mine), css_class="compliance")
        not_met = tuple(rule["rule"] for rule in mine if rule["state"] == "not_met")
        sources = tuple(dict.fromkeys(f"{r['source']} (as of {r['snapshot']})" for r in mine))
        views.append(ProviderRequirements(provider, name, table, not_met, sources))
    return tuple(views)


def requirement_notes(providers: tuple[ProviderRequirements, ...]) -> tuple[str, ...]:
    """One line per provider with rules not met, for the delisting verdict."""
    return tuple(
        f"{p.name}: fix {', '.join(p.not_met)} before asking {p.name} for anything "
        "(a rejection for these rules is not a blocklist listing)."
        for p in providers
        if p.not_met
    )
