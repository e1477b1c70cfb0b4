"""RFC 7208 `check_host()`: is this IP allowed to send for this domain?

Asynchronous, on the shared `DnsClient`. Terms are evaluated strictly in order (§4.6.2,
§5) so the limits of §4.6.4 count exactly what a receiver counts; speed comes from
`checks.spf_tree.build_tree`, which walks the record tree concurrently and issues
every lookup whose name does not depend on the client, so the in-order evaluation
then reads answers from the per-run cache. MX and PTR address lookups run
concurrently (§4.6.4 bounds them to 10 names each; order does not change the outcome).
"""

from __future__ import annotations

import asyncio
import enum
import ipaddress
import time
from dataclasses import dataclass, field

from audit.dns import DnsClient, Lookup, LookupStatus, reverse_name
from audit.model import UnknownReason
from checks.spf_macro import MacroValues, expand, truncate_domain, uses_validated_name
from checks.spf_record import (
    EXPLANATION_MACRO_LETTERS,
    Mechanism,
    Qualifier,
    SpfRecord,
    SpfSyntaxError,
    check_macro_string,
    is_spf_record,
    parse_record,
)

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_DNS_TERMS = 10  # §4.6.4
MAX_VOID_LOOKUPS = 2  # §4.6.4 (RECOMMENDED default)
MAX_MX_NAMES = 10  # §4.6.4: more MX names is a permerror
MAX_PTR_NAMES = 10  # §4.6.4: further PTR names are ignored
MAX_LABEL = 63
MAX_NAME = 253


class SpfResult(enum.StrEnum):
    """§2.6 results."""

    PASS = "pass"
    FAIL = "fail"
    SOFTFAIL = "softfail"
    NEUTRAL = "neutral"
    NONE = "none"
    PERMERROR = "permerror"
    TEMPERROR = "temperror"


QUALIFIER_RESULT = {
    Qualifier.PASS: SpfResult.PASS,
    Qualifier.FAIL: SpfResult.FAIL,
    Qualifier.SOFTFAIL: SpfResult.SOFTFAIL,
    Qualifier.NEUTRAL: SpfResult.NEUTRAL,
}


@dataclass(frozen=True)
class SpfOutcome:
    """The result of one check_host() and what decided it."""

    ip: str
    domain: str
    result: SpfResult
    matched_term: str | None = None  # e.g. "ip4:192.0.2.0/24", "-all"
    matched_in: str | None = None  # the domain whose record held the deciding term
    matched_path: tuple[str, ...] = ()  # include chain to it, e.g. ("include:x", "ip4:...")
    explanation: str | None = None  # §6.2, only for fail with a usable exp=
    detail: str = ""  # why none / permerror / temperror
    unknown_reason: UnknownReason | None = None  # set for temperror
    dns_lookups: int = 0
    void_lookups: int = 0

    def to_evidence(self) -> dict[str, object]:
        evidence: dict[str, object] = {
            "ip": self.ip,
            "domain": self.domain,
            "result": self.result.value,
            "matched_term": self.matched_term,
            "matched_in": self.matched_in,
            "matched_path": list(self.matched_path),
            "dns_lookups": self.dns_lookups,
            "void_lookups": self.void_lookups,
        }
        if self.explanation is not None:
            evidence["explanation"] = self.explanation
        if self.detail:
            evidence["detail"] = self.detail
        if self.unknown_reason is not None:
            evidence["unknown_reason"] = self.unknown_reason.value
        return evidence


class _PermError(Exception):
    pass


class _TempError(Exception):
    def __init__(self, detail: str, reason: UnknownReason | None) -> None:
        super().__init__(detail)
        self.reason = reason or UnknownReason.INTERNAL


@dataclass(frozen=True)
class _Verdict:
    result: SpfResult
    term: str | None = None
    domain: str | None = None
    explanation: str | None = None
    detail: str = ""
    path: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Match:
    """Where a mechanism matched: its own record, or deeper inside an include."""

    path: tuple[str, ...]
    domain: str


@dataclass
class _State:
    """Per-evaluation state: the inputs and the §4.6.4 counters."""

    ip: IpAddress
    sender: str
    helo: str
    timestamp: int
    dns_terms: int = 0
    void_lookups: int = 0
    validated_names: list[str] | None = field(default=None)

    def count_term(self, term: str) -> None:
        self.dns_terms += 1
        if self.dns_terms > MAX_DNS_TERMS:
            raise _PermError(f"more than {MAX_DNS_TERMS} DNS-querying terms at {term!r} (§4.6.4)")

    def count_void(self, name: str) -> None:
        self.void_lookups += 1
        if self.void_lookups > MAX_VOID_LOOKUPS:
            raise _PermError(f"more than {MAX_VOID_LOOKUPS} void lookups at {name} (§4.6.4)")


def is_valid_domain(name: str) -> bool:
    """§4.3: a multi-label name, labels of 1-63 octets, at most 253 octets."""
    trimmed = name[:-1] if name.endswith(".") else name
    labels = trimmed.split(".")
    if len(labels) < 2 or len(trimmed) > MAX_NAME:
        return False
    return all(0 < len(label) <= MAX_LABEL for label in labels)


