"""The message check's part of the report: per message, the authentication results
(DKIM per signature, ARC, SPF of the connecting IP, DMARC), one-click unsubscribe,
format problems and the TLS of each Received hop.

A pure function of the check's part of the result document.
"""

from __future__ import annotations

from typing import cast

from audit.model.document import CheckDocument
from audit.model.view import Cell, CheckView, DataTable, Fact, Section, text_of
from checks.message.evidence import (
    MessageAnalysisEvidence,
    MessageEvidenceDocument,
    MessageItemEvidence,
)

TONES = {"pass": "ok", "fail": "bad", "none": "warn", "unknown": "unknown"}


def _result(value: str | None) -> Cell:
    return Cell(value or "—", TONES.get(value or "", "muted"))


def _auth_row(item: MessageItemEvidence) -> tuple[Cell, ...]:
    analysis = item.get("analysis")
    if analysis is None:
        reason = item.get("reason", "")
        return (Cell(item["source"], mono=True), Cell("not analysed", "unknown", reason))
    signatures = analysis["dkim"]
    dkim = ", ".join(f"{s['domain']}:{s['result']}" for s in signatures) or "unsigned"
    dkim_tone = "ok" if any(s["result"] == "pass" for s in signatures) else "bad"
    spf, dmarc, arc = analysis["spf"], analysis["dmarc"], analysis["arc"]
    unsubscribe = analysis["unsubscribe"]
    return (
        Cell(item["source"], note=analysis["message_id"] or "", mono=True),
        Cell(analysis["from_address"] or "—", note=analysis["from_domain"] or ""),
        Cell(dkim, dkim_tone),
        _result(arc["result"]) if arc else Cell("—", "muted"),
        Cell(spf["result"], TONES.get(spf["result"], "warn"), spf["ip"]) if spf else _result(None),
        _result(dmarc["result"]) if dmarc else _result(None),
        Cell(
            "one-click" if unsubscribe["one_click"] else "no",
            "ok" if unsubscribe["one_click"] else "warn",
        ),
        Cell(str(len(analysis["format"])), "ok" if not analysis["format"] else "bad"),
    )


def _hops(source: str, analysis: MessageAnalysisEvidence) -> list[tuple[Cell, ...]]:
    return [
        (
            Cell(source if index == 0 else "", mono=True),
            Cell(f"{index}{' (trusted)' if index == analysis['trusted_hop'] else ''}"),
            Cell(hop["by"] or "—", mono=True),
            Cell(hop["ip"] or "—", note=hop["helo"] or "", mono=True),
            Cell(
                text_of(hop["tls"]),
                "unknown" if hop["tls"] is None else "ok" if hop["tls"] else "bad",
                hop["protocol"] or "",
            ),
        )
        for index, hop in enumerate(analysis["hops"])
    ]


def appendix(evidence: MessageEvidenceDocument) -> Section:
    items = evidence.get("messages", [])
    rows = tuple(_auth_row(item) for item in items)
    hop_rows = tuple(
        row for item in items if (a := item.get("analysis")) for row in _hops(item["source"], a)
    )
    headers = ("Message", "From", "DKIM", "ARC", "SPF", "DMARC", "Unsubscribe", "Format")
    tables = [DataTable(headers, rows, css_class="message")]
    if hop_rows:
        hop_headers = ("Message", "Hop", "Received by", "From (IP, HELO)", "TLS")
        tables.append(DataTable(hop_headers, hop_rows, "Received chain", css_class="message"))
    trusted = evidence.get("trusted_receivers", [])
    facts = (
        Fact("Messages", str(len(items))),
        Fact("Trusted receivers", ", ".join(trusted) if trusted else "the topmost Received"),
    )
    return Section("Messages", facts, tuple(tables))


def subject(evidence: MessageEvidenceDocument) -> str | None:
    """What a `message` report is about: its messages and their From domains."""
    items = evidence.get("messages", [])
    if not items:
        return None
    domains = sorted({d for i in items if (a := i.get("analysis")) and (d := a["from_domain"])})
    senders = f" from {', '.join(domains[:3])}" if domains else ""
    return f"{len(items)} message(s){senders}"


def section(check: CheckDocument) -> CheckView:
    # The one place the document's evidence becomes this check's type.
    evidence = cast(MessageEvidenceDocument, check["evidence"])
    return CheckView(appendix(evidence), subject=subject(evidence))
