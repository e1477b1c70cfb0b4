"""Refused attempts (failed SASL logins, relay denied, unknown recipients) per client IP and
per account tried, in bounded tables: what a fail2ban jail or a firewall rule needs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from audit.loglines.records import AttemptEvent, AttemptKind
from audit.maillog.bounded import Capped, TopTable
from audit.maillog.facts import AttackerFacts, AttackFacts, TargetedAccountFacts

MAX_ATTACKERS: Final = 10_000  # client IPs kept per kind
MAX_TARGETED_ACCOUNTS: Final = 10_000
# distinct accounts / recipients / IPs kept per entry (the count saturates)
MAX_TARGETS: Final = 1000
SAMPLES: Final = 10


@dataclass
class _Tally:
    attempts: int = 0
    targets: set[str] = field(default_factory=set)  # accounts, recipients or client IPs
    first: datetime | None = None
    last: datetime | None = None

    def add(self, at: datetime | None, target: str | None) -> None:
        self.attempts += 1
        if target and len(self.targets) < MAX_TARGETS:
            self.targets.add(target)
        if at is not None:
            if self.first is None or at < self.first:
                self.first = at
            if self.last is None or at > self.last:
                self.last = at


def _attempts(tally: _Tally) -> int:
    return tally.attempts


def _table(name: str, limit: int) -> TopTable[str, _Tally]:
    return TopTable(name, limit, _Tally, _attempts)


class AttemptTally:
    def __init__(self) -> None:
        self.by_ip = {
            kind: _table(f"{kind.value} attempts by client IP", MAX_ATTACKERS)
            for kind in AttemptKind
        }
        self.accounts = _table("failed logins by account", MAX_TARGETED_ACCOUNTS)
        self.totals = dict.fromkeys(AttemptKind, 0)

    def add(self, event: AttemptEvent) -> None:
        self.totals[event.kind] += 1
        target = event.account if event.kind is AttemptKind.AUTH_FAILED else event.recipient
        self.by_ip[event.kind].get(event.client_ip).add(event.at, target and target.lower())
        if event.kind is AttemptKind.AUTH_FAILED and event.account:
            self.accounts.get(event.account).add(event.at, event.client_ip)

    def attacks(self) -> tuple[AttackFacts, ...]:
        return tuple(
            AttackFacts(kind, self.totals[kind], _attackers(table), table.folded_keys)
            for kind, table in self.by_ip.items()
            if self.totals[kind]
        )

    def targeted(self, logins: Mapping[str, set[str]]) -> tuple[TargetedAccountFacts, ...]:
        """Accounts tried, with the failing IPs found among `logins` (account -> the client
        IPs it submitted mail from)."""
        found = [
            TargetedAccountFacts(
                account=name,
                failures=tally.attempts,
                client_ips=len(tally.targets),
                sample_client_ips=tuple(sorted(tally.targets)[:SAMPLES]),
                logged_in_from=tuple(sorted(tally.targets & logins.get(name, set()))),
                first=tally.first,
                last=tally.last,
            )
            for name, tally in self.accounts
        ]
        return tuple(sorted(found, key=lambda a: (-a.failures, a.account)))

    def capped(self) -> tuple[Capped, ...]:
        tables = (*self.by_ip.values(), self.accounts)
        return tuple(c for table in tables if (c := table.capped()) is not None)


def _attackers(table: TopTable[str, _Tally]) -> tuple[AttackerFacts, ...]:
    found = [
        AttackerFacts(
            ip,
            tally.attempts,
            len(tally.targets),
            tuple(sorted(tally.targets)[:SAMPLES]),
            tally.first,
            tally.last,
        )
        for ip, tally in table
    ]
    return tuple(sorted(found, key=lambda a: (-a.attempts, a.client_ip)))
