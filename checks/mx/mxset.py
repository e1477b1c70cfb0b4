"""The MX set: which hosts receive the domain's mail, and what is wrong with the set.

RFC 5321 §5.1: the MX records in preference order, or the domain itself (the implicit
MX) when it has none; an exchange must be a host name with address records, not an
alias (RFC 2181 §10.3, RFC 5321 §5.1 "MUST NOT") and not an address literal. RFC 7505:
the null MX `0 .` says the domain accepts no mail, and must be its only MX record
(§3). The MX answer is the one target resolution asked (`audit.engine.targets`): the
run's DNS cache answers it, so the check adds no MX query.
"""

from __future__ import annotations

import asyncio
import ipaddress
from typing import cast

from audit.engine.targets import ranked_exchanges
from audit.model import CheckId, Finding, Severity, Unknown, UnknownReason
from audit.net.dns import DnsClient, Lookup, LookupStatus
from checks.mx.evidence import (
    MxHostEvidence,
    MxHostFindingEvidence,
    MxHostProblem,
    MxSetEvidence,
    MxSetStatus,
)

MAX_MX_HOSTS = 10  # as target resolution and the relay probe
NULL_EXCHANGE = "."

_STATUS: dict[LookupStatus, MxSetStatus] = {
    LookupStatus.NXDOMAIN: "nxdomain",
    LookupStatus.NODATA: "implicit",
    LookupStatus.UNKNOWN: "unknown",
}


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


def _lookup_unknown(host: str, lookup: Lookup) -> Unknown:
    detail = f"{lookup.rdtype} lookup of {lookup.name}: {lookup.detail or lookup.status.value}"
    return Unknown(f"MX host {host}", lookup.reason or UnknownReason.NETWORK, detail)


async def _host(
    dns: DnsClient, preference: int, exchange: str
) -> tuple[MxHostEvidence, list[Unknown]]:
    name = exchange.rstrip(".").lower()
    problems: list[MxHostProblem] = ["ip_literal"] if _is_address(name) else []
    a, aaaa = await dns.addresses(name)
    canonical = (a.canonical_name or aaaa.canonical_name or "").rstrip(".").lower()
    if canonical and canonical != name:
        problems.append("cname")
    addresses = [*a.records, *aaaa.records]
    if a.answered and aaaa.answered and not addresses and "ip_literal" not in problems:
        problems.append("unresolvable")
    host: MxHostEvidence = {
        "preference": preference,
        "exchange": name,
        "addresses": addresses,
        "canonical_name": canonical if "cname" in problems else None,
        "problems": problems,
    }
    return host, [_lookup_unknown(name, lk) for lk in (a, aaaa) if not lk.answered]


def _null_host(preference: int, mixed: bool) -> MxHostEvidence:
    problems: list[MxHostProblem] = ["null_mx_mixed"] if mixed else []
    return {
        "preference": preference,
        "exchange": NULL_EXCHANGE,
        "addresses": [],
        "canonical_name": None,
        "problems": problems,
    }


async def collect_mx_set(dns: DnsClient, domain: str) -> tuple[MxSetEvidence, list[Unknown]]:
    """The MX set with each exchange's addresses, and what could not be looked up."""
    mx = await dns.query(domain, "MX")
    ranked = ranked_exchanges(mx)
    null = [pref for pref, name in ranked if name == NULL_EXCHANGE]
    named = [(pref, name) for pref, name in ranked if name != NULL_EXCHANGE][:MAX_MX_HOSTS]
    status = _STATUS.get(mx.status, "null_mx" if null else "mx")
    if status == "implicit":
        named = [(0, domain)]  # RFC 5321 §5.1: the domain itself, preference 0
    found = await asyncio.gather(*(_host(dns, pref, name) for pref, name in named))
    hosts = [_null_host(pref, bool(named)) for pref in null] + [host for host, _ in found]
    unknowns = [u for _, lost in found for u in lost]
    if mx.status is LookupStatus.UNKNOWN:
        unknowns.insert(0, _lookup_unknown(domain, mx))
    return {"status": status, "hosts": hosts}, unknowns


def mail_hosts(mx_set: MxSetEvidence) -> list[str]:
    """The names mail is delivered to (none for a null MX), for the MTA-STS match."""
    return [h["exchange"] for h in mx_set["hosts"] if h["exchange"] != NULL_EXCHANGE]


# problem -> (code, severity, title); `{host}` is the exchange
_PROBLEMS: dict[MxHostProblem, tuple[str, Severity, str]] = {
    "null_mx_mixed": (
        "MX_NULL_WITH_OTHERS",
        Severity.HIGH,
        "a null MX is published beside other MX records (RFC 7505 §3 forbids it)",
    ),
    "ip_literal": ("MX_IP_LITERAL", Severity.HIGH, "MX {host} is an IP address, not a host name"),
    "cname": ("MX_CNAME", Severity.MEDIUM, "MX {host} is an alias (CNAME), not a host name"),
    "unresolvable": ("MX_UNRESOLVABLE", Severity.HIGH, "MX {host} has no A or AAAA record"),
}


def _finding(
    domain: str, host: MxHostEvidence, code: str, severity: Severity, title: str
) -> Finding:
    evidence: MxHostFindingEvidence = {"domain": domain, "host": host}
    subject = domain if host["exchange"] == NULL_EXCHANGE else host["exchange"]
    return Finding(
        CheckId.MX, code, severity, subject, title.format(host=host["exchange"]), "", evidence
    )


def judge_mx_set(domain: str, mx_set: MxSetEvidence) -> list[Finding]:
    """Findings about the MX set itself (pure)."""
    findings: list[Finding] = []
    hosts = mx_set["hosts"]
    if mx_set["status"] == "null_mx" and all(h["exchange"] == NULL_EXCHANGE for h in hosts):
        title = f"{domain} publishes a null MX: it accepts no mail (RFC 7505)"
        findings.append(_finding(domain, hosts[0], "MX_NULL", Severity.INFO, title))
    if mx_set["status"] == "implicit":
        title = f"{domain} has no MX record: senders fall back to its A/AAAA (implicit MX)"
        findings.append(_finding(domain, hosts[0], "MX_IMPLICIT", Severity.LOW, title))
    for host in hosts:
        for problem in host["problems"]:
            code, severity, title = _PROBLEMS[problem]
            findings.append(_finding(domain, host, code, severity, title))
    return findings


def is_null(mx_set: MxSetEvidence) -> bool:
    return cast(str, mx_set["status"]) == "null_mx" and not mail_hosts(mx_set)
