"""PTR / forward-confirmed reverse DNS (FCrDNS) of every sending IP.

Receivers reject or score down mail from IPs without a PTR, or whose PTR name does not
resolve back to the IP (RFC 8601 §3 "iprev"; RFC 1912 §2.1: "every Internet-reachable
host should have a name" whose forward and reverse match). Generic, ISP-assigned names
(octets of the IP, "dynamic", "pool", "dsl"...) are what Spamhaus PBL and SpamRATS
Dyna list as end-user space. Evidence is collected first, then judged by pure
functions.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from audit.engine.context import AuditContext, Fact
from audit.model import CheckId, CheckResult, Finding, SendingIp, Severity, Unknown, UnknownReason
from audit.net.dns import DnsClient, Lookup, LookupStatus
from checks.ptr.evidence import PtrEvidenceDocument, PtrIpEvidence
from checks.ptr.options import PtrOptions

MAX_PTR_NAMES = 10

# Words ISPs put in the PTR names of end-user (dynamic/residential) space. Matched as
# whole tokens between dots/dashes/digits, so "pool" matches "pool-1-2-3-4.isp" but not
# "liverpool". Patterns follow SpamRATS Dyna's description of generic rDNS.
GENERIC_WORDS = (
    "dynamic",
    "dyn",
    "dhcp",
    "pool",
    "dsl",
    "adsl",
    "vdsl",
    "xdsl",
    "cable",
    "ppp",
    "pppoe",
    "client",
    "clients",
    "customer",
    "cust",
    "dial",
    "dialup",
    "dialin",
    "broadband",
    "bb",
    "residential",
    "res",
    "home",
    "cpe",
    "user",
    "users",
    "subscriber",
    "unassigned",
    "unknown",
    "nat",
    "mobile",
    "wireless",
    "wifi",
    "ftth",
    "fttx",
)
_TOKEN = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class ForwardEvidence:
    """The forward (A/AAAA) lookup of one PTR name, and whether it returns the IP."""

    name: str
    ip: str
    lookup: Lookup

    @property
    def confirms(self) -> bool:
        return self.lookup.exists and any(_same_ip(r, self.ip) for r in self.lookup.records)


def _same_ip(left: str, right: str) -> bool:
    try:
        return ipaddress.ip_address(left) == ipaddress.ip_address(right)
    except ValueError:
        return False


@dataclass(frozen=True)
class PtrEvidence:
    """Facts about one sending IP's reverse DNS."""

    sending_ip: SendingIp
    ptr: Lookup
    names: tuple[str, ...] = ()
    forward: tuple[ForwardEvidence, ...] = field(default_factory=tuple)

    @property
    def confirmed_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.forward if f.confirms)

    @property
    def forward_unknown(self) -> tuple[ForwardEvidence, ...]:
        return tuple(f for f in self.forward if not f.lookup.answered)

    def to_evidence(self) -> PtrIpEvidence:
        fcrdns: bool | None
        if self.confirmed_names:
            fcrdns = True
        elif self.forward_unknown or not self.ptr.answered:
            fcrdns = None
        else:
            fcrdns = False
        return {
            "ip": self.sending_ip.ip,
            "source": self.sending_ip.source.value,
            "ptr": list(self.names),
            "ptr_lookup": self.ptr.to_evidence(),
            "forward": {f.name: f.lookup.to_evidence() for f in self.forward},
            "fcrdns": fcrdns,
            "confirmed_names": list(self.confirmed_names),
            "generic_reason": generic_reason(self.best_name, self.sending_ip.ip)
            if self.best_name
            else None,
        }

    @property
    def best_name(self) -> str | None:
        return (self.confirmed_names or self.names or (None,))[0]


def ip_fragments(ip: str) -> list[str]:
    """Ways an ISP embeds an IP in a PTR name: dotted/dashed octets, either order, hex."""
    address = ipaddress.ip_address(ip)
    if address.version == 4:
        octets = str(address).split(".")
        fragments = []
        for sep in ("-", ".", "_", ""):
            fragments.append(sep.join(octets))
            fragments.append(sep.join(reversed(octets)))
        fragments.append(f"{int(address):08x}")
        # three trailing octets are as telling as four ("1-2-3.pool.isp")
        fragments.append("-".join(octets[1:]))
        fragments.append("-".join(reversed(octets[:3])))
        return [f for f in fragments if len(f) >= 5]
    exploded = address.exploded.replace(":", "")
    return [exploded[-16:], exploded[-12:]]


def generic_reason(name: str, ip: str) -> str | None:
    """Why `name` looks like an ISP's generic end-user name, or None."""
    lowered = name.lower().rstrip(".")
    flattened = re.sub(r"[._]", "-", lowered)
    if any(f in lowered or f in flattened for f in ip_fragments(ip)):
        return "the name embeds the IP address"
    # Only the labels left of the registered domain speak about the host.
    host_labels = lowered.rsplit(".", 2)[0] if lowered.count(".") >= 2 else lowered.split(".")[0]
    tokens = set(_TOKEN.findall(host_labels))
    words = sorted(tokens.intersection(GENERIC_WORDS))
    if words:
        return f"the name contains {', '.join(repr(w) for w in words)}"
    return None


def _matches_suffix(name: str, suffix: str) -> bool:
    name = name.lower().rstrip(".")
    return name == suffix or name.endswith("." + suffix)


