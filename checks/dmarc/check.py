"""The `dmarc` check: the domain's DMARC policy, its reporting, and per-IP alignment.

Policy discovery, parsing and validation are checkdmarc's (RFC 9989, via
`audit.net.checkdmarc_adapter`); external report authorization (RFC 9990 §4) is looked
up here. The alignment summary answers, per sending IP: does SPF pass for the
domain (our check_host), is a usable DKIM key published, and would DMARC pass on SPF
alone. The SPF outcomes and the DKIM keys are facts of the run (`SPF_OUTCOMES`,
`DKIM_KEYS`): established once, by whichever check asks first, never recomputed here.
Everything runs concurrently on the shared DNS cache; `judge_dmarc` is pure.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from audit.engine.context import AuditContext, Fact
from audit.model import CheckId, CheckResult, SendingIp, UnknownReason
from audit.net.checkdmarc_adapter import analyse_dmarc, organizational_domain
from audit.net.dns import DnsClient, LookupStatus
from checks.dkim.check import DKIM_KEYS, DkimEvidence
from checks.dmarc.evidence import FINDING_EVIDENCE, AlignmentVerdict
from checks.dmarc.judge import (
    DmarcEvidence,
    IpAlignment,
    ReportDestination,
    judge_dmarc,
    raw_tags,
)
from checks.dmarc.record import receiver_record
from checks.spf.check import SPF_OUTCOMES
from checks.spf.result import SpfOutcome, SpfResult

MAX_TREE_WALK = 8  # RFC 9989 §4.10: at most eight DNS queries in the tree walk
DMARC_PREFIX = "v=dmarc1"


def _is_dmarc(record: str) -> bool:
    return record.strip().lower().startswith(DMARC_PREFIX)


def _parents(domain: str) -> list[str]:
    labels = domain.rstrip(".").lower().split(".")
    return [".".join(labels[i:]) for i in range(len(labels))][:MAX_TREE_WALK]


def _mailto_domains(record: str) -> list[str]:
    domains = []
    for tag in ("rua", "ruf"):
        for uri in raw_tags(record).get(tag, "").split(","):
            address = uri.strip().split("!", 1)[0]
            if address.lower().startswith("mailto:") and "@" in address:
                domains.append(address.rpartition("@")[2].lower())
    return domains


def authorization_name(source: str, destination: str) -> str:
    """RFC 9990 §4: <policy domain>._report._dmarc.<destination domain>."""
    return f"{source}._report._dmarc.{destination}"


async def warm_dmarc(dns: DnsClient, domain: str) -> None:
    """Issue, at once, what checkdmarc asks one after another: the tree walk, the
    apex and CNAME probes, then each report destination's MX and authorization."""
    names = [(f"_dmarc.{parent}", "TXT") for parent in _parents(domain)]
    names += [(domain, "TXT"), (f"_dmarc.{domain}", "CNAME")]
    lookups = await dns.query_many(names)
    records = [r for lookup in lookups[: len(_parents(domain))] for r in lookup.records]
    follow: list[tuple[str, str]] = []
    for destination in {
        d for record in records if _is_dmarc(record) for d in _mailto_domains(record)
    }:
        follow += [
            (destination, "MX"),
            (authorization_name(domain, destination), "TXT"),
            (authorization_name("*", destination), "TXT"),
        ]
    await dns.query_many(follow)


async def report_destinations(
    dns: DnsClient, source: str, uris: Iterable[Mapping[str, Any]]
) -> tuple[ReportDestination, ...]:
    source_org = organizational_domain(source)
    checks = [
        _destination(dns, source, source_org, uri)
        for uri in uris
        if str(uri.get("scheme", "")).lower() == "mailto" and "@" in str(uri.get("address"))
    ]
    return tuple(await asyncio.gather(*checks))


async def _destination(
    dns: DnsClient, source: str, source_org: str, uri: Mapping[str, Any]
) -> ReportDestination:
    address = str(uri["address"])
    target = address.rpartition("@")[2].lower().rstrip(".")
    text = f"mailto:{address}"
    mx, mx_reason = await has_mx(dns, target)
    if organizational_domain(target) == source_org:
        return ReportDestination(
            text, target, external=False, authorized=True, mx=mx, mx_reason=mx_reason
        )
    name = authorization_name(source, target)
    lookup = await dns.query(name, "TXT")
    if lookup.status is LookupStatus.UNKNOWN:
        return ReportDestination(text, target, True, None, name, lookup.reason, mx, mx_reason)
    authorized = any(_is_dmarc(record) for record in lookup.records)
    return ReportDestination(text, target, True, authorized, name, mx=mx, mx_reason=mx_reason)


