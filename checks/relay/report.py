"""The relay check's part of the report: the "SMTP servers probed" table of the
Sending IPs chapter (banner, STARTTLS and AUTH, the relay verdict, where the probe ran
from) and its appendix section (server facts and every attempt).

SPEC.md asks for each server's SMTP banner/HELO and to "say in the report where the
probe ran from": a server that trusts the probe's address can look open from there
only. Pure functions of the check's part of the result document.
"""

from __future__ import annotations

from typing import cast

from audit.model.document import CheckDocument
from audit.model.view import Cell, CheckView, DataTable, Fact, Section, Subsection, text_of
from checks.relay.evidence import RelayAttemptEvidence, RelayEvidenceDocument, RelayServerEvidence

MAX_BANNER_CHARS = 120
OUTCOME_TONES = {"rejected": "ok", "accepted_at_rcpt": "bad", "temporarily_rejected": "unknown"}
SERVERS_LEAD = (
    "The relay test never sends a message (no DATA): it asks each server to accept foreign "
    "recipients and resets. A server that trusts the address the probe came from can look "
    "open from there only."
)


def _name(server: RelayServerEvidence) -> str:
    return f"{server.get('host')} ({server.get('ip')}:{server.get('port')})"


def _banner(server: RelayServerEvidence) -> Cell:
    lines = [str(line) for line in server.get("banner") or []]
    if not lines:
        return Cell("no greeting", "unknown", str(server.get("error_detail") or ""))
    first = lines[0][:MAX_BANNER_CHARS]
    return Cell(first, "bad" if not first.startswith("220") else "", mono=True)


def _verdict(server: RelayServerEvidence) -> Cell:
    outcomes = [str(a.get("outcome")) for a in server.get("attempts") or []]
    if server.get("error") or not outcomes:
        return Cell("not determined", "unknown", str(server.get("error") or "no attempt"))
    plain = [a for a in server["attempts"] if a.get("kind") == "plain"]
    if any(a.get("outcome") == "accepted_at_rcpt" for a in plain):
        return Cell("open relay", "bad", "a foreign recipient was accepted")
    tricks = sum(1 for o in outcomes if o == "accepted_at_rcpt")
    if tricks:
        noun = "trick" if tricks == 1 else "tricks"
        return Cell(f"{tricks} {noun} accepted", "warn", f"of {len(outcomes)} attempts")
    if all(o == "rejected" for o in outcomes):
        return Cell("closed", "ok", f"{len(outcomes)} attempts refused")
    return Cell("not determined", "unknown", ", ".join(sorted(set(outcomes))))


def _features(server: RelayServerEvidence) -> Cell:
    tls = "STARTTLS" if server.get("starttls") else "no STARTTLS"
    auth = ", ".join(server.get("auth_mechanisms") or []) or "no AUTH"
    return Cell(tls, "ok" if server.get("starttls") else "warn", f"AUTH: {auth}")


def _vantage(server: RelayServerEvidence) -> Cell:
    vantage = server.get("vantage") or {}
    source = str(vantage.get("source_ip") or "?")
    if vantage.get("internal"):
        return Cell(f"from {source}", "warn", str(vantage.get("reason") or "trusted network"))
    return Cell(f"from {source}", "", "outside the server's networks")


def servers_table(evidence: RelayEvidenceDocument) -> DataTable | None:
    """One row per server probed; None when no server was probed."""
    servers = evidence.get("servers") or []
    if not servers:
        return None
    rows = tuple(
        (Cell(_name(s), mono=True), _banner(s), _features(s), _verdict(s), _vantage(s))
        for s in servers
    )
    headers = ("Server", "Banner", "STARTTLS / AUTH", "Relay test", "Probed")
    return DataTable(headers, rows, css_class="smtp")


def _attempt_row(attempt: RelayAttemptEvidence) -> tuple[Cell, ...]:
    outcome = str(attempt.get("outcome", ""))
    return (
        Cell(str(attempt.get("variant", "")), note=str(attempt.get("kind", ""))),
        Cell(str(attempt.get("mail_from", "")), mono=True),
        Cell(str(attempt.get("rcpt_to", "")), mono=True),
        Cell(str(attempt.get("rcpt_reply") or attempt.get("mail_reply") or ""), mono=True),
        Cell(outcome.replace("_", " "), OUTCOME_TONES.get(outcome, "")),
    )


def _attempts_table(server: RelayServerEvidence) -> DataTable:
    rows = tuple(_attempt_row(a) for a in server.get("attempts") or [])
    headers = ("Variant", "MAIL FROM", "RCPT TO", "Reply", "Outcome")
    return DataTable(headers, rows, f"Attempts on {_name(server)}", css_class="relay")


def _server_facts(server: RelayServerEvidence) -> tuple[Fact, ...]:
    host = _name(server)
    vantage = server.get("vantage") or {}
    return (
        Fact(f"{host}: banner", text_of(server.get("banner") or "no greeting"), mono=True),
        Fact(f"{host}: greeting used", text_of(server.get("hello"))),
        Fact(f"{host}: ESMTP", text_of(server.get("esmtp_extensions") or [])),
        Fact(f"{host}: probed from", f"{vantage.get('source_ip')} ({vantage.get('reason', '')})"),
        Fact(f"{host}: error", text_of(server.get("error_detail") or server.get("error"))),
    )


def appendix(evidence: RelayEvidenceDocument) -> Section:
    servers = list(evidence.get("servers") or [])
    facts = [
        Fact("Foreign recipient domain", text_of(evidence.get("foreign_recipient_domain"))),
        Fact("Address variants per server", text_of(evidence.get("variants"))),
    ]
    for server in servers:
        facts.extend(_server_facts(server))
    tables = tuple(t for t in (_attempts_table(s) for s in servers) if t.rows)
    note = "" if servers else "No SMTP server was probed."
    return Section("Open relay", tuple(facts), tables, note)


def section(check: CheckDocument) -> CheckView:
    # The one place the document's evidence becomes this check's type: the builder wrote
    # it from that type, a saved document was validated against the schema.
    evidence = cast(RelayEvidenceDocument, check["evidence"])
    table = servers_table(evidence)
    subsections = (Subsection("SMTP servers probed", table, SERVERS_LEAD),) if table else ()
    return CheckView(appendix(evidence), ip_subsections=subsections)
