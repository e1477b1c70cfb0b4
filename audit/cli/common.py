"""Helpers shared by the CLI commands: nameservers, outputs, running, exit codes.

Kept apart from `audit.cli` so every command module can reuse them; heavy modules
(dnspython, rich, jinja2) are imported inside functions so `--help` stays fast.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from audit.model.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console

    from audit.engine.runner import RunPlan
    from audit.model import AuditResult, CheckResult, Severity
    from audit.net.dns import Nameserver
    from audit.render.branding import ReportBranding

FORMATS = ("text", "json", "junit", "html", "pdf")
AVAILABLE_FORMATS = ("text", "json", "junit", "html", "pdf")
BINARY_FORMATS = frozenset({"pdf"})
EXTENSIONS = {".txt": "text", ".json": "json", ".xml": "junit", ".html": "html", ".pdf": "pdf"}


PIPED_WIDTH = 120  # rich's 80-column default wraps tables badly in files and CI logs


def stdout_console() -> Console:
    """The console for reports on stdout: the terminal's width, or 120 columns when piped."""
    from rich.console import Console

    return Console(highlight=False, width=None if sys.stdout.isatty() else PIPED_WIDTH)


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


@dataclass(frozen=True)
class Output:
    path: str  # "-" is stdout
    format: str


def plan_outputs(outputs: Sequence[str], fmt: str | None) -> list[Output]:
    """Where each report goes and in which format (SPEC.md `--format`, `-o`)."""
    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"invalid --format {fmt!r} (one of {', '.join(FORMATS)})")
    planned = [] if outputs else [Output("-", fmt or "text")]
    for path in outputs:
        if path == "-":
            chosen: str | None = fmt or "text"
        else:
            chosen = fmt or EXTENSIONS.get(Path(path).suffix.lower())
        if chosen is None:
            raise InputError(
                f"cannot tell the format of {path!r}: use --format or a known extension"
            )
        planned.append(Output(path, chosen))
    for output in planned:
        if output.format not in AVAILABLE_FORMATS:
            raise InputError(
                f"the {output.format} report is not available in this version "
                f"(available: {', '.join(AVAILABLE_FORMATS)})"
            )
        if output.path == "-" and output.format in BINARY_FORMATS and sys.stdout.isatty():
            raise InputError(
                f"refusing to write {output.format.upper()} to a terminal: use -o FILE or a pipe"
            )
    return planned


def check_output_paths(outputs: Sequence[Output]) -> None:
    for output in outputs:
        if output.path == "-":
            continue
        parent = Path(output.path).resolve().parent
        if not parent.is_dir():
            raise InputError(f"cannot write {output.path}: directory {parent} does not exist")


def render(
    result: AuditResult,
    fmt: str,
    fail_on: Severity | None,
    branding: ReportBranding | None = None,
) -> str | bytes:
    """The report in one format; PDF is bytes, every other format text."""
    if fmt == "html":
        from audit.render.html import render_html

        return render_html(result, branding)
    if fmt == "pdf":
        from audit.render.pdf import render_pdf

        return render_pdf(result, branding)
    if fmt == "json":
        from audit.render.json_report import render_json

        return render_json(result)
    if fmt == "junit":
        from audit.render.junit import render_junit

        return render_junit(result, fail_on)
    from audit.render.text import render_text_string

    return render_text_string(result)


def _write_stdout(content: str | bytes) -> None:
    if isinstance(content, bytes):
        sys.stdout.buffer.write(content)
    else:
        sys.stdout.write(content)
    sys.stdout.flush()


def write_outputs(
    result: AuditResult,
    outputs: Sequence[Output],
    fail_on: Severity | None,
    branding: ReportBranding | None = None,
) -> None:
    for output in outputs:
        if output.path == "-" and output.format == "text":
            from audit.render.text import render_text

            render_text(result, stdout_console())
            continue
        content = render(result, output.format, fail_on, branding)
        if output.path == "-":
            _write_stdout(content)
            continue
        try:
            if isinstance(content, bytes):
                Path(output.path).write_bytes(content)
            else:
                Path(output.path).write_text(content, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write {output.path}: {exc.strerror or exc}") from None


def execute(plan: RunPlan, quiet: bool) -> AuditResult:
    """Run the plan; progress on stderr only when it is a terminal."""
    from audit.engine.runner import run_audit

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
