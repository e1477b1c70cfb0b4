"""The `mailhygiene` command line (Typer). Thin: parse, build a RunPlan, run, render, exit.

Errors in user input print one line and exit 2; an internal error prints one line
naming where to report it and exits 4. Nothing else in the package calls sys.exit.
"""

from __future__ import annotations

import inspect
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from audit import IMPORTED_AT, __version__
from audit.cli.clock import start_command
from audit.cli.options import RUN_OPTIONS_FIRST, RUN_OPTIONS_LAST, QuietOpt, parameter
from audit.engine.options import all_declarations
from audit.model.errors import InputError

app = typer.Typer(
    name="mailhygiene",
    help="Audit a mail domain and its sending servers and write a remediation report.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

ISSUES_URL = "https://github.com/mailhygiene/mailhygiene/issues"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mailhygiene {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Audit a mail domain and its sending servers and write a remediation report."""


DomainArg = Annotated[
    str | None, typer.Argument(metavar="DOMAIN", help="The mail domain to audit.")
]


def audit(**flags: Any) -> None:
    """Run every check against DOMAIN and its sending IPs; one report."""
    from audit.cli.audit_command import run_audit_command

    raise typer.Exit(run_audit_command(flags))


def _audit_signature() -> inspect.Signature:
    """DOMAIN, then every declared option: run-wide, each check's own, run-wide."""
    from checks.options import CHECK_OPTIONS

    specs = (*RUN_OPTIONS_FIRST, *all_declarations(CHECK_OPTIONS), *RUN_OPTIONS_LAST)
    domain = inspect.Parameter(
        "domain", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None, annotation=DomainArg
    )
    return inspect.Signature([domain, *(parameter(spec) for spec in specs)])


audit.__signature__ = _audit_signature()  # type: ignore[attr-defined]
audit.__annotations__ = {}  # the signature holds the (already evaluated) annotations
app.command("audit")(audit)


@app.command()
def demo(
    output_dir: Annotated[
        Path, typer.Option("--output-dir", metavar="DIR", help="Where to write the reports.")
    ] = Path("out"),
    quiet: QuietOpt = False,
) -> None:
    """Audit the bundled offline lab (local DNS, sample zones); writes out/report.json."""
    from audit.cli.demo import run_demo

    raise typer.Exit(run_demo(output_dir, quiet=quiet))


def _register_extensions() -> None:
    """Commands defined in their own modules (kept light: they import lazily)."""
    from audit.cli import blacklist as cli_blacklist
    from audit.cli import report as cli_report

    cli_blacklist.register(app)
    from audit.cli import explain as cli_explain

    cli_explain.register(app)
    cli_report.register(app)
    from audit.cli import logs as cli_logs

    cli_logs.register(app)


_register_extensions()


def main(argv: list[str] | None = None) -> None:
    """Entry point: one-line errors (exit 2), internal errors (exit 4), never a traceback."""
    # The console script (no argv) calls us once, right after importing the package:
    # its imports (~0.3 s) are part of the command's time. Callers passing argv (tests,
    # embedding) start the clock now.
    start_command(IMPORTED_AT if argv is None else time.perf_counter())
    command = typer.main.get_command(app)
    try:
        code = command.main(args=argv, prog_name="mailhygiene", standalone_mode=False)
    except typer.Exit as exc:
        code = exc.exit_code
    except typer.TyperException as exc:  # usage errors (exit 2) and other CLI errors
        if type(exc).__name__ == "NoArgsIsHelpError":
            typer.echo(exc.format_message())
        else:
            message = " ".join(exc.format_message().split())
            typer.echo(f"mailhygiene: error: {message}", err=True)
        code = exc.exit_code
    except InputError as exc:
        typer.echo(f"mailhygiene: error: {exc}", err=True)
        code = 2
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("mailhygiene: interrupted", err=True)
        code = 130
    except Exception as exc:  # the CLI's last line of defence: no traceback for users
        typer.echo(
            f"mailhygiene: internal error: {type(exc).__name__}: {exc} "
            f"(please report it at {ISSUES_URL}, with -v output)",
            err=True,
        )
        code = 4
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
