"""One message analysed: the evidence a receiver would establish, collected in order.

Parsing and the cryptography are synchronous (and bounded); the DNS they need (DKIM and
ARC keys, SPF, DMARC) goes through the run's resolver, asynchronously, first.
"""

from __future__ import annotations

import email.utils
from dataclasses import dataclass, field

from audit.model import IpSource, SendingIp, UnknownReason
from audit.net.dns import DnsClient, Lookup
from checks.message.auth.alignment import RecordFound, dmarc_evidence, find_record
from checks.message.auth.crypto import KeyCache
from checks.message.auth.signatures import (
    WATCHED_FIELDS,
    arc_chain,
    arc_sets,
    fetch_keys,
    key_names,
    key_names_of,
    tags_of,
    verify_signature,
)
from checks.message.body_links import body_evidence
from checks.message.evidence import (
    MessageAnalysisEvidence,
    MessageArcEvidence,
    MessageDkimEvidence,
    MessageHopEvidence,
    MessageItemEvidence,
    MessagePtrEvidence,
    MessageSpfEvidence,
)
from checks.message.format_rules import (
    GMAIL_DOMAINS,
    format_problems,
    from_addresses,
    from_domain,
    unsubscribe_evidence,
)
from checks.message.parse import MessageFormatError, MessageLimitError, ParsedMessage, parse_message
from checks.message.received import parse_hop, trusted_index
from checks.message.source import MAX_MESSAGE_BYTES, RawMessage
from checks.ptr.check import collect as collect_ptr
from checks.spf.eval import SpfEvaluator, sender_for
from checks.spf.result import SpfOutcome

ARC_FIELDS = ("arc-seal", "arc-message-signature")


def not_analysed(raw: RawMessage, reason: UnknownReason, detail: str) -> MessageItemEvidence:
    return {"source": raw.source, "size": raw.size, "reason": reason.value, "detail": detail}


@dataclass
class AnalysisRun:
    """What the analyses of one run share: the resolver, the SPF evaluator, the trusted
    receivers, and what is already established per connecting IP, key and From domain.
    An mbox from one sender repeats the same IP, envelope, HELO, keys and DMARC record:
    each is evaluated, looked up or parsed once per run, then read (the DNS cache alone
    still costs a walk per message)."""

    dns: DnsClient
    trusted: tuple[str, ...] = ()
    evaluator: SpfEvaluator = field(init=False)
    spf_outcomes: dict[tuple[str, str, str, str], SpfOutcome] = field(default_factory=dict)
    connecting_ptrs: dict[str, MessagePtrEvidence] = field(default_factory=dict)
    keys: KeyCache = field(default_factory=KeyCache)
    key_lookups: dict[str, Lookup] = field(default_factory=dict)
    dmarc_records: dict[tuple[str, str], RecordFound] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.evaluator = SpfEvaluator(self.dns)

    async def check_host(self, ip: str, domain: str, sender: str, helo: str) -> SpfOutcome:
        key = (ip, domain.lower(), sender.lower(), helo.lower())
        if key not in self.spf_outcomes:
            self.spf_outcomes[key] = await self.evaluator.check_host(ip, domain, sender, helo)
        return self.spf_outcomes[key]

    async def txt_lookups(self, names: list[str]) -> dict[str, Lookup]:
        """The key records of `names`, each asked of the resolver once per run (its
        cache answers repeats too, but through a task and a shield per message)."""
        missing = [name for name in dict.fromkeys(names) if name not in self.key_lookups]
        if missing:
            self.key_lookups.update(await fetch_keys(self.dns, missing))
        return {name: self.key_lookups[name] for name in names}

    async def dmarc_record(self, from_domain: str, org: str) -> RecordFound:
        key = (from_domain, org)
        if key not in self.dmarc_records:
            self.dmarc_records[key] = await find_record(self.dns, from_domain, org)
        return self.dmarc_records[key]

    async def connecting_ptr(self, ip: str) -> MessagePtrEvidence:
        if ip not in self.connecting_ptrs:
            self.connecting_ptrs[ip] = await _connecting_ptr(self.dns, ip)
        return self.connecting_ptrs[ip]


async def analyse(run: AnalysisRun, raw: RawMessage) -> MessageItemEvidence:
    if raw.data is None:
        detail = f"{raw.size} bytes, over the limit of {MAX_MESSAGE_BYTES}"
        return not_analysed(raw, UnknownReason.INPUT_LIMIT, detail)
    try:
        message = parse_message(raw.data)
    except MessageLimitError as exc:
        return not_analysed(raw, UnknownReason.INPUT_LIMIT, str(exc))
    except MessageFormatError as exc:
        return not_analysed(raw, UnknownReason.MALFORMED, str(exc))
    analysis = await _analysis(run, raw.data, message)
    return {"source": raw.source, "size": raw.size, "analysis": analysis}


