"""Classify one rejection: who blocked, which list, why, temporary or not, what to do.

Pure functions of (rejection, bounce knowledge, DNSBL catalog). `verdict_for` is the one
classification both `explain` (audit/bounce/explain.py, which adds the remediation) and the
log digest (audit/maillog/rejections.py) use. Identification never
guesses: a provider comes from the remote MTA's host name or the provider's own phrases, a
list from a zone named in the text or a list name/URL host of audit/knowledge/providers/lists.toml,
a reason from a provider pattern, a named list, the generic phrases, or the RFC 3463/7372
status code, else "other". A list's delisting route is the catalog's, never a copy.
"""

from __future__ import annotations

from dataclasses import dataclass

from audit.bounce.extract import RejectionReply
from audit.bounce.fields import named_zones, smtp_codes
from audit.knowledge.dnsbl.catalog import Catalog, DnsblList
from audit.knowledge.providers import BounceKnowledge, Pattern, Provider, Reason

# RFC 3463 §3 (subject.detail) and RFC 7372 §3 (email authentication) whose meaning is
# specific: they decide before the phrases, so "553 5.1.8 Domain of sender address … does
# not exist" is a refused *sender* (X.1.8), not an unknown recipient.
DECISIVE_STATUS_REASONS = {
    "1.1": Reason.USER_UNKNOWN,  # bad destination mailbox address
    "1.2": Reason.USER_UNKNOWN,  # bad destination system address
    "1.6": Reason.USER_UNKNOWN,  # destination mailbox has moved, no forwarding address
    "1.7": Reason.POLICY,  # bad sender's mailbox address syntax
    "1.8": Reason.POLICY,  # bad sender's system address
    "1.10": Reason.USER_UNKNOWN,  # recipient address has null MX (RFC 7505 §4.2)
    "2.2": Reason.MAILBOX_FULL,  # mailbox full
    "7.13": Reason.USER_UNKNOWN,  # user account disabled (IANA SMTP enhanced status codes)
    "7.20": Reason.AUTH_FAILURE,  # no passing DKIM signature
    "7.21": Reason.AUTH_FAILURE,  # no acceptable DKIM signature
    "7.22": Reason.AUTH_FAILURE,  # no valid author-matched DKIM signature
    "7.23": Reason.AUTH_FAILURE,  # SPF validation failed
    "7.24": Reason.AUTH_FAILURE,  # SPF validation error
    "7.25": Reason.REQUIRE_PTR,  # reverse DNS validation failed
    "7.26": Reason.AUTH_FAILURE,  # multiple authentication checks failed
    "7.27": Reason.POLICY,  # sender address has null MX (RFC 7505 §4.2)
}
# Statuses that only name the area: used when no phrase says more.
STATUS_REASONS = {
    **DECISIVE_STATUS_REASONS,
    "2.1": Reason.USER_UNKNOWN,  # mailbox disabled, not accepting messages
    "4.4": Reason.USER_UNKNOWN,  # unable to route: the recipient's domain has no mail host
    "7.1": Reason.POLICY,  # delivery not authorized, message refused
}
PROVIDER_ROUTE_REASONS = (Reason.BLOCKED, Reason.BAD_REPUTATION, Reason.RATE_LIMITED)
UNCERTAIN_STEP = (
    "This route is not confirmed by the provider's own documentation: treat it as a hint."
)


@dataclass(frozen=True)
class Identified:
    provider: Provider | None
    pattern: Pattern | None
    zone: str | None
    entry: DnsblList | None  # the catalog list behind `zone`, if the catalog has it


@dataclass(frozen=True)
class Verdict:
    """Who refused, which list and why: a classification before its remediation."""

    found: Identified
    reason: Reason

    @property
    def provider(self) -> str | None:
        """The provider's id, else the operator of the list the rejection names."""
        if self.found.provider is not None:
            return self.found.provider.id
        return self.found.entry.provider if self.found.entry is not None else None

    @property
    def blocklist(self) -> str | None:
        return self.found.zone

    @property
    def requirement(self) -> str | None:
        """The sender-requirement rule id the provider's code enforces ("gmail.dmarc")."""
        return self.found.pattern.requirement if self.found.pattern is not None else None


