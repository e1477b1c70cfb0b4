"""Collecting MTA-STS and TLS-RPT evidence: the TXT records, then (MTA-STS with a valid
record only, RFC 8461 §3.1) the HTTPS policy; `--no-http` leaves the policy unknown."""

from __future__ import annotations

from audit.engine.context import AuditContext
from audit.model import Unknown, UnknownReason
from audit.net.dns import DnsClient, Lookup, LookupStatus
from checks.mx.evidence import MtaStsEvidence, TlsRptEvidence
from checks.mx.options import MxOptions
from checks.mx.policy.fetch import fetch_policy, policy_url
from checks.mx.policy.records import (
    STS_PREFIX,
    TLSRPT_PREFIX,
    parse_policy,
    parse_sts_record,
    parse_tlsrpt,
    versioned,
)

MAX_FETCH_SECONDS = 30.0


def txt_unknown(name: str, lookup: Lookup) -> Unknown:
    detail = f"TXT lookup of {name}: {lookup.detail or lookup.status.value}"
    return Unknown(name, lookup.reason or UnknownReason.NETWORK, detail)


async def _txt(dns: DnsClient, name: str, prefix: str) -> tuple[list[str], list[Unknown]]:
    lookup = await dns.query(name, "TXT")
    if lookup.status is LookupStatus.UNKNOWN:
        return [], [txt_unknown(name, lookup)]
    return versioned(lookup.records, prefix), []


async def collect_mta_sts(
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


async def collect_tls_rpt(dns: DnsClient, domain: str) -> tuple[TlsRptEvidence, list[Unknown]]:
    records, unknowns = await _txt(dns, f"_smtp._tls.{domain}", TLSRPT_PREFIX)
    rua, errors = parse_tlsrpt(records) if records else ([], [])
    return {"records": records, "rua": rua, "errors": errors}, unknowns
