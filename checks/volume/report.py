"""The volume check's part of the report: its appendix section (log files, busiest
accounts, remote rejections, as tables) and, for a logs-only run, what the report is
about ("mail logs: mail.log, …"). The volume-over-time chart is drawn by the report
(audit/render/report/chart.py) from the same evidence.

Pure functions of the check's part of the result document.
"""

from __future__ import annotations

from typing import cast

from audit.model.document import CheckDocument
from audit.model.view import Cell, CheckView, DataTable, Fact, Section, text_of
from checks.volume.evidence import VolumeEvidenceDocument, VolumeFileEvidence

MAX_SAMPLE_CHARS = 300


def _file_name(entry: VolumeFileEvidence) -> str:
    return str(entry.get("path", "")).rsplit("/", 1)[-1]


def _files(evidence: VolumeEvidenceDocument) -> list[VolumeFileEvidence]:
    return [f for f in evidence.get("files", []) if isinstance(f, dict)]


def _families(counts: dict[str, int]) -> str:
    """'postfix 1,200, not mail 250': the lines of each family."""
    return ", ".join(f"{name.replace('_', ' ')} {n:,}" for name, n in sorted(counts.items()))


def _all_families(evidence: VolumeEvidenceDocument) -> dict[str, int]:
    total: dict[str, int] = {}
    for f in _files(evidence):
        for name, n in (f.get("line_families") or {}).items():
            total[name] = total.get(name, 0) + n
    return total


def _file_rows(evidence: VolumeEvidenceDocument) -> tuple[tuple[Cell, ...], ...]:
    return tuple(
        (
            Cell(_file_name(f), note=str(f.get("format", "")), mono=True),
            Cell(f"{f.get('lines', 0):,}", note=_families(f.get("line_families") or {})),
            Cell(f"{f.get('events', 0):,}"),
            Cell(
                f"{f.get('malformed_lines', 0):,}", note=f"{f.get('truncated_lines', 0)} truncated"
            ),
        )
        for f in evidence.get("files", [])
    )


def _account_rows(evidence: VolumeEvidenceDocument) -> tuple[tuple[Cell, ...], ...]:
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


def _rejection_rows(evidence: VolumeEvidenceDocument) -> tuple[tuple[Cell, ...], ...]:
    return tuple(
        (
            Cell(text_of(r.get("provider")), note=text_of(r.get("blocklist"))),
            Cell(text_of(r.get("reason")), note="temporary" if r.get("temporary") else ""),
            Cell(f"{r.get('count', 0):,}"),
            Cell(str(r.get("sample", ""))[:MAX_SAMPLE_CHARS], mono=True),
        )
        for r in evidence.get("rejections", [])
    )


def _attempts(evidence: VolumeEvidenceDocument) -> str:
    """'auth_failed 2,000 from 80 IPs, relay_denied 12 from 3 IPs' (refused at SMTP time)."""
    return ", ".join(
        f"{a.get('attempt', '')} {a.get('attempts', 0):,} from "
        f"{a.get('client_ips', 0) + a.get('more_client_ips', 0):,} IPs"
        for a in evidence.get("attempts") or []
    )


def _capped(evidence: VolumeEvidenceDocument) -> str:
    """'rejections by kind capped at 1,000 (4,500 keys folded, 4,800 counted in the rest)'."""
    return "; ".join(
        f"{c.get('table', '')} capped at {c.get('limit', 0):,} "
        f"({c.get('folded_keys', 0):,} keys folded, {c.get('folded_weight', 0):,} counted in "
        "the rest)"
        for c in evidence.get("capped_tables") or []
    )


def _tls(evidence: VolumeEvidenceDocument) -> str:
    """'gmail 1,180 of 1,200 over TLS; other 40 of 40' ('' without remote deliveries)."""
    rows = evidence.get("tls_deliveries") or []
    if rows and not any(row.get("tls") for row in rows):
        total = sum(row.get("plain", 0) for row in rows)
        return f"none of {total:,} shows TLS (Postfix logs it with smtp_tls_loglevel >= 1)"
    return "; ".join(
        f"{row.get('provider', '')} {row.get('tls', 0):,} of "
        f"{row.get('tls', 0) + row.get('plain', 0):,} over TLS"
        for row in rows
    )


def _attacker_rows(evidence: VolumeEvidenceDocument) -> tuple[tuple[Cell, ...], ...]:
    return tuple(
        (
            Cell(str(ip.get("ip", "")), mono=True),
            Cell(str(a.get("attempt", ""))),
            Cell(f"{ip.get('attempts', 0):,}", note=f"{ip.get('targets', 0):,} targets"),
            Cell(text_of(ip.get("first")), note=text_of(ip.get("last"))),
        )
        for a in evidence.get("attempts") or []
        for ip in a.get("top_client_ips") or []
    )


def appendix(evidence: VolumeEvidenceDocument) -> Section:
    totals = evidence.get("totals") or {}
    span = evidence.get("time_range") or {}
    facts = (
        Fact("Formats", text_of(evidence.get("formats") or [])),
        Fact("Time range", f"{text_of(span.get('first'))} to {text_of(span.get('last'))}"),
        Fact(
            "Lines parsed / skipped / ignored",
            f"{evidence.get('lines_parsed', 0):,} / {evidence.get('lines_skipped', 0):,} / "
            f"{evidence.get('lines_ignored', 0):,}",
        ),
        Fact("Lines by family", _families(_all_families(evidence)) or "-"),
        Fact("Messages", ", ".join(f"{k} {v:,}" for k, v in sorted(totals.items()))),
        Fact("Accounts seen", text_of(evidence.get("accounts_seen"))),
        Fact("Timestamps", text_of(evidence.get("timestamps"))),
        *((Fact("Refused attempts", attempts),) if (attempts := _attempts(evidence)) else ()),
        *((Fact("Capped tables", capped),) if (capped := _capped(evidence)) else ()),
        *((Fact("Deliveries sent over TLS", tls),) if (tls := _tls(evidence)) else ()),
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
        DataTable(
            ("Client IP", "Attempt", "Count", "First / last"),
            _attacker_rows(evidence),
            "Refused attempts by client IP",
        ),
    )
    return Section("Sending volume", facts, tuple(t for t in tables if t.rows))


def subject(evidence: VolumeEvidenceDocument) -> str | None:
    """'mail logs: a.log, b.log …' for a run about log files only; None without files."""
    names = [_file_name(f) for f in _files(evidence)]
    if not names:
        return None
    return "mail logs: " + ", ".join(names[:2]) + (" …" if len(names) > 2 else "")


def section(check: CheckDocument) -> CheckView:
    # The one place the document's evidence becomes this check's type: the builder wrote
    # it from that type, a saved document was validated against the schema.
    evidence = cast(VolumeEvidenceDocument, check["evidence"])
    return CheckView(appendix(evidence), subject=subject(evidence))
