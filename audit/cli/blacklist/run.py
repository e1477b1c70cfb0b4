"""`blacklist`'s run, apart from its Typer declaration (command.py): parse the targets,
run the blacklist check through the shared runner, render, return the exit code.

Nothing here imports Typer, so a plain `blacklist` command line parsed without it
(fast.py) runs the same code as one Typer parsed. Imports of rich and the
catalog happen inside the functions; reports and exit codes come from the shared helpers
(audit/cli/common.py) and the shared verdict logic (audit/engine/verdict.py), as for `audit`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Sequence

    from audit.engine.runner import RunPlan
    from audit.knowledge.dnsbl.selection import Selection
    from audit.model import AuditResult, Severity
    from audit.net.dns import Nameserver
    from audit.render.outputs import Output

DEFAULT_TIMEOUT = 3.0
DEFAULT_DEADLINE = 120.0
DNS_CONCURRENCY = 128
DNS_LOG_LIMIT = 2000


class BlacklistRun(NamedTuple):  # a NamedTuple: a sixth of a frozen dataclass's cost to define
    ips: tuple[str, ...]
    domains: tuple[str, ...]
    lists: str
    custom: tuple[str, ...]
    dqs_key: str | None
    nameservers: tuple[Nameserver, ...]
    timeout: float
    deadline: float
    fail_on: Severity | None
    allow_incomplete: bool
    started: float | None = None  # perf_counter() at the command's start: --deadline's origin
    report_seconds_per_result: float = 0.0  # the planned reports' time per (target, list)
    report_modules: tuple[str, ...] = ()  # what the planned reports import (warmed up)


def input_error(message: str) -> Exception:
    from audit.model.errors import InputError

    return InputError(message)


def positive_seconds(value: float | None, default: float, name: str) -> float:
    from audit.model.inputs import parse_seconds

    return parse_seconds(default if value is None else value, name)


def validated_selection(run: BlacklistRun) -> Selection:
    """Fail with exit 2 before any query if --lists/--dnsbl/--spamhaus-dqs-key is bad: the
    check's own options validation (checks/blacklist/options.py), as `audit` runs it."""
    from checks.blacklist.options import BlacklistOptions

    return BlacklistOptions(run.lists, run.custom, run.dqs_key).selection


def _build_run(
    targets: list[str],
    max_targets: int | None,
    lists: str | None,
    dnsbl: list[str] | None,
    dqs_key: str | None,
    nameserver: list[str] | None,
    timeout: float | None,
    deadline: float | None,
    fail_on: str | None,
    allow_incomplete: bool,
) -> BlacklistRun:
    from audit.cli.clock import command_started
    from audit.cli.common import parse_fail_on, resolve_nameservers
    from audit.model.inputs import parse_domain
    from checks.blacklist.targets import DEFAULT_MAX_TARGETS, TargetError, parse_targets

    try:
        parsed = parse_targets(targets, parse_domain, max_targets or DEFAULT_MAX_TARGETS)
    except TargetError as exc:
        raise input_error(str(exc)) from None
    selection = BlacklistRun(
        (), (), lists or "default", tuple(dnsbl or ()), dqs_key or None,
        (), 1.0, 1.0, None, False,
    )  # fmt: skip
    validated_selection(selection)  # before anything else touches the network
    return BlacklistRun(
        ips=parsed.ips,
        domains=parsed.domains,
        lists=selection.lists,
        custom=selection.custom,
        dqs_key=selection.dqs_key,
        nameservers=resolve_nameservers(nameserver or []),
        timeout=positive_seconds(timeout, DEFAULT_TIMEOUT, "--timeout"),
        deadline=positive_seconds(deadline, DEFAULT_DEADLINE, "--deadline"),
        fail_on=parse_fail_on(fail_on or "high"),
        allow_incomplete=allow_incomplete,
        started=command_started(),
    )


# The report's modules load while the run waits on DNS (audit/engine/warmup.py), only those
# the planned outputs use: the terminal's table and text (rich, ~0.1 s) are not needed for
# JSON; the check stops itself in time for what comes after it (collect.py STOP_*).
TERMINAL_MODULES = ("audit.render.dnsbl_table", "audit.render.document.build", "audit.render.text")
RENDERER_MODULES = {"text": "audit.render.text", "json": "audit.render.json_report"}


def on_terminal(output: Output) -> bool:
    """Text on stdout: the table of listings, then the text report (`_print_text`)."""
    return output.path == "-" and output.format == "text"


