"""Typer option declarations shared by the commands (same name, help and env var
everywhere). Only typer is imported here, so every command module can use them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

IpOpt = Annotated[
    list[str] | None,
    typer.Option("--ip", help="Sending IP (repeatable). Default: derived from MX and SPF."),
]
SelectorOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--selector", help="DKIM selector (repeatable). Default: common selectors are probed."
    ),
]
PtrSuffixOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--expect-ptr-suffix",
        help="Sending IPs' PTR names must end in this domain, e.g. mg.example.com (repeatable).",
    ),
]
HeloOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--helo", help="HELO/EHLO name the server uses, for the SPF HELO check (repeatable)."
    ),
]
ChecksOpt = Annotated[
    str | None, typer.Option("--checks", help="Only these check ids, comma-separated.")
]
SkipOpt = Annotated[
    str | None, typer.Option("--skip", help="Skip these check ids, comma-separated.")
]
DnsblOpt = Annotated[
    list[str] | None,
    typer.Option("--dnsbl", help="Add a blocklist zone: ZONE[:ip|domain] (repeatable)."),
]
ListsOpt = Annotated[
    str | None,
    typer.Option("--lists", help="Blocklist catalog selection: default, all, or a catalog FILE."),
]
DqsOpt = Annotated[
    str | None,
    typer.Option(
        "--spamhaus-dqs-key",
        envvar="MAILHYGIENE_SPAMHAUS_DQS_KEY",
        show_envvar=True,
        help="Query Spamhaus through DQS with this key (never printed).",
    ),
]
NameserverOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--nameserver",
        help=(
            "Resolver HOST[:PORT] (repeatable; env MAILHYGIENE_NAMESERVER). Default: the system's."
        ),
    ),
]
TimeoutOpt = Annotated[
    float | None, typer.Option("--timeout", help="Seconds per DNS query.  [default: 3]")
]
DeadlineOpt = Annotated[
    float | None, typer.Option("--deadline", help="Seconds for the whole run.  [default: 120]")
]
FormatOpt = Annotated[
    str | None, typer.Option("--format", help="text, json, junit (html, pdf: not yet available).")
]
OutputOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--output",
        "-o",
        help="Write the report here (repeatable; '-' = stdout; format from the extension).",
    ),
]
FailOnOpt = Annotated[
    str | None,
    typer.Option(
        "--fail-on",
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
        "--config", help="TOML file with the same options, and `domains = [...]` for batch runs."
    ),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress, errors only.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging to stderr.")]
