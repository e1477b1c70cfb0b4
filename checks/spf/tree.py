"""The SPF record tree of a domain and what each term costs (RFC 7208 §4.6.4).

`build_tree` walks the domain's record and everything it includes or redirects to,
all branches concurrently, and keeps counting past the limits of 10 DNS-querying
terms and 2 void lookups, so the report can name the include to remove. The walk
also warms the per-run DNS cache for every lookup `check_host()` can make whose name
does not depend on the client, so the evaluations that follow cost no round trip.
`within_limit` builds, from the same tree, the record SPF_PTR_MECHANISM suggests.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from audit.model import UnknownReason
from audit.net.checkdmarc_adapter import SPF_RECORD_QUERY_TYPES
from audit.net.dns import DnsClient, Lookup, LookupStatus
from checks.spf.evidence import SpfNodeEvidence, SpfTermEvidence
from checks.spf.macro import truncate_domain
from checks.spf.mechanisms import mx_exchanges
from checks.spf.record import Mechanism, SpfRecord, SpfSyntaxError, is_spf_record, parse_record
from checks.spf.state import MAX_DNS_TERMS, MAX_MX_NAMES, is_valid_domain

MAX_NODES = 40  # records fetched per domain: enough for real trees, bounded for hostile ones


@dataclass(frozen=True)
class TermCost:
    term: str
    dns_lookups: int  # this term (1 if it queries DNS) plus its subtree
    void_lookups: int
    child: SpfNode | None = None  # for include / redirect
    note: str = ""  # "void", "depends on the sender (macro)", "include loop", ...

    def to_evidence(self) -> SpfTermEvidence:
        evidence: SpfTermEvidence = {
            "term": self.term,
            "dns_lookups": self.dns_lookups,
            "void_lookups": self.void_lookups,
        }
        if self.note:
            evidence["note"] = self.note
        if self.child is not None:
            evidence["record"] = self.child.to_evidence()
        return evidence


@dataclass(frozen=True)
class SpfNode:
    """One domain's SPF record in the tree. `problem` is set when it is unusable."""

    domain: str
    records: tuple[str, ...] = ()  # every v=spf1 record published (kept when invalid)
    record: SpfRecord | None = None
    problem: str | None = None  # "missing", "multiple", "syntax", "unknown", "invalid-name"
    detail: str = ""
    unknown_reason: UnknownReason | None = None
    terms: tuple[TermCost, ...] = field(default_factory=tuple)

    @property
    def dns_lookups(self) -> int:
        return sum(term.dns_lookups for term in self.terms)

    @property
    def void_lookups(self) -> int:
        return sum(term.void_lookups for term in self.terms)

    def walk(self) -> list[SpfNode]:
        nodes = [self]
        for term in self.terms:
            if term.child is not None:
                nodes.extend(term.child.walk())
        return nodes

    def to_evidence(self) -> SpfNodeEvidence:
        evidence: SpfNodeEvidence = {
            "domain": self.domain,
            "record": self.records[0] if len(self.records) == 1 else list(self.records),
            "dns_lookups": self.dns_lookups,
            "void_lookups": self.void_lookups,
            "terms": [term.to_evidence() for term in self.terms],
        }
        if self.problem:
            evidence["problem"] = self.problem
            evidence["detail"] = self.detail
        return evidence


@dataclass
class _Walk:
    dns: DnsClient
    query_types: tuple[str, ...]
    budget: int = MAX_NODES


def _static_target(spec: str | None, domain: str) -> str | None:
    """The term's target when it does not depend on the client (no macros)."""
    if spec is None:
        return domain
    return None if "%" in spec else truncate_domain(spec)


async def build_tree(
    dns: DnsClient, domain: str, query_types: tuple[str, ...] = SPF_RECORD_QUERY_TYPES
) -> SpfNode:
    """The tree of `domain`'s record. `query_types` are asked together for each record
    name: TXT, plus what checkdmarc will ask when its view of the record is wanted too."""
    return await _node(_Walk(dns, query_types), domain.rstrip(".").lower(), ())


