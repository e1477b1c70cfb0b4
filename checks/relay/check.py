"""The relay check: does an MX relay mail for strangers? (SPEC "Safety rules of the
relay probe").

An open relay is the classic cause of a critical blocklisting (Spamhaus, SpamCop):
anyone can send spam through it. The probe connects to the audited domain's MX hosts
on port 25, or to the hosts named with `--smtp-host`, and tries nmap's 16 MAIL FROM /
RCPT TO variants (checks/relay/variants.toml) with a recipient in a domain that
cannot exist (RFC 2606). It never sends DATA, so nothing is ever relayed; RSET between
attempts, QUIT at the end, every wait and reply bounded (`checks.relay.probe`).
Evidence per server: banner, EHLO extensions, each attempt's replies, the transcript,
the probe's source address and timings; `checks.relay.judge` turns it into findings.

The probe is a fact (`RELAY_PROBES`) the mx check shares when both run: the last
connection then also asks for STARTTLS (`checks.relay.probe`), so each server gets one
connection, not two. Transport security is then the mx check's to report
(MX_STARTTLS_MISSING): RELAY_NO_STARTTLS is raised only when mx is not in the run, and
STARTTLS stays in this check's evidence either way.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import time
from dataclasses import dataclass
from typing import Any, ClassVar

from audit.engine.context import AuditContext, Fact
from audit.model import CheckId, CheckResult, Finding, Unknown
from audit.net.dns import DnsClient
from checks.relay.evidence import RelayEvidenceDocument
from checks.relay.judge import RELAY_CODES, host_evidence, host_unknowns, relay_findings, vantage
from checks.relay.model import HostProbe, ProbeTarget
from checks.relay.options import RelayOptions
from checks.relay.probe import ProbeSession, ProbeSettings
from checks.relay.server_judge import banner_findings, starttls_findings
from checks.relay.targets import TargetPlan, plan_targets
from checks.relay.variants import FOREIGN_DOMAIN, variants

MAX_PARALLEL_SESSIONS = 4
# Share of the check's time the sessions may use: the rest reports what was seen.
SESSION_SHARE = 0.85


async def probe_all(
    targets: list[ProbeTarget], settings: ProbeSettings, budget: float
) -> list[HostProbe]:
    """One session per address; one connection per host IP at a time (SMTP servers
    count concurrent connections per client: Postfix smtpd_client_connection_limit)."""
    ends_at = time.monotonic() + budget
    parallel = asyncio.Semaphore(MAX_PARALLEL_SESSIONS)
    per_host = {ip: asyncio.Lock() for ip in {t.ip for t in targets}}

    async def one(target: ProbeTarget) -> HostProbe:
        async with parallel, per_host[target.ip]:
            remaining = max(ends_at - time.monotonic(), 0.05)
            session_settings = dataclasses.replace(settings, session_budget=remaining)
            return await ProbeSession(target, session_settings).run()

    return list(await asyncio.gather(*(one(t) for t in targets)))


async def ptr_names(dns: DnsClient, ip: str) -> tuple[str, ...]:
    """PTR names of a public address (a private one's PTR is only local knowledge)."""
    if not ipaddress.ip_address(ip).is_global:
        return ()
    lookup = await dns.ptr(ip)
    return lookup.records if lookup.exists else ()


@dataclass(frozen=True)
class RelayProbes:
    """The probe of one run: the planned servers and one `HostProbe` per address."""

    plan: TargetPlan
    probes: tuple[HostProbe, ...]
    probed: bool  # False: --no-relay-probe, or nothing to probe


def mx_in_run(ctx: AuditContext) -> bool:
    """The mx check runs and judges STARTTLS (it needs a domain; skipped without one)."""
    return CheckId.MX in ctx.selected and ctx.domain is not None


async def _probe_servers(ctx: AuditContext) -> RelayProbes:
    options = ctx.options_for(RelayOptions)
    plan = await plan_targets(ctx.dns, ctx.run.domain, options.smtp_hosts)
    if not options.relay_probe or not plan.targets:
        return RelayProbes(plan, (), probed=False)
    starttls = mx_in_run(ctx)  # the mx check reads STARTTLS off this probe
    settings = ProbeSettings(ctx.run.smtp_timeout, 0.0, ctx.run.domain, variants(), starttls)
    probes = await probe_all(plan.targets, settings, ctx.run.check_timeout * SESSION_SHARE)
    return RelayProbes(plan, tuple(probes), probed=True)


RELAY_PROBES: Fact[RelayProbes] = Fact("relay probes", _probe_servers)


def judge(
    probe: HostProbe, ptr: tuple[str, ...], with_mx: bool = False
) -> tuple[list[Finding], list[Unknown]]:
    """`with_mx`: the mx check runs and reports STARTTLS itself (one fact, one finding)."""
    starttls = [] if with_mx else starttls_findings(probe)
    findings = relay_findings(probe) + starttls + banner_findings(probe, ptr)
    return findings, host_unknowns(probe, len(variants()))


def _summary(probes: list[HostProbe], findings: list[Finding]) -> str:
    sources = sorted({p.source_ip for p in probes if p.source_ip})
    where = f"probed from {', '.join(sources)}" if sources else "no connection made"
    internal = any(vantage(p.source_ip, p.target.ip)["internal"] for p in probes if p.source_ip)
    if internal:
        where += " (an address the servers may trust: a relay seen from here may be a false alarm)"
    relays = sum(1 for f in findings if f.code in RELAY_CODES)
    return f"{len(probes)} SMTP server(s) {where}; {relays} relay finding(s)"


class RelayCheck:
    id: ClassVar[CheckId] = CheckId.RELAY
    finding_codes: ClassVar[frozenset[str]] = frozenset(
        {"RELAY_OPEN", "RELAY_ADDRESS_TRICK_ACCEPTED", "RELAY_NO_STARTTLS", "RELAY_BANNER_MISMATCH"}
    )

    uses_dns: ClassVar[bool] = True

    warm_imports: ClassVar[tuple[str, ...]] = ()
    provides: ClassVar[tuple[Fact[Any], ...]] = (RELAY_PROBES,)
    needs: ClassVar[tuple[Fact[Any], ...]] = ()

    async def run(self, ctx: AuditContext) -> CheckResult:
        options = ctx.options_for(RelayOptions)
        if not options.relay_probe:
            detail = "--no-relay-probe: no SMTP connection was made"
            return CheckResult(check=self.id, skipped=True, detail=detail)
        probed = await ctx.fact(RELAY_PROBES)
        plan, probes = probed.plan, list(probed.probes)
        if not plan.targets:
            detail = plan.note or "no SMTP server to probe"
            return CheckResult(check=self.id, unknowns=tuple(plan.unknowns), detail=detail)
        ptrs = await asyncio.gather(*(ptr_names(ctx.dns, p.target.ip) for p in probes))
        with_mx = mx_in_run(ctx)
        judged = [judge(probe, ptr, with_mx) for probe, ptr in zip(probes, ptrs, strict=True)]
        findings = [f for found, _ in judged for f in found]
        unknowns = [*plan.unknowns, *(u for _, lost in judged for u in lost)]
        evidence: RelayEvidenceDocument = {
            "foreign_recipient_domain": FOREIGN_DOMAIN,
            "variants": len(variants()),
            "servers": [host_evidence(p) for p in probes],
        }
        return CheckResult(
            check=self.id,
            evidence=evidence,
            findings=tuple(findings),
            unknowns=tuple(unknowns),
            detail=_summary(probes, findings),
        )
