"""The report's "Mailbox provider requirements" chapter and its line in the delisting
verdict, from the document's `compliance` list.

One compact matrix, requirement x provider (met / not met / unknown, "—" where that
provider has no such rule), the reasons of the rules not met or unknown under each
requirement, each said once (with the providers it concerns when they differ): four
providers' tables repeated the same DKIM, PTR and format reasons up to four times and
took three PDF pages (issue 12), and a list of reasons after the matrix repeated every
requirement's name. `reasons` keeps that list as data (requirement, providers, why).

A provider rejecting for its requirements (Gmail 5.7.26, Microsoft 5.7.515) is not a
blocklist listing: the verdict names the rules to fix before asking that provider for
anything. Pure functions of the document.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

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
ABSENT = Cell("—", "muted")  # that provider publishes no such rule
REQUIREMENTS_ADVICE = (
    "Fix them before asking these providers for anything: a rejection for these rules is "
    "not a blocklist listing."
)
# Rules are matched across providers by the part of their id after the provider
# ("gmail.dkim", "apple.dkim"); a rule that only shares the word gets its own row.
ROW_KEYS = {"microsoft.authentication": "authentication_level"}
# The row's label, in the report's words; otherwise the first provider's rule title.
ROW_LABELS = {
    "authentication": "SPF or DKIM passes",
    "spf": "SPF passes for the sending IPs",
    "dkim": "DKIM signature verifies",
    "dkim_key_size": "DKIM key of at least 1024 bits",
    "ptr": "Forward and reverse DNS of the sending IPs",
    "tls": "Mail sent over TLS",
    "spam_rate": "Spam rate below 0.3 %",
    "format": "Messages follow RFC 5321 / RFC 5322",
    "spf_and_dkim": "SPF and DKIM both pass",
    "dmarc": "DMARC record published (p=none suffices)",
    "alignment": "From aligned with the SPF or DKIM domain",
    "one_click_unsubscribe": "One-click unsubscribe (RFC 8058)",
    "unsubscribe_link": "A visible unsubscribe link",
    "authentication_level": "SPF, DKIM and DMARC all pass (Microsoft 5.7.515)",
}


@dataclass(frozen=True)
class ProviderRequirements:
    provider: str
    name: str
    not_met: tuple[str, ...]  # the titles of the rules not met (the JSON has their ids)
    sources: tuple[tuple[str, str], ...]  # (URL, "as of DATE"), once per page the rules cite


@dataclass(frozen=True)
class RequirementsChapter:
    providers: tuple[ProviderRequirements, ...]
    matrix: DataTable  # requirement x provider
    reasons: DataTable  # the not-met and unknown rules: requirement, providers, why

    @property
    def gaps(self) -> DataTable:
        """The matrix's rows not met or unknown somewhere: what the report tabulates."""
        rows = tuple(row for row in self.matrix.rows if row[0].note)
        return replace(self.matrix, rows=rows)

    @property
    def met_everywhere(self) -> tuple[str, ...]:
        """The requirements met by every provider that has them: said in one line under
        the table (six one-line rows of green cells in the demo)."""
        return tuple(row[0].text for row in self.matrix.rows if not row[0].note)


def _state(rule: RuleVerdictDocument) -> Cell:
    cell = STATES.get(rule["state"], Cell("unknown", "unknown"))
    return Cell(cell.text, cell.tone, note="bulk" if rule["bulk"] else "")


def _reason(text: str) -> str:
    """The verdict's reason as the report shows every document text (client_text); the
    compliance evaluation already names findings by their titles (checks/compliance.py)."""
    return capitalized(client_text(text))


def row_key(rule: RuleVerdictDocument) -> str:
    return ROW_KEYS.get(rule["rule"], rule["rule"].split(".", 1)[-1])


def _rows(rules: Sequence[RuleVerdictDocument]) -> dict[str, dict[str, RuleVerdictDocument]]:
    """Requirement -> provider -> rule, in the order the rules first appear."""
    rows: dict[str, dict[str, RuleVerdictDocument]] = {}
    for rule in rules:
        rows.setdefault(row_key(rule), {})[rule["provider"]] = rule
    return rows


