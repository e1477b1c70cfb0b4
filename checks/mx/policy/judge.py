"""MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) as evidence and findings (pure).

RFC 8461 §5: in enforce mode a sending MTA delivers only to an MX host that matches one
of the policy's `mx` patterns and presents a certificate valid for that name (§4.1,
§4.2); otherwise the message is not delivered to it. In testing mode it delivers and
reports (RFC 8460). So a mismatch under enforce is critical (mail is lost or bounced),
under testing medium (reports only). RFC 8460 §3: TLS-RPT tells the domain about those
failures; without it an MTA-STS deployment fails silently.
"""

from __future__ import annotations

from audit.model import CheckId, Finding, Severity
from checks.mx.evidence import (
    MtaStsEvidence,
    MtaStsFindingEvidence,
    MtaStsHostFindingEvidence,
    TlsRptEvidence,
    TlsRptFindingEvidence,
    TlsSessionEvidence,
)
from checks.mx.policy.records import mx_matches

_BY_MODE = {"enforce": Severity.CRITICAL, "testing": Severity.MEDIUM}


def policy_mode(sts: MtaStsEvidence) -> str | None:
    """The mode senders apply: a fetched, valid policy's; None without one."""
    policy = sts["policy"]
    if sts["fetch"] != "fetched" or policy is None or policy["errors"]:
        return None
    return policy["mode"]


def _sts_finding(
    domain: str, sts: MtaStsEvidence, code: str, severity: Severity, title: str, errors: list[str]
) -> Finding:
    evidence: MtaStsFindingEvidence = {
        "domain": domain,
        "records": sts["records"],
        "policy_url": sts["policy_url"],
        "fetch_error": sts["fetch_error"],
        "http_status": sts["http_status"],
        "policy": sts["policy"],
        "errors": errors,
    }
    return Finding(CheckId.MX, code, severity, domain, title, "; ".join(errors), evidence)


def judge_sts_record(domain: str, sts: MtaStsEvidence, receives_mail: bool) -> list[Finding]:
    if not sts["records"] and not sts["record_errors"]:
        if not receives_mail:
            return []
        title = f"{domain} publishes no MTA-STS policy: senders may deliver without TLS"
        return [_sts_finding(domain, sts, "MX_MTA_STS_MISSING", Severity.LOW, title, [])]
    if sts["record_errors"]:
        title = f"the _mta-sts.{domain} record is invalid: senders ignore the policy"
        errors = sts["record_errors"]
        return [
            _sts_finding(domain, sts, "MX_MTA_STS_RECORD_INVALID", Severity.MEDIUM, title, errors)
        ]
    return []


def judge_sts_policy(domain: str, sts: MtaStsEvidence) -> list[Finding]:
    policy = sts["policy"]
    if sts["fetch"] == "failed":
        title = f"the MTA-STS policy of {domain} cannot be fetched"
        errors = [sts["fetch_error"] or "fetch failed"]
        return [
            _sts_finding(domain, sts, "MX_MTA_STS_POLICY_UNAVAILABLE", Severity.HIGH, title, errors)
        ]
    if policy is None:
        return []
    if policy["errors"]:
        title = f"the MTA-STS policy of {domain} is invalid: senders ignore it"
        errors = policy["errors"]
        return [
            _sts_finding(domain, sts, "MX_MTA_STS_POLICY_INVALID", Severity.HIGH, title, errors)
        ]
    if policy["mode"] == "testing":
        title = f"the MTA-STS policy of {domain} is in testing mode: it protects nothing yet"
        return [_sts_finding(domain, sts, "MX_MTA_STS_TESTING", Severity.INFO, title, [])]
    return []


def certificate_reasons(tls: TlsSessionEvidence) -> list[str]:
    """Why a validating sender (RFC 8461 §4.2) would refuse this session."""
    if tls["starttls_offered"] is None:
        return []  # not determined: an unknown of the TLS part
    if not tls["starttls_offered"]:
        return ["STARTTLS is not offered"]
    if tls["protocol"] is None:
        return ["the TLS handshake fails"]
    leaf = tls["chain"][0] if tls["chain"] else None
    reasons = [] if tls["trusted"] else [f"untrusted chain: {tls['trust_error']}"]
    if leaf is not None and leaf["validity"] != "valid":
        reasons.append(f"certificate {leaf['validity'].replace('_', ' ')}")
    if tls["name_matches"] is False:
        reasons.append(f"certificate does not name {tls['host']}")
    return reasons


def _host_finding(
    host: str, mode: str, patterns: list[str], code: str, title: str, reasons: list[str]
) -> Finding:
    evidence: MtaStsHostFindingEvidence = {
        "host": host,
        "mode": mode,
        "mx_patterns": patterns,
        "reasons": reasons,
    }
    severity = _BY_MODE[mode]
    return Finding(CheckId.MX, code, severity, host, title, "; ".join(reasons), evidence)


def judge_sts_hosts(
    sts: MtaStsEvidence, hosts: list[str], sessions: list[TlsSessionEvidence]
) -> list[Finding]:
    """Each MX host against the policy in force (enforce or testing)."""
    mode = policy_mode(sts)
    if mode not in _BY_MODE or sts["policy"] is None:
        return []
    patterns = sts["policy"]["mx"]
    findings = []
    for host in hosts:
        if not any(mx_matches(host, pattern) for pattern in patterns):
            title = f"MX {host} matches no mx pattern of the MTA-STS policy ({mode})"
            reasons = ["no mx pattern matches the host name"]
            findings.append(
                _host_finding(host, mode, patterns, "MX_MTA_STS_MX_MISMATCH", title, reasons)
            )
    for tls in sessions:
        reasons = certificate_reasons(tls)
        if reasons:
            title = f"{tls['host']} ({tls['ip']}) would fail MTA-STS validation ({mode})"
            findings.append(
                _host_finding(
                    tls["host"], mode, patterns, "MX_MTA_STS_CERT_INVALID", title, reasons
                )
            )
    return findings


def judge_tlsrpt(
    domain: str, rpt: TlsRptEvidence, sts: MtaStsEvidence, dane: bool = False
) -> list[Finding]:
    used_by = (["MTA-STS"] if sts["records"] else []) + (["DANE"] if dane else [])
    evidence: TlsRptFindingEvidence = {
        "domain": domain,
        "records": rpt["records"],
        "errors": rpt["errors"],
        "used_by": used_by,
    }
    if rpt["errors"]:
        title = f"the TLS-RPT record of {domain} is invalid: no TLS failure reports arrive"
        detail = "; ".join(rpt["errors"])
        return [
            Finding(
                CheckId.MX, "MX_TLSRPT_INVALID", Severity.MEDIUM, domain, title, detail, evidence
            )
        ]
    if not rpt["records"] and used_by:
        title = f"{domain} uses {' and '.join(used_by)} without TLS-RPT: failures go unreported"
        return [Finding(CheckId.MX, "MX_TLSRPT_MISSING", Severity.LOW, domain, title, "", evidence)]
    return []
