"""Aggregate normalized events into `LogFacts`: per account and per hour, with bounded
memory (capped sets, capped maps, and top-K tables for what the log keys by: rejection
kinds with their remote hosts, relaying clients, sending IPs; audit/maillog/bounded.py) so
a hostile or huge log cannot exhaust it. The tables that reached their bound are stated
in `LogFacts.capped` (the report says so)."""

from __future__ import annotations

import functools
import ipaddress
import operator
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from audit.loglines.records import (
    AttemptEvent,
    DeliveryEvent,
    DeliveryStatus,
    Event,
    SubmissionEvent,
    recipient_domain,
)
from audit.maillog.attempts import AttemptTally
from audit.maillog.bounded import Capped, TopTable
from audit.maillog.facts import (
    AccountFacts,
    FileFacts,
    HourStat,
    LogFacts,
    RejectionFacts,
    RelayFacts,
    TlsFacts,
)
from audit.maillog.rejections import (
    RejectionClassifier,
    RejectionKind,
    is_remote_rejection,
    sample_reply,
)

MAX_SET: Final = 1000  # distinct values kept per set (the count saturates there)
MAX_ACCOUNTS: Final = 50_000
MAX_MESSAGES_REMEMBERED: Final = 200_000
MAX_REJECTION_KINDS = 2000  # (reason, provider, list, codes, host) kinds; then host-less
MAX_RELAYS: Final = 10_000  # unauthenticated clients relaying
MAX_SENDING_IPS = 1000
MAX_CACHED_IP_CHARS: Final = 64  # longer "addresses" are checked, never remembered
OTHER_ACCOUNTS: Final = "(other accounts)"
STATUS_KEYS: Final = {status: status.value for status in DeliveryStatus}  # faster than .value
# an enum member read from its class costs a descriptor call (Python 3.11): millions of times
SENT: Final = DeliveryStatus.SENT
# The mailbox providers whose sender requirements the compliance verdict answers (their
# ids in audit/knowledge/requirements/), by the provider serving the relay host
# (audit/knowledge/providers/): deliveries to their MX hosts, Workspace domains included.
TLS_PROVIDERS: Final = {
    "google-gmail": "gmail",
    "yahoo": "yahoo",
    "microsoft-outlook": "microsoft",
    "apple-icloud": "apple",
}
OTHER_PROVIDERS: Final = "other"


def _add(values: set[str], value: str | None) -> None:
    if value and len(values) < MAX_SET:
        values.add(value)