async def has_mx(dns: DnsClient, domain: str) -> tuple[bool | None, UnknownReason | None]:
    """Does the report destination publish an MX other than RFC 7505's null MX
    ("0 .")? None, with the reason, when the lookup failed (unknown, not a finding)."""
    lookup = await dns.query(domain, "MX")
    if lookup.status is LookupStatus.UNKNOWN:
        return None, lookup.reason
    return any(record.split()[-1] != "." for record in lookup.records), None


def _uris(tags: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    uris: list[Mapping[str, Any]] = []
    for tag in ("rua", "ruf"):
        entry = tags.get(tag)
        value = entry.get("value") if isinstance(entry, Mapping) else None
        if isinstance(value, list):
            uris += [uri for uri in value if isinstance(uri, Mapping)]
    return uris


def alignment(
    ips: tuple[SendingIp, ...],
    outcomes: tuple[SpfOutcome, ...],
    dkim: DkimEvidence,
    policy_usable: bool,
) -> tuple[IpAlignment, ...]:
    """Per IP, assuming MAIL FROM and From are in the audited domain (then SPF is
    aligned under relaxed and strict aspf alike)."""
    failed = any(p.lookup.status is LookupStatus.UNKNOWN for p in dkim.probes)
    dkim_available = True if dkim.usable else (None if failed and not dkim.found else False)
    rows = []
    for sending, outcome in zip(ips, outcomes, strict=True):
        spf_pass = (
            None if outcome.result is SpfResult.TEMPERROR else (outcome.result is SpfResult.PASS)
        )
        verdict: AlignmentVerdict
        if not policy_usable:
            verdict = "none"
        else:
            verdict = "unknown" if spf_pass is None else ("pass" if spf_pass else "fail")
        rows.append(
            IpAlignment(
                sending.ip,
                sending.source.value,
                outcome.result.value,
                spf_pass,
                dkim_available,
                verdict,
            )
        )
    return tuple(rows)


def applied_record(record: str) -> str:
    return receiver_record(record).applied


async def collect_dmarc(ctx: AuditContext, domain: str) -> DmarcEvidence:
    analysis, _, dkim, outcomes = await asyncio.gather(
        analyse_dmarc(ctx.dns, domain, applied_record),
        warm_dmarc(ctx.dns, domain),
        ctx.fact(DKIM_KEYS),
        ctx.fact(SPF_OUTCOMES),
    )
    source = (analysis.location or domain).lower()
    destinations = await report_destinations(ctx.dns, source, _uris(analysis.tags))
    ips = ctx.target.ips
    return DmarcEvidence(
        domain, analysis, destinations, alignment(ips, outcomes, dkim, analysis.valid)
    )


async def _establish_dmarc(ctx: AuditContext) -> DmarcEvidence:
    assert ctx.domain, "the dmarc fact needs a domain"
    return await collect_dmarc(ctx, ctx.domain)


# The domain's DMARC policy as this check finds it: BIMI (the mx check) reads it, never
# recomputes it.
DMARC_EVIDENCE: Fact[DmarcEvidence] = Fact("dmarc_evidence", _establish_dmarc)


class DmarcCheck:
    id: ClassVar[CheckId] = CheckId.DMARC
    finding_codes: ClassVar[frozenset[str]] = frozenset(FINDING_EVIDENCE)

    uses_dns: ClassVar[bool] = True

    warm_imports: ClassVar[tuple[str, ...]] = ("checkdmarc.dmarc",)
    provides: ClassVar[tuple[Fact[Any], ...]] = (DMARC_EVIDENCE,)
    needs: ClassVar[tuple[Fact[Any], ...]] = (SPF_OUTCOMES, DKIM_KEYS)

    async def run(self, ctx: AuditContext) -> CheckResult:
        domain = ctx.domain
        if not domain:
            return CheckResult(self.id, skipped=True, detail="no domain to check")
        evidence = await ctx.fact(DMARC_EVIDENCE)
        findings, unknowns = judge_dmarc(evidence)
        where = evidence.analysis.location or "not found"
        return CheckResult(
            self.id,
            evidence=evidence.to_evidence(),
            findings=tuple(findings),
            unknowns=tuple(unknowns),
            detail=f"DMARC for {domain} (record at {where}; rules: RFC 9989)",
        )
