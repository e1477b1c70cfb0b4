"""The run-wide options' declarations, and how any `OptionSpec` becomes a Typer option.

Check options are declared by their check (`checks/<id>/options.py`, listed in
`checks/options.py`); the run-wide ones here, in the same form, so `audit` builds every
parameter and every --config key in one loop. The `...Opt` aliases reuse the same
declarations for the single-purpose commands (same name, help and env var everywhere).
Only typer and light modules are imported here, so every command module can use them.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Annotated, Any

import typer

from audit.engine.options import OptionSpec, ValueKind
from audit.render.formats import names_phrase
from checks.blacklist.options import BlacklistOptions
from checks.volume.options import VolumeOptions

IP = OptionSpec(
    "ip",
    ("--ip",),
    "Sending IP (repeatable). Default: derived from MX and SPF.",
    ValueKind.LIST,
    metavar="IP",
)
LOG = OptionSpec(
    "log",
    ("--log",),
    "Mail log to analyse: Postfix, Exim or Mailgun events JSON (repeatable; '-' = stdin; .gz ok).",
    ValueKind.LIST,
    metavar="FILE",
)
BOUNCE = OptionSpec(
    "bounce",
    ("--bounce",),
    "Bounce message (.eml, DSN) or rejection lines to classify into the report (repeatable).",
    ValueKind.LIST,
    metavar="FILE",
)
CHECKS = OptionSpec(
    "checks", ("--checks",), "Only these check ids, comma-separated.", metavar="ID,..."
)
SKIP = OptionSpec("skip", ("--skip",), "Skip these check ids, comma-separated.", metavar="ID,...")
NAMESERVER = OptionSpec(
    "nameserver",
    ("--nameserver",),
    "Resolver HOST[:PORT] (repeatable; env MAILHYGIENE_NAMESERVER). Default: the system's.",
    ValueKind.LIST,
    metavar="HOST[:PORT]",
)
TIMEOUT = OptionSpec(
    "timeout",
    ("--timeout",),
    "Seconds per DNS query.  [default: 3]",
    ValueKind.NUMBER,
    metavar="SECONDS",
)
DEADLINE = OptionSpec(
    "deadline",
    ("--deadline",),
    "Seconds for the whole run.  [default: 120]",
    ValueKind.NUMBER,
    metavar="SECONDS",
)
FORMAT = OptionSpec("format", ("--format",), f"{names_phrase()}.", metavar="FORMAT")
OUTPUT = OptionSpec(
    "output",
    ("--output", "-o"),
    "Write the report here (repeatable; '-' = stdout; format from the extension).",
    ValueKind.LIST,
    metavar="PATH",
)
FAIL_ON = OptionSpec(
    "fail_on",
    ("--fail-on",),
    "Exit 1 on findings at or above: info, low, medium, high, critical, never.  [default: high]",
    metavar="SEVERITY",
)
ALLOW_INCOMPLETE = OptionSpec(
    "allow_incomplete",
    ("--allow-incomplete",),
    "Exit 0 instead of 3 when some lookups could not be determined.",
    ValueKind.BOOL,
)
CONFIG = OptionSpec(
    "config",
    ("--config",),
    "TOML file with the same options, and `domains = [...]` for batch runs.",
    ValueKind.PATH,
    metavar="FILE",
    config_key=False,
)
BRAND_NAME = OptionSpec(
    "brand_name", ("--brand-name",), "Your name on html/pdf reports.", metavar="NAME"
)
BRAND_LOGO = OptionSpec(
    "brand_logo",
    ("--brand-logo",),
    "Logo for html/pdf reports (PNG, JPEG or SVG, at most 1 MB).",
    ValueKind.PATH,
    metavar="FILE",
)
BRAND_COLOR = OptionSpec(
    "brand_color",
    ("--brand-color",),
    "Accent colour of html/pdf reports (hex, e.g. #1f3a5f).",
    metavar="#RRGGBB",
)
APPENDIX = OptionSpec(
    "appendix",
    ("--appendix",),
    "Include the raw-evidence annex in pdf reports (html and json always have it).",
    ValueKind.BOOL,
)
PAPER = OptionSpec(
    "paper",
    ("--paper",),
    "Page size of pdf reports: a4 or letter.  [default: a4]",
    metavar="SIZE",
)
FIXED = OptionSpec(
    "fixed",
    ("--fixed",),
    "Finding code you have fixed; delisting letters state it as done (repeatable).",
    ValueKind.LIST,
    metavar="CODE",
)
CLIENT_NAME = OptionSpec(
    "client_name", ("--client-name",), "Client named on html/pdf reports.", metavar="NAME"
)
PREPARED_BY = OptionSpec(
    "prepared_by", ("--prepared-by",), "Author named on html/pdf reports.", metavar="NAME"
)
QUIET = OptionSpec(
    "quiet", ("--quiet", "-q"), "No progress, errors only.", ValueKind.BOOL, config_key=False
)
VERBOSE = OptionSpec(
    "verbose", ("--verbose", "-v"), "Debug logging to stderr.", ValueKind.BOOL, config_key=False
)

# `audit`'s run-wide options around the checks' own (which follow --ip in --help).
RUN_OPTIONS_FIRST = (IP,)
RUN_OPTIONS_LAST = (
    LOG,
    BOUNCE,
    CHECKS,
    SKIP,
    NAMESERVER,
    TIMEOUT,
    DEADLINE,
    FORMAT,
    OUTPUT,
    FAIL_ON,
    ALLOW_INCOMPLETE,
    CONFIG,
    BRAND_NAME,
    BRAND_LOGO,
    BRAND_COLOR,
    CLIENT_NAME,
    PREPARED_BY,
    APPENDIX,
    PAPER,
    FIXED,
    QUIET,
    VERBOSE,
)
# --checks and --skip are one comma-separated string on the command line, a list (or a
# string) in the config file.
CONFIG_LIST_KEYS = frozenset({"checks", "skip", "domains"})

_PYTHON_TYPES: dict[ValueKind, Any] = {
    ValueKind.LIST: list[str] | None,
    ValueKind.STR: str | None,
    ValueKind.NUMBER: float | None,
    ValueKind.BOOL: bool,
    ValueKind.PATH: Path | None,
}


def typer_option(spec: OptionSpec) -> Any:
    """The `typer.Option` of one declaration."""
    return typer.Option(
        *spec.flags,
        metavar=spec.metavar,
        help=spec.help,
        envvar=spec.envvar,
        show_envvar=spec.envvar is not None,
    )


def parameter(spec: OptionSpec) -> inspect.Parameter:
    """A keyword parameter for a command built from declarations (`audit`)."""
    default = False if spec.kind is ValueKind.BOOL else None
    python_type = _PYTHON_TYPES[spec.kind]
    # Built at run time from the declaration; mypy only checks static annotations.
    annotation = Annotated[python_type, typer_option(spec)]  # type: ignore[valid-type]
    return inspect.Parameter(
        spec.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )


def _blacklist_spec(name: str) -> OptionSpec:
    return next(spec for spec in BlacklistOptions.declarations if spec.name == name)


IpOpt = Annotated[list[str] | None, typer_option(IP)]
NameserverOpt = Annotated[list[str] | None, typer_option(NAMESERVER)]
TimeoutOpt = Annotated[float | None, typer_option(TIMEOUT)]
DeadlineOpt = Annotated[float | None, typer_option(DEADLINE)]
FormatOpt = Annotated[str | None, typer_option(FORMAT)]
OutputOpt = Annotated[list[str] | None, typer_option(OUTPUT)]
FailOnOpt = Annotated[str | None, typer_option(FAIL_ON)]
AllowIncompleteOpt = Annotated[bool, typer_option(ALLOW_INCOMPLETE)]
QuietOpt = Annotated[bool, typer_option(QUIET)]
VerboseOpt = Annotated[bool, typer_option(VERBOSE)]
BrandNameOpt = Annotated[str | None, typer_option(BRAND_NAME)]
BrandLogoOpt = Annotated[Path | None, typer_option(BRAND_LOGO)]
ClientNameOpt = Annotated[str | None, typer_option(CLIENT_NAME)]
PreparedByOpt = Annotated[str | None, typer_option(PREPARED_BY)]
BrandColorOpt = Annotated[str | None, typer_option(BRAND_COLOR)]
AppendixOpt = Annotated[bool, typer_option(APPENDIX)]
FixedOpt = Annotated[list[str] | None, typer_option(FIXED)]
PaperOpt = Annotated[str | None, typer_option(PAPER)]
DnsblOpt = Annotated[list[str] | None, typer_option(_blacklist_spec("dnsbl"))]
ListsOpt = Annotated[str | None, typer_option(_blacklist_spec("lists"))]
DqsOpt = Annotated[str | None, typer_option(_blacklist_spec("spamhaus_dqs_key"))]
(_YEAR,) = VolumeOptions.declarations
YearOpt = Annotated[float | None, typer_option(_YEAR)]
