"""RFC 7208 §5 mechanisms that query DNS, and the domain-spec each one targets.

`MechanismMatcher.matches_here` decides every mechanism except include (which recurses
into `check_host()` and so lives in `checks.spf.eval`), counting DNS-querying terms and
void lookups in the evaluation's `EvalState` (§4.6.4). `target` expands a domain-spec
(§4.8, macros of §7); the validated PTR names behind `ptr` and `%{p}` (§5.5, §7.3) are
looked up once per evaluation.
"""

from __future__ import annotations

import asyncio
import ipaddress

from audit.net.dns import DnsClient, Lookup, LookupStatus, reverse_name
from checks.spf.macro import MacroValues, expand, truncate_domain, uses_validated_name
from checks.spf.record import Mechanism
from checks.spf.state import (
    MAX_MX_NAMES,
    MAX_PTR_NAMES,
    EvalState,
    IpAddress,
    PermError,
    TempError,
    is_valid_domain,
)


class MechanismMatcher:
    """Matches mechanisms other than include over one `DnsClient`."""

    def __init__(self, dns: DnsClient) -> None:
        self.dns = dns

    # -- §4.8: domain-spec --------------------------------------------------------

    async def target(self, state: EvalState, spec: str | None, domain: str) -> str:
        """§4.8: the expanded domain-spec, or the current domain when absent."""
        if spec is None:
            return domain
        validated = "unknown"
        if uses_validated_name(spec):
            validated = await self.validated_name(state, domain)
        values = MacroValues(
            state.ip, state.sender, domain, state.helo, validated, timestamp=state.timestamp
        )
        return truncate_domain(expand(spec, values))

    # -- §5: mechanisms ----------------------------------------------------------

    async def matches_here(self, state: EvalState, mechanism: Mechanism, domain: str) -> bool:
        kind = mechanism.kind
        if kind == "all":
            return True
        if kind in ("ip4", "ip6"):
            network = mechanism.network
            return (
                network is not None
                and state.ip.version == network.version
                and (state.ip in network)
            )
        state.count_term(mechanism.text)
        target = await self.target(state, mechanism.domain_spec, domain)
        if kind == "exists":
            return await self._exists(state, target)
        if kind == "ptr":
            return await self._ptr(state, target)
        if not is_valid_domain(target):
            return False  # a name that cannot exist in DNS matches nothing
        if kind == "a":
            addresses = await self._addresses(state, target, count_void=True)
        else:
            addresses = await self._mx_addresses(state, target)
        return _any_in_network(state, addresses, mechanism)

    async def _exists(self, state: EvalState, target: str) -> bool:
        """§5.7: an A query (whatever the client's IP version); any answer matches."""
        if not is_valid_domain(target):
            return False
        lookup = await self.dns.query(target, "A")
        _raise_if_unknown(lookup)
        if not lookup.exists:
            state.count_void(target)
        return lookup.exists

    async def _ptr(self, state: EvalState, target: str) -> bool:
        """§5.5: a validated PTR name equal to, or under, the target."""
        suffix = "." + target.lower().rstrip(".")
        names = await self._validated_names(state)
        return any(("." + name).endswith(suffix) for name in names)

    async def _addresses(self, state: EvalState, name: str, count_void: bool) -> list[IpAddress]:
        rdtype = "A" if state.ip.version == 4 else "AAAA"
        lookup = await self.dns.query(name, rdtype)
        _raise_if_unknown(lookup)
        if not lookup.exists:
            if count_void:
                state.count_void(name)
            return []
        return _parse_addresses(lookup.records)

    async def _mx_addresses(self, state: EvalState, target: str) -> list[IpAddress]:
        """§5.4: at most 10 MX names; their addresses are looked up concurrently."""
        lookup = await self.dns.query(target, "MX")
        _raise_if_unknown(lookup)
        if not lookup.exists:
            state.count_void(target)
            return []
        exchanges = mx_exchanges(lookup.records)
        if len(exchanges) > MAX_MX_NAMES:
            raise PermError(f"{target}: {len(exchanges)} MX names, over {MAX_MX_NAMES} (§4.6.4)")
        per_host = await asyncio.gather(
            *(self._addresses(state, host, count_void=False) for host in exchanges)
        )
        return [address for addresses in per_host for address in addresses]

    # -- §5.5 / §7.3: validated PTR names ------------------------------------------

    async def _validated_names(self, state: EvalState) -> list[str]:
        if state.validated_names is None:
            state.validated_names = await self._lookup_validated_names(state)
        return state.validated_names

    async def _lookup_validated_names(self, state: EvalState) -> list[str]:
        """PTR names whose forward lookup contains the client IP. DNS errors here mean
        "no match", not temperror (§5.5)."""
        lookup = await self.dns.query(reverse_name(str(state.ip)), "PTR")
        if not lookup.exists:
            return []
        names = [record.rstrip(".").lower() for record in lookup.records[:MAX_PTR_NAMES]]
        rdtype = "A" if state.ip.version == 4 else "AAAA"
        forward = await self.dns.query_many([(name, rdtype) for name in names])
        return [
            name
            for name, answer in zip(names, forward, strict=True)
            if answer.exists and state.ip in _parse_addresses(answer.records)
        ]

    async def validated_name(self, state: EvalState, domain: str) -> str:
        """§7.3 %{p}: the domain itself, else a subdomain of it, else any validated name."""
        names = await self._validated_names(state)
        domain = domain.lower()
        for candidate in names:
            if candidate == domain:
                return candidate
        for candidate in names:
            if candidate.endswith("." + domain):
                return candidate
        return names[0] if names else "unknown"


def _raise_if_unknown(lookup: Lookup) -> None:
    """§5: a DNS error other than NXDOMAIN makes check_host() a temperror."""
    if lookup.status is LookupStatus.UNKNOWN:
        detail = f"{lookup.rdtype} {lookup.name}: {lookup.detail or lookup.reason}"
        raise TempError(detail, lookup.reason)


def _parse_addresses(records: tuple[str, ...]) -> list[IpAddress]:
    addresses: list[IpAddress] = []
    for record in records:
        try:
            addresses.append(ipaddress.ip_address(record))
        except ValueError:
            continue
    return addresses


def mx_exchanges(records: tuple[str, ...]) -> list[str]:
    """MX targets; the null MX "." (RFC 7505) names no host."""
    exchanges = []
    for record in records:
        _, _, exchange = record.partition(" ")
        exchange = exchange.strip().rstrip(".")
        if exchange:
            exchanges.append(exchange)
    return exchanges


def _any_in_network(state: EvalState, addresses: list[IpAddress], mechanism: Mechanism) -> bool:
    """§5.6 dual-cidr-length applied to the records of a / mx."""
    cidr = mechanism.ip4_cidr if state.ip.version == 4 else mechanism.ip6_cidr
    for address in addresses:
        if address.version != state.ip.version:
            continue
        if state.ip in ipaddress.ip_network(f"{address}/{cidr}", strict=False):
            return True
    return False
