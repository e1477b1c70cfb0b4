"""Shared helpers for the mx tests: fixture zones and running the mx check through a
lab DNS server (and, when given, SMTP and HTTPS servers on loopback)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from audit.engine.context import AuditContext
from audit.model import CheckResult
from audit.net.dns import DnsClient, Nameserver
from checks.mx.check import MxCheck
from checks.mx.options import MxOptions
from checks.relay.options import RelayOptions
from support.context import check_context

SOA = "@ 300 IN SOA ns.{0}. hostmaster.{0}. 1 3600 600 86400 300\n"


def zone(origin: str, *lines: str) -> dict[str, str]:
    return {origin: SOA.format(origin) + "".join(f"{line}\n" for line in lines)}


def mx_context(
    nameserver: str,
    domain: str,
    smtp_hosts: Sequence[str] = (),
    relay_probe: bool = True,
    clock: datetime | None = None,
    timeout: float = 2.0,
    smtp_timeout: float = 5.0,
    **mx_options: Any,
) -> AuditContext:
    """`timeout` is --timeout: per DNS query, and 3 x it bounds the policy fetch."""
    client = DnsClient([Nameserver.parse(nameserver)], timeout=1.0, retries=0)
    options = (RelayOptions(tuple(smtp_hosts), relay_probe), MxOptions(**mx_options))
    ctx = check_context(client, domain, (), options, timeout=timeout, smtp_timeout=smtp_timeout)
    if clock is not None:
        ctx.clock = lambda: clock
    return ctx


def run_mx(nameserver: str, domain: str, **kwargs: Any) -> CheckResult:
    async def go() -> CheckResult:
        return await MxCheck().run(mx_context(nameserver, domain, **kwargs))

    return asyncio.run(go())


def codes(result: CheckResult) -> dict[str, str]:
    """code -> severity label (the highest when a code appears more than once)."""
    found: dict[str, Any] = {}
    for finding in result.findings:
        if finding.code not in found or finding.severity > found[finding.code]:
            found[finding.code] = finding.severity
    return {code: severity.label for code, severity in found.items()}
