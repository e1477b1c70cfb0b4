"""Delisting playbook entries for the rejections classified from `--bounce` files.

Pure functions of the result document's `rejections` (explain's classifications).
Identical rejections (same provider, list, reason, IP, temporary or not) share one entry
with a count. A rejection naming a catalog list takes that list's route (method, URL,
expiry) from the catalog, as a live listing does; a provider block takes the provider's
route. Only a route someone reviews gets a request text: lists that expire on their own,
and rejections about recipients or configuration, get advice instead.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from audit.render.report.delisting.playbook import (
    CAUSE_PLACEHOLDER,
    CONTACT_PLACEHOLDER,
    METHOD_LABELS,
    NO_REQUEST_METHODS,
    WAIT_ADVICE,
    _route_steps,
    confirmed_fixes,
)

SAMPLE_CHARS = 600
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
ROUTE_REASONS = frozenset({"blocked", "bad_reputation", "rate_limited"})
RECIPIENT_ADVICE = (
    "No delisting applies: the receiver refused the recipient, not your server. Correct or "
    "remove the address; repeated sends to dead addresses do hurt reputation."
)
CONFIG_ADVICE = (
    "No delisting applies: the receiver refused the message over your configuration. Fix "
    "what the steps name, check it with `mailhygiene audit`, then resend."
)
TEMPORARY_EXPIRY = (
    "Temporary (4xx): your server retries; it clears once the rate or reputation recovers."
)


@dataclass(frozen=True)
class RejectionPlaybook:
    anchor: str
    provider: str
    blocklist: str | None
    reason: str
    sending_ip: str | None
    temporary: bool
    count: int
    sample: str
    summary: str
    method: str
    url: str | None
    expiry: str
    steps: tuple[str, ...]
    links: tuple[str, ...]
    include: tuple[str, ...]
    advice: str | None
    request_text: str | None


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


def catalog_route(zone: str | None) -> Mapping[str, Any]:
    """The catalog's delisting route for a list zone (method, url, expiry, fee), or {}."""
    if not zone:
        return {}
    from audit.knowledge.dnsbl.catalog import shipped_catalog
    from audit.knowledge.dnsbl.delisting import delisting_evidence

    entry = shipped_catalog().get(zone)
    return delisting_evidence(entry, []) if entry is not None else {}


def _expiry(item: Mapping[str, Any], route: Mapping[str, Any]) -> str:
    if route.get("expiry"):
        return str(route["expiry"])
    stated = [s for s in item["remediation"]["steps"] if s.startswith("Expected expiry:")]
    if stated:
        return stated[0].removeprefix("Expected expiry:").strip().rstrip(".")
    return TEMPORARY_EXPIRY if item["temporary"] else "not published by the provider"


def _advice(item: Mapping[str, Any], method: str) -> str | None:
    if item["reason"] in ("user_unknown", "mailbox_full"):
        return RECIPIENT_ADVICE
    if item["reason"] not in ROUTE_REASONS and not item["blocklist"]:
        return CONFIG_ADVICE
    if method in NO_REQUEST_METHODS:
        return WAIT_ADVICE
    return None


def _include(item: Mapping[str, Any]) -> tuple[str, ...]:
    ip = item["sending_ip"] or "[the sending IP]"
    return (
        f"The sending IP ({ip}) and the exact rejection text shown above.",
        "The date and time of the bounce (from its headers or the log line).",
        "What caused the block and what you changed to stop it.",
        "A contact address on a different, unblocked mail system, so the reply reaches you.",
    )


def rejection_request_text(
    item: Mapping[str, Any], who: str, domain: str | None, fixes: Sequence[str], date: str
) -> str:
    ip = item["sending_ip"] or "[sending IP]"
    sender = f" for {domain}" if domain else ""
    lines = [
        f"Subject: Delisting / mitigation request for {ip} ({who})",
        "",
        "Hello,",
        "",
        f"Mail from {ip}{sender} is being rejected by {who} with:",
        "",
        "    " + " ".join(item["input"].split())[:SAMPLE_CHARS],
        "",
        "We found what caused the block and fixed it:",
        "",
    ]
    lines += [f"- {sentence}" for sentence in fixes] or [f"- {CAUSE_PLACEHOLDER}"]
    lines += ["", "Please remove the block or restore normal delivery.", ""]
    lines += ["Thank you,", CONTACT_PLACEHOLDER]
    return "\n".join(lines)


def build_rejection_playbook(
    index: int,
    item: Mapping[str, Any],
    count: int,
    document: Mapping[str, Any],
    date: str,
    fixed: Collection[str] = (),
) -> RejectionPlaybook:
    remediation = item["remediation"]
    route = catalog_route(item["blocklist"])
    method = str(route.get("method") or ("manual" if remediation["links"] else "none"))
    advice = _advice(item, method)
    who = item["blocklist"] or item["provider"] or "the receiving server"
    links = tuple(remediation["links"])
    fixes = confirmed_fixes({item["sending_ip"] or ""}, document["findings"], fixed)
    domain = document["target"].get("domain")
    return RejectionPlaybook(
        anchor=f"rejection-{index + 1}",
        provider=item["provider"] or "unknown provider",
        blocklist=item["blocklist"],
        reason=REASON_LABELS.get(item["reason"], item["reason"]),
        sending_ip=item["sending_ip"],
        temporary=item["temporary"],
        count=count,
        sample=item["input"][:SAMPLE_CHARS],
        summary=remediation["summary"],
        method=METHOD_LABELS.get(method, method) if advice is None else "—",
        url=route.get("url") or (links[0] if links else None),
        expiry=_expiry(item, route),
        steps=_route_steps(remediation["steps"]),
        links=links,
        include=() if advice else _include(item),
        advice=advice,
        request_text=None if advice else rejection_request_text(item, who, domain, fixes, date),
    )


def build_rejection_playbooks(
    document: Mapping[str, Any], date: str, fixed: Collection[str] = ()
) -> tuple[RejectionPlaybook, ...]:
    groups = group_rejections(document.get("rejections", []))
    return tuple(
        build_rejection_playbook(i, item, count, document, date, fixed)
        for i, (item, count) in enumerate(groups)
    )
