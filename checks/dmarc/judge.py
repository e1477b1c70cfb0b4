"""Judge DMARC evidence: pure functions from `DmarcEvidence` to findings and unknowns.

Rules: RFC 9989 (DMARCbis, which obsoletes RFC 7489), the rules checkdmarc 6
implements: policy discovery by DNS tree walk (§4.10), tag syntax and defaults
(§4.7), a missing p= meaning none; external report destinations per RFC 9990 §4
(formerly RFC 7489 §7.1). pct= was removed by RFC 9989 but receivers that still
follow RFC 7489 §6.3 apply it, so a pct below 100 is reported (low): the policy
then differs from one receiver to the next.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from audit.knowledge.remediation.examples import with_example
from audit.model import CheckId, Finding, Remediation, Severity, Unknown, UnknownReason
from audit.model.document import JsonValue
from audit.net.checkdmarc_adapter import DmarcAnalysis, DmarcProblem
from checks.dmarc.evidence import (
    AlignmentVerdict,
    DmarcAlignmentEvidence,
    DmarcDestinationEvidence,
    DmarcErrorEvidence,
    DmarcEvidenceDocument,
    DmarcFindingEvidence,
    DmarcInvalidEvidence,
    DmarcNonexistentEvidence,
    DmarcPartEvidence,
    DmarcPctEvidence,
    DmarcPolicyNoneEvidence,
    DmarcRecordEvidence,
    DmarcSubdomainEvidence,
    DmarcTestingEvidence,
    DmarcWarningEvidence,
)
from checks.dmarc.record import MalformedPart, raw_tags, receiver_record
from checks.dmarc.warnings import COVERED, classify

RULES = "RFC 9989"
RULES_NOTE = (
    "DMARC verdicts follow RFC 9989 (DMARCbis; policy discovery by DNS tree walk, "
    "section 4.10) and RFC 9990 section 4 for external report destinations; pct, "
    "removed by RFC 9989, is reported because RFC 7489 receivers still apply it."
)
POLICY_STRENGTH = {"none": 0, "quarantine": 1, "reject": 2}


@dataclass(frozen=True)
class ReportDestination:
    uri: str
    domain: str  # the mailto: address's domain
    external: bool
    authorized: bool | None  # None: the authorization lookup failed
    authorization_name: str = ""
    reason: UnknownReason | None = None
    mx: bool | None = True  # a usable MX; None: the MX lookup failed
    mx_reason: UnknownReason | None = None  # why, when the MX lookup failed

    def to_evidence(self) -> DmarcDestinationEvidence:
        return {
            "uri": self.uri,
            "domain": self.domain,
            "external": self.external,
            "authorized": self.authorized,
            "authorization_name": self.authorization_name,
            "reason": self.reason.value if self.reason else None,
            "mx": self.mx,
        }


@dataclass(frozen=True)
class IpAlignment:
    """Would mail from this IP, with MAIL FROM and From in the audited domain, pass?"""

    ip: str
    source: str
    spf_result: str
    spf_pass: bool | None  # None: temperror
    dkim_available: bool | None  # None: no key found but some probes failed
    dmarc_with_spf_only: AlignmentVerdict

    def to_evidence(self) -> DmarcAlignmentEvidence:
        return {
            "ip": self.ip,
            "source": self.source,
            "spf_result": self.spf_result,
            "spf_pass": self.spf_pass,
            "dkim_available": self.dkim_available,
            "dmarc_with_spf_only": self.dmarc_with_spf_only,
        }


@dataclass(frozen=True)
class DmarcEvidence:
    domain: str
    analysis: DmarcAnalysis
    destinations: tuple[ReportDestination, ...] = ()
    alignment: tuple[IpAlignment, ...] = ()

    @property
    def tags(self) -> Mapping[str, Any]:
        return self.analysis.tags

    def tag(self, name: str) -> JsonValue:
        entry = self.analysis.tags.get(name)
        return entry.get("value") if isinstance(entry, Mapping) else None

    def explicit(self, name: str) -> bool:
        entry = self.analysis.tags.get(name)
        return bool(isinstance(entry, Mapping) and entry.get("explicit"))

    def to_evidence(self) -> DmarcEvidenceDocument:
        analysis = self.analysis
        return {
            "domain": self.domain,
            "rules": RULES,
            "rules_note": RULES_NOTE,
            "record": analysis.record,
            "applied_record": analysis.applied_record,
            "location": analysis.location,
            "valid": analysis.valid,
            "problem": analysis.problem.value if analysis.problem else None,
            "error": analysis.error,
            "tags": {name: self.tag(name) for name in sorted(analysis.tags)},
            "pct": raw_tags(analysis.record or "").get("pct"),
            "warnings": list(analysis.warnings),
            "report_destinations": [d.to_evidence() for d in self.destinations],
            "alignment": [row.to_evidence() for row in self.alignment],
        }


def _finding(
    code: str,
    severity: Severity,
    subject: str,
    title: str,
    detail: str,
    evidence: DmarcFindingEvidence | None = None,
    remediation: Remediation | None = None,
) -> Finding:
    return Finding(
        CheckId.DMARC, code, severity, subject, title, detail, evidence or {}, remediation
    )


def suggested_record(domain: str, policy: str = "quarantine") -> str:
    return f"v=DMARC1; p={policy}; rua=mailto:dmarc-reports@{domain}"


def judge_dmarc(evidence: DmarcEvidence) -> tuple[list[Finding], list[Unknown]]:
    analysis = evidence.analysis
    subject = f"_dmarc.{evidence.domain}"
    if analysis.problem is DmarcProblem.DNS:
        reason = analysis.unknown_reason or UnknownReason.INTERNAL
        return [], [Unknown(subject, reason, f"DMARC lookup failed: {analysis.error}")]
    if analysis.problem is not None:
        return [_problem_finding(evidence, subject)], []
    findings = (
        judge_policy(evidence)
        + judge_reporting(evidence)
        + judge_parts(evidence)
        + judge_warnings(evidence)
    )
    unknowns = [
        Unknown(
            d.authorization_name,
            d.reason or UnknownReason.INTERNAL,
            "external report authorization lookup failed",
        )
        for d in evidence.destinations
        if d.external and d.authorized is None
    ] + [
        # Whether reporters can deliver there is undetermined, not fine (RFC 5321 §5.1).
        Unknown(
            d.domain,
            d.mx_reason or UnknownReason.INTERNAL,
            "report destination MX lookup failed",
        )
        for d in evidence.destinations
        if d.mx is None
    ]
    return findings, unknowns


def _problem_finding(evidence: DmarcEvidence, subject: str) -> Finding:
    analysis = evidence.analysis
    example = f'{subject}. TXT "{suggested_record(evidence.domain)}"'
    if analysis.problem is DmarcProblem.MISSING:
        return _finding(
            "DMARC_MISSING",
            Severity.HIGH,
            evidence.domain,
            "No DMARC record",
            f"no DMARC policy for {evidence.domain} or its parents (RFC 9989 §4.10)",
            DmarcErrorEvidence(error=analysis.error),
            with_example("DMARC_MISSING", evidence.domain, example),
        )
    if analysis.problem is DmarcProblem.MULTIPLE:
        return _finding(
            "DMARC_MULTIPLE_RECORDS",
            Severity.HIGH,
            evidence.domain,
            "Several DMARC records",
            "more than one v=DMARC1 record: no policy applies (RFC 9989 §4.10)",
            DmarcErrorEvidence(error=analysis.error),
            with_example(
                "DMARC_MULTIPLE_RECORDS", evidence.domain, example, "Keep one record, e.g."
            ),
        )
    return _finding(
        "DMARC_INVALID",
        Severity.HIGH,
        evidence.domain,
        "Invalid DMARC record",
        f"{analysis.error} (RFC 9989 §4.7)",
        DmarcInvalidEvidence(record=analysis.record, error=analysis.error),
        with_example("DMARC_INVALID", evidence.domain, example, "A valid record"),
    )


def effective_policy(evidence: DmarcEvidence) -> str:
    """p= at the domain itself; sp= (default p=) when the policy came from a parent."""
    at_domain = (evidence.analysis.location or "").lower() == evidence.domain.lower()
    return str(evidence.tag("p" if at_domain else "sp") or evidence.tag("p") or "none")


def _nonexistent_and_testing(evidence: DmarcEvidence, p: str, policy: str) -> list[Finding]:
    findings, domain = [], evidence.domain
    np = str(evidence.tag("np") or "")
    if evidence.explicit("np") and POLICY_STRENGTH.get(np, 0) < POLICY_STRENGTH.get(p, 0):
        findings.append(
            _finding(
                "DMARC_NP_POLICY_WEAKER",
                Severity.MEDIUM,
                domain,
                "Non-existent subdomain policy weaker than the domain's",
                f"np={np} is weaker than p={p}: mail from subdomains that do not exist can "
                "be forged (RFC 9989 §4.7)",
                DmarcNonexistentEvidence(p=p, np=np),
            )
        )
    if str(evidence.tag("t") or "n") == "y" and policy != "none":
        findings.append(
            _finding(
                "DMARC_TESTING_MODE",
                Severity.MEDIUM,
                domain,
                "DMARC policy in testing mode",
                f"t=y: the policy (p={policy}) is published as a test, so receivers do not "
                "apply it in full (RFC 9989 §4.7)",
                DmarcTestingEvidence(t="y", policy=policy),
            )
        )
    return findings


def judge_policy(evidence: DmarcEvidence) -> list[Finding]:
    findings = []
    domain, record = evidence.domain, evidence.analysis.record or ""
    policy = effective_policy(evidence)
    if policy == "none":
        fixed = (
            record.replace("p=none", "p=quarantine")
            if "p=none" in record
            else (suggested_record(domain))
        )
        findings.append(
            _finding(
                "DMARC_POLICY_NONE",
                Severity.MEDIUM,
                domain,
                "DMARC policy is none",
                "p=none: receivers take no action on mail that fails DMARC (RFC 9989 §4.7)",
                DmarcPolicyNoneEvidence(record=record, location=evidence.analysis.location),
                with_example(
                    "DMARC_POLICY_NONE",
                    domain,
                    f'_dmarc.{domain}. TXT "{fixed}"',
                    "When reports are clean, publish",
                ),
            )
        )
    p, sp = str(evidence.tag("p") or "none"), str(evidence.tag("sp") or "")
    if evidence.explicit("sp") and POLICY_STRENGTH.get(sp, 0) < POLICY_STRENGTH.get(p, 0):
        findings.append(
            _finding(
                "DMARC_SUBDOMAIN_POLICY_WEAKER",
                Severity.MEDIUM,
                domain,
                "Subdomain policy weaker than the domain's",
                f"sp={sp} is weaker than p={p}: subdomains can be spoofed (RFC 9989 §4.7)",
                DmarcSubdomainEvidence(p=p, sp=sp),
            )
        )
    findings += _nonexistent_and_testing(evidence, p, policy)
    pct = raw_tags(record).get("pct")
    if pct is not None and pct.isdigit() and int(pct) < 100:
        findings.append(
            _finding(
                "DMARC_PCT_PARTIAL",
                Severity.LOW,
                domain,
                "DMARC policy applies to part of the mail",
                f"pct={pct}: RFC 7489 receivers apply the policy to {pct}% of failing mail; "
                "RFC 9989 removed pct (use t=y for testing)",
                DmarcPctEvidence(pct=int(pct)),
            )
        )
    return findings


def mailto_uris(value: JsonValue) -> list[JsonValue]:
    """The rua/ruf URIs receivers send to: mailto: only (RFC 9989 §4.7 requires no
    other scheme, so an ftp: or http: destination alone means no reports)."""
    uris = value if isinstance(value, list) else []
    return [u for u in uris if isinstance(u, Mapping) and u.get("scheme") == "mailto"]


def judge_reporting(evidence: DmarcEvidence) -> list[Finding]:
    findings = []
    domain = evidence.domain
    if not mailto_uris(evidence.tag("rua")):
        record = evidence.analysis.record or ""
        example = f"{record.rstrip('; ')}; rua=mailto:dmarc-reports@{domain}"
        findings.append(
            _finding(
                "DMARC_NO_RUA",
                Severity.LOW,
                domain,
                "No DMARC aggregate reports",
                "no rua=: you receive no aggregate reports (RFC 9990)",
                DmarcRecordEvidence(record=record),
                with_example("DMARC_NO_RUA", domain, f'_dmarc.{domain}. TXT "{example}"'),
            )
        )
    for destination in evidence.destinations:
        if destination.external and destination.authorized is False:
            name = destination.authorization_name
            findings.append(
                _finding(
                    "DMARC_EXTERNAL_REPORTS_UNAUTHORIZED",
                    Severity.MEDIUM,
                    destination.domain,
                    "External report destination has not authorized reports",
                    f"{destination.uri}: no v=DMARC1 record at {name}, so receivers drop these "
                    "reports (RFC 9990 §4)",
                    destination.to_evidence() | {"reason": None},
                    with_example(
                        "DMARC_EXTERNAL_REPORTS_UNAUTHORIZED",
                        destination.domain,
                        f'{name}. TXT "v=DMARC1"',
                        "Ask the destination to publish",
                    ),
                )
            )
        if destination.mx is False:
            findings.append(
                _finding(
                    "DMARC_REPORT_DESTINATION_NO_MX",
                    Severity.LOW,
                    destination.domain,
                    "Report destination domain has no MX",
                    f"{destination.uri}: {destination.domain} publishes no usable MX record, "
                    "so reporters cannot deliver the reports (RFC 5321 §5.1, RFC 7505)",
                    destination.to_evidence(),
                )
            )
    return findings


# Tags whose default is weaker than any published value: ignoring them loosens the policy.
POLICY_TAGS = frozenset({"sp", "np", "adkim", "aspf"})
PART_CODES = {
    "not_tag_value": "DMARC_TAG_MALFORMED",
    "empty_value": "DMARC_TAG_MALFORMED",
    "duplicate": "DMARC_TAG_MALFORMED",
    "unknown_tag": "DMARC_TAG_UNKNOWN",
    "invalid_value": "DMARC_TAG_VALUE_INVALID",
}


def judge_parts(evidence: DmarcEvidence) -> list[Finding]:
    """Each part a receiver ignores, on its own (RFC 7489 §6.3, RFC 9989 §4.8)."""
    record = evidence.analysis.record or ""
    return [_part_finding(evidence.domain, record, part) for part in _malformed(record)]


def _malformed(record: str) -> tuple[MalformedPart, ...]:
    return receiver_record(record).malformed if record else ()


def _part_finding(domain: str, record: str, part: MalformedPart) -> Finding:
    code = PART_CODES[part.problem]
    severity = Severity.MEDIUM if part.tag in POLICY_TAGS else Severity.LOW
    return _finding(
        code,
        severity,
        domain,
        "DMARC record part ignored by receivers",
        f"{part.part!r} ({part.problem.replace('_', ' ')}): receivers ignore it and apply "
        "the default (RFC 7489 §6.3, RFC 9989 §4.8)",
        DmarcPartEvidence(part=part.part, tag=part.tag, problem=part.problem, record=record),
    )


def judge_warnings(evidence: DmarcEvidence) -> list[Finding]:
    """checkdmarc's warnings that no finding of ours already states, each with a code."""
    findings = []
    for warning in evidence.analysis.warnings:
        rule = classify(warning)
        if rule.code != COVERED:
            findings.append(
                _finding(
                    rule.code,
                    rule.severity,
                    evidence.domain,
                    "DMARC record warning",
                    warning,
                    DmarcWarningEvidence(warning=warning),
                )
            )
    return findings
