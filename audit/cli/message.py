"""The `message` command: real messages analysed (DKIM/ARC, SPF of the connecting IP,
DMARC alignment, one-click unsubscribe, RFC 5322 format, TLS per hop) and the
per-provider compliance verdict, with the same resolver, output, format and exit-code
options as `audit`. `register(app)` adds it to the main Typer app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from audit.cli.options import DeadlineOpt, NameserverOpt, TimeoutOpt, with_options

if TYPE_CHECKING:
    from audit.engine.runner import RunPlan
    from audit.model import Severity
    from audit.net.dns import Nameserver

DEFAULT_TIMEOUT = 3.0
DEFAULT_DEADLINE = 300.0  # a 1,000-message mbox takes seconds, a large one minutes

MessageFilesArg = Annotated[
    list[str],
    typer.Argument(metavar="FILE...", help="Messages: .eml, mbox (several messages), '-' = stdin."),
]
TrustedReceiverOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--trusted-receiver",
        metavar="HOST",
        help="Trust the topmost Received header written by this host (or a host in this "
        "domain) for the connecting IP; default: the topmost (repeatable).",
    ),
]


def message_plan(
    files: tuple[str, ...],
    trusted: tuple[str, ...],
    nameservers: tuple[Nameserver, ...],
    timeout: float,
    deadline: float,
    fail_on: Severity | None,
    allow_incomplete: bool,
) -> RunPlan:
    """The message check alone, concluded with the compliance verdict."""
    from audit.engine.options import RunOptions
    from audit.engine.runner import RunPlan
    from checks.compliance import evaluate
    from checks.message.check import MessageCheck
    from checks.message.options import MessageOptions

    run = RunOptions(
        derive_ips=False,
        nameservers=nameservers,
        timeout=timeout,
        check_timeout=deadline,
        deadline=deadline,
        fail_on=fail_on,
        allow_incomplete=allow_incomplete,
    )
    options = MessageOptions(files=files, trusted_receivers=trusted)
    return RunPlan(run, (MessageCheck(),), (options,), conclude=evaluate)


def message(
    files: MessageFilesArg,
    trusted_receiver: TrustedReceiverOpt = None,
    nameserver: NameserverOpt = None,
    timeout: TimeoutOpt = None,
    deadline: DeadlineOpt = None,
    **given: Any,
) -> None:
    """Analyse real messages (DKIM/ARC, SPF, DMARC alignment, one-click, format) and give
    the per-provider compliance verdict."""
    from audit.cli.common import (
        OutputFlags,
        configure_logging,
        execute,
        resolve_nameservers,
        write_outputs,
    )
    from audit.model.inputs import parse_seconds
    from checks.message.options import parse_receivers
    from checks.message.source import validate_message_files

    flags = OutputFlags(**given)
    configure_logging(flags.verbose, flags.quiet)
    branding = flags.branding()
    paths = validate_message_files(files)
    trusted = parse_receivers(trusted_receiver or [])
    threshold = flags.threshold()
    seconds = parse_seconds(DEFAULT_TIMEOUT if timeout is None else timeout, "--timeout")
    whole = parse_seconds(DEFAULT_DEADLINE if deadline is None else deadline, "--deadline")
    planned = flags.outputs()
    nameservers = resolve_nameservers(nameserver or [])
    plan = message_plan(
        paths, trusted, nameservers, seconds, whole, threshold, flags.allow_incomplete
    )
    result = execute(plan, flags.quiet, planned)
    write_outputs(result, planned, threshold, branding)
    raise typer.Exit(result.summary.exit_code)


def register(app: typer.Typer) -> None:
    """Add `message` to the main app (called once from audit/cli/__init__.py)."""
    from audit.cli.specs import OUTPUT_OPTIONS

    app.command("message")(with_options(message, OUTPUT_OPTIONS))