def judge_ip(evidence: PtrEvidence, expected_suffixes: tuple[str, ...]) -> list[Finding]:
    """Pure judgement of one IP's reverse-DNS evidence."""
    ip = evidence.sending_ip.ip
    facts = evidence.to_evidence()
    found: list[Finding] = []

    def finding(code: str, severity: Severity, title: str, detail: str) -> Finding:
        return Finding(CheckId.PTR, code, severity, ip, title, detail, facts)

    if evidence.ptr.status in (LookupStatus.NXDOMAIN, LookupStatus.NODATA):
        return [
            finding(
                "PTR_MISSING",
                Severity.HIGH,
                f"{ip} has no PTR record",
                f"{evidence.ptr.name} returned {evidence.ptr.status.value}",
            )
        ]
    if not evidence.names:
        return found
    if len(evidence.names) > 1:
        found.append(
            finding(
                "PTR_MULTIPLE",
                Severity.LOW,
                f"{ip} has {len(evidence.names)} PTR records",
                "receivers may check any one of them; publish a single PTR",
            )
        )
    if not evidence.confirmed_names and not evidence.forward_unknown:
        names = ", ".join(evidence.names)
        found.append(
            finding(
                "PTR_FCRDNS_FAILED",
                Severity.HIGH,
                f"PTR of {ip} is not forward-confirmed",
                f"none of {names} resolves back to {ip}",
            )
        )
    reason = generic_reason(evidence.best_name or "", ip) if evidence.best_name else None
    if reason:
        found.append(
            finding(
                "PTR_GENERIC",
                Severity.MEDIUM,
                f"PTR of {ip} looks generic ({evidence.best_name})",
                reason,
            )
        )
    if expected_suffixes and not any(
        _matches_suffix(name, suffix) for name in evidence.names for suffix in expected_suffixes
    ):
        found.append(
            finding(
                "PTR_UNEXPECTED_NAME",
                Severity.HIGH,
                f"PTR of {ip} is outside {', '.join(expected_suffixes)}",
                f"PTR names: {', '.join(evidence.names)}; this IP may not be yours",
            )
        )
    return found


def unknowns_for(evidence: PtrEvidence) -> list[Unknown]:
    ip = evidence.sending_ip.ip
    if not evidence.ptr.answered:
        return [
            Unknown(
                ip,
                evidence.ptr.reason or UnknownReason.NETWORK,
                f"PTR lookup {evidence.ptr.name}: {evidence.ptr.detail}",
            )
        ]
    if evidence.forward_unknown and not evidence.confirmed_names:
        return [
            Unknown(
                ip,
                f.lookup.reason or UnknownReason.NETWORK,
                f"forward lookup {f.name} {f.lookup.rdtype}: {f.lookup.detail}",
            )
            for f in evidence.forward_unknown
        ]
    return []


async def collect(dns: DnsClient, sending_ip: SendingIp) -> PtrEvidence:
    ptr = await dns.ptr(sending_ip.ip)
    names = (
        # An RRset has no order (RFC 2181 §5): sort, so the judged "best" name and the
        # report do not change from one run to the next.
        tuple(sorted({r.lower() for r in ptr.records}))[:MAX_PTR_NAMES] if ptr.exists else ()
    )
    rdtype = "A" if ipaddress.ip_address(sending_ip.ip).version == 4 else "AAAA"
    lookups = await asyncio.gather(*(dns.query(name, rdtype) for name in names))
    forward = tuple(
        ForwardEvidence(name.rstrip("."), sending_ip.ip, lookup)
        for name, lookup in zip(names, lookups, strict=True)
    )
    return PtrEvidence(sending_ip, ptr, tuple(n.rstrip(".") for n in names), forward)


class PtrCheck:
    id: ClassVar[CheckId] = CheckId.PTR
    finding_codes: ClassVar[frozenset[str]] = frozenset(
        {"PTR_MISSING", "PTR_MULTIPLE", "PTR_FCRDNS_FAILED", "PTR_GENERIC", "PTR_UNEXPECTED_NAME"}
    )

    uses_dns: ClassVar[bool] = True

    warm_imports: ClassVar[tuple[str, ...]] = ()
    provides: ClassVar[tuple[Fact[Any], ...]] = ()
    needs: ClassVar[tuple[Fact[Any], ...]] = ()

    async def run(self, ctx: AuditContext) -> CheckResult:
        if not ctx.target.ips:
            return CheckResult(
                check=self.id,
                unknowns=(
                    Unknown(
                        "sending IPs",
                        UnknownReason.DEPENDENCY,
                        "no sending IP was given or could be derived; pass --ip",
                    ),
                ),
                detail="no sending IP to check",
            )
        collected = await asyncio.gather(*(collect(ctx.dns, ip) for ip in ctx.target.ips))
        suffixes = ctx.options_for(PtrOptions).expect_ptr_suffixes
        findings = [f for evidence in collected for f in judge_ip(evidence, suffixes)]
        unknowns = [u for evidence in collected for u in unknowns_for(evidence)]
        confirmed = sum(1 for e in collected if e.confirmed_names)
        return CheckResult(
            check=self.id,
            evidence=PtrEvidenceDocument(ips=[e.to_evidence() for e in collected]),
            findings=tuple(findings),
            unknowns=tuple(unknowns),
            detail=f"{confirmed} of {len(collected)} sending IPs have forward-confirmed rDNS",
        )
