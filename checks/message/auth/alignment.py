"""DMARC for one message (RFC 7489 §3.1, §4.2, §6.6): identifier alignment of SPF and
DKIM with the RFC 5322.From domain, and the result.

The organisational domain comes from the Public Suffix List (RFC 7489 §3.2) as the
maintained `publicsuffixlist` package ships it, never a copied list. The DMARC record
is looked up at `_dmarc.<From domain>`, then at `_dmarc.<organisational domain>`
(§6.6.3 step 3).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Literal, cast

from publicsuffixlist import PublicSuffixList

from audit.net.dns import DnsClient, LookupStatus

# The tag parser without the DMARC check's judge: that imports checkdmarc and dnspython's
# resolver (its DoH client, ~0.2 s of start-up) which `message` never uses.
from checks.dmarc.record import raw_tags
from checks.message.evidence import (
    DmarcResult,
    MessageDkimEvidence,
    MessageDmarcEvidence,
    MessageSpfEvidence,
)


@functools.cache
def _suffix_list() -> PublicSuffixList:
    """The list bundled with the package, parsed once per process (immutable after)."""
    return PublicSuffixList()


def organizational_domain(domain: str) -> str:
    name = domain.lower().rstrip(".")
    return _suffix_list().privatesuffix(name) or name


def aligned(identifier: str, from_domain: str, mode: str, from_org: str | None = None) -> bool:
    """§3.1.1/§3.1.2: strict = the same name; relaxed = the same organisational domain
    (`from_org`: the From domain's, when the caller has it already)."""
    left, right = identifier.lower().rstrip("."), from_domain.lower().rstrip(".")
    if left == right:
        return True
    if mode == "s":
        return False
    return organizational_domain(left) == (from_org or organizational_domain(right))


RecordFound = tuple[str | None, str | None, str]  # (record domain, record, problem)
RecordFinder = Callable[[str, str], Awaitable[RecordFound]]


async def find_record(dns: DnsClient, from_domain: str, org: str) -> RecordFound:
    """(record domain, record, problem): problem is "" or why the lookup is unknown."""
    names = dict.fromkeys((from_domain, org))
    for domain in names:
        lookup = await dns.query(f"_dmarc.{domain}", "TXT")
        if lookup.status is LookupStatus.UNKNOWN:
            return None, None, f"_dmarc.{domain} TXT: {lookup.reason or 'unknown'}"
        records = [r for r in lookup.records if r.lower().replace(" ", "").startswith("v=dmarc1")]
        if len(records) == 1:
            return domain, records[0], ""
    return None, None, ""


def _mode(tags: dict[str, str], tag: str) -> Literal["r", "s"]:
    return "s" if tags.get(tag, "r").lower() == "s" else "r"


def _result(
    record: str | None, problem: str, spf_ok: bool, dkim_ok: list[str], undetermined: bool
) -> DmarcResult:
    if spf_ok or dkim_ok:
        return "pass"
    if problem or undetermined:
        return "unknown"  # a pass was possible had every lookup answered
    return "fail" if record is not None else "none"


async def dmarc_evidence(
    find: RecordFinder,
    from_domain: str,
    spf: MessageSpfEvidence | None,
    signatures: list[MessageDkimEvidence],
) -> MessageDmarcEvidence:
    org = organizational_domain(from_domain)
    record_domain, record, problem = await find(from_domain, org)
    tags = raw_tags(record) if record else {}
    adkim, aspf = _mode(tags, "adkim"), _mode(tags, "aspf")
    spf_aligned = bool(spf and aligned(spf["domain"], from_domain, aspf, org))
    spf_ok = spf_aligned and spf is not None and spf["result"] == "pass"
    passing = {s["domain"] for s in signatures if s["result"] == "pass"}
    dkim_ok = sorted(d for d in passing if aligned(d, from_domain, adkim, org))
    # SPF not evaluated (no trusted hop or Return-Path) or temperror, or a signature
    # unknown: without an aligned pass, the result is unknown, not fail (RFC 7489 §6.6.2).
    undetermined = (
        spf is None
        or spf["result"] == "temperror"
        or any(s["result"] == "unknown" for s in signatures)
    )
    result = _result(record, problem, spf_ok, dkim_ok, undetermined)
    policy = tags.get("p")
    if record_domain and record_domain != from_domain and "sp" in tags:
        policy = tags["sp"]  # §6.6.3: a subdomain takes the organisational record's sp=
    return {
        "from_domain": from_domain,
        "organizational_domain": org,
        "record_domain": record_domain,
        "record": record,
        "policy": policy.lower() if policy else None,
        "adkim": cast(Literal["r", "s"], adkim),
        "aspf": cast(Literal["r", "s"], aspf),
        "spf_aligned": spf_aligned,
        "dkim_aligned_domains": dkim_ok,
        "result": result,
        "detail": problem,
    }
