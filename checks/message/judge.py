"""Pure judges: a message's evidence -> findings (MESSAGE_*) and unknowns.

Severities follow SPEC.md: what makes the providers reject (no DKIM, a failing
signature, SPF fail, DMARC fail, a forged gmail.com From) is high; what weakens it or
fails a bulk-sender rule (l=, unsigned fields, no one-click, format, no TLS) medium;
a 1024-bit key low.
"""

from __future__ import annotations

from audit.model import CheckId, Finding, Severity, Unknown, UnknownReason
from checks.message.evidence import (
    MessageAnalysisEvidence,
    MessageDkimEvidence,
    MessageFindingEvidence,
    MessageItemEvidence,
)

Facts = dict[str, str | int | bool | None]


def _finding(
    item: MessageItemEvidence,
    code: str,
    severity: Severity,
    title: str,
    detail: str = "",
    facts: Facts | None = None,
) -> Finding:
    analysis = item.get("analysis")
    evidence: MessageFindingEvidence = {
        "source": item["source"],
        "message_id": analysis["message_id"] if analysis else None,
        "facts": facts or {},
    }
    return Finding(CheckId.MESSAGE, code, severity, item["source"], title, detail, evidence)


def _signature_facts(signature: MessageDkimEvidence) -> Facts:
    return {
        "domain": signature["domain"],
        "selector": signature["selector"],
        "algorithm": signature["algorithm"],
        "problem": signature["problem"],
        "key_bits": signature["key_bits"],
    }


def judge_dkim(item: MessageItemEvidence, analysis: MessageAnalysisEvidence) -> list[Finding]:
    signatures = analysis["dkim"]
    if not signatures:
        return [_finding(item, "MESSAGE_DKIM_MISSING", Severity.HIGH, "The message is not signed")]
    findings = []
    for signature in signatures:
        findings.extend(_judge_signature(item, signature))
    return findings


def _judge_signature(item: MessageItemEvidence, signature: MessageDkimEvidence) -> list[Finding]:
    facts = _signature_facts(signature)
    label = f"d={signature['domain']} s={signature['selector']}"
    if signature["result"] == "fail":
        title = f"DKIM signature {label} fails: {signature['problem']}"
        return [
            _finding(item, "MESSAGE_DKIM_FAILED", Severity.HIGH, title, signature["detail"], facts)
        ]
    if signature["result"] != "pass":
        return []
    findings = []
    if signature["key_bits"] is not None and signature["key_bits"] < 2048:
        title = f"DKIM signature {label} uses a {signature['key_bits']}-bit key"
        findings.append(_finding(item, "MESSAGE_DKIM_KEY_1024", Severity.LOW, title, "", facts))
    if signature["length_limit"] is not None:
        unsigned = signature["unsigned_body_bytes"]
        title = f"DKIM signature {label} signs only the first {signature['length_limit']} octets"
        detail = f"{unsigned} body octets are not covered: content can be appended"
        facts = {**facts, "length_limit": signature["length_limit"], "unsigned_body": unsigned}
        findings.append(
            _finding(item, "MESSAGE_DKIM_LENGTH_LIMIT", Severity.MEDIUM, title, detail, facts)
        )
    return findings


def judge_unsigned_fields(
    item: MessageItemEvidence, analysis: MessageAnalysisEvidence
) -> list[Finding]:
    """A field that is present but no passing signature covers (Subject, List-*)."""
    passing = [s for s in analysis["dkim"] if s["result"] == "pass"]
    if not passing:
        return []
    uncovered = sorted(
        field
        for field in analysis["watched_present"]
        if field != "from" and all(field in s["unsigned_watched"] for s in passing)
    )
    return [
        _finding(
            item,
            "MESSAGE_DKIM_FIELD_UNSIGNED",
            Severity.MEDIUM,
            f"{field} is not covered by any valid DKIM signature",
            facts={"field": field},
        )
        for field in uncovered
    ]


def judge_spf(item: MessageItemEvidence, analysis: MessageAnalysisEvidence) -> list[Finding]:
    spf = analysis["spf"]
    if spf is None or spf["result"] in ("pass", "temperror"):
        return []
    severity = Severity.HIGH if spf["result"] in ("fail", "permerror") else Severity.MEDIUM
    title = f"SPF {spf['result']} for {spf['ip']} sending as {spf['domain']}"
    facts: Facts = {"ip": spf["ip"], "domain": spf["domain"], "result": spf["result"]}
    return [_finding(item, "MESSAGE_SPF_FAILED", severity, title, spf["detail"], facts)]


def judge_dmarc(item: MessageItemEvidence, analysis: MessageAnalysisEvidence) -> list[Finding]:
    dmarc = analysis["dmarc"]
    if dmarc is None or dmarc["result"] in ("pass", "unknown"):
        return []
    facts: Facts = {"from_domain": dmarc["from_domain"], "policy": dmarc["policy"]}
    findings = []
    if dmarc["record"] is None:
        title = f"{dmarc['organizational_domain']} publishes no DMARC record"
        findings.append(_finding(item, "MESSAGE_DMARC_MISSING", Severity.HIGH, title, "", facts))
    title = f"Neither SPF nor DKIM passes aligned with From {dmarc['from_domain']}"
    findings.append(_finding(item, "MESSAGE_DMARC_FAILED", Severity.HIGH, title, "", facts))
    return findings


