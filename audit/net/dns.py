"""The shared DNS layer: every lookup any check makes goes through `DnsClient`.

Built on `dns.asyncresolver`, which already falls back to TCP when a UDP answer is
truncated (RFC 7766 §5) and retries within a lifetime. On top of it this module adds
nameservers as HOST[:PORT], a per-run cache with in-flight de-duplication, bounded
concurrency, and one `Lookup` outcome per query: an answer, NXDOMAIN, NODATA, or
unknown with a reason (timeout, SERVFAIL, REFUSED, ...). An unknown is never an
empty answer: callers must not read it as "no record".

dnspython (~35 ms of imports, 14 of them `importlib.metadata` from `dns._features`) loads
on the first query this client resolves itself: `blacklist`'s multiplexed client
(dns_mux.py) reads its A and TXT replies without it and never pays for it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from audit.model import ResolverInfo, UnknownReason
from audit.net.dns_answer import (  # the bounds and outcomes: re-exported for callers
    MAX_RECORD_CHARS,  # noqa: F401
    MAX_RECORDS_PER_ANSWER,  # noqa: F401
    Lookup,
    LookupStatus,
    judge_answer,
    rcode_unknown,
    records_of,
)

if TYPE_CHECKING:
    import dns.asyncresolver
    import dns.nameserver
    import dns.resolver

log = logging.getLogger(__name__)

NAMESERVER_ENV = "MAILHYGIENE_NAMESERVER"

MAX_LOGGED_LOOKUPS = 5000
# Of a query's --timeout budget, the first attempt gets this share and the retries the
# rest: a slow but working server (an answer after 2 s of a 3 s budget) must not be cut
# off by an even split.
FIRST_ATTEMPT_SHARE = 0.75

# Anycast addresses of well-known public resolvers. Spamhaus' public mirrors refuse
# queries relayed through them (127.255.255.254 or NXDOMAIN; Spamhaus news #788).
PUBLIC_RESOLVERS: dict[str, str] = {
    "8.8.8.8": "Google Public DNS",
    "8.8.4.4": "Google Public DNS",
    "2001:4860:4860::8888": "Google Public DNS",
    "2001:4860:4860::8844": "Google Public DNS",
    "1.1.1.1": "Cloudflare",
    "1.0.0.1": "Cloudflare",
    "1.1.1.2": "Cloudflare for Families",
    "1.0.0.2": "Cloudflare for Families",
    "1.1.1.3": "Cloudflare for Families",
    "1.0.0.3": "Cloudflare for Families",
    "2606:4700:4700::1111": "Cloudflare",
    "2606:4700:4700::1001": "Cloudflare",
    "9.9.9.9": "Quad9",
    "149.112.112.112": "Quad9",
    "9.9.9.10": "Quad9",
    "9.9.9.11": "Quad9",
    "2620:fe::fe": "Quad9",
    "2620:fe::9": "Quad9",
    "208.67.222.222": "OpenDNS",
    "208.67.220.220": "OpenDNS",
    "208.67.222.123": "OpenDNS FamilyShield",
    "208.67.220.123": "OpenDNS FamilyShield",
    "2620:119:35::35": "OpenDNS",
    "2620:119:53::53": "OpenDNS",
}


class NameserverError(ValueError):
    """A nameserver given by the user is not HOST[:PORT]."""


class Nameserver(NamedTuple):  # a NamedTuple: a sixth of a frozen dataclass's cost to define
    host: str
    port: int = 53

    @classmethod
    def parse(cls, text: str) -> Nameserver:
        """Parse `IP`, `IP:PORT`, `[IPv6]` or `[IPv6]:PORT`. Hosts must be IP literals:
        resolving a resolver's name would need a resolver."""
        raw = text.strip()
        host, port_text, has_port = raw, "", False
        if raw.startswith("["):
            close = raw.find("]")
            if close < 0:
                raise NameserverError(f"invalid nameserver {text!r}: missing ']'")
            host, rest = raw[1:close], raw[close + 1 :]
            if rest and not rest.startswith(":"):
                raise NameserverError(f"invalid nameserver {text!r}")
            port_text, has_port = rest[1:], bool(rest)
        elif raw.count(":") == 1:
            host, port_text = raw.split(":")
            has_port = True
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            raise NameserverError(
                f"invalid nameserver {text!r}: expected an IP address as HOST[:PORT]"
            ) from None
        port = 53
        if has_port:  # "1.2.3.4:" is a typo, not "port 53"
            if not port_text.isdigit() or not 0 < int(port_text) < 65536:
                raise NameserverError(f"invalid nameserver {text!r}: bad port")
            port = int(port_text)
        return cls(str(address), port)

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == 53 else f"{host}:{self.port}"


