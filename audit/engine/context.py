"""What a check receives: the DNS client, the options, the target and a clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from audit.model import Target

if TYPE_CHECKING:
    from audit.net.dns import DnsClient


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class AuditOptions:
    """The parsed, validated options of one run (CLI flags and --config merged)."""

    domain: str | None = None
    selectors: tuple[str, ...] = ()
    expect_ptr_suffixes: tuple[str, ...] = ()
    helo_names: tuple[str, ...] = ()
    lists: str = "default"  # "default", "all", or a catalog file path
    custom_dnsbls: tuple[str, ...] = ()  # ZONE[:ip|domain]
    spamhaus_dqs_key: str | None = field(default=None, repr=False)
    smtp_hosts: tuple[str, ...] = ()
    relay_probe: bool = True
    log_files: tuple[str, ...] = ()  # --log: Postfix/Exim/Mailgun logs ("-" = stdin)
    bounce_files: tuple[str, ...] = ()  # --bounce: .eml bounces or rejection lines to classify
    smtp_timeout: float = 10.0  # seconds per SMTP command (the greeting gets more)
    check_timeout: float = 60.0


@dataclass
class AuditContext:
    """Shared by every check of one run. Checks read it; they never print or exit."""

    dns: DnsClient
    options: AuditOptions
    target: Target
    clock: Callable[[], datetime] = utc_now
