"""Where reports go: plan the outputs (`--format`, `-o`), check them, write them.

The CLI plans before the run (a bad format or directory is exit 2 before any query),
then hands over the result document once; every output renders from that document
through the format registry (audit/render/formats.py).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from audit.model.document import ResultDocument
from audit.model.errors import InputError
from audit.render.formats import RenderOptions, format_for_path, format_named

if TYPE_CHECKING:
    from rich.console import Console

PIPED_WIDTH = 120  # rich's 80-column default wraps tables badly in files and CI logs
STDOUT = "-"


@dataclass(frozen=True)
class Output:
    path: str  # "-" is stdout
    format: str  # a name in audit.render.formats.FORMATS


def stdout_console() -> Console:
    """The console for reports on stdout: the terminal's width, or 120 columns when piped."""
    from rich.console import Console

    return Console(highlight=False, width=None if sys.stdout.isatty() else PIPED_WIDTH)


def _chosen(path: str, fmt: str | None) -> str:
    if fmt is not None:
        return fmt
    if path == STDOUT:
        return "text"
    detected = format_for_path(path)
    if detected is None:
        raise InputError(f"cannot tell the format of {path!r}: use --format or a known extension")
    return detected.name


def plan_outputs(outputs: Sequence[str], fmt: str | None) -> list[Output]:
    """Where each report goes and in which format (SPEC.md `--format`, `-o`)."""
    if fmt is not None:
        format_named(fmt)
    planned = [Output(path, _chosen(path, fmt)) for path in outputs or [STDOUT]]
    for output in planned:
        if output.path == STDOUT and format_named(output.format).binary and sys.stdout.isatty():
            raise InputError(
                f"refusing to write {output.format.upper()} to a terminal: use -o FILE or a pipe"
            )
    return planned


def warm_imports(outputs: Sequence[Output]) -> tuple[str, ...]:
    """The slow modules these outputs' renderers need (imported while the run goes on)."""
    return tuple(m for output in outputs for m in format_named(output.format).warm_imports)


def check_output_paths(outputs: Sequence[Output]) -> None:
    for output in outputs:
        if output.path == STDOUT:
            continue
        parent = Path(output.path).resolve().parent
        if not parent.is_dir():
            raise InputError(f"cannot write {output.path}: directory {parent} does not exist")


def _write_stdout(content: str | bytes) -> None:
    if isinstance(content, bytes):
        sys.stdout.buffer.write(content)
    else:
        sys.stdout.write(content)
    sys.stdout.flush()


def _write_file(path: str, content: str | bytes) -> None:
    try:
        if isinstance(content, bytes):
            Path(path).write_bytes(content)
        else:
            Path(path).write_text(content, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None


def write_outputs(
    document: ResultDocument, outputs: Sequence[Output], options: RenderOptions
) -> None:
    """Render `document` once per output; text on stdout goes to a live console."""
    for output in outputs:
        entry = format_named(output.format)
        if output.path == STDOUT and entry.to_console is not None:
            entry.to_console(document, stdout_console())
            continue
        content = entry.render(document, options)
        if output.path == STDOUT:
            _write_stdout(content)
        else:
            _write_file(output.path, content)