def nameservers_from_env() -> list[Nameserver]:
    value = os.environ.get(NAMESERVER_ENV, "")
    return [Nameserver.parse(part) for part in value.replace(",", " ").split()]


def system_nameservers() -> list[Nameserver]:
    """The machine's resolvers (resolv.conf). Tests replace this with a guard."""
    import dns.resolver

    resolver = dns.resolver.Resolver(configure=True)
    return [Nameserver(str(ns), 53) for ns in resolver.nameservers]


def public_resolver_names(nameservers: Sequence[Nameserver]) -> list[str]:
    return sorted({PUBLIC_RESOLVERS[ns.host] for ns in nameservers if ns.host in PUBLIC_RESOLVERS})


def reverse_name(ip: str) -> str:
    """in-addr.arpa / ip6.arpa name (RFC 1035 §3.5, RFC 3596 §2.5), full nibbles."""
    import dns.reversename

    return dns.reversename.from_address(str(ipaddress.ip_address(ip))).to_text()


def _unknown_from_no_nameservers(exc: dns.resolver.NoNameservers) -> tuple[UnknownReason, str]:
    import dns.exception
    import dns.message

    errors = exc.kwargs.get("errors") or []
    failures = [error[3] for error in errors if len(error) > 3]
    if any(isinstance(failure, dns.message.ChainTooLong) for failure in failures):
        return UnknownReason.CNAME_LOOP, "the CNAME chain loops or is too long to follow"
    rcodes = {error[4].rcode() for error in errors if len(error) > 4 and error[4] is not None}
    if rcodes:
        return rcode_unknown(rcodes)
    if any(isinstance(failure, dns.exception.FormError) for failure in failures):
        # Over TCP dnspython gives up on a reply it cannot read or that answers another
        # question (over UDP it discards it and waits, as the multiplexed client does).
        return UnknownReason.MALFORMED, "the nameserver's reply is not a well-formed response"
    return UnknownReason.NETWORK, "no nameserver could be reached"


class DnsStats:
    """A run's DNS counters: queries sent, answers from the cache, unknown outcomes.

    A plain class: nothing compares or prints the counters, and a dataclass costs ~0.7 ms
    to define at every start (`blacklist IP`, bench/bench_startup.py)."""

    __slots__ = ("cache_hits", "queries", "unknown")

    def __init__(self, queries: int = 0, cache_hits: int = 0, unknown: int = 0) -> None:
        self.queries, self.cache_hits, self.unknown = queries, cache_hits, unknown