async def _signatures(
    run: AnalysisRun, data: bytes, message: ParsedMessage
) -> tuple[list[MessageDkimEvidence], MessageArcEvidence | None]:
    parsed = [tags_of(header) for header in message.all("dkim-signature")]
    arc_headers = [v for name in ARC_FIELDS for v in message.all(name)]
    lookups = await run.txt_lookups([*key_names_of(parsed), *key_names(arc_headers)])
    signatures = [
        verify_signature(data, index, tags, lookups, message.body_bytes, run.keys)
        for index, tags in enumerate(parsed)
    ]
    if not arc_headers:
        return signatures, None
    arc_lookups = {name: lookups[name] for name in key_names(arc_headers)}
    return signatures, arc_chain(data, arc_lookups, arc_sets(message.all("arc-seal")))


def envelope_sender(message: ParsedMessage) -> str | None:
    """RFC 5321 §4.4: the delivering MTA records MAIL FROM as Return-Path (topmost)."""
    value = message.first("return-path")
    if value is None:
        return None
    address = email.utils.parseaddr(value)[1]
    return address if address or value.strip() == "<>" else None


async def _spf(
    run: AnalysisRun, message: ParsedMessage, hop: MessageHopEvidence | None
) -> MessageSpfEvidence | None:
    if hop is None or hop["ip"] is None:
        return None
    mail_from = envelope_sender(message)
    if mail_from is None:
        return None
    helo = hop["helo"] or ""
    sender, domain = sender_for(mail_from, helo)
    outcome = await run.check_host(hop["ip"], domain, sender, helo)
    return {
        "ip": hop["ip"],
        "helo": hop["helo"],
        "mail_from": mail_from,
        "domain": domain.lower(),
        "result": outcome.result.value,
        "detail": outcome.detail[:300],
    }


async def _connecting_ptr(dns: DnsClient, ip: str) -> MessagePtrEvidence:
    """The PTR check's collection for the connecting IP (Gmail, Yahoo and Apple want
    forward-confirmed reverse DNS of every sending IP)."""
    evidence = await collect_ptr(dns, SendingIp(ip, IpSource.GIVEN))
    failed = not evidence.ptr.answered or (
        bool(evidence.forward_unknown) and not evidence.confirmed_names
    )
    return {
        "ip": ip,
        "names": list(evidence.names),
        "confirmed": None if failed else bool(evidence.confirmed_names),
    }


def _gmail_forged(domain: str | None, signatures: list[MessageDkimEvidence]) -> bool:
    """A gmail.com From that Gmail did not sign (Gmail signs every message it sends)."""
    if domain not in GMAIL_DOMAINS:
        return False
    return not any(s["result"] == "pass" and s["domain"] == domain for s in signatures)


async def _analysis(
    run: AnalysisRun, data: bytes, message: ParsedMessage
) -> MessageAnalysisEvidence:
    signatures, arc = await _signatures(run, data, message)
    hops = [parse_hop(value) for value in message.all("received")]
    trusted_hop = trusted_index(hops, run.trusted)
    hop = hops[trusted_hop] if trusted_hop is not None else None
    spf = await _spf(run, message, hop)
    ip = hop["ip"] if hop is not None else None
    connecting_ptr = await run.connecting_ptr(ip) if ip is not None else None
    domain = from_domain(message)
    dmarc = await dmarc_evidence(run.dmarc_record, domain, spf, signatures) if domain else None
    addresses = from_addresses(message)
    unsubscribe = unsubscribe_evidence(message, signatures)
    return {
        "message_id": (message.first("message-id") or "").strip() or None,
        "from_address": addresses[0][1] if len(addresses) == 1 else None,
        "from_domain": domain,
        "header_fields": len(message.fields),
        "mime_depth": message.mime_depth,
        "longest_line": message.longest_line,
        "watched_present": [f for f in WATCHED_FIELDS if message.all(f)],
        "dkim": signatures,
        "arc": arc,
        "hops": hops,
        "trusted_hop": trusted_hop,
        "spf": spf,
        "connecting_ptr": connecting_ptr,
        "dmarc": dmarc,
        "unsubscribe": unsubscribe,
        "body": body_evidence(message, data[message.body_start :], unsubscribe["https"]),
        "format": format_problems(message),
        "gmail_from_forged": _gmail_forged(domain, signatures),
    }