def normalize_ip(ip: str) -> IpAddress:
    """IPv4-mapped IPv6 addresses are evaluated as the IPv4 address they carry."""
    address = ipaddress.ip_address(ip)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def sender_for(mail_from: str, helo: str) -> tuple[str, str]:
    """(sender, domain) for check_host (§2.4, §4.3): HELO identity when MAIL FROM is
    empty; a missing local-part is "postmaster"."""
    if not mail_from:
        return f"postmaster@{helo}", helo
    local, at, domain = mail_from.rpartition("@")
    if not at:
        return f"postmaster@{mail_from}", mail_from
    return f"{local or 'postmaster'}@{domain}", domain


def _record_from(lookup: Lookup) -> SpfRecord | None:
    """§4.4-4.5: select the one v=spf1 record. Raises _PermError / _TempError."""
    if lookup.status is LookupStatus.UNKNOWN:
        raise _TempError(f"TXT {lookup.name}: {lookup.detail or lookup.reason}", lookup.reason)
    candidates = [text for text in lookup.records if is_spf_record(text)]
    if len(candidates) > 1:
        raise _PermError(f"{lookup.name} publishes {len(candidates)} SPF records (§4.5)")
    if not candidates:
        return None
    try:
        return parse_record(candidates[0])
    except SpfSyntaxError as exc:
        raise _PermError(f"{lookup.name}: {exc}") from None


