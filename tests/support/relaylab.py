"""Shared helpers for the relay tests: run the relay check or one probe session against
scripted SMTP servers on loopback, and summarise what came back."""

from __future__ import annotations

import asyncio
from typing import Any

from audit.lab.smtpserver import ScriptedSmtpServer
from audit.model import CheckResult
from audit.net.dns import DnsClient, Nameserver
from checks.relay.check import RelayCheck
from checks.relay.model import HostProbe, ProbeTarget
from checks.relay.options import RelayOptions
from checks.relay.probe import ProbeSession, ProbeSettings
from checks.relay.variants import variants
from support.context import check_context

DOMAIN = "example.test"
UNUSED_NAMESERVER = "127.0.0.1:9"  # loopback targets need no DNS (no PTR for them)


def run_relay(
    *smtp_hosts: str,
    domain: str | None = DOMAIN,
    nameserver: str = UNUSED_NAMESERVER,
    smtp_timeout: float = 2.0,
    check_timeout: float = 20.0,
    **options: Any,
) -> CheckResult:
    """Run the relay check as the runner would, probing `smtp_hosts`."""

    async def go() -> CheckResult:
        client = DnsClient([Nameserver.parse(nameserver)], timeout=0.5, retries=0)
        chosen = RelayOptions(smtp_hosts=smtp_hosts, **options)
        ctx = check_context(
            client, domain, (), (chosen,), smtp_timeout=smtp_timeout, check_timeout=check_timeout
        )
        return await RelayCheck().run(ctx)

    return asyncio.run(go())


def probe(
    server: ScriptedSmtpServer, command_timeout: float = 2.0, budget: float = 20.0
) -> HostProbe:
    """One probe session with `server`."""
    settings = ProbeSettings(command_timeout, budget, DOMAIN, variants())
    target = ProbeTarget("127.0.0.1", "127.0.0.1", server.port, "given")
    return asyncio.run(ProbeSession(target, settings).run())


def codes(result: CheckResult) -> dict[str, str]:
    """{finding code: severity label}: what tests assert on."""
    return {finding.code: finding.severity.label for finding in result.findings}


def outcomes(result: CheckResult) -> dict[str, str]:
    """{variant id: outcome} of the first probed server."""
    attempts = result.evidence["servers"][0]["attempts"]
    return {attempt["variant"]: attempt["outcome"] for attempt in attempts}


def unknown_reasons(result: CheckResult) -> list[str]:
    return [unknown.reason.value for unknown in result.unknowns]
