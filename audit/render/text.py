"""The terminal summary (rich), a function of the result document. Every string from
DNS/SMTP/logs is shown as plain text, never interpreted as rich markup."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, cast

from rich.console import Console
from rich.table import Table

from audit.model.document import ResultDocument, UnknownDocument
from audit.render.visible import safe_text, visible

if TYPE_CHECKING:
    from checks.message.evidence import MessageEvidenceDocument
    from checks.volume.evidence import VolumeEvidenceDocument

SEVERITY_STYLE = {
    "critical": "bold white on red",
    "high": "bold red",
    "medium": "yellow",
    "low": "cyan",
    "info": "dim",
}
STATUS_STYLE = {"pass": "green", "fail": "red", "unknown": "magenta", "skipped": "dim"}


def _title(document: ResultDocument) -> str:
    """The domain, else the sending IPs, else what a check's evidence says the run was
    about: the log files of a logs-only run, the messages and their From domains of a
    message-only one."""
    target = document["target"]
    title = target["domain"] or ", ".join(ip["ip"] for ip in target["ips"][:5])
    if title:
        return title
    for check in document["checks"]:
        found = _check_subject(check["id"], check["evidence"])
        if found:
            return found
    return "-"


def _check_subject(check_id: str, evidence: object) -> str | None:
    # Imported only by a run without domain and IPs (the render layer may use checks').
    if check_id == "volume":
        from checks.volume.report import subject as volume_subject

        return volume_subject(cast("VolumeEvidenceDocument", evidence))
    if check_id == "message":
        from checks.message.report import subject as message_subject

        return message_subject(cast("MessageEvidenceDocument", evidence))
    return None


def _header(document: ResultDocument, console: Console) -> None:
    target, resolver = document["target"], document["resolver"]
    ips = target["ips"]
    title = _title(document)
    console.print(safe_text(f"mailhygiene {document['tool']['version']} — {title}", style="bold"))
    for ip in ips[:20]:
        detail = ip.get("detail", "")
        origin = ip["source"] + (f": {detail}" if detail else "")
        console.print(safe_text(f"  sending IP {ip['ip']} ({origin})"))
    if len(ips) > 20:
        console.print(safe_text(f"  … and {len(ips) - 20} more"))
    resolvers = ", ".join(resolver["nameservers"])
    if resolvers:  # a run that queried no DNS (logs) used no resolver
        console.print(safe_text(f"  resolver {resolvers}", style="dim"))
    if resolver["public"]:
        names = ", ".join(resolver.get("public_names", []))
        console.print(
            safe_text(
                f"  warning: {names} is a public resolver; Spamhaus and other lists "
                "refuse queries from it",
                style="yellow",
            )
        )


def _checks(document: ResultDocument, console: Console) -> None:
    table = Table(title=None, show_edge=False, pad_edge=False, expand=False)
    table.add_column("check")
    table.add_column("status")
    table.add_column("time", justify="right")
    table.add_column("detail", overflow="fold")
    for check in document["checks"]:
        table.add_row(
            safe_text(check["id"]),
            safe_text(check["status"], style=STATUS_STYLE.get(check["status"], "")),
            f"{check['duration_s']:.2f}s",
            safe_text(check["detail"]),
        )
    console.print(table)


def _findings(document: ResultDocument, console: Console) -> None:
    findings = document["findings"]
    if not findings:
        console.print(safe_text("No findings.", style="green"))
        return
    console.print(safe_text(f"Findings ({len(findings)}):", style="bold"))
    for finding in findings:
        line = safe_text("  ")
        line.append(
            visible(f"{finding['severity'].upper():8}"),
            style=SEVERITY_STYLE.get(finding["severity"], ""),
        )
        line.append(visible(f" {finding['code']} "), style="bold")
        line.append(visible(finding["title"]))
        subject = finding["subject"]
        if subject and subject not in finding["title"]:
            line.append(visible(f" ({subject})"), style="dim")
        console.print(line)
        remediation = finding["remediation"]
        if remediation is not None:
            console.print(safe_text(f"           fix: {remediation['summary']}", style="dim"))


def _unknowns(document: ResultDocument, console: Console) -> None:
    unknowns: list[tuple[str, UnknownDocument]] = [
        (c["id"], u) for c in document["checks"] for u in c.get("unknowns", [])
    ]
    unknowns += [("run", u) for u in document.get("unknowns", [])]
    if not unknowns:
        return
    console.print(safe_text(f"Could not be determined ({len(unknowns)}):", style="bold magenta"))
    for where, unknown in unknowns[:50]:
        text = f"  [{where}] {unknown['subject']}: {unknown['reason']}"
        detail = unknown["detail"]
        console.print(safe_text(text + (f" — {detail}" if detail else "")))
    if len(unknowns) > 50:
        console.print(safe_text(f"  … and {len(unknowns) - 50} more (see the JSON report)"))


def _rejections(document: ResultDocument, console: Console) -> None:
    """--bounce: who rejected, which list, why, from which IP, and the first thing to do."""
    if "rejections" not in document:
        return
    rejections = document["rejections"]
    console.print()
    console.print(safe_text(f"Classified rejections ({len(rejections)}):", style="bold"))
    if not rejections:
        console.print(safe_text("  no rejection found in the --bounce files"))
    for item in rejections[:50]:
        kind = "temporary" if item["temporary"] else "permanent"
        where = f" on {item['blocklist']}" if item["blocklist"] else ""
        ip = f", IP {item['sending_ip']}" if item["sending_ip"] else ""
        provider = item["provider"] or "unknown provider"
        console.print(safe_text(f"  {provider}{where}: {item['reason']} ({kind}{ip})"))
        steps = item["remediation"]["steps"] or [item["remediation"]["summary"]]
        console.print(safe_text(f"           first: {steps[0]}", style="dim"))
    if len(rejections) > 50:
        console.print(safe_text(f"  … and {len(rejections) - 50} more (see the JSON report)"))


PROVIDER_NAMES = {
    "gmail": "Gmail",
    "yahoo": "Yahoo/AOL",
    "microsoft": "Microsoft Outlook.com",
    "apple": "Apple iCloud",
}
STATE_LABELS = {"met": "met", "not_met": "NOT MET", "unknown": "unknown"}


def _compliance(document: ResultDocument, console: Console) -> None:
    """Each provider's rules: met / NOT MET / unknown, with the reason."""
    if "compliance" not in document:
        return
    console.print()
    console.print(safe_text("Sender requirements per provider:", style="bold"))
    for provider, name in PROVIDER_NAMES.items():
        rules = [r for r in document["compliance"] if r["provider"] == provider]
        if not rules:
            continue
        console.print(safe_text(f"  {name}:"))
        for rule in rules:
            bulk = " (bulk)" if rule["bulk"] else ""
            state = STATE_LABELS[rule["state"]]
            console.print(safe_text(f"    {state:<8} {rule['rule']}{bulk}: {rule['reason']}"))


