"""Judge SPF evidence: pure functions from `SpfEvidence` to findings and unknowns.

Severities follow SPEC.md: no SPF, permerror and a sending IP not authorized are
high; `~all` is low. Codes are stable (audit/knowledge/remediation/spf.toml).
"""

from __future__ import annotations

from dataclasses import dataclass

from audit.knowledge.remediation.examples import with_example, with_steps
from audit.model import CheckId, Finding, Remediation, Severity, Unknown, UnknownReason
from audit.net.checkdmarc_adapter import SpfAnalysis
from checks.spf.evidence import (
    SpfCostEvidence,
    SpfEvidenceDocument,
    SpfFindingEvidence,
    SpfFixEvidence,
    SpfLengthEvidence,
    SpfLookupsEvidence,
    SpfLoopEvidence,
    SpfMultipleEvidence,
    SpfSuggestionEvidence,
    SpfSyntaxEvidence,
    SpfVoidLookupsEvidence,
)
from checks.spf.record import Qualifier, SpfRecord
from checks.spf.result import SpfOutcome, SpfResult
from checks.spf.state import MAX_DNS_TERMS, MAX_VOID_LOOKUPS
from checks.spf.tree import SpfNode, TermCost, within_limit

NOT_AUTHORIZED = frozenset({SpfResult.FAIL, SpfResult.SOFTFAIL, SpfResult.NEUTRAL})
RECORD_ERRORS = frozenset(
    {
        "SPF_SYNTAX_ERROR",
        "SPF_MULTIPLE_RECORDS",
        "SPF_TOO_MANY_LOOKUPS",
        "SPF_TOO_MANY_VOID_LOOKUPS",
        "SPF_INCLUDE_NO_RECORD",
        "SPF_REDIRECT_NO_RECORD",
        "SPF_LOOP",
    }
)
# RFC 7208 §3.4: keep a record under 450 octets so the whole answer fits in 512.
MAX_RECORD_OCTETS = 450


@dataclass(frozen=True)
class SpfEvidence:
    domain: str
    tree: SpfNode
    outcomes: tuple[SpfOutcome, ...] = ()  # MAIL FROM identity, one per sending IP
    helo_outcomes: tuple[SpfOutcome, ...] = ()
    analysis: SpfAnalysis | None = None  # checkdmarc's view, for the appendix
    analysis_error: str | None = None

    def to_evidence(self) -> SpfEvidenceDocument:
        evidence: SpfEvidenceDocument = {
            "domain": self.domain,
            "record": self.tree.records[0] if len(self.tree.records) == 1 else None,
            "records": list(self.tree.records),
            "dns_lookups": self.tree.dns_lookups,
            "void_lookups": self.tree.void_lookups,
            "limits": {"dns_lookups": MAX_DNS_TERMS, "void_lookups": MAX_VOID_LOOKUPS},
            "include_costs": [_cost_evidence(term) for term in costed_includes(self.tree)],
            "tree": self.tree.to_evidence(),
            "results": [outcome.to_evidence() for outcome in self.outcomes],
            "helo_results": [outcome.to_evidence() for outcome in self.helo_outcomes],
        }
        if self.analysis is not None:
            evidence["checkdmarc"] = {
                "valid": self.analysis.valid,
                "error": self.analysis.error,
                "dns_lookups": self.analysis.dns_lookups,
                "void_lookups": self.analysis.void_lookups,
                "warnings": list(self.analysis.warnings),
                "parsed": dict(self.analysis.parsed),
            }
        elif self.analysis_error:
            evidence["checkdmarc"] = {"error": self.analysis_error}
        return evidence


def _cost_evidence(term: TermCost) -> SpfCostEvidence:
    return {"term": term.term, "dns_lookups": term.dns_lookups, "void_lookups": term.void_lookups}


def costed_includes(tree: SpfNode) -> list[TermCost]:
    """The domain's own include/redirect terms, most expensive first."""
    followed = [term for term in tree.terms if term.child is not None or "loop" in term.note]
    return sorted(followed, key=lambda term: (-term.dns_lookups, term.term))


def _finding(
    code: str,
    severity: Severity,
    subject: str,
    title: str,
    detail: str = "",
    evidence: SpfFindingEvidence | None = None,
    remediation: Remediation | None = None,
) -> Finding:
    return Finding(CheckId.SPF, code, severity, subject, title, detail, evidence or {}, remediation)


