"""The `logs` command: the volume check alone over mail logs, no domain and no network.

Emits the same JSON document as `audit` (SPEC.md: target without a domain; its IPs are
the sending IPs the logs state, source "log"), with the same outputs and exit codes.
`register(app)` adds it to the main Typer app (audit/cli.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from audit.cli.options import YearOpt, with_options

if TYPE_CHECKING:
    from audit.engine.runner import RunPlan
    from audit.model import AuditResult, CheckResult, Severity, Target

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


def _target_from_logs(target: Target, results: tuple[CheckResult, ...]) -> Target:
    """The sending IPs the logs state (the volume check's evidence), source "log"."""
    from audit.model import IpSource, SendingIp, Target

    evidence = results[0].evidence if results else {}
    ips = tuple(
        SendingIp(entry["ip"], IpSource.LOG, "seen in the logs")
        for entry in evidence.get("sending_ips", [])
    )
    return Target(target.domain, ips)


def logs_plan(
    paths: tuple[str, ...],
    domain: str | None,
    fail_on: Severity | None,
    allow_incomplete: bool,
    year: int | None = None,
) -> RunPlan:
    """The volume check alone: no DNS, so no nameserver and no resolver."""
    from audit.engine.options import RunOptions
    from audit.engine.runner import RunPlan
    from checks.volume.check import VolumeCheck
    from checks.volume.options import VolumeOptions

    options = RunOptions(
        domain=domain,
        derive_ips=False,
        log_files=paths,
        check_timeout=DEFAULT_DEADLINE,
        deadline=DEFAULT_DEADLINE,
        fail_on=fail_on,
        allow_incomplete=allow_incomplete,
    )
    volume = (VolumeOptions(year=year),)
    return RunPlan(options, (VolumeCheck(),), volume, retarget=_target_from_logs)


async def run_logs(
    paths: tuple[str, ...],
    domain: str | None,
    fail_on: Severity | None,
    allow_incomplete: bool,
    year: int | None = None,
) -> AuditResult:
    from audit.engine.runner import run_audit

    return await run_audit(logs_plan(paths, domain, fail_on, allow_incomplete, year))


def logs(files: LogFilesArg, domain: DomainOpt = None, year: YearOpt = None, **given: Any) -> None:
    """Outbound volume heuristics and rejection analysis over mail logs only."""
    import asyncio

    from audit.cli.common import OutputFlags, configure_logging, write_outputs
    from audit.maillog.ingest import parse_log_files
    from audit.model.inputs import parse_domain
    from checks.volume.options import parse_year

    flags = OutputFlags(**given)
    configure_logging(flags.verbose, flags.quiet)
    branding = flags.branding()
    paths = parse_log_files(files)
    parsed_domain = parse_domain(domain) if domain else None
    stated_year = parse_year(year)
    threshold = flags.threshold()
    planned = flags.outputs()
    result = asyncio.run(
        run_logs(paths, parsed_domain, threshold, flags.allow_incomplete, stated_year)
    )
    write_outputs(result, planned, threshold, branding)
    raise typer.Exit(result.summary.exit_code)


def register(app: typer.Typer) -> None:
    """Add `logs` to the main app (called once from audit/cli.py)."""
    from audit.cli.specs import OUTPUT_OPTIONS

    app.command("logs")(with_options(logs, OUTPUT_OPTIONS))
