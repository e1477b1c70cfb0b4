"""Which IPs send for the domain, when the user gave none (SPEC.md `--ip`).

Sources, in order: the MX hosts' addresses (RFC 5321 §5.1, with the implicit MX when
no MX exists), and single-address ip4:/ip6: terms of the domain's own SPF record
(RFC 7208 §5.6). Includes are not expanded: they name an ESP's ranges, not the
domain's own servers. Every IP keeps where it came from.
"""

from __future__ import annotations

import asyncio
import ipaddress

from audit.model import IpSource, SendingIp, Target, Unknown, UnknownReason
from audit.net.dns import DnsClient, Lookup, LookupStatus

MAX_MX_HOSTS = 10
MAX_SENDING_IPS = 64


def _unknown(subject: str, lookup: Lookup) -> Unknown:
    return Unknown(subject, lookup.reason or UnknownReason.NETWORK, lookup.detail)


def ranked_exchanges(mx: Lookup) -> list[tuple[int, str]]:
    """(preference, exchange) of an MX answer in preference order (RFC 5321 §5.1), as
    the records spell them; the null MX (RFC 7505) is the exchange ".". Shared with the
    mx check, which reads the same answer from the run's DNS cache."""
    if mx.status is not LookupStatus.ANSWER:
        return []
    pairs = (record.split() for record in mx.records)
    return sorted(((int(p[0]), p[1]) for p in pairs), key=lambda pair: pair)


async def _mx_ips(dns: DnsClient, domain: str) -> tuple[list[SendingIp], list[Unknown]]:
    mx = await dns.query(domain, "MX")
    if mx.status is LookupStatus.UNKNOWN:
        return [], [_unknown(f"MX of {domain}", mx)]
    hosts: list[str] = []
    if mx.status is LookupStatus.ANSWER:
        # "0 ." is a null MX (RFC 7505)
        hosts = [host for _, host in ranked_exchanges(mx) if host != "."]
    elif mx.status is LookupStatus.NODATA:
        hosts = [domain]  # implicit MX, RFC 5321 §5.1
    found: list[SendingIp] = []
    unknowns: list[Unknown] = []
    answers = await asyncio.gather(*(dns.addresses(h) for h in hosts[:MAX_MX_HOSTS]))
    for host, lookups in zip(hosts, answers, strict=False):
        for lookup in lookups:
            if lookup.status is LookupStatus.UNKNOWN:
                unknowns.append(_unknown(f"{lookup.rdtype} of MX host {host}", lookup))
            found.extend(SendingIp(ip, IpSource.MX, host.rstrip(".")) for ip in lookup.records)
    return found, unknowns


async def _spf_ips(dns: DnsClient, domain: str) -> tuple[list[SendingIp], list[Unknown]]:
    txt = await dns.query(domain, "TXT")
    if txt.status is LookupStatus.UNKNOWN:
        return [], [_unknown(f"SPF of {domain}", txt)]
    found: list[SendingIp] = []
    for record in txt.records:
        terms = record.split()
        if not terms or terms[0].lower() != "v=spf1":
            continue
        for term in terms[1:]:
            kind, _, value = term.lstrip("+").partition(":")
            if kind.lower() not in ("ip4", "ip6") or not value:
                continue
            try:
                network = ipaddress.ip_network(value, strict=False)
            except ValueError:
                continue  # the spf check reports syntax errors
            if network.num_addresses == 1:
                found.append(SendingIp(str(network.network_address), IpSource.SPF, term))
    return found, []


async def _log_ips(log_files: tuple[str, ...]) -> list[SendingIp]:
    """Our sending IPs where the logs state them (Mailgun sending-ip, Exim I=; Postfix
    does not log its own address). Unreadable logs are the volume check's to report."""
    if not log_files:
        return []
    from audit.maillog.ingest import log_sending_ips

    seen = await asyncio.to_thread(log_sending_ips, log_files)
    return [SendingIp(ip, IpSource.LOG, f"seen in {path}") for ip, path in seen]


async def resolve_target(
    dns: DnsClient, domain: str | None, given_ips: tuple[str, ...], log_files: tuple[str, ...] = ()
) -> tuple[Target, list[Unknown]]:
    if given_ips or domain is None:
        ips = tuple(SendingIp(ip, IpSource.GIVEN) for ip in dict.fromkeys(given_ips))
        return Target(domain, ips), []
    (mx_ips, mx_unknowns), (spf_ips, spf_unknowns), log_ips = await asyncio.gather(
        _mx_ips(dns, domain), _spf_ips(dns, domain), _log_ips(log_files)
    )
    unique: dict[str, SendingIp] = {}
    for candidate in [*mx_ips, *spf_ips, *log_ips]:
        unique.setdefault(candidate.ip, candidate)
    ips = tuple(list(unique.values())[:MAX_SENDING_IPS])
    return Target(domain, ips), [*mx_unknowns, *spf_unknowns]