def judge_spf(
    evidence: SpfEvidence, sending_ips: tuple[str, ...], every_source_seen: bool = False
) -> tuple[list[Finding], list[Unknown]]:
    """`every_source_seen`: some sending IPs came from a mail log, so the audit saw what
    actually sends (a suggested record may then end in -all)."""
    findings: list[Finding] = []
    unknowns: list[Unknown] = []
    tree = evidence.tree
    findings += judge_record_problems(tree, sending_ips, unknowns)
    if tree.record is not None:
        findings += judge_limits(tree)
        findings += judge_length(tree)
        findings += judge_loops(tree)
        findings += judge_all(tree)
        findings += judge_ptr(tree, _ptr_matched(evidence), every_source_seen)
    findings += judge_outcomes(evidence, findings, unknowns)
    return findings, unknowns


# -- the record and its includes ------------------------------------------------------


def judge_record_problems(
    tree: SpfNode, sending_ips: tuple[str, ...], unknowns: list[Unknown]
) -> list[Finding]:
    findings = []
    reached_by = {id(t.child): t.term for n in tree.walk() for t in n.terms if t.child}
    for node in tree.walk():
        root = node is tree
        if node.problem == "unknown":
            unknowns.append(
                Unknown(
                    node.domain,
                    node.unknown_reason or UnknownReason.INTERNAL,
                    f"SPF record lookup failed: {node.detail}",
                )
            )
        elif node.problem == "missing" and root:
            example = suggested_record(sending_ips)
            findings.append(
                _finding(
                    "SPF_MISSING",
                    Severity.HIGH,
                    node.domain,
                    "No SPF record",
                    f"{node.domain} publishes no v=spf1 TXT record (RFC 7208 §4.5)",
                    SpfSuggestionEvidence(suggested_record=example),
                    with_example("SPF_MISSING", node.domain, f'{node.domain}. TXT "{example}"'),
                )
            )
        elif node.problem == "missing" and reached_by[id(node)].startswith("redirect="):
            findings.append(
                _finding(
                    "SPF_REDIRECT_NO_RECORD",
                    Severity.HIGH,
                    node.domain,
                    "Redirect target has no SPF record",
                    f"redirect={node.domain} names a domain with no SPF record: permerror "
                    "(RFC 7208 §6.1)",
                )
            )
        elif node.problem == "missing":
            findings.append(
                _finding(
                    "SPF_INCLUDE_NO_RECORD",
                    Severity.HIGH,
                    node.domain,
                    "Included domain has no SPF record",
                    f"include/redirect target {node.domain} has no SPF record: permerror (§5.2)",
                )
            )
        elif node.problem == "multiple":
            merged = merged_record(node.records)
            findings.append(
                _finding(
                    "SPF_MULTIPLE_RECORDS",
                    Severity.HIGH,
                    node.domain,
                    "Several SPF records",
                    f"{len(node.records)} v=spf1 records: permerror (RFC 7208 §4.5)",
                    SpfMultipleEvidence(records=list(node.records), suggested_record=merged),
                    with_example(
                        "SPF_MULTIPLE_RECORDS",
                        node.domain,
                        f'{node.domain}. TXT "{merged}"',
                        "Replace them with one record",
                    ),
                )
            )
        elif node.problem == "syntax":
            findings.append(
                _finding(
                    "SPF_SYNTAX_ERROR",
                    Severity.HIGH,
                    node.domain,
                    "SPF syntax error",
                    f"{node.detail}: permerror (RFC 7208 §4.6)",
                    SpfSyntaxEvidence(record=node.records[0]),
                )
            )
    return findings


def judge_limits(tree: SpfNode) -> list[Finding]:
    findings = []
    costs = [_cost_evidence(term) for term in costed_includes(tree)]
    if tree.dns_lookups > MAX_DNS_TERMS:
        worst = costed_includes(tree)[:3]
        steps = [f"{term.term} costs {term.dns_lookups} lookups" for term in worst]
        findings.append(
            _finding(
                "SPF_TOO_MANY_LOOKUPS",
                Severity.HIGH,
                tree.domain,
                "Too many SPF DNS lookups",
                f"{tree.dns_lookups} DNS-querying terms, over the limit of {MAX_DNS_TERMS}: "
                "receivers return permerror (RFC 7208 §4.6.4)",
                SpfLookupsEvidence(dns_lookups=tree.dns_lookups, include_costs=costs),
                with_steps("SPF_TOO_MANY_LOOKUPS", tree.domain, *steps),
            )
        )
    if tree.void_lookups > MAX_VOID_LOOKUPS:
        voids = [
            term.term
            for node in tree.walk()
            for term in node.terms
            if term.child is None and term.void_lookups
        ]
        findings.append(
            _finding(
                "SPF_TOO_MANY_VOID_LOOKUPS",
                Severity.HIGH,
                tree.domain,
                "Too many void lookups",
                f"{tree.void_lookups} lookups return no data, over the limit of {MAX_VOID_LOOKUPS} "
                "(RFC 7208 §4.6.4)",
                SpfVoidLookupsEvidence(void_lookups=tree.void_lookups, void_terms=voids),
                with_steps(
                    "SPF_TOO_MANY_VOID_LOOKUPS",
                    tree.domain,
                    *(f"Remove {term} (it finds nothing)" for term in voids),
                ),
            )
        )
    return findings


