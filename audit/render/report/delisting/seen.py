"""The classified rejections (`--bounce`) as the delisting chapter sees them: one entry per
distinct rejection, with how often it was seen, a short quote of the receiver's words and
the operator to ask.

The operator decides where a rejection goes: a rejection citing a list (its zone) belongs
to that list's operator (the catalog's), a provider's own block to that provider. The
listing playbooks (playbook.py) fold in the rejections of their operator; the others
get one playbook per operator (rejections.py). Pure functions of the result document.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

QUOTE_CHARS = 200
REASON_LABELS = {
    "blocked": "blocked",
    "bad_reputation": "bad reputation",
    "rate_limited": "rate limited",
    "require_ptr": "reverse DNS (PTR) required",
    "auth_failure": "authentication failure (SPF/DKIM/DMARC)",
    "policy": "receiver policy",
    "user_unknown": "unknown recipient",
    "mailbox_full": "recipient mailbox full",
    "relaying_denied": "relaying denied",
    "spam_content": "content judged spam",
    "complaint": "recipient complaint (feedback report)",
    "other": "other",
}
# Reasons a delisting or mitigation request answers (with a list named, any reason does).
ROUTE_REASONS = frozenset({"blocked", "bad_reputation", "rate_limited"})
RECIPIENT_REASONS = frozenset({"user_unknown", "mailbox_full"})
UNKNOWN_OPERATOR = "Receiving server not identified"


@dataclass(frozen=True)
class RejectionSeen:
    anchor: str  # "rejection-N": N in the document's order of distinct rejections
    operator: str  # who to ask: the cited list's operator, else the provider
    provider: str | None  # the classification's provider id
    zone: str | None  # the list the rejection cites
    list_name: str | None
    reason: str  # the classification's reason, as words
    routed: bool  # a request (or waiting) answers it: a block, a reputation or a list
    recipient: bool  # about the recipient, not the sender
    sending_ip: str | None
    temporary: bool
    count: int
    quote: str  # the receiver's words, shortened
    remediation: Mapping[str, Any]


def group_rejections(
    rejections: Sequence[Mapping[str, Any]],
) -> list[tuple[Mapping[str, Any], int]]:
    """Distinct rejections in first-seen order, each with how often it was seen."""
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for item in rejections:
        key = tuple(item[k] for k in ("provider", "blocklist", "reason", "sending_ip"))
        key += (item["temporary"],)
        groups.setdefault(key, [item, 0])[1] += 1
    return [(first, count) for first, count in groups.values()]


def quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """The receiver's words on one line, cut at a word past `limit` characters."""
    words = " ".join(text.split())
    if len(words) <= limit:
        return words
    return words[:limit].rsplit(" ", 1)[0] + " …"


def provider_name(provider: str) -> str:
    """A provider id as the report names it ("microsoft-outlook" -> "Microsoft (Outlook.com,
    ...)"); the id itself when the knowledge does not know it."""
    from audit.knowledge.providers import shipped_knowledge  # loaded with rejections only

    known = shipped_knowledge().provider(provider)
    return known.name if known else provider


def short_name(operator: str) -> str:
    """An operator's name without its parenthesis, as a letter says it ("Microsoft")."""
    return operator.split(" (", 1)[0]


def _list(zone: str) -> tuple[str, str]:
    """(operator, list name) of a cited zone, from the catalog; the zone when unknown."""
    from audit.knowledge.dnsbl.catalog import shipped_catalog

    entry = shipped_catalog().get(zone)
    return (entry.operator or entry.name, entry.name) if entry is not None else (zone, zone)


def rejections_seen(document: Mapping[str, Any]) -> tuple[RejectionSeen, ...]:
    seen = []
    for index, (item, count) in enumerate(group_rejections(document.get("rejections", []))):
        zone = item["blocklist"]
        operator, list_name = _list(zone) if zone else (None, None)
        if operator is None:
            operator = provider_name(item["provider"]) if item["provider"] else UNKNOWN_OPERATOR
        seen.append(
            RejectionSeen(
                anchor=f"rejection-{index + 1}",
                operator=operator,
                provider=item["provider"],
                zone=zone,
                list_name=list_name,
                reason=REASON_LABELS.get(item["reason"], item["reason"].replace("_", " ")),
                routed=bool(zone) or item["reason"] in ROUTE_REASONS,
                recipient=item["reason"] in RECIPIENT_REASONS,
                sending_ip=item["sending_ip"],
                temporary=item["temporary"],
                count=count,
                quote=quote(item["input"]),
                remediation=item["remediation"],
            )
        )
    return tuple(seen)


def letter_lines(seen: Sequence[RejectionSeen], limit: int) -> list[str]:
    """One line per rejection a request answers: the address, how often, the words."""
    routed = [s for s in seen if s.routed]
    lines = [
        f"- {s.sending_ip or '[sending IP]'}, rejected {times(s.count)}: “{s.quote}”"
        for s in routed[:limit]
    ]
    if len(routed) > limit:
        lines.append(f"- and {len(routed) - limit} more rejections: [attach the bounces]")
    return lines


def times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"