def report_modules(planned: Sequence[Output]) -> tuple[str, ...]:
    """The modules the planned outputs import after the run, for it to warm up."""
    from audit.render.outputs import warm_imports

    modules = list(TERMINAL_MODULES) if any(on_terminal(o) for o in planned) else []
    written = [output for output in planned if not on_terminal(output)]
    if written:  # write_outputs: the document, then each format's renderer
        modules.append("audit.render.document.build")
        modules.extend(RENDERER_MODULES[o.format] for o in written if o.format in RENDERER_MODULES)
        modules.extend(warm_imports(written))
    return tuple(dict.fromkeys(modules))


def blacklist_plan(run: BlacklistRun, progress: object = None) -> RunPlan:
    """One blacklist check over exactly the given targets, through the shared runner."""
    from audit.engine.options import RunOptions
    from audit.engine.runner import RunPlan
    from checks.blacklist.check import BlacklistCheck
    from checks.blacklist.options import BlacklistOptions

    options = RunOptions(
        domain=run.domains[0] if len(run.domains) == 1 else None,
        given_ips=run.ips,
        derive_ips=False,
        nameservers=run.nameservers,
        timeout=run.timeout,
        concurrency=DNS_CONCURRENCY,
        multiplexed_dns=True,
        check_timeout=run.deadline,
        deadline=run.deadline,
        started=run.started,
        report_seconds_per_result=run.report_seconds_per_result,
        fail_on=run.fail_on,
        allow_incomplete=run.allow_incomplete,
        dns_log_limit=DNS_LOG_LIMIT,
    )
    return RunPlan(
        options,
        (BlacklistCheck(progress=progress),),  # type: ignore[arg-type]
        (BlacklistOptions(run.lists, run.custom, run.dqs_key),),
        target_extra={"domains": list(run.domains)} if len(run.domains) > 1 else {},
        warm_imports=run.report_modules,
    )


async def run_blacklist(run: BlacklistRun, progress: object = None) -> AuditResult:
    from audit.engine.runner import run_audit

    return await run_audit(blacklist_plan(run, progress))


def _execute(run: BlacklistRun, quiet: bool) -> AuditResult:
    import asyncio
    import sys

    if quiet or not sys.stderr.isatty():
        return asyncio.run(run_blacklist(run))
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (TextColumn("checking"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("blacklist", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return asyncio.run(run_blacklist(run, advance))


def _print_text(result: AuditResult) -> None:
    from rich.text import Text

    from audit.cli.common import stdout_console
    from audit.render.dnsbl_table import results_table
    from audit.render.document.build import build_document
    from audit.render.text import render_text

    console = stdout_console()
    table, hidden = results_table(result.checks[0].evidence)
    if table.row_count:
        console.print(table)
    if hidden:
        console.print(Text(f"{hidden} target(s) clean on every list that answered.", style="green"))
    console.print()
    render_text(build_document(result), console)


def blacklist_command(
    targets: list[str],
    max_targets: int | None = None,
    dnsbl: list[str] | None = None,
    lists: str | None = None,
    spamhaus_dqs_key: str | None = None,
    nameserver: list[str] | None = None,
    timeout: float | None = None,
    deadline: float | None = None,
    **given: Any,
) -> int:
    """`blacklist`'s work, its exit code returned. The parameters are the command's, as
    Typer parses them (command.py) or the fast parse does (fast.py); `given` holds the
    report and exit options (audit/cli/common.py OutputFlags)."""
    from audit.cli.common import OutputFlags, configure_logging, write_outputs
    from audit.render.outputs import report_seconds_per_result as report_cost

    flags = OutputFlags(**given)
    configure_logging(flags.verbose, flags.quiet)
    branding = flags.branding()
    run = _build_run(
        targets, max_targets, lists, dnsbl, spamhaus_dqs_key, nameserver,
        timeout, deadline, flags.fail_on, flags.allow_incomplete,
    )  # fmt: skip
    planned = flags.outputs()
    run = run._replace(
        report_seconds_per_result=report_cost(planned), report_modules=report_modules(planned)
    )
    result = _execute(run, flags.quiet)
    if any(on_terminal(o) for o in planned):
        _print_text(result)
    others = [o for o in planned if not on_terminal(o)]
    if others:  # building the document of a /22 takes ~0.2 s: not for no output
        write_outputs(result, others, run.fail_on, branding)
    return result.summary.exit_code
