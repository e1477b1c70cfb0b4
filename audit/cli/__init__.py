"""The `mailhygiene` command line (Typer). Thin: parse, build a RunPlan, run, render, exit.

Errors in user input print one line and exit 2; an internal error prints one line
naming where to report it and exits 4. Nothing else in the package calls sys.exit.

The Typer app is built in audit/cli/typer_app.py, for the one command a run invokes. A
plain `blacklist` command line is parsed without Typer (audit/cli/blacklist/fast.py:
importing Typer and building the command is ~40 ms of a ~0.2 s process), and so is
`explain TEXT` alone (audit/cli/explain.py `plain_call`); any other line goes through the app.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

from audit import IMPORTED_AT
from audit.cli.clock import start_command
from audit.model.errors import InputError

ISSUES_URL = "https://github.com/mailhygiene/mailhygiene/issues"
# Names of audit/cli/typer_app.py callers know from here (`from audit.cli import build_app`).
_APP_NAMES = frozenset({"COMMANDS", "SUMMARIES", "build_app", "root", "audit"})


def _invoked(argv: list[str]) -> str | None:
    """The command name in `argv` (the first word that is not a root option)."""
    return next((word for word in argv if not word.startswith("-")), None)


def __getattr__(name: str) -> Any:
    if name == "app":  # the full app, for tools that want it (built on first use)
        from audit.cli.typer_app import build_app

        return build_app(listing=False)
    if name in _APP_NAMES:
        from audit.cli import typer_app

        return getattr(typer_app, name)
    raise AttributeError(name)


def main(argv: list[str] | None = None) -> None:
    """Entry point: one-line errors (exit 2), internal errors (exit 4), never a traceback."""
    # The console script (no argv) calls us once, right after importing the package:
    # its imports are part of the command's time. Callers passing argv (tests,
    # embedding) start the clock now.
    start_command(IMPORTED_AT if argv is None else time.perf_counter())
    args = sys.argv[1:] if argv is None else argv
    try:
        code = _run(args, own_process=argv is None)
    except InputError as exc:
        _echo_error(f"mailhygiene: error: {exc}")
        code = 2
    except KeyboardInterrupt:
        _echo_error("mailhygiene: interrupted")
        code = 130
    except Exception as exc:  # the CLI's last line of defence: no traceback for users
        _echo_error(
            f"mailhygiene: internal error: {type(exc).__name__}: {exc} "
            f"(please report it at {ISSUES_URL}, with -v output)"
        )
        code = 4
    status = code if isinstance(code, int) else 0
    if argv is None:  # the console script: the process ends here
        end_process(status)
    sys.exit(status)


def _run(args: list[str], own_process: bool) -> Any:
    """The command's exit code: through a fast parse when one applies, else Typer."""
    call = None
    if args[:1] == ["blacklist"]:
        from audit.cli.blacklist.fast import plain_call

        call = plain_call(args, own_process)
    elif args[:1] == ["explain"]:
        from audit.cli.explain import plain_call as plain_explain

        call = plain_explain(args)
    return _run_typer(args) if call is None else as_typer_would(call)


def as_typer_would(call: Callable[[], int]) -> int:
    """Run a command parsed without Typer, ending as Typer's `_main` (typer/core.py) ends
    it: a KeyboardInterrupt with 130 and no message, an EOFError as an abort (a blank
    line, then "interrupted"), a closed stdout (EPIPE) with exit 1 and nothing more said."""
    try:
        return call()
    except KeyboardInterrupt:
        return 130
    except EOFError:
        import typer

        typer.echo(err=True)
        typer.echo("mailhygiene: interrupted", err=True)
        return 130
    except OSError as exc:
        import errno

        if exc.errno != errno.EPIPE:
            raise
        from typer._click.utils import PacifyFlushWrapper

        sys.stdout = PacifyFlushWrapper(sys.stdout)  # type: ignore[assignment]
        sys.stderr = PacifyFlushWrapper(sys.stderr)  # type: ignore[assignment]
        sys.exit(1)


def _run_typer(args: list[str]) -> Any:
    """Parse and run with the Typer app; Typer's own outcomes become exit codes here, every
    other exception goes to `main`'s handlers."""
    import typer

    from audit.cli.typer_app import build_app

    command = typer.main.get_command(build_app(_invoked(args)))
    try:
        return command.main(args=args, prog_name="mailhygiene", standalone_mode=False)
    except typer.Exit as exc:
        return exc.exit_code
    except typer.TyperException as exc:  # usage errors (exit 2) and other CLI errors
        if type(exc).__name__ == "NoArgsIsHelpError":
            typer.echo(exc.format_message())
        else:
            message = " ".join(exc.format_message().split())
            typer.echo(f"mailhygiene: error: {message}", err=True)
        return exc.exit_code
    except typer.Abort:
        typer.echo("mailhygiene: interrupted", err=True)
        return 130


def _echo_error(message: str) -> None:
    """One line on stderr, as Typer echoes it (styles stripped where stderr is no terminal)."""
    import typer

    typer.echo(message, err=True)


def end_process(status: int) -> None:
    """End the process now, without tearing the interpreter down, when that is safe.

    Finalizing clears every module and frees every object one at a time: ~45 ms after
    `blacklist IP` (dnspython, asyncio), 10-20 ms after `explain` or `--help`, for memory
    the system takes back at once anyway (mypy's command line ends the same way). What a
    normal exit does that matters still happens: the atexit handlers run (logging's flush,
    temporary directories) and stdout and stderr are flushed. A thread the normal exit
    would wait for, or a stream that cannot be flushed (a closed pipe), means returning to
    the normal exit, which reports such things as it always has.
    """
    import atexit
    import os
    import threading

    others = [t for t in threading.enumerate() if t is not threading.current_thread()]
    if any(not thread.daemon for thread in others):
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        atexit._run_exitfuncs()  # as the interpreter would; they are not run again
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):  # a broken pipe, a closed or no stream
        return
    os._exit(status)


if __name__ == "__main__":  # pragma: no cover
    main()
