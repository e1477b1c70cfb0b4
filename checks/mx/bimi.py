"""BIMI: the `default._bimi` record and whether receivers would show the logo.

draft-brand-indicators-for-message-identification (BIMI, the IETF draft receivers
follow): one TXT record at `default._bimi.DOMAIN`, `v=BIMI1` first, `l=` the HTTPS URI
of an SVG Tiny PS logo, `a=` the HTTPS URI of the Verified Mark / Common Mark
Certificate (Gmail and Apple Mail show a logo only with one), `l=` and `a=` both empty
is a declination. Receivers show a logo only for mail under an enforced DMARC policy:
p=quarantine or p=reject applied to all mail (pct=100, no t=y) and no sp=none. The policy is
the dmarc check's finding (the DMARC_EVIDENCE fact), never recomputed here. The logo
and the certificate are not fetched: the MTA-STS policy stays the only HTTP request.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from audit.engine.context import AuditContext
from audit.model import CheckId, Finding, Severity, Unknown, UnknownReason
from audit.net.dns import LookupStatus
from checks.dmarc.check import DMARC_EVIDENCE
from checks.dmarc.judge import DmarcEvidence, raw_tags
from checks.mx.evidence import BimiEvidence, BimiFindingEvidence
from checks.mx.policy.collect import txt_unknown
from checks.mx.policy.records import fields_of, versioned

BIMI_PREFIX = "v=BIMI1"
ENFORCED = ("quarantine", "reject")


def bimi_name(domain: str, selector: str = "default") -> str:
    return f"{selector}._bimi.{domain}"


def _https(uri: str) -> bool:
    parts = urlsplit(uri)
    return parts.scheme == "https" and bool(parts.netloc)


def parse_bimi(records: tuple[str, ...]) -> BimiEvidence:
    """The record's URIs and what is wrong with it (pure)."""
    found = versioned(records, BIMI_PREFIX)
    evidence: BimiEvidence = {
        "records": found,
        "logo_url": None,
        "authority_url": None,
        "declined": False,
        "errors": [],
        "dmarc_policy": None,
        "dmarc_pct": None,
        "dmarc_subdomain_policy": None,
        "dmarc_enforced": None,
    }
    if not found:
        return evidence
    if len(found) > 1:
        evidence["errors"].append(f"{len(found)} v=BIMI1 records (exactly one is allowed)")
        return evidence
    tags = dict(fields_of(found[0]))
    logo, authority = tags.get("l", "\x00"), tags.get("a", "")
    evidence["declined"] = logo == "" and authority in ("", "\x00")
    if logo == "\x00":
        evidence["errors"].append("the record has no l= tag (the logo's HTTPS URI)")
    elif logo and not _https(logo):
        evidence["errors"].append(f"l={logo!r} is not an https: URI")
    if authority not in ("", "\x00") and not _https(authority):
        evidence["errors"].append(f"a={authority!r} is not an https: URI")
    evidence["logo_url"] = logo if logo not in ("", "\x00") else None
    evidence["authority_url"] = authority if authority not in ("", "\x00") else None
    return evidence


def with_dmarc(evidence: BimiEvidence, dmarc: DmarcEvidence) -> BimiEvidence:
    """The dmarc check's policy beside the record; enforced None when DMARC is unknown."""
    policy, sp = dmarc.tag("p"), dmarc.tag("sp")
    # pct= (RFC 7489) as published, t=y (RFC 9989's testing flag): part of the mail only
    pct_text = raw_tags(dmarc.analysis.record or "").get("pct") or "100"
    pct = int(pct_text) if pct_text.isdigit() else None
    known = dmarc.analysis.unknown_reason is None
    enforced = (
        dmarc.analysis.valid
        and str(policy).lower() in ENFORCED
        and pct == 100
        and str(dmarc.tag("t") or "n").lower() != "y"
        and str(sp).lower() != "none"
    )
    return evidence | {
        "dmarc_policy": str(policy) if policy is not None else None,
        "dmarc_pct": pct,
        "dmarc_subdomain_policy": str(sp) if sp is not None else None,
        "dmarc_enforced": enforced if known else None,
    }  # type: ignore[return-value]


async def collect_bimi(ctx: AuditContext, domain: str) -> tuple[BimiEvidence, list[Unknown]]:
    name = bimi_name(domain)
    lookup = await ctx.dns.query(name, "TXT")
    if lookup.status is LookupStatus.UNKNOWN:
        return parse_bimi(()), [txt_unknown(name, lookup)]
    bimi = parse_bimi(lookup.records)
    if not bimi["records"] or bimi["declined"] or bimi["errors"]:
        return bimi, []
    dmarc = await ctx.fact(DMARC_EVIDENCE)  # the dmarc check's result, not recomputed
    bimi = with_dmarc(bimi, dmarc)
    if bimi["dmarc_enforced"] is None:
        reason = dmarc.analysis.unknown_reason or UnknownReason.DEPENDENCY
        return bimi, [Unknown(f"BIMI of {domain}", reason, "the DMARC policy is unknown")]
    return bimi, []


def _finding(domain: str, bimi: BimiEvidence, code: str, severity: Severity, title: str) -> Finding:
    evidence: BimiFindingEvidence = {"domain": domain, "bimi": bimi}
    detail = "; ".join(bimi["errors"])
    return Finding(CheckId.MX, code, severity, domain, title, detail, evidence)


def judge_bimi(domain: str, bimi: BimiEvidence) -> list[Finding]:
    if not bimi["records"] or (bimi["declined"] and not bimi["errors"]):
        return []  # BIMI is optional; a declination is a clear statement
    if bimi["errors"]:
        title = f"the BIMI record of {domain} is invalid: no logo is shown"
        return [_finding(domain, bimi, "MX_BIMI_INVALID", Severity.MEDIUM, title)]
    findings = []
    if bimi["dmarc_enforced"] is False:
        title = f"BIMI for {domain} needs DMARC p=quarantine or p=reject at pct=100"
        findings.append(
            _finding(domain, bimi, "MX_BIMI_DMARC_NOT_ENFORCED", Severity.MEDIUM, title)
        )
    if bimi["authority_url"] is None:
        title = f"the BIMI record of {domain} has no a= certificate: Gmail and Apple show no logo"
        findings.append(_finding(domain, bimi, "MX_BIMI_NO_CERTIFICATE", Severity.LOW, title))
    return findings