async def _node(walk: _Walk, domain: str, path: tuple[str, ...]) -> SpfNode:
    if not is_valid_domain(domain):
        return SpfNode(domain, problem="invalid-name", detail="not a valid domain name (§4.3)")
    walk.budget -= 1
    # TXT is what SPF reads (RFC 7208 §4.4); the other types are what checkdmarc asks
    # next for the same name, issued now so its sequential walk finds them cached.
    lookup, *_ = await walk.dns.query_many([(domain, t) for t in walk.query_types])
    if lookup.status is LookupStatus.UNKNOWN:
        return SpfNode(
            domain, problem="unknown", detail=lookup.detail, unknown_reason=lookup.reason
        )
    records = tuple(text for text in lookup.records if is_spf_record(text))
    if not records:
        return SpfNode(domain, problem="missing", detail="no v=spf1 record")
    if len(records) > 1:
        return SpfNode(domain, records, problem="multiple", detail=f"{len(records)} records")
    try:
        record = parse_record(records[0])
    except SpfSyntaxError as exc:
        return SpfNode(domain, records, problem="syntax", detail=str(exc))
    costs = await asyncio.gather(*_term_costs(walk, record, domain, (*path, domain)))
    return SpfNode(domain, records, record, terms=tuple(costs))


def _term_costs(walk: _Walk, record: SpfRecord, domain: str, path: tuple[str, ...]) -> list:  # type: ignore[type-arg]
    coroutines = [_mechanism_cost(walk, mechanism, domain, path) for mechanism in record.mechanisms]
    if record.redirect is not None:
        coroutines.append(_follow(walk, f"redirect={record.redirect}", record.redirect, path))
    if record.explanation is not None:
        coroutines.append(_explanation_cost(walk, record.explanation, domain))
    return coroutines


async def _mechanism_cost(
    walk: _Walk, mechanism: Mechanism, domain: str, path: tuple[str, ...]
) -> TermCost:
    if not mechanism.queries_dns:
        return TermCost(mechanism.text, 0, 0)
    if mechanism.kind == "include":
        return await _follow(walk, mechanism.text, mechanism.domain_spec or "", path)
    target = _static_target(mechanism.domain_spec, domain)
    if target is None:
        return TermCost(mechanism.text, 1, 0, note="target depends on the sender (macro)")
    if mechanism.kind == "ptr":
        return TermCost(mechanism.text, 1, 0, note="depends on the client's PTR record")
    if not is_valid_domain(target):
        return TermCost(mechanism.text, 1, 1, note="void: not a valid domain name")
    if mechanism.kind == "a":
        found = await _has_address(walk.dns, target)
    elif mechanism.kind == "mx":
        found = await _has_mx(walk.dns, target)
    else:  # exists: always an A query (§5.7)
        found = (await walk.dns.query(target, "A")).exists
    return TermCost(mechanism.text, 1, 0 if found else 1, note="" if found else "void")


async def _follow(walk: _Walk, term: str, spec: str, path: tuple[str, ...]) -> TermCost:
    target = _static_target(spec, path[-1])
    if target is None:
        return TermCost(term, 1, 0, note="target depends on the sender (macro)")
    target = target.lower()
    if target in path:
        return TermCost(term, 1, 0, note="include loop")
    if walk.budget <= 0:
        return TermCost(term, 1, 0, note="not followed: too many records in the tree")
    child = await _node(walk, target, path)
    void = 1 if child.problem == "missing" else 0
    return TermCost(term, 1 + child.dns_lookups, void + child.void_lookups, child=child)


async def _explanation_cost(walk: _Walk, spec: str, domain: str) -> TermCost:
    """exp= costs nothing against the limits (§6.2) but is fetched for fail results."""
    target = _static_target(spec, domain)
    if target is not None and is_valid_domain(target):
        await walk.dns.query(target, "TXT")
    return TermCost(f"exp={spec}", 0, 0)


async def _has_address(dns: DnsClient, name: str) -> bool:
    answers: list[Lookup] = await dns.query_many([(name, "A"), (name, "AAAA")])
    return any(answer.exists for answer in answers)


async def _has_mx(dns: DnsClient, name: str) -> bool:
    lookup = await dns.query(name, "MX")
    hosts = mx_exchanges(lookup.records)[:MAX_MX_NAMES]
    await dns.query_many([(host, kind) for host in hosts for kind in ("A", "AAAA")])
    return lookup.exists


# -- a record without ptr, within the lookup limit (SPF_PTR_MECHANISM's suggestion) ----
# Removing ptr alone left the demo's record at 12 DNS-querying terms, over the limit the
# report flags as SPF_TOO_MANY_LOOKUPS (RFC 7208 §4.6.4: more than 10 is a permerror), so
# the suggestion failed SPF everywhere. Here an include that reaches a domain without an
# SPF record (a permerror of its own, §5.2) is dropped, the costliest includes are
# flattened to the ip4/ip6 ranges their records publish today until the record fits, and
# the reason for every change is stated so the DNS admin can judge it. It ends in -all
# only when the audit saw every sending source (or the record already does).