def judge_loops(tree: SpfNode) -> list[Finding]:
    """An include or redirect back to a record already being evaluated: check_host
    recurses until the lookup limit, so every sender it reaches gets permerror
    (RFC 7208 §4.6.4, §5.2, §6.1), whether or not sending IPs were given."""
    return [
        _finding(
            "SPF_LOOP",
            Severity.HIGH,
            node.domain,
            "SPF include/redirect loop",
            f"{term.term} leads back to a record already being evaluated: permerror "
            "(RFC 7208 §4.6.4)",
            SpfLoopEvidence(term=term.term, record=node.records[0]),
        )
        for node in tree.walk()
        for term in node.terms
        if term.note == "include loop"
    ]


def judge_length(tree: SpfNode) -> list[Finding]:
    text = tree.records[0] if tree.records else ""
    octets = len(text.encode("utf-8"))
    if octets <= MAX_RECORD_OCTETS:
        return []
    return [
        _finding(
            "SPF_RECORD_TOO_LONG",
            Severity.LOW,
            tree.domain,
            "SPF record over 450 octets",
            f"the record is {octets} octets; over {MAX_RECORD_OCTETS} the DNS answer may not "
            "fit in 512 octets of UDP and needs TCP (RFC 7208 §3.4)",
            SpfLengthEvidence(record=text, octets=octets),
        )
    ]


def effective_all(tree: SpfNode) -> tuple[Qualifier | None, SpfNode]:
    """The qualifier of the `all` that ends evaluation, following redirect= (§6.1)."""
    node = tree
    while node.record is not None:
        mechanism = node.record.all_mechanism
        if mechanism is not None:
            return mechanism.qualifier, node
        redirect = next((t.child for t in node.terms if t.term.startswith("redirect=")), None)
        if redirect is None:
            break
        node = redirect
    return None, node


ALL_FINDINGS = {
    Qualifier.PASS: ("SPF_PASS_ALL", Severity.HIGH, "+all authorizes every host"),
    Qualifier.NEUTRAL: ("SPF_NEUTRAL_ALL", Severity.MEDIUM, "?all asserts nothing"),
    Qualifier.SOFTFAIL: ("SPF_SOFTFAIL_ALL", Severity.LOW, "~all only soft-fails"),
}


def judge_all(tree: SpfNode) -> list[Finding]:
    qualifier, node = effective_all(tree)
    if node.record is None or qualifier is Qualifier.FAIL:
        return []
    if qualifier is None and node.record.redirect is not None:
        return []  # the redirect= was not followed (a loop, a macro): reported elsewhere
    if qualifier is None:  # no all, no redirect: the default result is neutral (§4.7)
        code, severity, title = "SPF_NEUTRAL_ALL", Severity.MEDIUM, "No all: default neutral"
    else:
        code, severity, title = ALL_FINDINGS[qualifier]
    fixed = with_fail_all(node.record)
    return [
        _finding(
            code,
            severity,
            node.domain,
            title,
            f"record ends in {qualifier.value + 'all' if qualifier else 'no all'}",
            SpfFixEvidence(record=node.record.text, suggested_record=fixed),
            with_example(code, node.domain, f'{node.domain}. TXT "{fixed}"'),
        )
    ]


def _ptr_matched(evidence: SpfEvidence) -> tuple[str, ...]:
    """The sending IPs only the ptr mechanism authorizes: removing it must list them."""
    return tuple(
        o.ip
        for o in evidence.outcomes
        if o.result is SpfResult.PASS and (o.matched_term or "").lstrip("+").startswith("ptr")
    )


