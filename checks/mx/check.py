"""The mx check: how mail to the domain is protected in transit (SPEC "Check ids").

The MX set (RFC 5321 §5.1, RFC 7505), one STARTTLS session per MX address (RFC 3207:
protocol, cipher, the certificate chain judged by RFC 5280 and RFC 6125), the MTA-STS
record and policy (RFC 8461; the policy fetch is the only HTTP request the tool makes,
`--no-http` skips it), the TLS-RPT record (RFC 8460), DNSSEC from the trust anchors
and DANE TLSA against the presented chains (RFC 4035, RFC 7672, RFC 6698), and the
BIMI record beside the dmarc check's policy. The SMTP servers are the relay probe's
(`--smtp-host`, else the MX hosts on 25; `--no-relay-probe` makes no connection), with
the same safety rules: a session sends EHLO, STARTTLS and QUIT only. Every part runs
concurrently; the judges are pure.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from audit.engine.context import AuditContext, Fact
from audit.engine.targets import ranked_exchanges
from audit.model import CheckId, CheckResult, Finding, Unknown
from audit.net.signed_dns import SignedResolver
from checks.dmarc.check import DMARC_EVIDENCE
from checks.mx.bimi import collect_bimi, judge_bimi
from checks.mx.dane.chain import ChainValidator
from checks.mx.dane.judge import (
    collect_dnssec,
    dnssec_unknowns,
    judge_dnssec,
    matched_against,
    uses_dane,
)
from checks.mx.evidence import FINDING_EVIDENCE, DnssecEvidence, MxEvidenceDocument
from checks.mx.mxset import MAX_MX_HOSTS, collect_mx_set, judge_mx_set, mail_hosts
from checks.mx.options import MxOptions
from checks.mx.policy.collect import collect_mta_sts, collect_tls_rpt
from checks.mx.policy.judge import (
    judge_sts_hosts,
    judge_sts_policy,
    judge_sts_record,
    judge_tlsrpt,
    policy_mode,
)
from checks.mx.tls.collect import Sessions, collect_sessions
from checks.mx.tls.judge import judge_session


async def _dnssec(
    ctx: AuditContext, domain: str, options: MxOptions, sessions: asyncio.Future[Sessions]
) -> DnssecEvidence:
    """TLSA and signatures while the SMTP sessions run; the match once they are done."""
    mx = await ctx.dns.query(domain, "MX")  # the run's DNS cache answers it
    hosts = [name.rstrip(".").lower() for _, name in ranked_exchanges(mx) if name != "."]
    validator = ChainValidator(SignedResolver(ctx.dns), options.trust_anchors, ctx.clock())
    evidence = await collect_dnssec(validator, domain, options.trust_anchors, hosts[:MAX_MX_HOSTS])
    return matched_against(evidence, (await sessions).chains)


def _judge(domain: str, evidence: MxEvidenceDocument) -> list[Finding]:
    mx_set, sts, dnssec = evidence["mx"], evidence["mta_sts"], evidence["dnssec"]
    hosts = mail_hosts(mx_set)
    mode = policy_mode(sts)
    leaves = {s["host"]: (s["chain"][0] if s["chain"] else None) for s in evidence["tls"]}
    findings = judge_mx_set(domain, mx_set)
    findings += judge_sts_record(domain, sts, receives_mail=bool(hosts))
    findings += judge_sts_policy(domain, sts)
    findings += judge_sts_hosts(sts, hosts, evidence["tls"])
    findings += [f for tls in evidence["tls"] for f in judge_session(tls, mode)]
    findings += judge_tlsrpt(domain, evidence["tls_rpt"], sts, dane=uses_dane(dnssec))
    findings += judge_dnssec(dnssec, leaves)
    findings += judge_bimi(domain, evidence["bimi"])
    return findings


def _summary(evidence: MxEvidenceDocument) -> str:
    hosts = mail_hosts(evidence["mx"])
    tls = evidence["tls"]
    encrypted = sum(1 for s in tls if s["protocol"])
    sessions = {
        "probed": f"STARTTLS with {encrypted} of {len(tls)} address(es)",
        "skipped": "no SMTP connection (--no-relay-probe)",
        "no_server": "no SMTP server to connect to",
    }[evidence["tls_probe"]]
    sts = policy_mode(evidence["mta_sts"]) or (
        "present" if evidence["mta_sts"]["records"] else "none"
    )
    dane = "DANE" if uses_dane(evidence["dnssec"]) else "no DANE"
    return f"{len(hosts)} MX host(s); {sessions}; MTA-STS: {sts}; {dane}"


class MxCheck:
    id: ClassVar[CheckId] = CheckId.MX
    finding_codes: ClassVar[frozenset[str]] = frozenset(FINDING_EVIDENCE)
    uses_dns: ClassVar[bool] = True
    warm_imports: ClassVar[tuple[str, ...]] = ("cryptography.x509.verification", "dns.dnssec")
    provides: ClassVar[tuple[Fact[Any], ...]] = ()
    needs: ClassVar[tuple[Fact[Any], ...]] = (DMARC_EVIDENCE,)  # only when BIMI is published

    async def run(self, ctx: AuditContext) -> CheckResult:
        domain = ctx.domain
        if domain is None:
            detail = "no domain: the mx check needs one"
            return CheckResult(check=self.id, skipped=True, detail=detail)
        options = ctx.options_for(MxOptions)
        sessions = asyncio.ensure_future(collect_sessions(ctx, domain, options.ca_file))
        (
            (mx_set, mx_lost),
            (sts, sts_lost),
            (rpt, rpt_lost),
            (bimi, bimi_lost),
            dnssec,
        ) = await asyncio.gather(
            collect_mx_set(ctx.dns, domain),
            collect_mta_sts(ctx, domain, options),
            collect_tls_rpt(ctx.dns, domain),
            collect_bimi(ctx, domain),
            _dnssec(ctx, domain, options, sessions),
        )
        tls = await sessions
        evidence: MxEvidenceDocument = {
            "domain": domain,
            "mx": mx_set,
            "tls_probe": tls.status,
            "tls": tls.evidence,
            "mta_sts": sts,
            "tls_rpt": rpt,
            "bimi": bimi,
            "dnssec": dnssec,
        }
        lost: list[Unknown] = [*mx_lost, *tls.unknowns, *sts_lost, *rpt_lost, *bimi_lost]
        return CheckResult(
            check=self.id,
            evidence=evidence,
            findings=tuple(_judge(domain, evidence)),
            unknowns=(*lost, *dnssec_unknowns(dnssec)),
            detail=_summary(evidence),
        )
