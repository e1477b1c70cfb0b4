"""The fast parse of plain `blacklist` lines (audit/cli/blacklist/fast.py) is Typer's.

Its table of options is checked against the Typer command's parameters, its keyword
arguments against those Typer calls the command with on the same line, and every line it
does not fully understand is left to Typer.
"""

from __future__ import annotations

import gc
import inspect
import itertools
import os
import re
import subprocess
import sys
from typing import Any

import pytest
import typer
from support.paths import REPO

from audit.cli import main
from audit.cli.blacklist import command as blacklist_module
from audit.cli.blacklist import run as run_module
from audit.cli.blacklist.fast import (
    GC_YOUNG_THRESHOLD,
    Kind,
    Param,
    _value,
    blacklist_params,
    parse,
)
from audit.cli.blacklist.run import blacklist_command
from audit.cli.typer_app import build_app
from audit.model.errors import InputError
from checks.blacklist.options import DQS_ENVVAR

PLAIN_LINES = [
    ["blacklist", "192.0.2.1"],
    ["blacklist", "192.0.2.1", "192.0.2.0/30", "example.org"],
    ["blacklist", "192.0.2.1", "--nameserver", "127.0.0.1:5353", "--format", "json"],
    ["blacklist", "--format=json", "192.0.2.1", "-q", "--timeout", "0.2", "--deadline", "30"],
    ["blacklist", "192.0.2.1", "-o", "-", "-o", "out.html", "--output=r.json", "-v"],
    ["blacklist", "192.0.2.1", "--dnsbl", "a.example", "--dnsbl=b.example:domain"],
    ["blacklist", "192.0.2.1", "--lists", "all", "--max-targets", "5000", "--allow-incomplete"],
    ["blacklist", "192.0.2.1", "--fail-on", "never", "--fixed", "DNSBL_LISTED", "--appendix"],
    ["blacklist", "192.0.2.1", "--brand-name", "Acme Mail", "--paper=letter", "--quiet"],
    ["blacklist", "@targets.txt", "--client-name", "C", "--prepared-by", "P"],
    ["blacklist", "192.0.2.1", "--brand-color", "#1f3a5f", "--spamhaus-dqs-key", "k" * 26],
    ["blacklist", "192.0.2.1", "--format", "a=b"],
]
TYPER_LINES = [
    ["blacklist"],  # no target: Typer's usage error
    ["blacklist", "--help"],
    ["blacklist", "192.0.2.1", "-h"],
    ["--version", "blacklist", "192.0.2.1"],
    ["lists"],
    ["blacklist", "192.0.2.1", "-qv"],
    ["blacklist", "192.0.2.1", "--timeout", "1e3"],
    ["blacklist", "192.0.2.1", "--timeout", "-1"],
    ["blacklist", "192.0.2.1", "--timeout"],
    ["blacklist", "192.0.2.1", "--max-targets", "0"],
    ["blacklist", "192.0.2.1", "--format", "json", "--format", "text"],
    ["blacklist", "192.0.2.1", "--format", ""],
    ["blacklist", "192.0.2.1", "--nameserver", "-x"],
    ["blacklist", "192.0.2.1", "--quiet=yes"],
    ["blacklist", "192.0.2.1", "--brand-logo", "logo.png"],
    ["blacklist", "192.0.2.1", "--no-such-option"],
    ["blacklist", "--", "192.0.2.1"],
    ["blacklist", "-", "192.0.2.1"],
    ["blacklist", "192.0.2.1", "-o=out.json"],
]


# The plain spellings of a number the fast parse takes (the rest goes to click).
DECIMAL = re.compile(r"[0-9]{1,9}(\.[0-9]{1,9})?")
COUNT = re.compile(r"[1-9][0-9]{0,8}")
NUMBER_TEXTS = [
    *("".join(chars) for n in range(1, 5) for chars in itertools.product("019.a²", repeat=n)),
    *("", "1234567890", "123456789.123456789", "1.1234567890", "1e3", " 3", "3\n", "١"),
]


def typer_command() -> Any:
    group = typer.main.get_command(build_app("blacklist"))
    return group.commands["blacklist"]


def typer_kwargs(argv: list[str], monkeypatch) -> dict:
    """The keyword arguments Typer's `blacklist` passes on to `blacklist_command`."""
    seen: dict = {}

    def capture(*args, **kwargs) -> int:
        arguments = inspect.signature(blacklist_command).bind(*args, **kwargs).arguments
        given = arguments.pop("given", {})  # the output options, by name
        seen.update(arguments)
        seen.update(given)
        return 0

    monkeypatch.setattr(blacklist_module, "blacklist_command", capture)
    group = typer.main.get_command(build_app("blacklist"))
    assert group.main(args=argv, prog_name="mailhygiene", standalone_mode=False) == 0
    return seen


