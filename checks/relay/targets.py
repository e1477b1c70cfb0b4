"""Which servers the relay probe may talk to (SPEC "Safety rules of the relay probe").

Only the hosts named with `--smtp-host HOST[:PORT]`, or else the audited domain's MX
hosts on port 25 (RFC 5321 §5.1: the MX records in preference order, the domain
itself when it has none; a null MX, RFC 7505, means it accepts no mail). Names are
resolved through the run's DNS client (A and AAAA); every address is probed.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from audit.model import Unknown, UnknownReason
from audit.model.errors import InputError
from audit.model.inputs import parse_smtp_host
from audit.net.dns import DnsClient, Lookup, LookupStatus
from checks.relay.model import ProbeTarget

SMTP_PORT = 25  # RFC 5321 §4.5.4.2 ... and the port MXs are reached on
MAX_MX_HOSTS = 10
MAX_TARGETS = 16


@dataclass
class TargetPlan:
    """The addresses to probe, what could not be resolved, and why there are none."""

    targets: list[ProbeTarget] = field(default_factory=list)
    unknowns: list[Unknown] = field(default_factory=list)
    note: str = ""

    def add(self, target: ProbeTarget) -> None:
        known = {(t.ip, t.port) for t in self.targets}
        if (target.ip, target.port) not in known and len(self.targets) < MAX_TARGETS:
            self.targets.append(target)


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _lookup_unknown(subject: str, lookup: Lookup) -> Unknown:
    detail = f"{lookup.rdtype} lookup of {lookup.name}: {lookup.detail or lookup.status.value}"
    return Unknown(subject, lookup.reason or UnknownReason.NETWORK, detail)


async def _add_host(dns: DnsClient, plan: TargetPlan, host: str, port: int, source: str) -> None:
    if _is_ip(host):
        plan.add(ProbeTarget(host, host, port, source))
        return
    lookups = await dns.addresses(host)
    for lookup in lookups:
        if lookup.status is LookupStatus.UNKNOWN:
            plan.unknowns.append(_lookup_unknown(f"{host}:{port}", lookup))
        for ip in lookup.records:
            plan.add(ProbeTarget(host, ip, port, source))
    if all(lookup.answered and not lookup.records for lookup in lookups):
        detail = f"{host} has no A or AAAA record: there is no server to probe"
        plan.unknowns.append(Unknown(f"{host}:{port}", UnknownReason.DEPENDENCY, detail))


async def _given_hosts(dns: DnsClient, plan: TargetPlan, smtp_hosts: tuple[str, ...]) -> None:
    for text in smtp_hosts:
        try:
            host, port = parse_smtp_host(text)
        except InputError as exc:  # validated by the CLI; a library caller may not have
            plan.unknowns.append(Unknown(text, UnknownReason.MALFORMED, str(exc)))
            continue
        await _add_host(dns, plan, host, port, "given")


def mx_hosts(mx: Lookup, domain: str) -> list[str]:
    """MX exchanges in preference order; the domain itself for NODATA (implicit MX)."""
    if mx.status is LookupStatus.NODATA:
        return [domain]
    ranked = sorted((r.split() for r in mx.records), key=lambda p: (int(p[0]), p[1]))
    return [host.rstrip(".").lower() for _, host in ranked if host != "."][:MAX_MX_HOSTS]


async def _mx_targets(dns: DnsClient, plan: TargetPlan, domain: str) -> None:
    mx = await dns.query(domain, "MX")
    if mx.status is LookupStatus.UNKNOWN:
        plan.unknowns.append(_lookup_unknown(f"MX of {domain}", mx))
        return
    if mx.status is LookupStatus.NXDOMAIN:
        detail = f"{domain} does not exist (NXDOMAIN): there is no MX to probe"
        plan.unknowns.append(Unknown(f"MX of {domain}", UnknownReason.DEPENDENCY, detail))
        return
    hosts = mx_hosts(mx, domain)
    if not hosts:
        plan.note = f"{domain} publishes a null MX (RFC 7505): it accepts no mail"
    for host in hosts:
        await _add_host(dns, plan, host, SMTP_PORT, "mx")


async def plan_targets(
    dns: DnsClient, domain: str | None, smtp_hosts: tuple[str, ...]
) -> TargetPlan:
    """The probe's targets: `--smtp-host` values if any, else the domain's MX hosts."""
    plan = TargetPlan()
    if smtp_hosts:
        await _given_hosts(dns, plan, smtp_hosts)
    elif domain:
        await _mx_targets(dns, plan, domain)
    else:
        detail = "no domain and no --smtp-host: nothing to probe"
        plan.unknowns.append(Unknown("relay", UnknownReason.DEPENDENCY, detail))
    return plan
