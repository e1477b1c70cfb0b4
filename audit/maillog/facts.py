"""What the logs say, frozen: the evidence the volume judges read (no judgement here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from audit.loglines.records import AttemptKind
from audit.maillog.bounded import Capped
from audit.maillog.rejections import RejectionKind


@dataclass(frozen=True)
class HourStat:
    hour: datetime
    messages: int
    recipients: int
    client_ips: int
    recipient_domains: int


@dataclass(frozen=True)
class AccountFacts:
    account: str
    messages: int
    recipients: int
    client_ips: int
    sent: int
    deferred: int
    bounced: int
    hours: tuple[HourStat, ...]  # sorted by hour, active hours only
    sample_client_ips: tuple[str, ...] = ()


@dataclass(frozen=True)
class RelayFacts:
    client_ip: str
    messages: int
    foreign_domains: tuple[str, ...]


@dataclass(frozen=True)
class RejectionFacts:
    rejection: RejectionKind
    count: int
    sample: str


@dataclass(frozen=True)
class AttackerFacts:
    """One client IP's refused attempts of one kind."""

    client_ip: str
    attempts: int
    targets: int  # distinct accounts tried (auth) or recipients (relay, unknown recipient)
    sample_targets: tuple[str, ...]
    first: datetime | None
    last: datetime | None


@dataclass(frozen=True)
class AttackFacts:
    """Every refused attempt of one kind: the attacking IPs, most attempts first."""

    kind: AttemptKind
    attempts: int
    attackers: tuple[AttackerFacts, ...]
    other_attackers: int = 0  # IPs folded out of the bounded table (counted in `attempts`)


@dataclass(frozen=True)
class TargetedAccountFacts:
    """An account whose password was tried: failures, from which IPs, and the failing IPs
    that also submitted mail as it (a password guessed)."""

    account: str
    failures: int
    client_ips: int
    sample_client_ips: tuple[str, ...]
    logged_in_from: tuple[str, ...]
    first: datetime | None
    last: datetime | None


@dataclass(frozen=True)
class FileFacts:
    path: str
    format: str | None
    lines: int
    events: int
    malformed: int
    truncated_lines: int
    size_limit_reached: bool
    # lines per family: postfix, exim, mailgun, not_mail (other programs' syslog lines)
    families: dict[str, int] = field(default_factory=dict)
    truncated: str | None = None  # why the rest of the file is unknown (a corrupt gzip)


@dataclass(frozen=True)
class TlsFacts:
    """Remote deliveries (status sent) to one mailbox provider, over TLS or in clear text."""

    provider: str  # gmail, yahoo, microsoft, apple (the requirements' ids) or "other"
    tls: int
    plain: int


@dataclass(frozen=True)
class LogFacts:
    files: tuple[FileFacts, ...]
    accounts: tuple[AccountFacts, ...]  # most messages first
    relays: tuple[RelayFacts, ...]
    rejections: tuple[RejectionFacts, ...]  # most frequent first
    sending_ips: tuple[tuple[str, int], ...]  # our sending IPs the logs state, with counts
    first: datetime | None = None
    last: datetime | None = None
    totals: dict[str, int] = field(default_factory=dict)
    attacks: tuple[AttackFacts, ...] = ()  # one per kind seen, in AttemptKind order
    targeted_accounts: tuple[TargetedAccountFacts, ...] = ()  # most failures first
    capped: tuple[Capped, ...] = ()  # the bounded tables that were full
    tls: tuple[TlsFacts, ...] = ()  # per provider, in TLS_PROVIDERS order, "other" last
