"""The Typer app: the root, every command's registration, the listing of --help.

Built for one run by `audit.cli.main` (only the command it invokes, audit/cli/__init__.py),
or whole for tools that want it (`audit.cli.app`). Apart from the package's `__init__`, so
a command line that needs no Typer (audit/cli/blacklist/fast.py) does not import it.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Annotated, Any

import typer

from audit import __version__


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mailhygiene {__version__}")
        raise typer.Exit()


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
    from audit.cli.options import parameter
    from audit.cli.specs import RUN_OPTIONS_FIRST, RUN_OPTIONS_LAST
    from audit.engine.options import all_declarations
    from checks.options import CHECK_OPTIONS

    specs = (*RUN_OPTIONS_FIRST, *all_declarations(CHECK_OPTIONS), *RUN_OPTIONS_LAST)
    domain = inspect.Parameter(
        "domain", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None, annotation=DomainArg
    )
    return inspect.Signature([domain, *(parameter(spec) for spec in specs)])


def _register_audit(app: typer.Typer) -> None:
    audit.__signature__ = _audit_signature()  # type: ignore[attr-defined]
    audit.__annotations__ = {}  # the signature holds the (already evaluated) annotations
    app.command("audit")(audit)


def _register_module(name: str) -> Callable[[typer.Typer], None]:
    """Commands defined in their own module, registered by its `register(app)`."""

    def register(app: typer.Typer) -> None:
        importlib.import_module(f"audit.cli.{name}").register(app)

    return register


# Every command, in --help order, with what registers it. A run builds only the command it
# invokes (start-up follows use: `explain` does not build `audit`'s 30 options); --help and
# an unknown command list them all by their summaries (below), building none of them.
COMMANDS: tuple[tuple[frozenset[str], Callable[[typer.Typer], None]], ...] = (
    (frozenset({"audit"}), _register_audit),
    (frozenset({"demo"}), _register_module("demo")),
    (frozenset({"blacklist", "lists"}), _register_module("blacklist")),
    (frozenset({"explain"}), _register_module("explain")),
    (frozenset({"report"}), _register_module("report")),
    (frozenset({"logs"}), _register_module("logs")),
    (frozenset({"message"}), _register_module("message")),
)

# Each command's help text (its docstring), in --help order: all the root --help and a
# usage error show of a command, so listing them costs no import of the command's module
# and no Typer parameters (~0.1 s for all of them). tests/cli/test_help_listing.py checks
# these against the commands' own docstrings. A command missing here is listed by
# building it (same output, slower).
SUMMARIES: dict[str, str] = {
    "audit": "Run every check against DOMAIN and its sending IPs; one report.",
    "demo": "Audit the bundled offline lab (local DNS, sample zones); writes out/report.json.",
    "blacklist": "Check IPs, CIDR ranges and domains against the blocklist catalog.",
    "lists": "Print the blocklist catalog; --health checks each selected list's test points.",
    "explain": "Classify an SMTP rejection or bounce: who blocked, why, what to do.",
    "report": "Re-render a saved JSON result as html, pdf, text, junit or json (no network).",
    "logs": "Outbound volume heuristics and rejection analysis over mail logs only.",
    "message": (
        "Analyse real messages (DKIM/ARC, SPF, DMARC alignment, one-click, format) and give\n"
        "the per-provider compliance verdict."
    ),
}


def _listed_only() -> None:
    """Stands in for a command in a listing: the app it is in runs no command."""


def _list(app: typer.Typer, names: frozenset[str], register: Callable[[typer.Typer], None]) -> None:
    """Add the commands `names` by name and help text alone, else (no summary) built."""
    if not names <= SUMMARIES.keys():
        register(app)
        return
    for name in (name for name in SUMMARIES if name in names):
        app.command(name, help=SUMMARIES[name])(_listed_only)


def build_app(command: str | None = None, *, listing: bool = True) -> typer.Typer:
    """The Typer app with `command` only; when it is None or unknown, every command (only
    listed by its summary unless `listing` is False: then built, as for running it)."""
    app = typer.Typer(
        name="mailhygiene",
        help="Audit a mail domain and its sending servers and write a remediation report.",
        add_completion=False,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(root)
    known = any(command in names for names, _ in COMMANDS)
    for names, register in COMMANDS:
        if command in names or (not known and not listing):
            register(app)
        elif not known:
            _list(app, names, register)
    return app