def _without_ptr(node: SpfNode) -> str:
    assert node.record is not None
    return " ".join(
        t for t in node.record.text.split() if not t.lstrip("+-~?").lower().startswith("ptr")
    )


def judge_ptr(
    tree: SpfNode, ptr_matched: tuple[str, ...] = (), every_source_seen: bool = False
) -> list[Finding]:
    findings = []
    for node in tree.walk():
        if node.record and any(m.kind == "ptr" for m in node.record.mechanisms):
            if node is tree:  # the domain's own record: a whole record to publish
                suggestion = within_limit(node, ptr_matched, every_source_seen)
                record = suggestion.record
                why = f"{suggestion.lookups} DNS lookups; " + "; ".join(suggestion.notes)
            else:  # a provider's record: only its owner can change it
                record, why = _without_ptr(node), "list the ip4/ip6 ranges instead"
            findings.append(
                _finding(
                    "SPF_PTR_MECHANISM",
                    Severity.LOW,
                    node.domain,
                    "Deprecated ptr mechanism",
                    "ptr is slow and unreliable and SHOULD NOT be used (RFC 7208 §5.5)",
                    SpfFixEvidence(record=node.record.text, suggested_record=record),
                    with_example(
                        "SPF_PTR_MECHANISM", node.domain, f'{node.domain}. TXT "{record}" ({why})'
                    ),
                )
            )
    return findings


# -- the sending IPs ------------------------------------------------------------------


def judge_outcomes(
    evidence: SpfEvidence, findings: list[Finding], unknowns: list[Unknown]
) -> list[Finding]:
    explained = any(f.code in RECORD_ERRORS or f.code == "SPF_MISSING" for f in findings)
    record = evidence.tree.record
    results = []
    for outcome in evidence.outcomes:
        if outcome.result is SpfResult.TEMPERROR:
            unknowns.append(
                Unknown(
                    outcome.ip,
                    outcome.unknown_reason or UnknownReason.INTERNAL,
                    f"SPF temperror for {outcome.domain}: {outcome.detail}",
                )
            )
        elif outcome.result in NOT_AUTHORIZED:
            example = with_ip(record, outcome.ip) if record else suggested_record((outcome.ip,))
            results.append(
                _finding(
                    "SPF_IP_NOT_AUTHORIZED",
                    Severity.HIGH,
                    outcome.ip,
                    "Sending IP not authorized by SPF",
                    f"check_host({outcome.ip}, {outcome.domain}) = {outcome.result.value}"
                    + (f" at {outcome.matched_term}" if outcome.matched_term else ""),
                    outcome.to_evidence(),
                    with_example(
                        "SPF_IP_NOT_AUTHORIZED", outcome.ip, f'{evidence.domain}. TXT "{example}"'
                    ),
                )
            )
        elif outcome.result is SpfResult.PERMERROR and not explained:
            results.append(
                _finding(
                    "SPF_PERMERROR",
                    Severity.HIGH,
                    outcome.domain,
                    "SPF evaluation fails",
                    f"check_host({outcome.ip}, {outcome.domain}) = permerror: {outcome.detail}",
                    outcome.to_evidence(),
                )
            )
            explained = True
    return results


# -- example records built from evidence ----------------------------------------------


def ip_term(ip: str) -> str:
    return f"ip6:{ip}" if ":" in ip else f"ip4:{ip}"


def suggested_record(sending_ips: tuple[str, ...]) -> str:
    terms = [ip_term(ip) for ip in sending_ips] or ["mx"]
    return " ".join(["v=spf1", *terms, "-all"])


def with_ip(record: SpfRecord, ip: str) -> str:
    """The record with ip4:/ip6: for `ip` before its all (or redirect=)."""
    terms = record.text.split()
    ends = [
        i
        for i, term in enumerate(terms)
        if term.lstrip("+-~?").lower() == "all" or term.lower().startswith("redirect=")
    ]
    position = ends[0] if ends else len(terms)
    return " ".join([*terms[:position], ip_term(ip), *terms[position:]])


def with_fail_all(record: SpfRecord) -> str:
    terms = [t for t in record.text.split() if t.lstrip("+-~?").lower() != "all"]
    return " ".join([*terms, "-all"])


def merged_record(records: tuple[str, ...]) -> str:
    """One record holding every term of several (duplicates and all dropped)."""
    seen: list[str] = []
    for record in records:
        for term in record.split()[1:]:
            if term.lstrip("+-~?").lower() != "all" and term not in seen:
                seen.append(term)
    return " ".join(["v=spf1", *seen, "-all"])