def _hour_of(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def _is_external(ip: str | None) -> bool:
    if ip is None:
        return False
    return _is_global(ip) if len(ip) <= MAX_CACHED_IP_CHARS else _is_global.__wrapped__(ip)


@functools.lru_cache(maxsize=1024)
def _is_global(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip).is_global
    except ValueError:
        return False


@dataclass
class _Hour:
    messages: int = 0
    recipients: int = 0
    client_ips: set[str] = field(default_factory=set)
    domains: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _Rejections:
    count: int = 0
    sample: str = ""


def _merge_rejections(into: _Rejections, other: _Rejections) -> None:
    into.count += other.count
    into.sample = into.sample or other.sample


def _without_host(kind: RejectionKind) -> RejectionKind:
    """The coarser kind a folded one is counted under: the same words from any host.
    Positional (`_replace` costs a Python-level call per field: once per folded host)."""
    reason, provider, blocklist, code, enhanced, _, temporary = kind
    return RejectionKind(reason, provider, blocklist, code, enhanced, None, temporary)


@dataclass(slots=True)
class _Relay:
    messages: set[str] = field(default_factory=set)
    domains: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _Count:
    n: int = 0


@dataclass
class _Account:
    hours: dict[datetime, _Hour] = field(default_factory=dict)
    client_ips: set[str] = field(default_factory=set)
    # a dict, not a Counter: a Counter's `+=` costs three times a dict's
    outcomes: dict[DeliveryStatus, int] = field(
        default_factory=lambda: dict.fromkeys(DeliveryStatus, 0)
    )
    messages: int = 0
    recipients: int = 0


class Digest:
    def __init__(
        self,
        local_domains: frozenset[str] = frozenset(),
        classifier: RejectionClassifier | None = None,
    ) -> None:
        self.classifier = classifier or RejectionClassifier()
        self.local_domains = set(local_domains)
        self.accounts: dict[str, _Account] = {}
        self.seen: OrderedDict[str, str] = OrderedDict()  # message id -> account
        self.unauthenticated: OrderedDict[str, str] = OrderedDict()  # message id -> client IP
        self.relays: TopTable[str, _Relay] = TopTable(
            "unauthenticated relays by client IP", MAX_RELAYS, _Relay, lambda r: len(r.messages)
        )
        self.rejections: TopTable[RejectionKind, _Rejections] = TopTable(
            "remote rejections by kind and host", MAX_REJECTION_KINDS, _Rejections,
            operator.attrgetter("count"), coarse=_without_host, merge=_merge_rejections,
        )  # fmt: skip
        self.sending_ips: TopTable[str, _Count] = TopTable(
            "sending IPs", MAX_SENDING_IPS, _Count, lambda c: c.n
        )
        self.totals: dict[str, int] = {}  # a key from its first count on (0 included)
        self.tls: dict[str, list[int]] = {}  # provider -> [over TLS, in clear text]
        self.attempts = AttemptTally()
        self.first: datetime | None = None
        self.last: datetime | None = None
        # the hour of the last timestamp seen: parsers hand the same datetime object to
        # every event of one stamp, so an identity test saves a datetime.replace per event
        self._stamp: datetime | None = None
        self._last_at: datetime | None = None
        self._hour = datetime.min  # the hour of `_stamp` (read only once that is set)

    def add(self, event: Event) -> None:
        at = event.at
        # the previous event's stamp (the same object: parsers hand one datetime to every
        # line of a stamp) is already within first..last
        if at is not None and at is not self._last_at:
            self._last_at = at
            if self.first is None or at < self.first:
                self.first = at
            if self.last is None or at > self.last:
                self.last = at
        if isinstance(event, SubmissionEvent):
            self._submission(event)
        elif isinstance(event, AttemptEvent):
            self.attempts.add(event)
        else:
            self._delivery(event)

    def _account(self, name: str) -> _Account:
        account = self.accounts.get(name)
        if account is None:
            if len(self.accounts) >= MAX_ACCOUNTS:
                return self.accounts.setdefault(OTHER_ACCOUNTS, _Account())
            account = self.accounts[name] = _Account()
        return account

    def _hour_of(self, at: datetime) -> datetime:
        if at is not self._stamp:
            self._stamp, self._hour = at, _hour_of(at)
        return self._hour

    def _remember(self, table: OrderedDict[str, str], key: str, value: str) -> None:
        table[key] = value
        if len(table) > MAX_MESSAGES_REMEMBERED:
            table.popitem(last=False)

    def _submission(self, event: SubmissionEvent) -> None:
        # one unpacking for the fields (an attribute each costs more, millions of times)
        at, message_id, account_name, client_ip, _, recipients, local = event
        seen = self.seen
        repeated = message_id in seen
        # A repeated id is another recipient of the same message (Mailgun logs one
        # `accepted` per recipient): recipients add up, the message counts once.
        self._remember(seen, message_id, account_name or "")
        totals = self.totals
        totals["messages"] = totals.get("messages", 0) + (0 if repeated else 1)
        totals["recipients"] = totals.get("recipients", 0) + recipients
        if account_name is None:
            if not local and _is_external(client_ip) and client_ip:
                self._remember(self.unauthenticated, message_id, client_ip)
            return
        account = self.accounts.get(account_name) or self._account(account_name)
        _add(account.client_ips, client_ip)
        if not repeated:
            account.messages += 1
        account.recipients += recipients
        if at is not None:
            key = self._hour if at is self._stamp else self._hour_of(at)
            hour = account.hours.get(key)
            if hour is None:
                hour = account.hours[key] = _Hour()
            hour.messages += 0 if repeated else 1
            hour.recipients += recipients
            _add(hour.client_ips, client_ip)

    def _delivery(self, event: DeliveryEvent) -> None:
        at, message_id, recipient, status, remote, _, _, _, local_ip, forwarded, by, tls = event
        totals = self.totals
        key = STATUS_KEYS[status]
        totals[key] = totals.get(key, 0) + 1
        domain = recipient_domain(recipient)
        if local_ip:
            self.sending_ips.get(local_ip).n += 1
        if not remote:
            if domain and len(self.local_domains) < MAX_SET:
                self.local_domains.add(domain)  # mail delivered here: a local domain
        elif not forwarded and message_id in self.unauthenticated:
            self._maybe_relayed(event, domain)
        if status is not SENT:
            if is_remote_rejection(event):
                tally = self.rejections.get(self.classifier.classify(event))
                tally.count += 1
                if not tally.sample:
                    # the reply as logged: its sample is made in `facts`, for the kinds
                    # kept (100k distinct hosts make 100k kinds, most of them folded)
                    tally.sample = event.reply
        elif tls is not None:
            self._tls(event)
        account_name = by or self.seen.get(message_id)
        if not account_name:
            return
        account = self.accounts.get(account_name) or self._account(account_name)
        account.outcomes[status] += 1
        if at is not None and remote:
            hour = account.hours.get(self._hour if at is self._stamp else self._hour_of(at))
            if hour is not None:
                _add(hour.domains, domain)

    def _tls(self, event: DeliveryEvent) -> None:
        host = event.relay_host
        serving = self.classifier.provider_serving(host) if host and host != "none" else None
        provider = TLS_PROVIDERS.get(serving or "", OTHER_PROVIDERS)
        counts = self.tls.get(provider)
        if counts is None:
            counts = self.tls[provider] = [0, 0]
        counts[0 if event.tls else 1] += 1

    def _tls_facts(self) -> tuple[TlsFacts, ...]:
        order = [*TLS_PROVIDERS.values(), OTHER_PROVIDERS]
        return tuple(
            TlsFacts(provider, *self.tls[provider]) for provider in order if provider in self.tls
        )

    def _maybe_relayed(self, event: DeliveryEvent, domain: str) -> None:
        client_ip = self.unauthenticated.get(event.message_id)
        if client_ip is None or domain in self.local_domains:
            return
        if event.relay_ip is not None and not _is_external(event.relay_ip):
            return  # a gateway handing inbound mail to an internal server
        relay = self.relays.get(client_ip)
        _add(relay.messages, event.message_id)
        _add(relay.domains, domain)

    def facts(self, files: tuple[FileFacts, ...]) -> LogFacts:
        accounts = sorted(
            (_account_facts(name, stats) for name, stats in self.accounts.items()),
            key=lambda a: (-a.messages, a.account),
        )
        relays = tuple(
            RelayFacts(ip, len(relay.messages), tuple(sorted(relay.domains)))
            for ip, relay in sorted(self.relays, key=lambda item: item[0])
            if not relay.domains <= self.local_domains
        )
        ranked = sorted(self.rejections, key=lambda i: (-i[1].count, i[0].sort_key()))
        rejections = tuple(
            RejectionFacts(kind, r.count, sample_reply(r.sample)) for kind, r in ranked
        )
        sending_ips = sorted(((ip, c.n) for ip, c in self.sending_ips), key=lambda i: (-i[1], i[0]))
        return LogFacts(
            files=files,
            accounts=tuple(accounts),
            relays=relays,
            rejections=rejections,
            sending_ips=tuple(sending_ips),
            first=self.first,
            last=self.last,
            totals=dict(sorted(self.totals.items())),
            attacks=self.attempts.attacks(),
            targeted_accounts=self.attempts.targeted(
                {name: account.client_ips for name, account in self.accounts.items()}
            ),
            capped=self._capped(),
            tls=self._tls_facts(),
        )

    def _capped(self) -> tuple[Capped, ...]:
        tables = (self.rejections, self.relays, self.sending_ips)
        capped = [c for table in tables if (c := table.capped()) is not None]
        if OTHER_ACCOUNTS in self.accounts:
            other = self.accounts[OTHER_ACCOUNTS]
            # the accounts past the bound are not remembered: only their messages are known
            capped.append(Capped("accounts", MAX_ACCOUNTS, 0, other.messages))
        return (*capped, *self.attempts.capped())


def _account_facts(name: str, stats: _Account) -> AccountFacts:
    hours = tuple(
        HourStat(hour, h.messages, h.recipients, len(h.client_ips), len(h.domains))
        for hour, h in sorted(stats.hours.items())
    )
    return AccountFacts(
        account=name,
        messages=stats.messages,
        recipients=stats.recipients,
        client_ips=len(stats.client_ips),
        sent=stats.outcomes[DeliveryStatus.SENT],
        deferred=stats.outcomes[DeliveryStatus.DEFERRED],
        bounced=stats.outcomes[DeliveryStatus.BOUNCED],
        hours=hours,
        sample_client_ips=tuple(sorted(stats.client_ips)[:10]),
    )
