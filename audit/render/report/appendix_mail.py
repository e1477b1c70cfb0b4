"""Appendix sections for the mail-side checks: the relay probe (server facts and every
attempt) and the mail-log analysis (files, top accounts, remote rejections), as tables
instead of a flattened key list. Pure functions of the JSON document's evidence."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from audit.render.report.view import Cell, DataTable, Fact, Section, text_of

OUTCOME_TONES = {"rejected": "ok", "accepted_at_rcpt": "bad", "temporarily_rejected": "unknown"}
MAX_SAMPLE_CHARS = 300


def _attempt_row(attempt: Mapping[str, Any]) -> tuple[Cell, ...]:
    outcome = str(attempt.get("outcome", ""))
    return (
        Cell(str(attempt.get("variant", "")), note=str(attempt.get("kind", ""))),
        Cell(str(attempt.get("mail_from", "")), mono=True),
        Cell(str(attempt.get("rcpt_to", "")), mono=True),
        Cell(str(attempt.get("rcpt_reply") or attempt.get("mail_reply") or ""), mono=True),
        Cell(outcome.replace("_", " "), OUTCOME_TONES.get(outcome, "")),
    )


def _server_table(server: Mapping[str, Any]) -> DataTable:
    caption = f"{server.get('host')} ({server.get('ip')}:{server.get('port')})"
    rows = tuple(_attempt_row(a) for a in server.get("attempts") or [])
    headers = ("Variant", "MAIL FROM", "RCPT TO", "Reply", "Outcome")
    return DataTable(headers, rows, f"Attempts on {caption}", css_class="relay")


def _server_facts(server: Mapping[str, Any]) -> tuple[Fact, ...]:
    host = f"{server.get('host')} ({server.get('ip')}:{server.get('port')})"
    vantage = server.get("vantage") or {}
    return (
        Fact(f"{host}: banner", text_of(server.get("banner") or "no greeting"), mono=True),
        Fact(f"{host}: greeting used", text_of(server.get("hello"))),
        Fact(f"{host}: ESMTP", text_of(server.get("esmtp_extensions") or [])),
        Fact(f"{host}: probed from", f"{vantage.get('source_ip')} ({vantage.get('reason', '')})"),
        Fact(f"{host}: error", text_of(server.get("error_detail") or server.get("error"))),
    )


def relay_section(evidence: Mapping[str, Any]) -> Section:
    servers = list(evidence.get("servers") or [])
    facts = [
        Fact("Foreign recipient domain", text_of(evidence.get("foreign_recipient_domain"))),
        Fact("Address variants per server", text_of(evidence.get("variants"))),
    ]
    for server in servers:
        facts.extend(_server_facts(server))
    tables = tuple(t for t in (_server_table(s) for s in servers) if t.rows)
    note = "" if servers else "No SMTP server was probed."
    return Section("Open relay", tuple(facts), tables, note)


def _file_rows(evidence: Mapping[str, Any]) -> tuple[tuple[Cell, ...], ...]:
    def name(entry: Mapping[str, Any]) -> str:
        return str(entry.get("path", "")).rsplit("/", 1)[-1]

    return tuple(
        (
            Cell(name(f), note=str(f.get("format", "")), mono=True),
            Cell(f"{f.get('lines', 0):,}"),
            Cell(f"{f.get('events', 0):,}"),
            Cell(
                f"{f.get('malformed_lines', 0):,}", note=f"{f.get('truncated_lines', 0)} truncated"
            ),
        )
        for f in evidence.get("files", [])
    )


def _account_rows(evidence: Mapping[str, Any]) -> tuple[tuple[Cell, ...], ...]:
    return tuple(
        (
            Cell(str(a.get("account", "")), mono=True),
            Cell(f"{a.get('messages', 0):,}", note=f"{a.get('recipients', 0):,} recipients"),
            Cell(f"{a.get('peak_messages', 0):,}", note=text_of(a.get("peak_hour"))),
            Cell(text_of(a.get("median_messages_per_hour"))),
            Cell(text_of(a.get("client_ips"))),
            Cell(f"{a.get('bounced', 0):,}", note=f"{a.get('deferred', 0):,} deferred"),
        )
        for a in evidence.get("top_accounts", [])
    )


def _rejection_rows(evidence: Mapping[str, Any]) -> tuple[tuple[Cell, ...], ...]:
    return tuple(
        (
            Cell(text_of(r.get("provider")), note=text_of(r.get("blocklist"))),
            Cell(text_of(r.get("reason")), note="temporary" if r.get("temporary") else ""),
            Cell(f"{r.get('count', 0):,}"),
            Cell(str(r.get("sample", ""))[:MAX_SAMPLE_CHARS], mono=True),
        )
        for r in evidence.get("rejections", [])
    )


def volume_section(evidence: Mapping[str, Any]) -> Section:
    totals = evidence.get("totals") or {}
    span = evidence.get("time_range") or {}
    facts = (
        Fact("Formats", text_of(evidence.get("formats") or [])),
        Fact("Time range", f"{text_of(span.get('first'))} to {text_of(span.get('last'))}"),
        Fact(
            "Lines parsed / skipped",
            f"{evidence.get('lines_parsed', 0):,} / {evidence.get('lines_skipped', 0):,}",
        ),
        Fact("Messages", ", ".join(f"{k} {v:,}" for k, v in sorted(totals.items()))),
        Fact("Accounts seen", text_of(evidence.get("accounts_seen"))),
        Fact("Timestamps", text_of(evidence.get("timestamps"))),
    )
    tables = (
        DataTable(("File", "Lines", "Events", "Malformed"), _file_rows(evidence), "Log files"),
        DataTable(
            ("Account", "Messages", "Peak hour", "Median / hour", "Client IPs", "Bounced"),
            _account_rows(evidence),
            "Busiest accounts",
        ),
        DataTable(
            ("Provider / list", "Reason", "Count", "Example"),
            _rejection_rows(evidence),
            "Remote rejections",
        ),
    )
    return Section("Sending volume", facts, tuple(t for t in tables if t.rows))
