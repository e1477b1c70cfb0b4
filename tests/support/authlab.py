"""Shared helpers for the spf / dkim / dmarc tests: fixture zones and a check runner."""

from __future__ import annotations

import asyncio
from pathlib import Path

from audit.model import CheckResult
from audit.net.dns import DnsClient, Nameserver
from checks.dkim.options import DkimOptions
from checks.spf.options import SpfOptions
from support.context import check_context
from support.paths import FIXTURES

AUTH_ZONES = FIXTURES / "auth"


def zone_files() -> list[Path]:
    return sorted(AUTH_ZONES.glob("*.zone"))


def run_check(
    check: object,
    nameserver: str,
    domain: str,
    ips: tuple[str, ...] = (),
    selectors: tuple[str, ...] = (),
    helo_names: tuple[str, ...] = (),
    timeout: float = 1.0,
) -> CheckResult:
    """Run one check against the lab server, as the runner would."""

    async def go() -> CheckResult:
        client = DnsClient([Nameserver.parse(nameserver)], timeout=timeout, retries=0)
        options = (DkimOptions(selectors=selectors), SpfOptions(helo_names=helo_names))
        selected = (check.id,)  # type: ignore[attr-defined]
        ctx = check_context(client, domain, ips, options, selected)
        return await check.run(ctx)  # type: ignore[attr-defined]

    return asyncio.run(go())


def codes(result: CheckResult) -> dict[str, str]:
    """{finding code: severity label} (the codes tests assert on)."""
    return {finding.code: finding.severity.label for finding in result.findings}


def codes_for(result: CheckResult, subject: str) -> dict[str, str]:
    return {f.code: f.severity.label for f in result.findings if f.subject == subject}