@dataclass
class DnsClient:
    """Async DNS with a per-run cache. One instance per run; never module-level."""

    nameservers: Sequence[Nameserver]
    timeout: float = 3.0
    retries: int = 1
    concurrency: int = 128
    stats: DnsStats = field(default_factory=DnsStats)

    def __post_init__(self) -> None:
        if not self.nameservers:
            raise NameserverError("no nameserver configured")
        if self.timeout <= 0:
            raise ValueError("timeout must be positive")
        self._cache: dict[tuple[str, str], asyncio.Future[Lookup]] = {}
        self._semaphore = asyncio.Semaphore(self.concurrency)
        # dnspython's resolver stack (~70 ms of imports) loads on the first query, so
        # commands that never query (logs, report) do not pay for it.
        self._resolver: dns.asyncresolver.Resolver | None = None
        self.lookups: list[Lookup] = []
        self._redactions: list[tuple[str, str]] = []

    def redact(self, secret: str, placeholder: str) -> None:
        """Hide `secret` (e.g. a Spamhaus DQS key inside query names) from `lookups` and
        the debug log. `query` still returns the real name to its caller."""
        if secret:
            self._redactions.append((secret.lower(), placeholder))

    def _redacted(self, lookup: Lookup) -> Lookup:
        if not self._redactions:
            return lookup

        def hide(text: str) -> str:
            for secret, placeholder in self._redactions:
                text = re.sub(re.escape(secret), placeholder, text, flags=re.IGNORECASE)
            return text

        canonical = hide(lookup.canonical_name) if lookup.canonical_name else None
        return lookup._replace(
            name=hide(lookup.name),
            detail=hide(lookup.detail),
            canonical_name=canonical,
            records=tuple(hide(record) for record in lookup.records),
        )

    def _resolver_nameservers(self) -> list[dns.nameserver.Nameserver]:
        import dns.nameserver

        return [dns.nameserver.Do53Nameserver(ns.host, ns.port) for ns in self.nameservers]

    def _attempt_timeout(self) -> float:
        # Retries happen inside the per-query budget (the resolver's lifetime); the first
        # attempt gets most of it (FIRST_ATTEMPT_SHARE), a retry what is left.
        share = FIRST_ATTEMPT_SHARE if self.retries else 1.0
        return max(self.timeout * share, 0.05)

    def _make_async_resolver(self) -> dns.asyncresolver.Resolver:
        import dns.asyncresolver

        resolver = dns.asyncresolver.Resolver(configure=False)
        resolver.nameservers = self._resolver_nameservers()
        resolver.timeout = self._attempt_timeout()
        resolver.lifetime = self.timeout
        resolver.cache = None  # our own cache keeps every outcome, unknowns included
        resolver.use_edns(0, 0, 1232)  # DNS flag day 2020 buffer size
        return resolver

    def sync_resolver(self) -> dns.resolver.Resolver:
        """A synchronous resolver on the same nameservers, for libraries such as
        checkdmarc that run in a worker thread."""
        import dns.resolver

        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = self._resolver_nameservers()
        resolver.timeout = self._attempt_timeout()
        resolver.lifetime = self.timeout
        resolver.use_edns(0, 0, 1232)
        return resolver

    @property
    def info(self) -> ResolverInfo:
        public = public_resolver_names(self.nameservers)
        return ResolverInfo(
            nameservers=tuple(str(ns) for ns in self.nameservers),
            public=bool(public),
            public_names=tuple(public),
        )

    async def query(self, name: str, rdtype: str) -> Lookup:
        """Resolve `name`/`rdtype` once per run; concurrent callers share one query.

        The shared resolution runs in its own task: a caller that is cancelled (its
        check hit its time limit) must not cancel the lookup other checks await.
        """
        key = (name.lower().rstrip(".") + ".", rdtype.upper())
        pending = self._cache.get(key)
        if pending is not None:
            self.stats.cache_hits += 1
        else:
            pending = asyncio.ensure_future(self._resolve(*key))
            self._cache[key] = pending
            pending.add_done_callback(lambda task: self._forget_failed(key, task))
        return await asyncio.shield(pending)

    def _forget_failed(self, key: tuple[str, str], task: asyncio.Future[Lookup]) -> None:
        # Outcomes (unknowns included) are cached; a crash or cancellation is not.
        if task.cancelled() or task.exception() is not None:
            self._cache.pop(key, None)

    async def query_many(self, queries: Sequence[tuple[str, str]]) -> list[Lookup]:
        return list(await asyncio.gather(*(self.query(n, t) for n, t in queries)))

    async def ptr(self, ip: str) -> Lookup:
        return await self.query(reverse_name(ip), "PTR")

    async def addresses(self, host: str) -> tuple[Lookup, Lookup]:
        a, aaaa = await self.query_many([(host, "A"), (host, "AAAA")])
        return a, aaaa

    async def _resolve(self, name: str, rdtype: str) -> Lookup:
        started = time.perf_counter()
        async with self._semaphore:
            self.stats.queries += 1
            lookup = await self._resolve_unbounded(name, rdtype)
        lookup = _with_elapsed(lookup, (time.perf_counter() - started) * 1000)
        if lookup.status is LookupStatus.UNKNOWN:
            self.stats.unknown += 1
        shown = self._redacted(lookup)
        if len(self.lookups) < MAX_LOGGED_LOOKUPS:
            self.lookups.append(shown)
        log.debug("%s %s -> %s %s", shown.name, rdtype, shown.status, shown.records)
        return lookup

    async def _resolve_unbounded(self, name: str, rdtype: str) -> Lookup:
        import dns.exception
        import dns.resolver

        if self._resolver is None:
            self._resolver = self._make_async_resolver()
        try:
            answer = await self._resolver.resolve(name, rdtype, raise_on_no_answer=False)
        except dns.resolver.NXDOMAIN:
            return Lookup(name, rdtype, LookupStatus.NXDOMAIN)
        except dns.resolver.NoNameservers as exc:
            reason, detail = _unknown_from_no_nameservers(exc)
            return Lookup(name, rdtype, LookupStatus.UNKNOWN, reason=reason, detail=detail)
        except dns.exception.Timeout:
            detail = f"no answer within {self.timeout:g}s"
            return Lookup(
                name, rdtype, LookupStatus.UNKNOWN, reason=UnknownReason.TIMEOUT, detail=detail
            )
        except (dns.exception.DNSException, OSError) as exc:
            return Lookup(
                name,
                rdtype,
                LookupStatus.UNKNOWN,
                reason=UnknownReason.MALFORMED,
                detail=f"{type(exc).__name__}: {exc}"[:300],
            )
        # dnspython has matched the response to the query (RFC 5452 §9.1) and parsed it;
        # what it means is judged in one place for every transport (dns_answer.py).
        return judge_answer(name, rdtype, records_of(answer.response))


def _with_elapsed(lookup: Lookup, elapsed_ms: float) -> Lookup:
    return Lookup(
        lookup.name,
        lookup.rdtype,
        lookup.status,
        lookup.records,
        lookup.ttl,
        lookup.reason,
        lookup.detail,
        lookup.canonical_name,
        round(elapsed_ms, 3),
    )