class SpfEvaluator:
    """check_host() over one `DnsClient` (its cache makes repeated evaluations cheap)."""

    def __init__(self, dns: DnsClient) -> None:
        self.dns = dns

    async def check_host(
        self, ip: str, domain: str, sender: str | None = None, helo: str = ""
    ) -> SpfOutcome:
        domain = domain[:-1] if domain.endswith(".") else domain
        state = _State(normalize_ip(ip), sender or f"postmaster@{domain}", helo, int(time.time()))
        try:
            verdict = await self._evaluate(state, domain)
        except _PermError as exc:
            verdict = _Verdict(SpfResult.PERMERROR, detail=str(exc))
        except _TempError as exc:
            return self._outcome(
                ip, domain, state, _Verdict(SpfResult.TEMPERROR, detail=str(exc)), exc.reason
            )
        return self._outcome(ip, domain, state, verdict, None)

    @staticmethod
    def _outcome(
        ip: str, domain: str, state: _State, verdict: _Verdict, reason: UnknownReason | None
    ) -> SpfOutcome:
        return SpfOutcome(
            ip=ip,
            domain=domain,
            result=verdict.result,
            matched_term=verdict.term,
            matched_in=verdict.domain,
            matched_path=verdict.path,
            explanation=verdict.explanation,
            detail=verdict.detail,
            unknown_reason=reason,
            dns_lookups=state.dns_terms,
            void_lookups=state.void_lookups,
        )

    # -- §4: check_host() on one domain --------------------------------------------

    async def _evaluate(self, state: _State, domain: str) -> _Verdict:
        if not is_valid_domain(domain):
            return _Verdict(SpfResult.NONE, detail=f"{domain!r} is not a valid domain (§4.3)")
        record = _record_from(await self.dns.query(domain, "TXT"))
        if record is None:
            return _Verdict(SpfResult.NONE, detail=f"{domain} publishes no SPF record")
        for mechanism in record.mechanisms:
            match = await self._matches(state, mechanism, domain)
            if match is not None:
                result = QUALIFIER_RESULT[mechanism.qualifier]
                explanation = None
                if result is SpfResult.FAIL and record.explanation is not None:
                    explanation = await self._explain(state, record.explanation, domain)
                return _Verdict(result, mechanism.text, match.domain, explanation, path=match.path)
        if record.redirect is not None and record.all_mechanism is None:
            return await self._redirect(state, record.redirect, domain)
        return _Verdict(SpfResult.NEUTRAL, detail="no mechanism matched (§4.7)", domain=domain)

    async def _redirect(self, state: _State, spec: str, domain: str) -> _Verdict:
        """§6.1: the result is the redirect target's; "none" there is a permerror."""
        state.count_term(f"redirect={spec}")
        target = await self._target(state, spec, domain)
        verdict = await self._evaluate(state, target)
        if verdict.result is SpfResult.NONE:
            raise _PermError(f"redirect target {target} has no SPF record (§6.1)")
        return verdict

    async def _target(self, state: _State, spec: str | None, domain: str) -> str:
        """§4.8: the expanded domain-spec, or the current domain when absent."""
        if spec is None:
            return domain
        validated = "unknown"
        if uses_validated_name(spec):
            validated = await self._validated_name(state, domain)
        values = MacroValues(
            state.ip, state.sender, domain, state.helo, validated, timestamp=state.timestamp
        )
        return truncate_domain(expand(spec, values))

    # -- §5: mechanisms ----------------------------------------------------------

    async def _matches(self, state: _State, mechanism: Mechanism, domain: str) -> _Match | None:
        if mechanism.kind == "include":
            state.count_term(mechanism.text)
            target = await self._target(state, mechanism.domain_spec, domain)
            inner = await self._include(state, target)
            if inner is None:
                return None
            return _Match((mechanism.text, *inner.path), inner.domain or target)
        own = await self._matches_here(state, mechanism, domain)
        return _Match((mechanism.text,), domain) if own else None

    async def _matches_here(self, state: _State, mechanism: Mechanism, domain: str) -> bool:
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
        target = await self._target(state, mechanism.domain_spec, domain)
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

    async def _include(self, state: _State, target: str) -> _Verdict | None:
        """§5.2: pass matches; fail/softfail/neutral do not; none is a permerror."""
        verdict = await self._evaluate(state, target)
        if verdict.result is SpfResult.NONE:
            raise _PermError(f"include:{target} has no SPF record (§5.2)")
        return verdict if verdict.result is SpfResult.PASS else None

    async def _exists(self, state: _State, target: str) -> bool:
        """§5.7: an A query (whatever the client's IP version); any answer matches."""
        if not is_valid_domain(target):
            return False
        lookup = await self.dns.query(target, "A")
        _raise_if_unknown(lookup)
        if not lookup.exists:
            state.count_void(target)
        return lookup.exists

    async def _ptr(self, state: _State, target: str) -> bool:
        """§5.5: a validated PTR name equal to, or under, the target."""
        suffix = "." + target.lower().rstrip(".")
        names = await self._validated_names(state)
        return any(("." + name).endswith(suffix) for name in names)

    async def _addresses(self, state: _State, name: str, count_void: bool) -> list[IpAddress]:
        rdtype = "A" if state.ip.version == 4 else "AAAA"
        lookup = await self.dns.query(name, rdtype)
        _raise_if_unknown(lookup)
        if not lookup.exists:
            if count_void:
                state.count_void(name)
            return []
        return _parse_addresses(lookup.records)

    async def _mx_addresses(self, state: _State, target: str) -> list[IpAddress]:
        """§5.4: at most 10 MX names; their addresses are looked up concurrently."""
        lookup = await self.dns.query(target, "MX")
        _raise_if_unknown(lookup)
        if not lookup.exists:
            state.count_void(target)
            return []
        exchanges = mx_exchanges(lookup.records)
        if len(exchanges) > MAX_MX_NAMES:
            raise _PermError(f"{target}: {len(exchanges)} MX names, over {MAX_MX_NAMES} (§4.6.4)")
        per_host = await asyncio.gather(
            *(self._addresses(state, host, count_void=False) for host in exchanges)
        )
        return [address for addresses in per_host for address in addresses]

    # -- §5.5 / §7.3: validated PTR names ------------------------------------------

    async def _validated_names(self, state: _State) -> list[str]:
        if state.validated_names is None:
            state.validated_names = await self._lookup_validated_names(state)
        return state.validated_names

    async def _lookup_validated_names(self, state: _State) -> list[str]:
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

    async def _validated_name(self, state: _State, domain: str) -> str:
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

    # -- §6.2: explanation -------------------------------------------------------

    async def _explain(self, state: _State, spec: str, domain: str) -> str | None:
        """Any problem with exp= means "no explanation" (§6.2), never an error."""
        try:
            target = await self._target(state, spec, domain)
        except (_PermError, _TempError):
            return None
        if not is_valid_domain(target):
            return None
        lookup = await self.dns.query(target, "TXT")
        if not lookup.exists or len(lookup.records) != 1:
            return None
        text = lookup.records[0]
        try:
            if not text.isascii():
                raise SpfSyntaxError("non-ASCII explanation")
            check_macro_string(text, EXPLANATION_MACRO_LETTERS, allow_space=True)
        except SpfSyntaxError:
            return None
        validated = "unknown"
        if uses_validated_name(text):
            validated = await self._validated_name(state, domain)
        values = MacroValues(
            state.ip, state.sender, domain, state.helo, validated, timestamp=state.timestamp
        )
        return expand(text, values)


def _raise_if_unknown(lookup: Lookup) -> None:
    """§5: a DNS error other than NXDOMAIN makes check_host() a temperror."""
    if lookup.status is LookupStatus.UNKNOWN:
        detail = f"{lookup.rdtype} {lookup.name}: {lookup.detail or lookup.reason}"
        raise _TempError(detail, lookup.reason)


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


def _any_in_network(state: _State, addresses: list[IpAddress], mechanism: Mechanism) -> bool:
    """§5.6 dual-cidr-length applied to the records of a / mx."""
    cidr = mechanism.ip4_cidr if state.ip.version == 4 else mechanism.ip6_cidr
    for address in addresses:
        if address.version != state.ip.version:
            continue
        if state.ip in ipaddress.ip_network(f"{address}/{cidr}", strict=False):
            return True
    return False