def judge_unsubscribe(
    item: MessageItemEvidence, analysis: MessageAnalysisEvidence
) -> list[Finding]:
    unsubscribe = analysis["unsubscribe"]
    facts: Facts = {"mailto": bool(unsubscribe["mailto"]), "https": bool(unsubscribe["https"])}
    if not unsubscribe["one_click"]:
        title = "No one-click unsubscribe (RFC 8058)"
        if unsubscribe["present"]:
            title += ": List-Unsubscribe without an https URI and One-Click POST"
        detail = "mailto: only: Yahoo accepts it, Gmail does not" if unsubscribe["mailto"] else ""
        return [_finding(item, "MESSAGE_ONE_CLICK_MISSING", Severity.MEDIUM, title, detail, facts)]
    if not unsubscribe["signed"]:
        title = "List-Unsubscribe(-Post) not covered by a valid DKIM signature"
        return [_finding(item, "MESSAGE_UNSUBSCRIBE_UNSIGNED", Severity.MEDIUM, title, "", facts)]
    return []


def judge_format(item: MessageItemEvidence, analysis: MessageAnalysisEvidence) -> list[Finding]:
    findings = [
        _finding(
            item,
            "MESSAGE_FORMAT_INVALID",
            Severity.MEDIUM,
            f"RFC 5322 format: {problem['rule'].replace('_', ' ')}",
            problem["detail"],
            {"rule": problem["rule"]},
        )
        for problem in analysis["format"]
    ]
    if analysis["gmail_from_forged"]:
        title = f"From {analysis['from_address']} is a Gmail address not sent through Gmail"
        findings.append(_finding(item, "MESSAGE_GMAIL_FROM_FORGED", Severity.HIGH, title))
    return findings


def judge_tls(item: MessageItemEvidence, analysis: MessageAnalysisEvidence) -> list[Finding]:
    index = analysis["trusted_hop"]
    if index is None or analysis["hops"][index]["tls"] is not False:
        return []
    hop = analysis["hops"][index]
    title = f"The message reached {hop['by']} without TLS"
    facts: Facts = {"by": hop["by"], "protocol": hop["protocol"]}
    return [_finding(item, "MESSAGE_HOP_WITHOUT_TLS", Severity.MEDIUM, title, "", facts)]


def judge_arc(item: MessageItemEvidence, analysis: MessageAnalysisEvidence) -> list[Finding]:
    arc = analysis["arc"]
    if arc is None or arc["result"] != "fail":
        return []
    title = f"The ARC chain ({arc['sets']} set(s)) does not validate"
    return [_finding(item, "MESSAGE_ARC_FAILED", Severity.MEDIUM, title, arc["detail"])]


def unknowns_of(item: MessageItemEvidence) -> list[Unknown]:
    analysis = item.get("analysis")
    if analysis is None:
        reason = UnknownReason(item.get("reason", UnknownReason.MALFORMED.value))
        return [Unknown(item["source"], reason, item.get("detail", ""))]
    found = [
        Unknown(
            f"{item['source']} DKIM d={s['domain']} s={s['selector']}",
            UnknownReason.DEPENDENCY,
            s["detail"],
        )
        for s in analysis["dkim"]
        if s["result"] == "unknown"
    ]
    if analysis["spf"] is None:
        why = "no trusted Received header with a client IP, or no Return-Path"
        found.append(Unknown(f"{item['source']} SPF", UnknownReason.DEPENDENCY, why))
    elif analysis["spf"]["result"] == "temperror":
        detail = analysis["spf"]["detail"]
        found.append(Unknown(f"{item['source']} SPF", UnknownReason.DEPENDENCY, detail))
    dmarc = analysis["dmarc"]
    if dmarc is not None and dmarc["result"] == "unknown":
        detail = dmarc["detail"] or "a DKIM or SPF result is unknown"
        found.append(Unknown(f"{item['source']} DMARC", UnknownReason.DEPENDENCY, detail))
    if analysis["arc"] is not None and analysis["arc"]["result"] == "unknown":
        arc_detail = analysis["arc"]["detail"]
        found.append(Unknown(f"{item['source']} ARC", UnknownReason.DEPENDENCY, arc_detail))
    return found


def judge_message(item: MessageItemEvidence) -> list[Finding]:
    analysis = item.get("analysis")
    if analysis is None:
        return []
    return [
        *judge_dkim(item, analysis),
        *judge_unsigned_fields(item, analysis),
        *judge_arc(item, analysis),
        *judge_spf(item, analysis),
        *judge_dmarc(item, analysis),
        *judge_unsubscribe(item, analysis),
        *judge_format(item, analysis),
        *judge_tls(item, analysis),
    ]
