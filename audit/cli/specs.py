"""The run-wide options' declarations (`OptionSpec`, audit/engine/options.py), without Typer.

audit/cli/options.py makes Typer options of them; the fast parse of a plain `blacklist`
command line (audit/cli/blacklist/fast.py) reads their flags here, without Typer.
"""

from __future__ import annotations

from audit.engine.options import OptionSpec, ValueKind
from audit.render.formats import names_phrase

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

# What the single-purpose commands (blacklist, logs, message, report) take after their own
# options, in --help order (audit/cli/common.py `OutputFlags` holds their values); `audit`
# takes them too, with --config between the two parts.
_EXIT_OPTIONS = (FORMAT, OUTPUT, FAIL_ON, ALLOW_INCOMPLETE)
_REPORT_OPTIONS = (
    BRAND_NAME, BRAND_LOGO, BRAND_COLOR, CLIENT_NAME, PREPARED_BY, APPENDIX, PAPER, FIXED,
    QUIET, VERBOSE,
)  # fmt: skip
OUTPUT_OPTIONS = (*_EXIT_OPTIONS, *_REPORT_OPTIONS)
# `audit`'s run-wide options around the checks' own (which follow --ip in --help).
RUN_OPTIONS_FIRST = (IP,)
RUN_OPTIONS_LAST = (
    LOG, BOUNCE, CHECKS, SKIP, NAMESERVER, TIMEOUT, DEADLINE,
    *_EXIT_OPTIONS, CONFIG, *_REPORT_OPTIONS,
)  # fmt: skip
# --checks and --skip are one comma-separated string on the command line, a list (or a
# string) in the config file.
CONFIG_LIST_KEYS = frozenset({"checks", "skip", "domains"})
