"""Query names and the lookups behind one run.

RFC 5782 §2.1: an IPv4 address is queried as its four octets reversed under the zone;
§2.4: an IPv6 address as its 32 nibbles reversed (always the full, uncompressed form:
compressed-form bugs are a known peer failure); §3: a domain list is queried with the
name itself. A and TXT are asked together (§2.1 A = the listing, §2.2 TXT = the reason),
so a run costs one round trip however many lists it asks.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
from collections.abc import Callable, Sequence
from typing import NamedTuple

from audit.knowledge.dnsbl.catalog import TargetKind
from audit.knowledge.dnsbl.selection import SelectedList
from audit.net.dns import DnsClient, Lookup


class DnsblTarget(NamedTuple):  # a NamedTuple: a sixth of a frozen dataclass's cost to define
    """What is looked up: an IP address or a domain, with its query label."""

    text: str
    kind: TargetKind

    @property
    def label(self) -> str:
        return query_label(self.text, self.kind)


def parse_target(text: str) -> DnsblTarget:
    """An IP (IPv4-mapped IPv6 counts as IPv4) or a domain name (lowercase A-label)."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return DnsblTarget(text.strip().lower().rstrip("."), TargetKind.DOMAIN)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    kind = TargetKind.IPV4 if address.version == 4 else TargetKind.IPV6
    return DnsblTarget(str(address), kind)


def query_label(text: str, kind: TargetKind) -> str:
    if kind is TargetKind.DOMAIN:
        return text
    address = ipaddress.ip_address(text)
    if kind is TargetKind.IPV4:
        return ".".join(reversed(str(address).split(".")))
    nibbles = address.exploded.replace(":", "")  # 32 hex digits, RFC 5782 §2.4
    return ".".join(reversed(nibbles))


def query_name(target: DnsblTarget, selected: SelectedList) -> str:
    return f"{target.label}.{selected.query_zone}"


def test_point_name(point: str, selected: SelectedList) -> str:
    """RFC 5782 §5 test points are IPs (reversed like any target) or domain names."""
    try:
        address = ipaddress.ip_address(point)
    except ValueError:
        return f"{point}.{selected.query_zone}"
    kind = TargetKind.IPV4 if address.version == 4 else TargetKind.IPV6
    return f"{query_label(point, kind)}.{selected.query_zone}"


class PairLookups(NamedTuple):  # a NamedTuple: a sixth of a frozen dataclass's cost to define
    target: DnsblTarget
    selected: SelectedList
    a: Lookup
    txt: Lookup | None


async def lookup_pair(dns: DnsClient, target: DnsblTarget, selected: SelectedList) -> PairLookups:
    name = query_name(target, selected)
    if not selected.entry.txt:
        return PairLookups(target, selected, await dns.query(name, "A"), None)
    txt_task = asyncio.ensure_future(dns.query(name, "TXT"))  # in flight with the A query
    try:
        a = await dns.query(name, "A")
    except BaseException:
        txt_task.cancel()  # stopped at the deadline: the TXT is not wanted any more
        raise
    return PairLookups(target, selected, a, await txt_task)


def pairs_for(
    targets: Sequence[DnsblTarget], lists: Sequence[SelectedList]
) -> list[tuple[DnsblTarget, SelectedList]]:
    """Every (target, list) combination the list can answer (IPv4/IPv6/domain)."""
    return [(t, s) for t in targets for s in lists if s.entry.serves(t.kind)]


async def lookup_all(
    dns: DnsClient,
    pairs: Sequence[tuple[DnsblTarget, SelectedList]],
    results: list[PairLookups | None],
    on_done: Callable[[], None] | None = None,
) -> None:
    """All pairs through a fixed pool of workers (two queries in flight each): as many
    queries in flight as the client allows, without one waiting task per pair.

    `results[i]` is filled as pair i is answered, so a run stopped at its deadline
    keeps what was answered before it."""
    next_index = iter(range(len(pairs)))

    async def worker() -> None:
        for index in next_index:
            target, selected = pairs[index]
            results[index] = await lookup_pair(dns, target, selected)
            if on_done is not None:
                on_done()

    workers = max(1, min(len(pairs), dns.concurrency // 2))
    await asyncio.gather(*(worker() for _ in range(workers)))


def nxdomain_probe_name(zone: str) -> str:
    """A name that cannot exist in a DNSBL zone: a resolver answering it with an address
    rewrites NXDOMAIN (ISP "search assist"), which would make every list list the world."""
    return f"nxdomain-probe-{os.urandom(6).hex()}.{zone}"  # secrets.token_hex(6), as it is
