"""Verdicts -> findings and unknowns. Pure functions (STYLE.md §3).

Severities follow SPEC.md "Severities": a listing on an abuse list is critical on a
high-impact list and high otherwise; a policy listing (Spamhaus PBL, SpamRATS
Dyna/NoPtr) is medium, with "do not send direct to MX" advice rather than "delist";
a reputation listing follows the list's impact. Each finding carries the list's own
delisting route. Unknowns are grouped per (list, reason) so a /24 against a dead list
is one line, not 256.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from audit.knowledge.dnsbl.catalog import (
    Category,
    DnsblList,
    Impact,
    TargetKind,
)
from audit.knowledge.dnsbl.delisting import delisting_evidence, remediation_for
from audit.knowledge.dnsbl.selection import SelectedList
from audit.model import CheckId, Finding, Severity, Unknown, UnknownReason
from checks.blacklist.classify import State, Verdict
from checks.blacklist.query import DnsblTarget

# The evidence types are TypedDicts, for type checking alone (the evidence is plain dicts).
if TYPE_CHECKING:
    from checks.blacklist.evidence import BlacklistListingEvidence

LISTED = "BLACKLIST_LISTED"
POLICY_LISTED = "BLACKLIST_POLICY_LISTED"
REPUTATION_LISTED = "BLACKLIST_REPUTATION_LISTED"
DOMAIN_LISTED = "BLACKLIST_DOMAIN_LISTED"
FINDING_CODES = frozenset({LISTED, POLICY_LISTED, REPUTATION_LISTED, DOMAIN_LISTED})

MAX_NAMED_TARGETS = 5

WHAT_TO_DO: dict[UnknownReason, str] = {
    UnknownReason.TIMEOUT: "retry later or raise --timeout; a list that never answers may be dead",
    UnknownReason.SERVFAIL: "retry later; if it persists the list's servers are broken",
    UnknownReason.REFUSED: "the resolver refused the query: use a resolver that allows it",
    UnknownReason.NETWORK: "check that the resolver given with --nameserver is reachable",
    UnknownReason.QUERY_REFUSED: (
        "run your own recursive resolver (not a public or shared one) and pass it with "
        "--nameserver; for Spamhaus use a free DQS key (--spamhaus-dqs-key); register the "
        "resolver's IP with lists that require it"
    ),
    UnknownReason.LIST_UNHEALTHY: (
        "do not rely on this list: it failed its RFC 5782 test points; drop it from your "
        "selection if it keeps failing"
    ),
    UnknownReason.RESOLVER_REWRITES: (
        "the resolver rewrites NXDOMAIN: use one that does not (your own recursive resolver)"
    ),
    UnknownReason.MALFORMED: "the answer was not a DNSBL answer: check the resolver",
}


class PairVerdict(NamedTuple):  # a NamedTuple: a sixth of a frozen dataclass's cost to define
    target: DnsblTarget
    selected: SelectedList
    verdict: Verdict


def _code_and_severity(
    target: DnsblTarget, entry: DnsblList, category: Category
) -> tuple[str, Severity]:
    high_impact = entry.impact is Impact.HIGH
    if category is Category.POLICY:
        return POLICY_LISTED, Severity.MEDIUM
    if category is Category.REPUTATION:
        by_impact = {Impact.HIGH: Severity.HIGH, Impact.MEDIUM: Severity.MEDIUM}
        return REPUTATION_LISTED, by_impact.get(entry.impact, Severity.LOW)
    code = DOMAIN_LISTED if target.kind is TargetKind.DOMAIN else LISTED
    return code, Severity.CRITICAL if high_impact else Severity.HIGH


def _title(target: DnsblTarget, entry: DnsblList, category: Category) -> str:
    kind = {Category.POLICY: "policy list", Category.REPUTATION: "reputation list"}.get(
        category, "blocklist"
    )
    return f"{target.text} is listed on {entry.name} ({kind})"


def listing_finding(pair: PairVerdict, redact: Callable[[str], str] = str) -> Finding:
    entry, verdict = pair.selected.entry, pair.verdict
    category = verdict.category or entry.unlisted_category
    code, severity = _code_and_severity(pair.target, entry, category)
    meanings = verdict.meanings
    detail = "; ".join(f"{m.code}: {m.meaning}" for m in meanings)
    if category is Category.POLICY:
        detail += ". This is a policy listing: the IP should not send mail direct to MX."
    listing_evidence: BlacklistListingEvidence = {
        "list": entry.id,
        "list_name": entry.name,
        "zone": pair.selected.display_zone,
        "operator": entry.operator,
        "impact": entry.impact.value,
        "category": category.value,
        "codes": list(verdict.codes),
        "meanings": [m.meaning for m in meanings],
        "sublists": sorted({m.sublist for m in meanings if m.sublist}),
        "txt": [redact(text) for text in verdict.txt],
        "delisting": delisting_evidence(entry, meanings),
    }
    return Finding(
        check=CheckId.BLACKLIST,
        code=code,
        severity=severity,
        subject=pair.target.text,
        title=_title(pair.target, entry, category),
        detail=detail,
        evidence=listing_evidence,
        remediation=remediation_for(entry, meanings),
    )


def findings_for(pairs: Sequence[PairVerdict], redact: Callable[[str], str] = str) -> list[Finding]:
    """One finding per listed (target, list); `redact` hides keys echoed in TXT."""
    listed = [p for p in pairs if p.verdict.state is State.LISTED]
    return sorted((listing_finding(p, redact) for p in listed), key=Finding.sort_key)


def _targets_text(targets: Sequence[str]) -> str:
    shown = ", ".join(targets[:MAX_NAMED_TARGETS])
    extra = len(targets) - MAX_NAMED_TARGETS
    return f"{shown} (+{extra} more)" if extra > 0 else shown


def unknowns_for(pairs: Sequence[PairVerdict]) -> list[Unknown]:
    """One Unknown per (list, reason): the list's display zone is the subject."""
    grouped: dict[tuple[str, UnknownReason], list[PairVerdict]] = defaultdict(list)
    for pair in pairs:
        if pair.verdict.state is State.UNKNOWN:
            reason = pair.verdict.reason or UnknownReason.NETWORK
            grouped[(pair.selected.display_zone, reason)].append(pair)
    unknowns = []
    for (zone, reason), members in grouped.items():
        first = members[0].verdict.detail or reason.value
        advice = WHAT_TO_DO.get(reason, "retry later")
        targets = _targets_text([m.target.text for m in members])
        name = members[0].selected.entry.name
        detail = f"{name}: {first}. Not determined for {targets}. What to do: {advice}."
        unknowns.append(Unknown(zone, reason, detail))
    return sorted(unknowns, key=Unknown.sort_key)
