"""Collecting the STARTTLS sessions: the relay probe's hosts and rules (`--smtp-host`,
else the MX hosts on 25; `--no-relay-probe`: no connection), one bounded session per
address, a few at a time. When the relay check runs too, its probe's connection asks
for STARTTLS and is the session (`checks.mx.tls.session.from_probe`); a connection of
our own only where that connection ended early after a greeting. The raw chains stay
beside the evidence for the DANE match."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

from audit.engine.context import AuditContext
from audit.model import CheckId, Unknown
from checks.mx.evidence import TlsProbeStatus, TlsSessionEvidence
from checks.mx.tls.judge import session_evidence, session_unknowns
from checks.mx.tls.session import TlsSession, from_probe, starttls_session
from checks.relay.check import RELAY_PROBES
from checks.relay.model import HostProbe, ProbeTarget
from checks.relay.options import RelayOptions
from checks.relay.targets import plan_targets

MAX_PARALLEL_SESSIONS = 4


@dataclass
class Sessions:
    status: TlsProbeStatus
    evidence: list[TlsSessionEvidence] = field(default_factory=list)
    unknowns: list[Unknown] = field(default_factory=list)
    chains: dict[str, list[list[bytes]]] = field(default_factory=dict)  # host -> DER chains


async def collect_sessions(ctx: AuditContext, domain: str, ca_file: str | None) -> Sessions:
    relay = ctx.options_for(RelayOptions)
    if not relay.relay_probe:
        return Sessions("skipped")
    plan = await plan_targets(ctx.dns, domain, relay.smtp_hosts)
    if not plan.targets:
        return Sessions("no_server")  # the relay check reports why (the same plan)
    shared = await _relay_probes(ctx)
    parallel = asyncio.Semaphore(MAX_PARALLEL_SESSIONS)
    now: datetime = ctx.clock()
    found = Sessions("probed")

    async def one(target: ProbeTarget) -> TlsSessionEvidence:
        probe = shared.get((target.ip, target.port))
        session: TlsSession | None = from_probe(probe) if probe else None
        if session is None:
            async with parallel:
                session = await starttls_session(target, ctx.run.smtp_timeout)
        if session.chain:
            found.chains.setdefault(target.host, []).append(session.chain)
        return await asyncio.to_thread(session_evidence, session, ca_file, now)

    found.evidence = list(await asyncio.gather(*(one(t) for t in plan.targets)))
    found.unknowns = [u for s in found.evidence for u in session_unknowns(s)]
    return found


async def _relay_probes(ctx: AuditContext) -> dict[tuple[str, int], HostProbe]:
    """The relay probe's sessions by (address, port), when the relay check runs too."""
    if CheckId.RELAY not in ctx.selected:
        return {}
    probed = await ctx.fact(RELAY_PROBES)
    return {(p.target.ip, p.target.port): p for p in probed.probes}
