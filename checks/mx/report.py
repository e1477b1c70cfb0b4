"""The mx check's part of the report: its appendix section (the MX set, one row per
STARTTLS session with protocol, cipher and certificate, MTA-STS, TLS-RPT, DNSSEC and
DANE per MX host, BIMI).

The report says that the MTA-STS policy fetch is the only HTTP request the tool makes.
A pure function of the check's part of the result document.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from audit.model.document import CheckDocument
from audit.model.view import Cell, CheckView, DataTable, Fact, Section, text_of
from checks.mx.evidence import MxEvidenceDocument, MxHostEvidence, TlsSessionEvidence

HTTP_NOTE = (
    "The MTA-STS policy fetch (https://mta-sts.DOMAIN/.well-known/mta-sts.txt) is the only "
    "HTTP request mailhygiene makes; --no-http skips it."
)


def _host_row(host: MxHostEvidence) -> tuple[Cell, ...]:
    problems = ", ".join(host.get("problems") or [])
    return (
        Cell(str(host.get("preference")), mono=True),
        Cell(str(host.get("exchange")), mono=True, note=text_of(host.get("canonical_name"))),
        Cell(", ".join(host.get("addresses") or []) or "none", mono=True),
        Cell(problems or "ok", "bad" if problems else "ok"),
    )


def _certificate(tls: TlsSessionEvidence) -> Cell:
    chain = tls.get("chain") or []
    if not chain:
        return Cell("none", "unknown")
    leaf = chain[0]
    trusted = "trusted" if tls.get("trusted") else f"untrusted: {tls.get('trust_error')}"
    named = "name ok" if tls.get("name_matches") else "name mismatch"
    tone = "ok" if tls.get("trusted") and tls.get("name_matches") else "warn"
    summary = f"{leaf.get('validity')}, {leaf.get('days_left')} days left; {named}"
    detail = f"{leaf.get('key_type')} {leaf.get('key_bits')}, {leaf.get('signature_algorithm')}"
    return Cell(summary, tone, f"{trusted}; {detail}")


def _session_row(tls: TlsSessionEvidence) -> tuple[Cell, ...]:
    protocol = tls.get("protocol")
    if protocol:
        tls_cell = Cell(str(protocol), "ok", f"{tls.get('cipher')} ({tls.get('cipher_bits')} bits)")
    elif tls.get("starttls_offered") is False:
        tls_cell = Cell("no STARTTLS", "bad")
    else:
        tls_cell = Cell(
            "no TLS",
            "unknown" if tls.get("starttls_offered") is None else "bad",
            text_of(tls.get("error") or tls.get("starttls_reply")),
        )
    where = f"{tls.get('host')} ({tls.get('ip')}:{tls.get('port')})"
    return (Cell(where, mono=True), tls_cell, _certificate(tls))


def _dane_row(host: Mapping[str, Any]) -> tuple[Cell, ...]:
    status = str((host.get("dnssec") or {}).get("status"))
    records = host.get("tlsa") or []
    tlsa = "; ".join(
        f"{r.get('usage_name')} {r.get('selector')} {r.get('matching_type')}" for r in records
    )
    matched = host.get("matched")
    return (
        Cell(str(host.get("host")), mono=True),
        Cell(
            status,
            "ok" if status == "secure" else "bad" if status == "bogus" else "muted",
            text_of((host.get("dnssec") or {}).get("detail")),
        ),
        Cell(tlsa or "none", mono=True),
        Cell(text_of(matched), "ok" if matched else "bad" if matched is False else "muted"),
    )


def appendix(evidence: MxEvidenceDocument) -> Section | None:
    """None when the check recorded nothing (it crashed or ran out of time)."""
    if not evidence:
        return None
    sts: Mapping[str, Any] = evidence.get("mta_sts") or {}
    rpt: Mapping[str, Any] = evidence.get("tls_rpt") or {}
    policy: Mapping[str, Any] = sts.get("policy") or {}
    mx_set: Mapping[str, Any] = evidence.get("mx") or {}
    bimi: Mapping[str, Any] = evidence.get("bimi") or {}
    dnssec: Mapping[str, Any] = evidence.get("dnssec") or {}
    facts = (
        Fact("MX set", text_of(mx_set.get("status"))),
        Fact("STARTTLS sessions", text_of(evidence.get("tls_probe"))),
        Fact("MTA-STS record", "; ".join(sts.get("records") or []) or "none", mono=True),
        Fact("MTA-STS policy", f"{text_of(sts.get('fetch'))} {text_of(sts.get('policy_url'))}"),
        Fact("MTA-STS mode", text_of(policy.get("mode"))),
        Fact("MTA-STS mx", ", ".join(policy.get("mx") or []) or "none", mono=True),
        Fact("TLS-RPT", "; ".join(rpt.get("records") or []) or "none", mono=True),
        Fact("DNSSEC (MX RRset)", text_of((dnssec.get("domain") or {}).get("status"))),
        Fact("BIMI", "; ".join(bimi.get("records") or []) or "none", mono=True),
        Fact("DMARC enforced (for BIMI)", text_of(bimi.get("dmarc_enforced"))),
    )
    tables = (
        DataTable(
            ("Pref.", "Exchange", "Addresses", "Problems"),
            tuple(_host_row(h) for h in mx_set.get("hosts") or []),
            "MX set",
        ),
        DataTable(
            ("Server", "TLS", "Certificate"),
            tuple(_session_row(t) for t in evidence.get("tls") or []),
            "STARTTLS per MX address",
        ),
        DataTable(
            ("Host", "DNSSEC", "TLSA", "Matches"),
            tuple(_dane_row(h) for h in dnssec.get("hosts") or []),
            "DNSSEC and DANE per MX host",
        ),
    )
    title = "MX and transport security"
    return Section(title, facts, tuple(t for t in tables if t.rows), HTTP_NOTE)


def section(check: CheckDocument) -> CheckView:
    # The one place the document's evidence becomes this check's type: the builder wrote
    # it from that type, a saved document was validated against the schema.
    return CheckView(appendix(cast(MxEvidenceDocument, check["evidence"])))
