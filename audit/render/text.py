"""The terminal summary (rich). Every string from DNS/SMTP/logs is shown as plain text,
never interpreted as rich markup."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from audit.model import AuditResult, CheckStatus, Severity
from audit.render.terminal import safe_text, terminal_safe

SEVERITY_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
STATUS_STYLE = {
    CheckStatus.PASS: "green",
    CheckStatus.FAIL: "red",
    CheckStatus.UNKNOWN: "magenta",
    CheckStatus.SKIPPED: "dim",
}


def _header(result: AuditResult, console: Console) -> None:
    title = result.target.domain or ", ".join(ip.ip for ip in result.target.ips[:5]) or "-"
    console.print(safe_text(f"mailhygiene {result.tool_version} — {title}", style="bold"))
    for ip in result.target.ips[:20]:
        origin = f"{ip.source.value}" + (f": {ip.detail}" if ip.detail else "")
        console.print(safe_text(f"  sending IP {ip.ip} ({origin})"))
    if len(result.target.ips) > 20:
        console.print(safe_text(f"  … and {len(result.target.ips) - 20} more"))
    resolvers = ", ".join(result.resolver.nameservers)
    console.print(safe_text(f"  resolver {resolvers}", style="dim"))
    if result.resolver.public:
        names = ", ".join(result.resolver.public_names)
        console.print(
            safe_text(
                f"  warning: {names} is a public resolver; Spamhaus and other lists "
                "refuse queries from it",
                style="yellow",
            )
        )


def _checks(result: AuditResult, console: Console) -> None:
    table = Table(title=None, show_edge=False, pad_edge=False, expand=False)
    table.add_column("check")
    table.add_column("status")
    table.add_column("time", justify="right")
    table.add_column("detail", overflow="fold")
    for check in result.checks:
        table.add_row(
            check.check.value,
            safe_text(check.status.value, style=STATUS_STYLE[check.status]),
            f"{check.duration_s:.2f}s",
            safe_text(check.detail),
        )
    console.print(table)


def _findings(result: AuditResult, console: Console) -> None:
    if not result.findings:
        console.print(safe_text("No findings.", style="green"))
        return
    console.print(safe_text(f"Findings ({len(result.findings)}):", style="bold"))
    for finding in result.findings:
        line = safe_text("  ")
        line.append(
            terminal_safe(f"{finding.severity.label.upper():8}"),
            style=SEVERITY_STYLE[finding.severity],
        )
        line.append(terminal_safe(f" {finding.code} "), style="bold")
        line.append(terminal_safe(finding.title))
        if finding.subject and finding.subject not in finding.title:
            line.append(terminal_safe(f" ({finding.subject})"), style="dim")
        console.print(line)
        if finding.remediation is not None:
            console.print(safe_text(f"           fix: {finding.remediation.summary}", style="dim"))


def _unknowns(result: AuditResult, console: Console) -> None:
    unknowns = [(c.check.value, u) for c in result.checks for u in c.unknowns]
    unknowns += [("run", u) for u in result.unknowns]
    if not unknowns:
        return
    console.print(safe_text(f"Could not be determined ({len(unknowns)}):", style="bold magenta"))
    for where, unknown in unknowns[:50]:
        text = f"  [{where}] {unknown.subject}: {unknown.reason.value}"
        console.print(safe_text(text + (f" — {unknown.detail}" if unknown.detail else "")))
    if len(unknowns) > 50:
        console.print(safe_text(f"  … and {len(unknowns) - 50} more (see the JSON report)"))


def _rejections(result: AuditResult, console: Console) -> None:
    """--bounce: who rejected, which list, why, from which IP, and the first thing to do."""
    if result.rejections is None:
        return
    console.print()
    console.print(safe_text(f"Classified rejections ({len(result.rejections)}):", style="bold"))
    if not result.rejections:
        console.print(safe_text("  no rejection found in the --bounce files"))
    for item in result.rejections[:50]:
        kind = "temporary" if item.temporary else "permanent"
        where = f" on {item.blocklist}" if item.blocklist else ""
        ip = f", IP {item.sending_ip}" if item.sending_ip else ""
        line = f"  {item.provider or 'unknown provider'}{where}: {item.reason.value} ({kind}{ip})"
        console.print(safe_text(line))
        steps = item.remediation.steps or (item.remediation.summary,)
        console.print(safe_text(f"           first: {steps[0]}", style="dim"))
    if len(result.rejections) > 50:
        console.print(
            safe_text(f"  … and {len(result.rejections) - 50} more (see the JSON report)")
        )


def _verdict(result: AuditResult, console: Console) -> None:
    summary = result.summary
    counts = ", ".join(f"{n} {label}" for label, n in summary.counts.items() if n)
    console.print(
        safe_text(f"Status: {summary.status.value} (exit {summary.exit_code})", style="bold")
        + safe_text(f"; {counts}" if counts else "")
    )
    if summary.delisting_ready:
        console.print(safe_text("Delisting: ready to request delisting.", style="green"))
    elif summary.delisting_blockers:
        blockers = ", ".join(summary.delisting_blockers)
        console.print(safe_text(f"Delisting: fix these first: {blockers}", style="red"))
    elif summary.delisting_unchecked:
        unchecked = ", ".join(summary.delisting_unchecked)
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


def render_text(result: AuditResult, console: Console) -> None:
    _header(result, console)
    console.print()
    _checks(result, console)
    console.print()
    _findings(result, console)
    _unknowns(result, console)
    _rejections(result, console)
    console.print()
    _verdict(result, console)


def render_text_string(result: AuditResult, width: int = 100) -> str:
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    render_text(result, console)
    return console.export_text()
