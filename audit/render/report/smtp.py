"""The report's "SMTP servers probed" table: one row per server the relay check talked
to, with its banner, EHLO answer, STARTTLS and AUTH, the relay verdict and where the
probe ran from (SPEC.md: per sending IP the SMTP banner/HELO; "say in the report where
the probe ran from"). Built from the JSON document's relay evidence.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from audit.render.report.ips import evidence_of
from audit.render.report.view import Cell, DataTable

MAX_BANNER_CHARS = 120


def _banner(server: Mapping[str, Any]) -> Cell:
    lines = [str(line) for line in server.get("banner") or []]
    if not lines:
        return Cell("no greeting", "unknown", str(server.get("error_detail") or ""))
    first = lines[0][:MAX_BANNER_CHARS]
    return Cell(first, "bad" if not first.startswith("220") else "", mono=True)


def _verdict(server: Mapping[str, Any]) -> Cell:
    outcomes = [str(a.get("outcome")) for a in server.get("attempts") or []]
    if server.get("error") or not outcomes:
        return Cell("not determined", "unknown", str(server.get("error") or "no attempt"))
    plain = [a for a in server["attempts"] if a.get("kind") == "plain"]
    if any(a.get("outcome") == "accepted_at_rcpt" for a in plain):
        return Cell("open relay", "bad", "a foreign recipient was accepted")
    tricks = sum(1 for o in outcomes if o == "accepted_at_rcpt")
    if tricks:
        return Cell(f"{tricks} trick(s) accepted", "warn", f"of {len(outcomes)} attempts")
    if all(o == "rejected" for o in outcomes):
        return Cell("closed", "ok", f"{len(outcomes)} attempts refused")
    return Cell("not determined", "unknown", ", ".join(sorted(set(outcomes))))


def _features(server: Mapping[str, Any]) -> Cell:
    tls = "STARTTLS" if server.get("starttls") else "no STARTTLS"
    auth = ", ".join(server.get("auth_mechanisms") or []) or "no AUTH"
    return Cell(tls, "ok" if server.get("starttls") else "warn", f"AUTH: {auth}")


def _vantage(server: Mapping[str, Any]) -> Cell:
    vantage = server.get("vantage") or {}
    source = str(vantage.get("source_ip") or "?")
    if vantage.get("internal"):
        return Cell(f"from {source}", "warn", str(vantage.get("reason") or "trusted network"))
    return Cell(f"from {source}", "", "outside the server's networks")


def smtp_table(document: Mapping[str, Any]) -> DataTable | None:
    evidence = evidence_of(document, "relay")
    servers = (evidence or {}).get("servers") or []
    if not servers:
        return None
    rows = tuple(
        (
            Cell(f"{s.get('host')} ({s.get('ip')}:{s.get('port')})", mono=True),
            _banner(s),
            _features(s),
            _verdict(s),
            _vantage(s),
        )
        for s in servers
    )
    headers = ("Server", "Banner", "STARTTLS / AUTH", "Relay test", "Probed")
    return DataTable(headers, rows, css_class="smtp")
