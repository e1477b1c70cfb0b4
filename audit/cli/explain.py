"""The `explain` command: classify SMTP rejections and bounces. Thin: read, explain, write.

`register(app)` adds the command to the main Typer app (audit/cli.py). Everything beyond
typer is imported inside the command so `import audit.cli` stays light. Exit codes (SPEC.md):
0 when the input was read (every rejection found classified, even as "other"; an input with
no rejection listed as unclassified, with the reason), 2 on bad input (unreadable, empty, binary).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer

    from audit.bounce.input import InputText

EXPLAIN_FORMATS = ("text", "json")


def _input_error(message: str) -> Exception:
    from audit.model.errors import InputError

    return InputError(message)


def gather_inputs(text: str | None, files: list[str]) -> Iterator[InputText]:
    """The inputs in order, read one at a time: TEXT, then each --file (a directory gives
    each file under it), else stdin."""
    from audit.bounce import input as bounce_input

    if text is None and not files:
        if sys.stdin is None or sys.stdin.isatty():
            raise _input_error(
                "nothing to explain: give TEXT, --file FILE, or pipe the bounce on stdin"
            )
        yield bounce_input.read_stream("<stdin>", sys.stdin.buffer)
        return
    if text is not None:
        yield bounce_input.from_argument(text)
    for path in files:
        if path == "-":
            yield bounce_input.read_stream("<stdin>", sys.stdin.buffer)
        else:
            yield from bounce_input.read_paths([path])


def choose_format(fmt: str | None, output: str | None) -> str:
    if fmt is not None:
        if fmt not in EXPLAIN_FORMATS:
            raise _input_error(f"invalid --format {fmt!r} (text or json)")
        return fmt
    if output and output != "-" and Path(output).suffix.lower() == ".json":
        return "json"
    return "text"


def write(content: str, output: str | None) -> None:
    if output is None or output == "-":
        sys.stdout.write(content)
        sys.stdout.flush()
        return
    try:
        Path(output).write_text(content, encoding="utf-8")
    except OSError as exc:
        raise _input_error(f"cannot write {output}: {exc.strerror or exc}") from None


def run_explain(text: str | None, files: list[str], fmt: str | None, output: str | None) -> int:
    from audit.bounce.explain import explain_inputs, render_json
    from audit.render.explain import render_text

    chosen = choose_format(fmt, output)
    # Unreadable, empty and binary input are InputErrors (exit 2) when read; what was read
    # but held no rejection is reported as unclassified, with the reason (exit 0).
    explained = explain_inputs(gather_inputs(text, files))
    render = render_json if chosen == "json" else render_text
    write(render(explained.classifications, explained.truncated, explained.unclassified), output)
    return 0


def plain_call(argv: list[str]) -> Callable[[], int] | None:
    """`explain TEXT` alone, the most common line, as the call Typer would make; None for
    anything else (options, --help, a TEXT that starts with "-", no TEXT): Typer parses
    those. Importing Typer and building the command is ~60 ms of such a process."""
    if len(argv) != 2 or argv[0] != "explain" or argv[1].startswith("-"):
        return None
    text = argv[1]
    return lambda: run_explain(text, [], None, None)


def register(app: typer.Typer) -> None:
    """Add `explain` to the main app. Typer is imported here, not with the module, so the
    plain `explain TEXT` line (plain_call) runs without it; the parameters are declared
    on the signature, as `audit`'s are (audit/cli/typer_app.py)."""
    import inspect
    from typing import Annotated

    import typer

    text_arg = typer.Argument(
        metavar="TEXT", help="Rejection text; else --file, else stdin.", show_default=False
    )
    file_opt = typer.Option(
        "--file", "-f", metavar="FILE",
        help="A bounce (.eml, DSN, mbox), log excerpt or directory (repeatable; '-' = stdin).",
    )  # fmt: skip
    format_opt = typer.Option("--format", metavar="FORMAT", help="text or json.")
    output_opt = typer.Option(
        "--output", "-o", metavar="PATH", help="Write there ('-' = stdout; .json → json)."
    )
    keyword = inspect.Parameter.POSITIONAL_OR_KEYWORD
    parameters = [
        inspect.Parameter(
            "text", keyword, default=None, annotation=Annotated[str | None, text_arg]
        ),
        inspect.Parameter(
            "file", keyword, default=None, annotation=Annotated[list[str] | None, file_opt]
        ),
        inspect.Parameter(
            "format", keyword, default=None, annotation=Annotated[str | None, format_opt]
        ),
        inspect.Parameter(
            "output", keyword, default=None, annotation=Annotated[str | None, output_opt]
        ),
    ]

    def explain(
        text: str | None = None,
        file: list[str] | None = None,
        format: str | None = None,
        output: str | None = None,
    ) -> None:
        """Classify an SMTP rejection or bounce: who blocked, why, what to do."""
        raise typer.Exit(run_explain(text, file or [], format, output))

    explain.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    explain.__annotations__ = {}  # the signature holds the (already evaluated) annotations
    app.command()(explain)