def find_provider(rejection: RejectionReply, knowledge: BounceKnowledge) -> Provider | None:
    """The remote MTA's host name first (sisimai's rhost map), then the provider's phrases;
    but a provider whose own code is in the text ("AUP#CDRBL": Cox) wins over a host match
    that explains nothing (a filtering service in front of it)."""
    text = rejection.text
    by_host = None
    if rejection.remote_host:
        by_host = next(
            (p for p in knowledge.providers if p.serves_host(rejection.remote_host)), None
        )
    if by_host is not None and find_pattern(by_host, text) is not None:
        return by_host
    named = [p for p in knowledge.providers if p.named_in(text)]
    with_pattern = next((p for p in named if find_pattern(p, text) is not None), None)
    return with_pattern or by_host or (named[0] if named else None)


def find_pattern(provider: Provider | None, text: str) -> Pattern | None:
    if provider is None:
        return None
    return next((p for p in provider.patterns if p.regex.search(text)), None)


def catalog_entry(zone: str, catalog: Catalog) -> DnsblList | None:
    """The catalog list for a zone, also under a DQS key or an activation-code prefix."""
    direct = catalog.get(zone)
    if direct is not None:
        return direct
    for entry in catalog.lists:
        for suffix in (entry.zone, entry.dqs_zone):
            if suffix and zone.endswith("." + suffix):
                return entry
    return None


def _bounded_at(text: str, start: int, end: int, allow_prefix: bool) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    prefix_ok = allow_prefix or not (before.isalnum() or before in "-.")
    return prefix_ok and not (after.isalnum() or after == "-")


def zone_in_text(text: str, catalog: Catalog) -> DnsblList | None:
    """The catalog zone named leftmost anywhere in the text ("… listed by 'zen.spamhaus.org.'")."""
    lowered = text.lower()
    found: list[tuple[int, str]] = []
    for entry in catalog.lists:
        for zone, allow_prefix in ((entry.zone, False), (entry.dqs_zone or "", True)):
            start = lowered.find(zone) if zone else -1
            if start >= 0 and _bounded_at(lowered, start, start + len(zone), allow_prefix):
                found.append((start, entry.zone))
    return catalog.get(min(found)[1]) if found else None


def find_zone(
    text: str, pattern: Pattern | None, knowledge: BounceKnowledge, catalog: Catalog
) -> str | None:
    if pattern is not None and pattern.blocklist:
        return pattern.blocklist
    named = named_zones(text)
    for zone in named:
        entry = catalog_entry(zone, catalog)
        if entry is not None:
            return entry.zone
    scanned = zone_in_text(text, catalog)
    if scanned is not None:
        return scanned.zone
    by_name = next((n.zone for n in knowledge.lists if any(r.search(text) for r in n.text)), None)
    return by_name or (named[0] if named else None)


def identify(rejection: RejectionReply, knowledge: BounceKnowledge, catalog: Catalog) -> Identified:
    provider = find_provider(rejection, knowledge)
    pattern = find_pattern(provider, rejection.text)
    zone = find_zone(rejection.text, pattern, knowledge, catalog)
    entry = catalog_entry(zone, catalog) if zone else None
    return Identified(provider, pattern, zone, entry)


def status_reason(status: str | None, table: dict[str, Reason] = STATUS_REASONS) -> Reason | None:
    if status is None:
        return None
    return table.get(status.split(".", 1)[1]) if "." in status else None


def find_reason(rejection: RejectionReply, found: Identified, knowledge: BounceKnowledge) -> Reason:
    """A complaint report, provider pattern, named list, a specific RFC 3463 status, the
    generic phrases, then what the status's subject alone says."""
    if rejection.complaint:
        return Reason.COMPLAINT
    if found.pattern is not None:
        return found.pattern.reason
    if found.zone is not None:
        return Reason.BLOCKED
    status = smtp_codes(rejection.text).enhanced or rejection.status
    decisive = status_reason(status, DECISIVE_STATUS_REASONS)
    if decisive is not None:
        return decisive
    phrase = next((p for p in knowledge.phrases if p.regex.search(rejection.text)), None)
    if phrase is not None:
        return phrase.reason
    return status_reason(status) or Reason.OTHER


def is_temporary(rejection: RejectionReply, pattern: Pattern | None) -> bool:
    """The pattern's say, else the reply's class, else the DSN/log status (RFC 3463 §3.1)."""
    if pattern is not None and pattern.temporary is not None:
        return pattern.temporary
    from_text = smtp_codes(rejection.text).temporary
    if from_text is not None:
        return from_text
    if rejection.status:
        return rejection.status.startswith("4")
    return bool(rejection.deferred)


def verdict_for(rejection: RejectionReply, knowledge: BounceKnowledge, catalog: Catalog) -> Verdict:
    found = identify(rejection, knowledge, catalog)
    return Verdict(found, find_reason(rejection, found, knowledge))
