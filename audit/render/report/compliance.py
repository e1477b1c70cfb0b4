"""The report's "Mailbox provider requirements" chapter and its line in the delisting
verdict: each provider's rules (met / not met / unknown, why, source and date), from
the document's `compliance` list.

A provider rejecting for its requirements (Gmail 5.7.26, Microsoft 5.7.515) is not a
blocklist listing: the verdict names the rules to fix before asking that provider for
anything. Pure functions of the document.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from audit.model.document import ResultDocument, RuleVerdictDocument
from audit.model.view import Cell, DataTable
from audit.render.report.wording import capitalized, client_text

PROVIDERS = {
    "gmail": "Gmail",
    "yahoo": "Yahoo / AOL",
    "microsoft": "Microsoft Outlook.com",
    "apple": "Apple iCloud Mail",
}
STATES = {"met": Cell("met", "ok"), "not_met": Cell("not met", "bad")}
HEADERS = ("Requirement", "Status", "Why")  # rule ids stay in the JSON (`compliance`)
FINDING_CODE = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")


@dataclass(frozen=True)
class ProviderRequirements:
    provider: str
    name: str
    table: DataTable
    not_met: tuple[str, ...]  # the titles of the rules not met (the table has their ids)
    sources: tuple[str, ...]  # "URL (as of DATE)", once per page the rules cite


def _state(rule: RuleVerdictDocument) -> Cell:
    return STATES.get(rule["state"], Cell("unknown", "unknown"))


def _reason(text: str, titles: Mapping[str, str]) -> str:
    """The verdict's reason in client words: finding codes by their titles, no "(s)"."""
    named = FINDING_CODE.sub(lambda m: titles.get(m.group(0), m.group(0)), text)
    return capitalized(client_text(named))


def _row(rule: RuleVerdictDocument, titles: Mapping[str, str]) -> tuple[Cell, ...]:
    return (
        Cell(rule["title"], note="bulk senders" if rule["bulk"] else "all senders"),
        _state(rule),
        Cell(_reason(rule["reason"], titles)),
    )


def provider_requirements(document: ResultDocument) -> tuple[ProviderRequirements, ...]:
    rules = document.get("compliance", [])
    titles = {f["code"]: client_text(f["title"]) for f in document["findings"]}
    views = []
    for provider, name in PROVIDERS.items():
        mine = [rule for rule in rules if rule["provider"] == provider]
        if not mine:
            continue
        table = DataTable(
            HEADERS, tuple(_row(rule, titles) for rule in mine), css_class="compliance"
        )
        not_met = tuple(rule["title"] for rule in mine if rule["state"] == "not_met")
        sources = tuple(dict.fromkeys(f"{r['source']} (as of {r['snapshot']})" for r in mine))
        views.append(ProviderRequirements(provider, name, table, not_met, sources))
    return tuple(views)


def requirement_notes(providers: tuple[ProviderRequirements, ...]) -> tuple[str, ...]:
    """One line per provider with rules not met, for the delisting verdict."""
    return tuple(
        f"{p.name}: {_count(len(p.not_met))} not met ({'; '.join(p.not_met)}). Fix them before "
        f"asking {p.name} for anything: a rejection for these rules is not a blocklist listing."
        for p in providers
        if p.not_met
    )


def _count(rules: int) -> str:
    return "1 rule" if rules == 1 else f"{rules} rules"
