"""Typer option declarations shared by the commands (same name, help and env var
everywhere). Only typer and the (light) format registry are imported here, so every
command module can use them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from audit.render.formats import names_phrase

IpOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--ip", metavar="IP", help="Sending IP (repeatable). Default: derived from MX and SPF."
    ),
]
SelectorOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--selector",
        metavar="SELECTOR",
        help="DKIM selector (repeatable). Default: common selectors are probed.",
    ),
]
PtrSuffixOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--expect-ptr-suffix",
        metavar="DOMAIN",
        help="Sending IPs' PTR names must end in this domain, e.g. mg.example.com (repeatable).",
    ),
]
HeloOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--helo",
        metavar="NAME",
        help="HELO/EHLO name the server uses, for the SPF HELO check (repeatable).",
    ),
]
SmtpHostOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--smtp-host",
        metavar="HOST[:PORT]",
        help="SMTP server to probe for open relay (repeatable). Default: the MX hosts on 25.",
    ),
]
NoRelayProbeOpt = Annotated[
    bool,
    typer.Option(
        "--no-relay-probe", help="Skip the active SMTP relay probe (the relay check is skipped)."
    ),
]
LogOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--log",
        metavar="FILE",
        help="Mail log to analyse: Postfix, Exim or Mailgun events JSON (repeatable; '-' = stdin;"
        " .gz ok).",
    ),
]
BounceOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--bounce",
        metavar="FILE",
        help="Bounce message (.eml, DSN) or rejection lines to classify into the report"
        " (repeatable).",
    ),
]
ChecksOpt = Annotated[
    str | None,
    typer.Option("--checks", metavar="ID,...", help="Only these check ids, comma-separated."),
]
SkipOpt = Annotated[
    str | None,
    typer.Option("--skip", metavar="ID,...", help="Skip these check ids, comma-separated."),
]
DnsblOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--dnsbl",
        metavar="ZONE[:ip|domain]",
        help="Add a blocklist zone: ZONE[:ip|domain] (repeatable).",
    ),
]
ListsOpt = Annotated[
    str | None,
    typer.Option(
        "--lists",
        metavar="default|all|FILE",
        help="Blocklist catalog selection: default, all, or a catalog FILE.",
    ),
]
DqsOpt = Annotated[
    str | None,
    typer.Option(
        "--spamhaus-dqs-key",
        metavar="KEY",
        envvar="MAILHYGIENE_SPAMHAUS_DQS_KEY",
        show_envvar=True,
        help="Query Spamhaus through DQS with this key (never printed).",
    ),
]
NameserverOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--nameserver",
        metavar="HOST[:PORT]",
        help=(
            "Resolver HOST[:PORT] (repeatable; env MAILHYGIENE_NAMESERVER). Default: the system's."
        ),
    ),
]
TimeoutOpt = Annotated[
    float | None,
    typer.Option("--timeout", metavar="SECONDS", help="Seconds per DNS query.  [default: 3]"),
]
DeadlineOpt = Annotated[
    float | None,
    typer.Option(
        "--deadline", metavar="SECONDS", help="Seconds for the whole run.  [default: 120]"
    ),
]
FormatOpt = Annotated[
    str | None,
    typer.Option("--format", metavar="FORMAT", help=f"{names_phrase()}."),
]
OutputOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--output",
        "-o",
        metavar="PATH",
        help="Write the report here (repeatable; '-' = stdout; format from the extension).",
    ),
]
FailOnOpt = Annotated[
    str | None,
    typer.Option(
        "--fail-on",
        metavar="SEVERITY",
        help=(
            "Exit 1 on findings at or above: info, low, medium, high, critical, never."
            "  [default: high]"
        ),
    ),
]
AllowIncompleteOpt = Annotated[
    bool,
    typer.Option(
        "--allow-incomplete", help="Exit 0 instead of 3 when some lookups could not be determined."
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="FILE",
        help="TOML file with the same options, and `domains = [...]` for batch runs.",
    ),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress, errors only.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging to stderr.")]
BrandNameOpt = Annotated[
    str | None,
    typer.Option("--brand-name", metavar="NAME", help="Your name on html/pdf reports."),
]
BrandLogoOpt = Annotated[
    Path | None,
    typer.Option(
        "--brand-logo",
        metavar="FILE",
        help="Logo for html/pdf reports (PNG, JPEG or SVG, at most 1 MB).",
    ),
]
ClientNameOpt = Annotated[
    str | None,
    typer.Option("--client-name", metavar="NAME", help="Client named on html/pdf reports."),
]
PreparedByOpt = Annotated[
    str | None,
    typer.Option("--prepared-by", metavar="NAME", help="Author named on html/pdf reports."),
]
