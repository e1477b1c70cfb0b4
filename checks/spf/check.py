"""The `spf` check: the domain's SPF record, its cost, and check_host() per sending IP.

Evidence comes from three concurrent sources on the shared DNS layer: our record
tree (`checks.spf.tree`, counts past the limits), RFC 7208 check_host() for every
sending IP (`checks.spf.eval`) against the domain and each known HELO name, and
checkdmarc's parse (`audit.net.checkdmarc_adapter`) for the appendix. Judgement is in
`checks.spf.judge`.

The tree and the outcomes per sending IP are facts of the run (`SPF_TREE`,
`SPF_OUTCOMES`): the dmarc check reads the same ones, established once.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, ClassVar

from audit.engine.context import AuditContext, Fact
from audit.model import CheckId, CheckResult, IpSource
from audit.net.checkdmarc_adapter import SPF_RECORD_QUERY_TYPES, SpfAnalysis, analyse_spf
from audit.net.dns import DnsClient
from checks.spf.eval import SpfEvaluator
from checks.spf.evidence import FINDING_EVIDENCE
from checks.spf.judge import SpfEvidence, judge_spf
from checks.spf.options import SpfOptions
from checks.spf.result import SpfOutcome
from checks.spf.tree import SpfNode, build_tree

log = logging.getLogger(__name__)


async def _checkdmarc_view(dns: DnsClient, domain: str) -> SpfAnalysis | str:
    """checkdmarc is a third-party parser: its failure must not cost us the check."""
    try:
        return await analyse_spf(dns, domain)
    except Exception as exc:  # a bug in the dependency, reported in the evidence
        log.warning("checkdmarc SPF analysis of %s failed: %s", domain, exc)
        return f"{type(exc).__name__}: {exc}"


async def evaluate_ips(dns: DnsClient, domain: str, ips: tuple[str, ...]) -> tuple[SpfOutcome, ...]:
    evaluator = SpfEvaluator(dns)
    return tuple(await asyncio.gather(*(evaluator.check_host(ip, domain) for ip in ips)))


async def evaluate_helo(
    dns: DnsClient, helo_names: tuple[str, ...], ips: tuple[str, ...]
) -> tuple[SpfOutcome, ...]:
    """RFC 7208 §2.3: the HELO identity, with sender postmaster@<helo>."""
    evaluator = SpfEvaluator(dns)
    checks = [
        evaluator.check_host(ip, helo, f"postmaster@{helo}", helo)
        for helo in helo_names
        for ip in ips
    ]
    return tuple(await asyncio.gather(*checks))


def _audited_domain(ctx: AuditContext) -> str:
    domain = ctx.domain
    if domain is None:  # callers skip a run without a domain before asking
        raise ValueError("SPF facts need a domain")
    return domain


async def _tree(ctx: AuditContext) -> SpfNode:
    # checkdmarc's view is only asked by the spf check: without it, TXT is enough.
    query_types = SPF_RECORD_QUERY_TYPES if CheckId.SPF in ctx.selected else ("TXT",)
    return await build_tree(ctx.dns, _audited_domain(ctx), query_types)


async def _outcomes(ctx: AuditContext) -> tuple[SpfOutcome, ...]:
    """check_host() for every sending IP, while the tree walk warms the cache it reads."""
    ips = tuple(sending.ip for sending in ctx.target.ips)
    _, outcomes = await asyncio.gather(
        ctx.fact(SPF_TREE), evaluate_ips(ctx.dns, _audited_domain(ctx), ips)
    )
    return outcomes


SPF_TREE: Fact[SpfNode] = Fact("spf.tree", _tree)
# check_host(ip, domain) for each of ctx.target.ips, in that order.
SPF_OUTCOMES: Fact[tuple[SpfOutcome, ...]] = Fact("spf.outcomes", _outcomes)


async def collect_spf(ctx: AuditContext, domain: str) -> SpfEvidence:
    ips = tuple(sending.ip for sending in ctx.target.ips)
    helo_names = ctx.options_for(SpfOptions).helo_names
    tree, outcomes, helo_outcomes, analysis = await asyncio.gather(
        ctx.fact(SPF_TREE),
        ctx.fact(SPF_OUTCOMES),
        evaluate_helo(ctx.dns, helo_names, ips),
        _checkdmarc_view(ctx.dns, domain),
    )
    return SpfEvidence(
        domain=domain,
        tree=tree,
        outcomes=outcomes,
        helo_outcomes=helo_outcomes,
        analysis=analysis if isinstance(analysis, SpfAnalysis) else None,
        analysis_error=analysis if isinstance(analysis, str) else None,
    )


class SpfCheck:
    id: ClassVar[CheckId] = CheckId.SPF
    finding_codes: ClassVar[frozenset[str]] = frozenset(FINDING_EVIDENCE)

    uses_dns: ClassVar[bool] = True

    warm_imports: ClassVar[tuple[str, ...]] = ("checkdmarc.spf",)
    provides: ClassVar[tuple[Fact[Any], ...]] = (SPF_TREE, SPF_OUTCOMES)
    needs: ClassVar[tuple[Fact[Any], ...]] = ()

    async def run(self, ctx: AuditContext) -> CheckResult:
        domain = ctx.domain
        if not domain:
            return CheckResult(self.id, skipped=True, detail="no domain to check")
        ips = tuple(sending.ip for sending in ctx.target.ips)
        evidence = await collect_spf(ctx, domain)
        from_log = any(sending.source is IpSource.LOG for sending in ctx.target.ips)
        findings, unknowns = judge_spf(evidence, ips, every_source_seen=from_log)
        summary = ", ".join(f"{o.ip}: {o.result.value}" for o in evidence.outcomes)
        return CheckResult(
            self.id,
            evidence=evidence.to_evidence(),
            findings=tuple(findings),
            unknowns=tuple(unknowns),
            detail=f"SPF for {domain}" + (f" ({summary})" if summary else ""),
        )
