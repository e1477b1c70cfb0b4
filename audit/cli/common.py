"""Helpers shared by the CLI commands: nameservers, outputs, running, exit codes.

Kept apart from `audit.cli` so every command module can reuse them; heavy modules
(dnspython, rich, jinja2) are imported inside functions so `--help` stays fast. Output
planning and writing live in the render layer (audit/render/outputs.py, the format
registry in audit/render/formats.py); the commands call them through these names.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from audit.model.errors import InputError
from audit.render.branding import ReportBranding
from audit.render.outputs import Output, check_output_paths, plan_outputs, stdout_console

if TYPE_CHECKING:
    from audit.engine.runner import RunPlan
    from audit.model import AuditResult, CheckResult, Severity
    from audit.net.dns import Nameserver

__all__ = [
    "Output",
    "OutputFlags",
    "check_output_paths",
    "combine_exit_codes",
    "configure_logging",
    "execute",
    "parse_fail_on",
    "plan_outputs",
    "resolve_nameservers",
    "stdout_console",
    "write_outputs",
]


class OutputFlags(NamedTuple):  # a NamedTuple: cheap to define on blacklist's fast path
    """The report and exit options of blacklist, logs, message and report as given, one
    field per declaration of audit/cli/specs.py OUTPUT_OPTIONS (same names and order)."""

    format: str | None = None
    output: list[str] | None = None
    fail_on: str | None = None
    allow_incomplete: bool = False
    brand_name: str | None = None
    brand_logo: Path | None = None
    brand_color: str | None = None
    client_name: str | None = None
    prepared_by: str | None = None
    appendix: bool = False
    paper: str | None = None
    fixed: list[str] | None = None
    quiet: bool = False
    verbose: bool = False

    def branding(self) -> ReportBranding:
        """--brand-*, --client-name, --prepared-by, --appendix, --fixed, --paper (a bad
        logo, colour or paper size is exit 2)."""
        from audit.render.branding import build_branding

        return build_branding(
            self.brand_name,
            self.brand_logo,
            self.client_name,
            self.prepared_by,
            self.brand_color,
            self.appendix,
            self.fixed or (),
            self.paper,
        )

    def threshold(self) -> Severity | None:
        """--fail-on, high when not given."""
        return parse_fail_on(self.fail_on or "high")

    def outputs(self) -> list[Output]:
        """Where the reports go, every path checked before any work (exit 2 first)."""
        planned = plan_outputs(self.output or [], self.format)
        check_output_paths(planned)
        return planned


def configure_logging(verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.ERROR if quiet else logging.WARNING
    logging.basicConfig(
        level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )


def resolve_nameservers(given: Sequence[str]) -> tuple[Nameserver, ...]:
    """--nameserver values, else MAILHYGIENE_NAMESERVER, else the system's resolvers."""
    from audit.net import dns

    try:
        if given:
            parsed = [
                dns.Nameserver.parse(p) for text in given for p in text.replace(",", " ").split()
            ]
        else:
            parsed = dns.nameservers_from_env() or dns.system_nameservers()
    except dns.NameserverError as exc:
        raise InputError(str(exc)) from None
    if not parsed:
        raise InputError("no nameserver: pass --nameserver HOST[:PORT]")
    return tuple(dict.fromkeys(parsed))


def parse_fail_on(text: str) -> Severity | None:
    from audit.model import Severity

    if text.strip().lower() == "never":
        return None
    try:
        return Severity.parse(text)
    except ValueError:
        raise InputError(
            f"invalid --fail-on {text!r} (info, low, medium, high, critical or never)"
        ) from None


def write_outputs(
    result: AuditResult,
    outputs: Sequence[Output],
    fail_on: Severity | None,
    branding: ReportBranding | None = None,
) -> None:
    """Build the result document once and write every planned output from it."""
    from audit.render.document.build import build_document
    from audit.render.formats import RenderOptions
    from audit.render.outputs import write_outputs as write_document

    options = RenderOptions(fail_on, branding or ReportBranding())
    write_document(build_document(result), outputs, options)


def execute(plan: RunPlan, quiet: bool, outputs: Sequence[Output] = ()) -> AuditResult:
    """Run the plan; progress on stderr only when it is a terminal. The renderers that
    `outputs` need are imported while the run waits on the network."""
    from audit.engine.runner import run_audit
    from audit.render.outputs import warm_imports

    plan = plan._replace(warm_imports=(*plan.warm_imports, *warm_imports(outputs)))

    show_progress = sys.stderr.isatty() and not quiet
    if not show_progress:
        return asyncio.run(run_audit(plan))
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        total = len(plan.checks)
        task = progress.add_task(f"running {total} checks", total=total)

        def done(check_result: CheckResult) -> None:
            progress.update(task, advance=1, description=f"{check_result.check} done")

        return asyncio.run(run_audit(plan, observer=done))


def combine_exit_codes(codes: Sequence[int]) -> int:
    """Precedence 4 > 1 > 3 > 0 (SPEC.md "Exit codes")."""
    for code in (4, 1, 3):
        if code in codes:
            return code
    return 0
