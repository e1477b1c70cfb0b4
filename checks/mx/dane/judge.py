"""DNSSEC and DANE: collecting the evidence (signed lookups, validated from the trust
anchors) and judging it (pure).

RFC 7672 §2.2: a sending MTA uses TLSA records only when they validate (secure);
TLSA in an unsigned or unanchored zone is ignored, so it protects nothing. When usable
TLSA records are secure, the sender must authenticate the server with them and does
not deliver otherwise (§2.2, §3.1): a presented chain that matches none is mail not
delivered (critical). A bogus RRset makes validating resolvers fail the lookup, so
validating senders cannot reach the domain or the MX at all (high).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from audit.model import CheckId, Finding, Severity, Unknown, UnknownReason
from audit.net.dns import LookupStatus
from checks.mx.dane.chain import ChainValidator, Verdict
from checks.mx.dane.tlsa import parse_tlsa, record_matches, tlsa_name
from checks.mx.evidence import (
    DaneFindingEvidence,
    DaneHostEvidence,
    DnssecEvidence,
    DnssecFindingEvidence,
    DnssecRrsetEvidence,
    TlsCertificateEvidence,
)


def _rrset(name: str, rdtype: str, verdict: Verdict) -> DnssecRrsetEvidence:
    return {
        "name": name,
        "type": rdtype,
        "status": verdict.status,
        "zone": verdict.zone,
        "detail": verdict.detail,
    }


async def _signed(validator: ChainValidator, name: str, rdtype: str) -> DnssecRrsetEvidence:
    answer = await validator.resolver.query(name, rdtype)
    return _rrset(name, rdtype, await validator.validate(answer))


async def dane_host(validator: ChainValidator, host: str) -> DaneHostEvidence:
    """The host's TLSA records and how they validate (RFC 7672 §3)."""
    name = tlsa_name(host)
    # Both at once: the A RRset is what is judged when there is no TLSA (one round trip).
    answer, address = await asyncio.gather(
        validator.resolver.query(name, "TLSA"), validator.resolver.query(host, "A")
    )
    records = [parse_tlsa(text) for text in answer.records]
    if records:
        dnssec = _rrset(name, "TLSA", await validator.validate(answer))
    elif answer.status is LookupStatus.UNKNOWN:
        dnssec = _rrset(name, "TLSA", Verdict("unknown", answer.detail))
    else:  # no TLSA: is the host's own address RRset signed?
        dnssec = _rrset(host, "A", await validator.validate(address))
    return {"host": host, "tlsa_name": name, "tlsa": records, "dnssec": dnssec, "matched": None}


def with_chains(host: DaneHostEvidence, chains: list[list[bytes]]) -> DaneHostEvidence:
    """Whether every chain the sessions with the host saw matches a usable TLSA."""
    records = [
        record | {"matches": all(record_matches(record, c) for c in chains) if chains else None}
        for record in host["tlsa"]
    ]
    usable = [r for r in records if r["usable"]]
    matched = any(r["matches"] for r in usable) if usable and chains else None
    return host | {"tlsa": records, "matched": matched}  # type: ignore[return-value]


async def collect_dnssec(
    validator: ChainValidator, domain: str, anchors: tuple[str, ...], hosts: list[str]
) -> DnssecEvidence:
    mx, found = await asyncio.gather(
        _signed(validator, domain, "MX"),
        asyncio.gather(*(dane_host(validator, h) for h in hosts)),
    )
    return {"trust_anchors": list(anchors), "domain": mx, "hosts": list(found)}


def matched_against(
    evidence: DnssecEvidence, chains: Mapping[str, list[list[bytes]]]
) -> DnssecEvidence:
    hosts = [with_chains(h, chains.get(h["host"], [])) for h in evidence["hosts"]]
    return evidence | {"hosts": hosts}  # type: ignore[return-value]


def dnssec_unknowns(evidence: DnssecEvidence) -> list[Unknown]:
    """Only a TLSA RRset whose validation failed to complete matters (DANE unknown)."""
    return [
        Unknown(f"DANE of {h['host']}", UnknownReason.DEPENDENCY, h["dnssec"]["detail"])
        for h in evidence["hosts"]
        if h["tlsa"] and h["dnssec"]["status"] == "unknown"
    ]


def _dnssec_finding(rrset: DnssecRrsetEvidence, anchors: list[str]) -> Finding | None:
    evidence: DnssecFindingEvidence = {"rrset": rrset, "trust_anchors": anchors}
    subject = f"{rrset['type']} {rrset['name']}"
    if rrset["status"] == "bogus":
        title = f"the DNSSEC signatures of {subject} do not validate (bogus)"
        return Finding(
            CheckId.MX, "MX_DNSSEC_BOGUS", Severity.HIGH, subject, title, rrset["detail"], evidence
        )
    if rrset["status"] == "no_ds":
        title = f"{rrset['zone']} is signed but its parent has no DS: DNSSEC protects nothing"
        return Finding(
            CheckId.MX,
            "MX_DNSSEC_NO_DS",
            Severity.MEDIUM,
            subject,
            title,
            rrset["detail"],
            evidence,
        )
    return None


def _dane_finding(
    host: DaneHostEvidence,
    leaf: TlsCertificateEvidence | None,
    code: str,
    severity: Severity,
    title: str,
) -> Finding:
    evidence: DaneFindingEvidence = {"host": host, "certificate": leaf}
    return Finding(CheckId.MX, code, severity, host["host"], title, "", evidence)


def _host_findings(host: DaneHostEvidence, leaf: TlsCertificateEvidence | None) -> list[Finding]:
    if not host["tlsa"]:
        return []
    name = host["host"]
    findings = []
    if host["dnssec"]["status"] in ("unsigned", "no_ds"):
        title = f"TLSA for {name} is not DNSSEC-validated: senders ignore it (RFC 7672 §2.2)"
        findings.append(_dane_finding(host, leaf, "MX_DANE_TLSA_INSECURE", Severity.MEDIUM, title))
    if any(r["usage"] in (0, 1) for r in host["tlsa"]):
        title = f"TLSA for {name} uses PKIX-TA/PKIX-EE, unusable for SMTP (RFC 7672 §3.1.3)"
        findings.append(_dane_finding(host, leaf, "MX_DANE_TLSA_PKIX_USAGE", Severity.LOW, title))
    if host["dnssec"]["status"] == "secure" and host["matched"] is False:
        title = f"{name}'s certificate matches none of its TLSA records: DANE senders defer"
        findings.append(
            _dane_finding(host, leaf, "MX_DANE_TLSA_MISMATCH", Severity.CRITICAL, title)
        )
    return findings


def judge_dnssec(
    evidence: DnssecEvidence, leaves: Mapping[str, TlsCertificateEvidence | None]
) -> list[Finding]:
    rrsets = [evidence["domain"], *(h["dnssec"] for h in evidence["hosts"])]
    seen: set[tuple[str, str]] = set()
    findings = []
    for rrset in rrsets:
        key = (rrset["status"], rrset["zone"] or rrset["name"])
        found = _dnssec_finding(rrset, evidence["trust_anchors"])
        if found is not None and key not in seen:  # one finding per broken zone
            seen.add(key)
            findings.append(found)
    for host in evidence["hosts"]:
        findings += _host_findings(host, leaves.get(host["host"]))
    return findings


def uses_dane(evidence: DnssecEvidence) -> bool:
    return any(h["tlsa"] and h["dnssec"]["status"] == "secure" for h in evidence["hosts"])