def _label(key: str, by_provider: Mapping[str, RuleVerdictDocument]) -> str:
    return ROW_LABELS.get(key) or next(iter(by_provider.values()))["title"]


def _why(by_provider: Mapping[str, RuleVerdictDocument], names: Sequence[str]) -> str:
    """The reasons of a requirement's "not met" and "unknown" cells, each said once, for
    the matrix row: the providers are named only when their reasons differ."""
    said: dict[str, list[str]] = {}
    for provider in names:
        rule = by_provider.get(provider)
        if rule is not None and rule["state"] != "met":
            said.setdefault(_reason(rule["reason"]), []).append(provider)
    if len(said) == 1:
        return f"Why: {next(iter(said))}"
    return " · ".join(
        f"{', '.join(PROVIDERS[p] for p in providers)}: {reason}"
        for reason, providers in said.items()
    )


def _matrix(
    rows: Mapping[str, Mapping[str, RuleVerdictDocument]], names: Sequence[str]
) -> DataTable:
    """Requirement x provider; under each requirement not met or unknown, why (the
    reasons in the matrix, not a list after it that repeats each requirement)."""
    body = tuple(
        (
            Cell(_label(key, by_provider), note=_why(by_provider, names)),
            *(_state(by_provider[p]) if p in by_provider else ABSENT for p in names),
        )
        for key, by_provider in rows.items()
    )
    headers = ("Requirement", *(PROVIDERS[p] for p in names))
    note = "“bulk”: a rule for senders of about 5,000 messages a day or more to that provider."
    return DataTable(headers, body, caption=note, css_class="compliance")


def _reasons(rows: Mapping[str, Mapping[str, RuleVerdictDocument]]) -> DataTable:
    """Each requirement not met or unknown, once per distinct reason, with its providers."""
    body = []
    for key, by_provider in rows.items():
        said: dict[tuple[str, str], list[str]] = {}
        for provider, rule in by_provider.items():
            if rule["state"] != "met":
                state = "not met" if rule["state"] == "not_met" else "unknown"
                said.setdefault((state, _reason(rule["reason"])), []).append(provider)
        for (state, reason), providers in said.items():
            tone = "bad" if state == "not met" else "unknown"
            body.append(
                (
                    Cell(_label(key, by_provider), note=", ".join(PROVIDERS[p] for p in providers)),
                    Cell(state, tone),
                    Cell(reason),
                )
            )
    return DataTable(("Requirement", "Status", "Why"), tuple(body), css_class="compliance-why")


def provider_requirements(document: ResultDocument) -> tuple[ProviderRequirements, ...]:
    rules = document.get("compliance", [])
    views = []
    for provider, name in PROVIDERS.items():
        mine = [rule for rule in rules if rule["provider"] == provider]
        if not mine:
            continue
        not_met = tuple(rule["title"] for rule in mine if rule["state"] == "not_met")
        sources = tuple(dict.fromkeys((r["source"], f"as of {r['snapshot']}") for r in mine))
        views.append(ProviderRequirements(provider, name, not_met, sources))
    return tuple(views)


def requirements_chapter(document: ResultDocument) -> RequirementsChapter | None:
    """The chapter, or None when the document has no compliance verdict."""
    providers = provider_requirements(document)
    if not providers:
        return None
    rules = [r for r in document.get("compliance", []) if r["provider"] in PROVIDERS]
    rows = _rows(rules)
    names = [p.provider for p in providers]
    return RequirementsChapter(providers, _matrix(rows, names), _reasons(rows))


def requirement_notes(providers: tuple[ProviderRequirements, ...]) -> tuple[str, ...]:
    """One line per provider with rules not met, for the delisting verdict (which says
    once, below them, to fix them before asking: `REQUIREMENTS_ADVICE`)."""
    return tuple(
        f"{p.name}: {_count(len(p.not_met))} not met ({'; '.join(p.not_met)})."
        for p in providers
        if p.not_met
    )


def _count(rules: int) -> str:
    return "1 rule" if rules == 1 else f"{rules} rules"
