"""The `logs` command: the volume check alone over mail logs, no domain and no network.

Emits the same JSON document as `audit` (SPEC.md: target without a domain; its IPs are
the sending IPs the logs state, source "log"), with the same outputs and exit codes.
`register(app)` adds it to the main Typer app (audit/cli.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

import typer

from audit.cli.options import (
    AllowIncompleteOpt,
    BrandLogoOpt,
    BrandNameOpt,
    ClientNameOpt,
    FailOnOpt,
    FormatOpt,
    OutputOpt,
    PreparedByOpt,
    QuietOpt,
    VerboseOpt,
)

if TYPE_CHECKING:
    from audit.model import AuditResult, Severity, Target

DEFAULT_DEADLINE = 600.0  # parsing a multi-GB log takes minutes, not seconds

LogFilesArg = Annotated[
    list[str],
    typer.Argument(
        metavar="FILE...",
        help="Postfix, Exim or Mailgun events JSON logs ('-' = stdin; .gz ok); auto-detected.",
    ),
]
DomainOpt = Annotated[
    str | None,
    typer.Option("--domain", metavar="DOMAIN", help="Your mail domain (mail to it is local)."),
]


def _target(evidence: Mapping[str, Any], domain: str | None) -> Target:
    from audit.model import IpSource, SendingIp, Target

    ips = tuple(
        SendingIp(entry["ip"], IpSource.LOG, "seen in the logs")
        for entry in evidence.get("sending_ips", [])
    )
    return Target(domain, ips)


async def run_logs(
    paths: tuple[str, ...], domain: str | None, fail_on: Severity | None, allow_incomplete: bool
) -> AuditResult:
    """The volume check through the shared runner boundary (run_check) and verdict."""
    from audit.engine.context import AuditContext, AuditOptions
    from audit.engine.runner import RunClock, assemble_result, run_check
    from audit.model import ResolverInfo, Target
    from audit.net.dns import DnsClient, Nameserver
    from checks.volume.check import VolumeCheck

    run_clock = RunClock.now()
    # The check never queries DNS; the context wants a client, so it gets an idle one.
    dns = DnsClient((Nameserver.parse("127.0.0.1"),), timeout=1.0)
    options = AuditOptions(domain=domain, log_files=paths, check_timeout=DEFAULT_DEADLINE)
    ctx = AuditContext(dns, options, Target(domain, ()))
    result = await run_check(VolumeCheck(), ctx, DEFAULT_DEADLINE, True)
    return assemble_result(
        (result,),
        _target(result.evidence, domain),
        run_clock,
        ResolverInfo(nameservers=(), public=False),
        fail_on,
        allow_incomplete,
    )


def logs(
    files: LogFilesArg,
    domain: DomainOpt = None,
    format: FormatOpt = None,
    output: OutputOpt = None,
    fail_on: FailOnOpt = None,
    allow_incomplete: AllowIncompleteOpt = False,
    brand_name: BrandNameOpt = None,
    brand_logo: BrandLogoOpt = None,
    client_name: ClientNameOpt = None,
    prepared_by: PreparedByOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Outbound volume heuristics and rejection analysis over mail logs only."""
    import asyncio

    from audit.cli.common import (
        check_output_paths,
        configure_logging,
        parse_fail_on,
        plan_outputs,
        write_outputs,
    )
    from audit.maillog.ingest import parse_log_files
    from audit.model.inputs import parse_domain
    from audit.render.branding import build_branding

    configure_logging(verbose, quiet)
    branding = build_branding(brand_name, brand_logo, client_name, prepared_by)
    paths = parse_log_files(files)
    parsed_domain = parse_domain(domain) if domain else None
    threshold = parse_fail_on(fail_on or "high")
    planned = plan_outputs(output or [], format)
    check_output_paths(planned)
    result = asyncio.run(run_logs(paths, parsed_domain, threshold, allow_incomplete))
    write_outputs(result, planned, threshold, branding)
    raise typer.Exit(result.summary.exit_code)


def register(app: typer.Typer) -> None:
    """Add `logs` to the main app (called once from audit/cli.py)."""
    app.command("logs")(logs)
