"""The mx check: how mail to the domain is protected in transit (SPEC "Check ids").

The MX set (RFC 5321 §5.1, RFC 7505), one STARTTLS session per MX address (RFC 3207:
protocol, cipher, the certificate chain judged by RFC 5280 and RFC 6125), the MTA-STS
record and policy (RFC 8461; the policy fetch is the only HTTP request the tool makes,
`--no-http` skips it), the TLS-RPT record (RFC 8460) and the BIMI record (beside the
dmarc check's policy). The SMTP servers are the relay
probe's (`--smtp-host`, else the MX hosts on 25; `--no-relay-probe` makes no
connection), with the same safety rules: a session sends EHLO, STARTTLS and QUIT only.
DNSSEC/DANE are not checked by this version.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from audit.engine.context import AuditContext, Fact
from audit.model import CheckId, CheckResult, Finding, Unknown, UnknownReason
from audit.net.dns import DnsClient, LookupStatus
from checks.dmarc.check import DMARC_EVIDENCE
from checks.mx.bimi import bimi_name, judge_bimi, parse_bimi, with_dmarc
from checks.mx.evidence import (
    FINDING_EVIDENCE,
    BimiEvidence,
    MtaStsEvidence,
    MxEvidenceDocument,
    TlsProbeStatus,
    TlsRptEvidence,
    TlsSessionEvidence,
)
from checks.mx.mxset import collect_mx_set, judge_mx_set, mail_hosts
from checks.mx.options import MxOptions
from checks.mx.policy.fetch import fetch_policy, policy_url
from checks.mx.policy.judge import (
    judge_sts_hosts,
    judge_sts_policy,
    judge_sts_record,
    judge_tlsrpt,
    policy_mode,
)
from checks.mx.policy.records import (
    STS_PREFIX,
    TLSRPT_PREFIX,
    parse_policy,
    parse_sts_record,
    parse_tlsrpt,
    versioned,
)
from checks.mx.tls.judge import judge_session, session_evidence, session_unknowns
from checks.mx.tls.session import starttls_session
from checks.relay.options import RelayOptions
from checks.relay.targets import plan_targets

MAX_PARALLEL_SESSIONS = 4
MAX_FETCH_SECONDS = 30.0


def _txt_unknown(name: str, lookup: Any) -> Unknown:
    detail = f"TXT lookup of {name}: {lookup.detail or lookup.status.value}"
    return Unknown(name, lookup.reason or UnknownReason.NETWORK, detail)


async def _txt(dns: DnsClient, name: str, prefix: str) -> tuple[list[str], list[Unknown]]:
    lookup = await dns.query(name, "TXT")
    if lookup.status is LookupStatus.UNKNOWN:
        return [], [_txt_unknown(name, lookup)]
    return versioned(lookup.records, prefix), []


async def _mta_sts(
    ctx: AuditContext, domain: str, options: MxOptions
) -> tuple[MtaStsEvidence, list[Unknown]]:
    records, unknowns = await _txt(ctx.dns, f"_mta-sts.{domain}", STS_PREFIX)
    sts_id, errors = parse_sts_record(records) if records else (None, [])
    sts: MtaStsEvidence = {
        "records": records,
        "id": sts_id,
        "record_errors": errors,
        "policy_url": policy_url(domain),
        "fetch": "unknown" if unknowns else "not_fetched",
        "fetch_error": None,
        "http_status": None,
        "policy": None,
    }
    if sts_id is None:  # RFC 8461 §3.1: no valid record, no policy to fetch
        return sts, unknowns
    if not options.http:
        sts["fetch"] = "skipped_no_http"
        detail = "--no-http: the MTA-STS policy was not fetched"
        return sts, [Unknown(f"MTA-STS policy of {domain}", UnknownReason.DEPENDENCY, detail)]
    timeout = min(ctx.run.timeout * 3, MAX_FETCH_SECONDS)
    fetched = await fetch_policy(ctx.dns, domain, options.https_port, options.ca_file, timeout)
    sts["fetch"], sts["fetch_error"] = fetched.status, fetched.error
    sts["http_status"] = fetched.http_status
    if fetched.body is not None:
        sts["policy"] = parse_policy(fetched.body)
    if fetched.status == "unknown":
        reason = fetched.reason or UnknownReason.NETWORK
        return sts, [Unknown(f"MTA-STS policy of {domain}", reason, fetched.error or "")]
    return sts, []


async def _tls_rpt(dns: DnsClient, domain: str) -> tuple[TlsRptEvidence, list[Unknown]]:
    records, unknowns = await _txt(dns, f"_smtp._tls.{domain}", TLSRPT_PREFIX)
    rua, errors = parse_tlsrpt(records) if records else ([], [])
    return {"records": records, "rua": rua, "errors": errors}, unknowns


async def _bimi(ctx: AuditContext, domain: str) -> tuple[BimiEvidence, list[Unknown]]:
    name = bimi_name(domain)
    lookup = await ctx.dns.query(name, "TXT")
    if lookup.status is LookupStatus.UNKNOWN:
        return parse_bimi(()), [_txt_unknown(name, lookup)]
    bimi = parse_bimi(lookup.records)
    if not bimi["records"] or bimi["declined"] or bimi["errors"]:
        return bimi, []
    dmarc = await ctx.fact(DMARC_EVIDENCE)  # the dmarc check's result, not recomputed
    bimi = with_dmarc(bimi, dmarc)
    if bimi["dmarc_enforced"] is None:
        reason = dmarc.analysis.unknown_reason or UnknownReason.DEPENDENCY
        return bimi, [Unknown(f"BIMI of {domain}", reason, "the DMARC policy is unknown")]
    return bimi, []


async def _sessions(
    ctx: AuditContext, domain: str, options: MxOptions
) -> tuple[TlsProbeStatus, list[TlsSessionEvidence], list[Unknown]]:
    relay = ctx.options_for(RelayOptions)
    if not relay.relay_probe:
        return "skipped", [], []
    plan = await plan_targets(ctx.dns, domain, relay.smtp_hosts)
    if not plan.targets:
        return "no_server", [], []  # the relay check reports why (same plan)
    parallel = asyncio.Semaphore(MAX_PARALLEL_SESSIONS)

    async def one(target: Any) -> TlsSessionEvidence:
        async with parallel:
            session = await starttls_session(target, ctx.run.smtp_timeout)
        return await asyncio.to_thread(session_evidence, session, options.ca_file, ctx.clock())

    sessions = list(await asyncio.gather(*(one(t) for t in plan.targets)))
    return "probed", sessions, [u for s in sessions for u in session_unknowns(s)]


def _judge(domain: str, evidence: MxEvidenceDocument) -> list[Finding]:
    mx_set, sts = evidence["mx"], evidence["mta_sts"]
    hosts = mail_hosts(mx_set)
    mode = policy_mode(sts)
    findings = judge_mx_set(domain, mx_set)
    findings += judge_sts_record(domain, sts, receives_mail=bool(hosts))
    findings += judge_sts_policy(domain, sts)
    findings += judge_sts_hosts(sts, hosts, evidence["tls"])
    findings += [f for tls in evidence["tls"] for f in judge_session(tls, mode)]
    findings += judge_tlsrpt(domain, evidence["tls_rpt"], sts)
    findings += judge_bimi(domain, evidence["bimi"])
    return findings


def _summary(evidence: MxEvidenceDocument) -> str:
    hosts = mail_hosts(evidence["mx"])
    tls = evidence["tls"]
    encrypted = sum(1 for s in tls if s["protocol"])
    sessions = (
        f"STARTTLS with {encrypted} of {len(tls)} address(es)"
        if evidence["tls_probe"] == "probed"
        else "no SMTP connection (--no-relay-probe)"
        if evidence["tls_probe"] == "skipped"
        else "no SMTP server to connect to"
    )
    sts = policy_mode(evidence["mta_sts"]) or (
        "present" if evidence["mta_sts"]["records"] else "none"
    )
    return f"{len(hosts)} MX host(s); {sessions}; MTA-STS: {sts}"


class MxCheck:
    id: ClassVar[CheckId] = CheckId.MX
    finding_codes: ClassVar[frozenset[str]] = frozenset(FINDING_EVIDENCE)
    uses_dns: ClassVar[bool] = True
    warm_imports: ClassVar[tuple[str, ...]] = ("cryptography.x509.verification",)
    provides: ClassVar[tuple[Fact[Any], ...]] = ()
    needs: ClassVar[tuple[Fact[Any], ...]] = (DMARC_EVIDENCE,)  # only when BIMI is published

    async def run(self, ctx: AuditContext) -> CheckResult:
        domain = ctx.domain
        if domain is None:
            detail = "no domain: the mx check needs one"
            return CheckResult(check=self.id, skipped=True, detail=detail)
        options = ctx.options_for(MxOptions)
        (
            (mx_set, mx_lost),
            (probe, tls, tls_lost),
            (sts, sts_lost),
            (rpt, rpt_lost),
            (bimi, bimi_lost),
        ) = await asyncio.gather(
            collect_mx_set(ctx.dns, domain),
            _sessions(ctx, domain, options),
            _mta_sts(ctx, domain, options),
            _tls_rpt(ctx.dns, domain),
            _bimi(ctx, domain),
        )
        evidence: MxEvidenceDocument = {
            "domain": domain,
            "mx": mx_set,
            "tls_probe": probe,
            "tls": tls,
            "mta_sts": sts,
            "tls_rpt": rpt,
            "bimi": bimi,
        }
        return CheckResult(
            check=self.id,
            evidence=evidence,
            findings=tuple(_judge(domain, evidence)),
            unknowns=(*mx_lost, *tls_lost, *sts_lost, *rpt_lost, *bimi_lost),
            detail=_summary(evidence),
        )
