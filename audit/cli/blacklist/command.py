"""The `blacklist` and `lists` commands for Typer. Thin: parse, run the check, render, exit.

`register(app)` adds both commands to the main Typer app (audit/cli/typer_app.py). What
`blacklist` runs is in run.py beside it (no Typer there: a plain command line is parsed
without it, fast.py). Imports of rich and the catalog happen inside the commands so
`mailhygiene --help` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from audit.cli.blacklist.run import (
    DEFAULT_DEADLINE,
    DEFAULT_TIMEOUT,
    DNS_CONCURRENCY,
    BlacklistRun,
    blacklist_command,
    input_error,
    positive_seconds,
    validated_selection,
)
from audit.cli.options import (
    DeadlineOpt,
    DnsblOpt,
    DqsOpt,
    ListsOpt,
    NameserverOpt,
    QuietOpt,
    TimeoutOpt,
    VerboseOpt,
    with_options,
)

if TYPE_CHECKING:
    from audit.knowledge.dnsbl.selection import Selection

TargetsArg = Annotated[
    list[str],
    typer.Argument(
        metavar="TARGET...",
        help="IPv4/IPv6 addresses, CIDR ranges, domains, or @FILE (one per line).",
    ),
]
MaxTargetsOpt = Annotated[
    int | None,
    typer.Option("--max-targets", metavar="N", help="Allow more targets than 4096 (a /20).", min=1),
]


def blacklist(
    targets: TargetsArg,
    max_targets: MaxTargetsOpt = None,
    dnsbl: DnsblOpt = None,
    lists: ListsOpt = None,
    spamhaus_dqs_key: DqsOpt = None,
    nameserver: NameserverOpt = None,
    timeout: TimeoutOpt = None,
    deadline: DeadlineOpt = None,
    **given: Any,
) -> None:
    """Check IPs, CIDR ranges and domains against the blocklist catalog."""
    raise typer.Exit(
        blacklist_command(
            targets,
            max_targets,
            dnsbl,
            lists,
            spamhaus_dqs_key,
            nameserver,
            timeout,
            deadline,
            **given,
        )
    )


HealthOpt = Annotated[
    bool, typer.Option("--health", help="Query each list's RFC 5782 test points.")
]
ListsFormatOpt = Annotated[str, typer.Option("--format", metavar="FORMAT", help="text or json.")]


def _catalog_document(selection: Selection, health: list | None) -> dict:
    from audit.knowledge.dnsbl.catalog import shipped_catalog
    from audit.knowledge.dnsbl.listing import catalog_entry

    selected = {s.entry.id for s in selection.lists}
    document: dict = {
        "schema_version": "1",
        "lists": [catalog_entry(e, e.id in selected) for e in shipped_catalog().lists],
    }
    if health is not None:
        document["health"] = [
            {"id": s.entry.id, "zone": s.display_zone, "health": h.health.value, "detail": h.detail}
            for s, h in health
        ]
    return document


async def _health_of(selection: Selection, run: BlacklistRun) -> list:
    import asyncio

    from audit.knowledge.dnsbl.selection import KEY_PLACEHOLDER
    from audit.net.dns_mux import MuxDnsClient
    from checks.blacklist.check import list_health

    dns = MuxDnsClient(run.nameservers, timeout=run.timeout, retries=1, concurrency=DNS_CONCURRENCY)
    for secret in selection.secrets:
        dns.redact(secret, KEY_PLACEHOLDER)
    try:
        healths = await asyncio.gather(*(list_health(dns, s) for s in selection.lists))
    finally:
        dns.close()
    return list(zip(selection.lists, healths, strict=True))


def lists_command(
    health: HealthOpt = False,
    lists: ListsOpt = None,
    dnsbl: DnsblOpt = None,
    spamhaus_dqs_key: DqsOpt = None,
    nameserver: NameserverOpt = None,
    timeout: TimeoutOpt = None,
    format: ListsFormatOpt = "text",
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Print the blocklist catalog; --health checks each selected list's test points."""
    import asyncio
    import json

    from audit.cli.common import configure_logging

    configure_logging(verbose, quiet)
    if format not in ("text", "json"):
        raise input_error(f"invalid --format {format!r} (text or json)")
    run = BlacklistRun(
        (), (), lists or "default", tuple(dnsbl or ()), spamhaus_dqs_key or None,
        (), positive_seconds(timeout, DEFAULT_TIMEOUT, "--timeout"), DEFAULT_DEADLINE, None, False,
    )  # fmt: skip
    selection = validated_selection(run)
    results = None
    if health:
        from audit.cli.common import resolve_nameservers

        run = run._replace(nameservers=resolve_nameservers(nameserver or []))
        results = asyncio.run(_health_of(selection, run))
    if format == "json":
        typer.echo(json.dumps(_catalog_document(selection, results), indent=2, sort_keys=True))
    else:
        _print_lists(selection, results)
    unhealthy = results is not None and any(h.health.value != "healthy" for _, h in results)
    raise typer.Exit(3 if unhealthy else 0)


def _print_lists(selection: Selection, results: list | None) -> None:
    from audit.cli.common import stdout_console
    from audit.knowledge.dnsbl.catalog import shipped_catalog
    from audit.render.dnsbl_table import catalog_table, health_table

    console = stdout_console()
    if results is not None:
        console.print(health_table(results))
        return
    console.print(catalog_table(shipped_catalog().lists, {s.entry.id for s in selection.lists}))


def register(app: typer.Typer) -> None:
    """Add `blacklist` and `lists` to the main app (called once from audit/cli/typer_app.py)."""
    from audit.cli.specs import OUTPUT_OPTIONS

    app.command("blacklist")(with_options(blacklist, OUTPUT_OPTIONS))
    app.command("lists")(lists_command)