@dataclass(frozen=True)
class Suggestion:
    record: str
    lookups: int
    notes: tuple[str, ...]  # why each change was made, in the order made


def _is(term: str, *kinds: str) -> bool:
    bare = term.lstrip("+-~?").lower()
    return any(bare == k or bare.startswith((k + ":", k + "/", k + "=")) for k in kinds)


def flattened(node: SpfNode) -> tuple[list[str], list[str]]:
    """The ip4/ip6 terms of `node`'s subtree, and the terms that cannot be flattened
    (a, mx, exists: their answers are not in the tree); void ones are left out."""
    ips: list[str] = []
    rest: list[str] = []
    for term in node.terms:
        if term.child is not None:
            child_ips, child_rest = flattened(term.child)
            ips += child_ips
            rest += child_rest
        elif _is(term.term, "ip4", "ip6") and not term.term.startswith(("-", "~", "?")):
            ips.append(term.term.lstrip("+"))
        elif _is(term.term, "a", "mx", "exists") and term.note != "void":
            rest.append(term.term)
    return ips, rest


def _cost(terms: list[tuple[str, int]]) -> int:
    return sum(cost for _, cost in terms)


def _missing(node: SpfNode) -> str | None:
    """The first domain of `node`'s subtree with no SPF record (a permerror, §5.2)."""
    return next((n.domain for n in node.walk() if n.problem == "missing"), None)


def _kept_terms(node: SpfNode, notes: list[str]) -> list[tuple[str, int]]:
    """The record's terms without ptr, all and includes that reach a domain with no SPF
    record (they make every evaluation that gets there a permerror)."""
    kept = []
    for term in node.terms:
        if _is(term.term, "ptr", "all"):
            continue
        missing = _missing(term.child) if term.child is not None else None
        if missing:
            notes.append(f"{term.term} dropped: {missing} publishes no SPF record")
            continue
        kept.append((term.term, term.dns_lookups))
    return kept


def _flatten_costliest(
    kept: list[tuple[str, int]], costs: dict[str, TermCost], notes: list[str]
) -> list[tuple[str, int]]:
    while _cost(kept) > MAX_DNS_TERMS:
        includes = [(t, c) for t, c in kept if costs.get(t) and costs[t].child is not None]
        if not includes:
            break
        term, cost = max(includes, key=lambda item: item[1])
        child = costs[term].child
        assert child is not None  # filtered above
        ips, rest = flattened(child)
        at = kept.index((term, cost))
        kept[at : at + 1] = [(ip, 0) for ip in ips] + [(r, 1) for r in rest]
        notes.append(
            f"{term} flattened to the ranges it publishes today ({cost} lookups saved"
            f"{', less ' + str(len(rest)) if rest else ''}): re-check when the provider "
            "changes them"
        )
    return kept


def _ends_in_fail(node: SpfNode) -> bool:
    return any(term.term.lower() == "-all" for term in node.terms)


def within_limit(node: SpfNode, uncovered: tuple[str, ...], every_source_seen: bool) -> Suggestion:
    """`node`'s record without ptr, the `uncovered` sending IPs (those only ptr matched)
    added, within 10 lookups; -all if the audit saw every sending source, else ~all."""
    notes: list[str] = []
    kept = _kept_terms(node, notes)
    kept += [(f"ip6:{ip}" if ":" in ip else f"ip4:{ip}", 0) for ip in uncovered]
    if uncovered:
        notes.append("ptr replaced by the sending IPs it matched: " + ", ".join(uncovered))
    kept = _flatten_costliest(kept, {t.term: t for t in node.terms}, notes)
    if _ends_in_fail(node):
        end = "-all"  # the owner already fails the rest: a suggestion does not soften it
    elif every_source_seen:
        end = "-all"
        notes.append("-all: the mail log showed every sending source")
    else:
        end = "~all"
        notes.append(
            "~all until every sending source is known: no sending IP came from a mail log, "
            "so a sender the audit did not see may still use the domain; switch to -all then"
        )
    terms = list(dict.fromkeys(t for t, _ in kept))
    return Suggestion(" ".join(["v=spf1", *terms, end]), _cost(kept), tuple(notes))
