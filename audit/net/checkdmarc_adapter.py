"""The one module that talks to checkdmarc (SPF and DMARC parsing).

checkdmarc is synchronous, keeps module-level caches and reports through dicts and
free-text warnings. This adapter:
- runs it in a worker thread, with a `dns.resolver.Resolver` whose every query is
  answered by the run's shared `DnsClient` (same nameservers, same per-run cache,
  same in-flight de-duplication, counted in the same statistics), so a check that
  already warmed the cache pays no extra round trip for checkdmarc's lookups;
- switches off checkdmarc's process-wide DNS cache (our cache is per run, so one
  audit never sees another's answers);
- returns frozen dataclasses; nothing else in the code base sees checkdmarc's shapes.
checkdmarc is imported inside functions: the CLI's start-up must not pay for it.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import dns.message
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TXT
import dns.resolver

from audit.model import UnknownReason
from audit.net.dns import DnsClient, Lookup, LookupStatus

log = logging.getLogger(__name__)

TXT_CHUNK = 255  # RFC 1035 §3.3: one character-string holds at most 255 octets
# What checkdmarc asks, one after another, for every SPF record name it visits (the
# TXT record, the deprecated type 99 record, a CNAME beside the TXT). Callers that walk
# the tree first can issue them together, so checkdmarc then reads from the cache.
SPF_RECORD_QUERY_TYPES = ("TXT", "SPF", "CNAME")


@dataclass(frozen=True)
class SpfAnalysis:
    domain: str
    record: str | None
    valid: bool
    error: str | None = None
    dns_lookups: int | None = None
    void_lookups: int | None = None
    parsed: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    unknown_reason: UnknownReason | None = None  # DNS failure while analysing


class DmarcProblem(enum.StrEnum):
    """Why checkdmarc found no usable DMARC policy (from its exception classes)."""

    MISSING = "missing"
    MULTIPLE = "multiple"
    INVALID = "invalid"
    DNS = "dns"  # a lookup failed: nothing can be concluded


@dataclass(frozen=True)
class DmarcAnalysis:
    domain: str
    record: str | None  # as published
    location: str | None  # where the policy was found (RFC 9989 §4.10 tree walk)
    valid: bool
    problem: DmarcProblem | None = None
    error: str | None = None
    tags: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    unknown_reason: UnknownReason | None = None
    applied_record: str | None = None  # what checkdmarc parsed (see `analyse_dmarc`)


# -- the bridge: checkdmarc's resolver calls come back to our DnsClient ---------------


class _SharedLayerResolver(dns.resolver.Resolver):
    """A synchronous resolver (for a worker thread) that asks the event loop's
    `DnsClient`. Outcomes are rebuilt as dnspython answers/exceptions."""

    def __init__(self, client: DnsClient, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(configure=False)
        self.nameservers = client.sync_resolver().nameservers
        self.lifetime = client.timeout * (client.retries + 1) + 1.0
        self._client = client
        self._loop = loop
        self.failed: list[Lookup] = []  # lookups that ended unknown, for the reason

    def resolve(  # type: ignore[override]
        self,
        qname: dns.name.Name | str,
        rdtype: dns.rdatatype.RdataType | str = dns.rdatatype.A,
        rdclass: dns.rdataclass.RdataClass | str = dns.rdataclass.IN,
        tcp: bool = False,
        source: str | None = None,
        raise_on_no_answer: bool = True,
        source_port: int = 0,
        lifetime: float | None = None,
        search: bool | None = None,
    ) -> dns.resolver.Answer:
        name = dns.name.from_text(str(qname)) if not isinstance(qname, dns.name.Name) else qname
        kind = dns.rdatatype.RdataType.make(rdtype)
        future = asyncio.run_coroutine_threadsafe(
            self._client.query(name.to_text(), dns.rdatatype.to_text(kind)), self._loop
        )
        lookup = future.result(timeout=self.lifetime)
        if lookup.status is LookupStatus.UNKNOWN:
            self.failed.append(lookup)
        return _answer(name, kind, lookup, raise_on_no_answer)

    @property
    def unknown_reason(self) -> UnknownReason | None:
        return self.failed[0].reason if self.failed else None


def _answer(
    name: dns.name.Name, kind: dns.rdatatype.RdataType, lookup: Lookup, raise_on_no_answer: bool
) -> dns.resolver.Answer:
    query = dns.message.make_query(name, kind)
    response = dns.message.make_response(query)
    assert isinstance(response, dns.message.QueryMessage)  # a response to a query
    if lookup.status is LookupStatus.NXDOMAIN:
        raise dns.resolver.NXDOMAIN(qnames=[name], responses={name: response})
    if lookup.status is LookupStatus.UNKNOWN:
        if lookup.reason is UnknownReason.TIMEOUT:
            raise dns.resolver.LifetimeTimeout(timeout=0.0, errors=[])
        raise dns.resolver.NoNameservers(request=query, errors=[])
    if lookup.status is LookupStatus.ANSWER:
        rrset = response.find_rrset(response.answer, name, dns.rdataclass.IN, kind, create=True)
        for text in lookup.records:
            rrset.add(_rdata(kind, text), lookup.ttl or 0)
    elif raise_on_no_answer:
        raise dns.resolver.NoAnswer(response=response)
    return dns.resolver.Answer(name, kind, dns.rdataclass.IN, response)


def _rdata(kind: dns.rdatatype.RdataType, text: str) -> dns.rdata.Rdata:
    if kind == dns.rdatatype.TXT:
        raw = text.encode("utf-8")
        chunks = [raw[i : i + TXT_CHUNK] for i in range(0, len(raw), TXT_CHUNK)] or [b""]
        return dns.rdtypes.ANY.TXT.TXT(dns.rdataclass.IN, dns.rdatatype.TXT, chunks)
    return dns.rdata.from_text(dns.rdataclass.IN, kind, text)


def _disable_checkdmarc_cache() -> None:
    """checkdmarc memoises answers process-wide for 30 minutes; answers must come
    from this run's DnsClient instead (a test, a batch run or a re-run after a DNS
    change would otherwise see stale records)."""
    import checkdmarc.utils
    from expiringdict import ExpiringDict

    class _NoCache(ExpiringDict):  # type: ignore[misc]
        def __setitem__(self, key: object, value: object, set_time: object = None) -> None:
            return None

    if not isinstance(checkdmarc.utils.DNS_CACHE, _NoCache):
        checkdmarc.utils.DNS_CACHE = _NoCache(max_len=1, max_age_seconds=1)


async def _in_thread(
    dns_client: DnsClient, function: str, domain: str, *args: Any
) -> tuple[Any, _SharedLayerResolver]:
    """Run `function` (a name in this module) in a worker thread. checkdmarc is
    imported there too: importing it takes ~0.1 s that must not block the loop."""
    resolver = _SharedLayerResolver(dns_client, asyncio.get_running_loop())
    call = globals()[function]
    result = await asyncio.to_thread(
        call, domain, *args, resolver=resolver, timeout=resolver.lifetime, retries=0
    )
    return result, resolver


def _check_spf(domain: str, **lookup: Any) -> dict[str, Any]:
    _disable_checkdmarc_cache()
    from checkdmarc.spf import check_spf

    return dict(check_spf(domain, **lookup))


# -- SPF ------------------------------------------------------------------------------


async def analyse_spf(dns_client: DnsClient, domain: str) -> SpfAnalysis:
    """checkdmarc's SPF view: record (kept when invalid), parse tree, lookup counts and
    warnings. It stops at the first limit it meets; `checks.spf.tree` counts on."""
    raw, resolver = await _in_thread(dns_client, "_check_spf", domain)
    return _spf_analysis(domain, raw, resolver.unknown_reason)


def _spf_analysis(
    domain: str, raw: Mapping[str, Any], unknown_reason: UnknownReason | None
) -> SpfAnalysis:
    parsed = raw.get("parsed") or {}
    error = raw.get("error")
    return SpfAnalysis(
        domain=domain,
        record=raw.get("record"),
        valid=bool(raw.get("valid")),
        error=str(error) if error else None,
        dns_lookups=raw.get("dns_lookups"),
        void_lookups=raw.get("void_dns_lookups"),
        parsed=parsed,
        warnings=tuple(str(w) for w in raw.get("warnings") or ()),
        unknown_reason=unknown_reason,
    )


# -- DMARC ----------------------------------------------------------------------------


def _as_published(record: str) -> str:
    return record


async def analyse_dmarc(
    dns_client: DnsClient, domain: str, applied: Callable[[str], str] = _as_published
) -> DmarcAnalysis:
    """checkdmarc's DMARC view: RFC 9989 policy discovery (tree walk), tags, warnings.

    Where checkdmarc is stricter than a receiver, the caller decides: non-DMARC TXT
    records at `_dmarc` are discarded (RFC 7489 §6.6.3 step 3), and checkdmarc parses
    `applied(record)` (the parts a receiver applies) rather than the published record."""
    raw, resolver = await _in_thread(dns_client, "_check_dmarc", domain, applied)
    problem = raw.get("problem")
    if resolver.failed and problem is not None:
        problem = DmarcProblem.DNS  # an unanswered lookup, not a verdict about the domain
    return DmarcAnalysis(
        domain=domain,
        record=raw.get("record"),
        location=raw.get("location"),
        valid=problem is None,
        problem=problem,
        error=raw.get("error"),
        tags=raw.get("tags") or {},
        warnings=tuple(str(w) for w in raw.get("warnings") or ()),
        unknown_reason=resolver.unknown_reason if problem is DmarcProblem.DNS else None,
        applied_record=raw.get("applied"),
    )


def _check_dmarc(domain: str, applied: Callable[[str], str], **lookup: Any) -> dict[str, Any]:
    """checkdmarc's check_dmarc, keeping the exception class (check_dmarc keeps only
    its message) so the problem is classified without parsing English."""
    _disable_checkdmarc_cache()
    from checkdmarc import dmarc

    lookup["ignore_unrelated_records"] = True  # RFC 7489 §6.6.3: receivers discard them
    try:
        query = dmarc.query_dmarc_record(domain, **lookup)
    except dmarc.MultipleDMARCRecords as exc:
        return {"problem": DmarcProblem.MULTIPLE, "error": str(exc)}
    except (
        dmarc.DMARCRecordNotFound,
        dmarc.DMARCRecordInWrongLocation,
        dmarc.DMARCRecordStartsWithWhitespace,
    ) as exc:
        # Receivers look at _dmarc only (not the apex) and discard a record that does
        # not start with v=DMARC1, leading space included (RFC 7489 §6.6.3 step 3).
        return {"problem": DmarcProblem.MISSING, "error": str(exc)}
    except dmarc.DMARCError as exc:
        return {"problem": _problem_of(exc), "error": str(exc)}
    record = applied(query["record"])
    found = {"record": query["record"], "location": query["location"], "applied": record}
    try:
        parsed = dmarc.parse_dmarc_record(record, query["location"], **lookup)
    except dmarc.DMARCError as exc:
        return {
            **found,
            "problem": _problem_of(exc),
            "error": str(exc),
            "warnings": query["warnings"],
        }
    return {**found, "tags": parsed["tags"], "warnings": query["warnings"] + parsed["warnings"]}


def _problem_of(exc: BaseException) -> DmarcProblem:
    import dns.exception

    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, dns.exception.DNSException):
        return DmarcProblem.DNS
    return DmarcProblem.INVALID


def organizational_domain(domain: str) -> str:
    """The registrable domain by the Public Suffix List (checkdmarc's bundled copy)."""
    from checkdmarc.utils import get_base_domain

    return str(get_base_domain(domain.rstrip(".").lower()))


def checkdmarc_version() -> str:
    from importlib.metadata import version

    return version("checkdmarc")


__all__ = [
    "DmarcAnalysis",
    "DmarcProblem",
    "SpfAnalysis",
    "analyse_dmarc",
    "analyse_spf",
    "checkdmarc_version",
    "organizational_domain",
]