def requirements_to_fix(document: ResultDocument) -> dict[str, list[str]]:
    """Provider -> its rules not met (the delisting verdict names them)."""
    found: dict[str, list[str]] = {}
    for rule in document.get("compliance", []):
        if rule["state"] == "not_met":
            found.setdefault(rule["provider"], []).append(rule["rule"])
    return found


def _requirements_verdict(document: ResultDocument, console: Console) -> None:
    to_fix = requirements_to_fix(document)
    if not to_fix:
        return
    names = "; ".join(f"{PROVIDER_NAMES[p]}: {', '.join(rules)}" for p, rules in to_fix.items())
    console.print(
        safe_text(
            "Provider requirements: a provider rejecting for these is not a blocklist listing; "
            f"fix them before asking that provider for anything: {names}",
            style="red",
        )
    )


def _verdict(document: ResultDocument, console: Console) -> None:
    summary = document["summary"]
    delisting = summary["delisting"]
    counts = ", ".join(f"{n} {label}" for label, n in summary["counts"].items() if n)
    console.print(
        safe_text(f"Status: {summary['status']} (exit {summary['exit_code']})", style="bold")
        + safe_text(f"; {counts}" if counts else "")
    )
    if delisting["ready"]:
        console.print(safe_text("Delisting: ready to request delisting.", style="green"))
    elif delisting["blockers"]:
        blockers = ", ".join(delisting["blockers"])
        console.print(safe_text(f"Delisting: fix these first: {blockers}", style="red"))
    elif delisting.get("unchecked"):
        unchecked = ", ".join(delisting.get("unchecked", []))
        console.print(
            safe_text(
                f"Delisting: not assessed: this run did not check {unchecked}; run "
                "`mailhygiene audit DOMAIN` before requesting delisting.",
                style="magenta",
            )
        )
    else:
        console.print(
            safe_text(
                "Delisting: not yet known: some checks could not be completed "
                "(see above); re-run before requesting delisting.",
                style="magenta",
            )
        )


def render_text(document: ResultDocument, console: Console) -> None:
    _header(document, console)
    console.print()
    _checks(document, console)
    console.print()
    _findings(document, console)
    _unknowns(document, console)
    _rejections(document, console)
    _compliance(document, console)
    console.print()
    _verdict(document, console)
    _requirements_verdict(document, console)


def render_text_string(document: ResultDocument, width: int = 100) -> str:
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    render_text(document, console)
    return console.export_text()
