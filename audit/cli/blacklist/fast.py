"""A plain `blacklist` command line, parsed without Typer: the same call, ~40 ms sooner.

Importing Typer (and the vendored click) and building the command from its signature is
~40 ms of a `blacklist IP` process that costs ~0.2 s of CPU in all (bench/bench_startup.py),
for a command line that is most often a few targets and a few `--flag value` pairs. Such a
line is parsed here into exactly the keyword arguments Typer passes to the command
(audit/cli/blacklist/command.py `blacklist`), and `blacklist_command` runs with them.

Only what is unambiguous is parsed: the command name first, targets that do not start with
"-", each option once (a list option any number of times), values in the forms
`--flag VALUE`, `--flag=VALUE` or `-o VALUE`, numbers as plain decimals. Anything else
(--help, a root option, a bad or unusual value, an option's environment variable being
set, an option whose value is a path) returns None, and the line goes through Typer,
which says what it always said. tests/cli/test_fast_parse.py checks the table below
against the Typer command and the parse against Typer's on the same lines.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

COMMAND = "blacklist"
# click.FLOAT and click.IntRange(min=1) accept more spellings (" 3", "1e3", "inf"); the
# plain ones are parsed here and the others left to them: a decimal is [0-9]{1,9} with an
# optional .[0-9]{1,9}, a count [1-9][0-9]{0,8} (tested with str methods: compiling the two
# regular expressions was ~1 ms of every `blacklist` start).
MAX_DIGITS = 9
GC_YOUNG_THRESHOLD = 50_000  # see _defer_collections


class Kind(enum.Enum):
    SWITCH = "switch"  # a flag without a value: True when given
    TEXT = "text"  # one value, at most once
    LIST = "list"  # repeatable; the values in order
    NUMBER = "number"  # one float
    COUNT = "count"  # one int >= 1
    UNPARSED = "unparsed"  # given at all: leave the line to Typer


class Param(NamedTuple):  # a NamedTuple: a sixth of a frozen dataclass's cost to define
    name: str  # the command function's parameter
    flags: tuple[str, ...]
    kind: Kind
    envvar: str | None = None  # when set, click reads the value from it: leave it to Typer


def blacklist_params() -> tuple[Param, ...]:
    """`blacklist`'s options, from the declarations its Typer options are made of."""
    from audit.cli import specs
    from audit.engine.options import OptionSpec, ValueKind
    from checks.blacklist.options import BlacklistOptions

    kinds = {
        ValueKind.BOOL: Kind.SWITCH,
        ValueKind.STR: Kind.TEXT,
        ValueKind.LIST: Kind.LIST,
        ValueKind.NUMBER: Kind.NUMBER,
        ValueKind.PATH: Kind.UNPARSED,
    }
    own = {spec.name: spec for spec in BlacklistOptions.declarations}

    def of(spec: OptionSpec) -> Param:
        return Param(spec.name, spec.flags, kinds[spec.kind], spec.envvar)

    run_wide = (specs.NAMESERVER, specs.TIMEOUT, specs.DEADLINE, *specs.OUTPUT_OPTIONS)
    return (
        Param("max_targets", ("--max-targets",), Kind.COUNT),
        *(of(own[name]) for name in ("dnsbl", "lists", "spamhaus_dqs_key")),
        *(of(spec) for spec in run_wide),
    )


def _digits(text: str) -> bool:
    """[0-9]{1,9}: ASCII digits only (str.isdigit alone admits "²" and other scripts')."""
    return 0 < len(text) <= MAX_DIGITS and text.isascii() and text.isdigit()


def _decimal(text: str) -> bool:
    whole, dot, fraction = text.partition(".")
    return _digits(whole) and (not dot or _digits(fraction))


def _value(param: Param, text: str) -> Any:
    """The typed value of one option, or None when Typer is to judge `text`."""
    if param.kind is Kind.NUMBER:
        return float(text) if _decimal(text) else None
    if param.kind is Kind.COUNT:
        return int(text) if _digits(text) and text[0] != "0" else None
    if param.kind in (Kind.TEXT, Kind.LIST):
        return text if text and (text == "-" or not text.startswith("-")) else None
    return None


def parse(argv: Sequence[str], params: Sequence[Param]) -> dict[str, Any] | None:
    """The keyword arguments Typer calls the command with, or None (not a plain line)."""
    if not argv or argv[0] != COMMAND:
        return None
    if any(p.envvar and p.envvar in os.environ for p in params):
        return None
    by_flag = {flag: param for param in params for flag in param.flags}
    values: dict[str, Any] = {p.name: False if p.kind is Kind.SWITCH else None for p in params}
    targets: list[str] = []
    given: set[str] = set()
    words = iter(argv[1:])
    for word in words:
        if not word.startswith("-"):
            targets.append(word)
            continue
        flag, equals, inline = word.partition("=") if word.startswith("--") else (word, "", "")
        param = by_flag.get(flag)
        if param is None or (param.name in given and param.kind is not Kind.LIST):
            return None
        given.add(param.name)
        if param.kind is Kind.SWITCH:
            if equals:
                return None
            values[param.name] = True
            continue
        value = _value(param, inline if equals else next(words, ""))
        if value is None:
            return None
        if param.kind is Kind.LIST:
            value = [*(values[param.name] or ()), value]
        values[param.name] = value
    return {"targets": targets, **values} if targets else None


def _defer_collections() -> None:
    """Let the cyclic garbage collector run once per GC_YOUNG_THRESHOLD new containers, not
    per 700 (CPython's default): `blacklist IP` creates ~35k (modules, classes, functions,
    lookups) that nearly all live to the end, and the default has the collector scan them
    ~50 times over (8-15 ms, ~5 % of the process). Reference counting frees everything else
    as before; cycles wait for the next collection, at most this many objects later."""
    import gc

    _young, *older = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *older)


def plain_call(argv: Sequence[str], own_process: bool = False) -> Callable[[], int] | None:
    """A plain `blacklist` line as the call Typer would make (audit/cli/__init__.py runs it
    as Typer would, `as_typer_would`); None when Typer must parse it. `own_process`: the
    console script's run, which ends the process (the collector's pace is then ours to
    set; a caller's process keeps its own)."""
    if argv[:1] != [COMMAND]:  # before anything is imported: --help and the others
        return None
    if own_process:
        _defer_collections()
    kwargs = parse(argv, blacklist_params())
    if kwargs is None:
        return None
    from audit.cli.blacklist.run import blacklist_command

    return lambda: blacklist_command(**kwargs)