def typer_kind(param) -> Kind:
    """What the fast parse must make of a click parameter (an unknown type fails)."""
    if param.is_flag:
        return Kind.SWITCH
    if param.multiple:
        return Kind.LIST
    value_type = type(param.type).__name__
    if value_type == "IntRange":  # --max-targets: at least 1, as the fast parse takes it
        assert (param.type.min, param.type.max, param.type.min_open) == (1, None, False)
    kinds = {
        "StringParamType": Kind.TEXT,
        "FloatParamType": Kind.NUMBER,
        "IntRange": Kind.COUNT,
        "TyperPath": Kind.UNPARSED,
    }
    return kinds[value_type]


def test_the_table_is_the_typer_commands_options():
    # given the Typer command's options (all but the targets and --help)
    options = [p for p in typer_command().params if p.name not in ("targets", "help")]
    # when each one's name, flags, kind of value and environment variable are compared
    typer_side = [(p.name, tuple(p.opts), typer_kind(p), p.envvar) for p in options]
    # then the fast parse's table has the same options, in the same order
    assert typer_side == [(p.name, p.flags, p.kind, p.envvar) for p in blacklist_params()]
    assert all(not p.secondary_opts for p in options)  # no --flag/--no-flag pairs


@pytest.mark.parametrize("argv", PLAIN_LINES, ids=" ".join)
def test_a_plain_line_parses_to_what_typer_passes(argv, monkeypatch):
    # given a plain blacklist line, with no option's environment variable set
    monkeypatch.delenv(DQS_ENVVAR, raising=False)
    # when both parse it, then the command gets the same arguments
    assert parse(argv, blacklist_params()) == typer_kwargs(argv, monkeypatch)


@pytest.mark.parametrize("argv", TYPER_LINES, ids=" ".join)
def test_any_other_line_is_left_to_typer(argv, monkeypatch):
    monkeypatch.delenv(DQS_ENVVAR, raising=False)
    assert parse(argv, blacklist_params()) is None


def test_an_option_set_from_its_environment_variable_is_left_to_typer(monkeypatch):
    # given the DQS key in the environment (click reads it when the flag is absent)
    monkeypatch.setitem(os.environ, DQS_ENVVAR, "k" * 26)
    # when a plain line is parsed, then Typer parses it
    assert parse(["blacklist", "192.0.2.1"], blacklist_params()) is None


@pytest.mark.parametrize(
    "raised",
    [KeyboardInterrupt(), EOFError(), InputError("bad target"), RuntimeError("boom")],
    ids=lambda exc: type(exc).__name__,
)
def test_what_the_command_raises_ends_the_same_on_both_paths(raised, monkeypatch, capsys):
    # given a blacklist run that raises, once parsed fast and once by Typer (the same line
    # with the DQS key in the environment, which the fast parse leaves to Typer)
    def fail(*args, **kwargs) -> int:
        raise raised

    monkeypatch.setattr(run_module, "blacklist_command", fail)
    monkeypatch.setattr(blacklist_module, "blacklist_command", fail)
    monkeypatch.delenv(DQS_ENVVAR, raising=False)
    argv = ["blacklist", "192.0.2.1", "--format", "json"]

    def outcome() -> tuple[object, str, str]:
        with pytest.raises(SystemExit) as exited:
            main(argv)
        return (exited.value.code, *capsys.readouterr())

    assert parse(argv, blacklist_params()) is not None  # the fast path takes it
    fast = outcome()
    monkeypatch.setitem(os.environ, DQS_ENVVAR, "k" * 26)
    assert parse(argv, blacklist_params()) is None  # Typer takes it
    # when each ends, then the exit code, stdout and stderr are the same
    assert fast == outcome()


# Nothing listens on port 9: every lookup times out (0.2 s), then the JSON report is written.
TIMED_OUT_LINE = ["blacklist", "192.0.2.1", "--nameserver", "127.0.0.1:9", "--timeout", "0.2",
                  "--format", "json"]  # fmt: skip


def test_a_number_is_parsed_exactly_when_its_plain_spelling_matches():
    # given: a number option and a count option, and texts around the plain spellings
    number, count = Param("timeout", (), Kind.NUMBER), Param("max_targets", (), Kind.COUNT)
    for text in NUMBER_TEXTS:
        # when: the fast parse reads each
        # then: it takes a value where the regular expression matches it whole, else none
        assert (_value(number, text) is not None) == bool(DECIMAL.fullmatch(text)), text
        assert (_value(count, text) is not None) == bool(COUNT.fullmatch(text)), text


def test_the_console_scripts_run_defers_garbage_collections():
    # given a plain line run as the console script runs it (main() ends the process)
    code = (
        "import atexit, gc, sys\nfrom audit.cli import main\n"
        "atexit.register(lambda: print(gc.get_threshold()[0], file=sys.stderr))\nmain()"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code, *TIMED_OUT_LINE], cwd=REPO, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    # when it has ended, then the collector ran once per GC_YOUNG_THRESHOLD new objects
    assert completed.stderr.strip().splitlines()[-1] == str(GC_YOUNG_THRESHOLD)


def test_a_callers_process_keeps_its_garbage_collector_pace(capsys):
    # given a caller's process (main(argv): tests, embedding)
    before = gc.get_threshold()
    # when a plain line runs in it, then the collector's thresholds are the caller's
    with pytest.raises(SystemExit):
        main(TIMED_OUT_LINE)
    assert gc.get_threshold() == before
