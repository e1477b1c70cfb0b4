"""Where reports go: plan the outputs (`--format`, `-o`), check them, write them.

The CLI plans before the run (a bad format or an unwritable path is exit 2 before any
query), then hands over the result document once; every output renders from that
document through the format registry (audit/render/formats.py).

Writes are all or nothing: every file is written to a temporary file beside it and
renamed into place (rename is atomic within a directory, POSIX rename(2)) only once
every output was written. A failure removes what this run wrote, so no half-written
report (an HTML cut before its findings still says "Ready to request delisting") and
no report of a run that exits 2 is left behind.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from audit.model.errors import InputError
from audit.render.formats import RenderOptions, format_for_path, format_named

if TYPE_CHECKING:
    from rich.console import Console

    from audit.model.document import ResultDocument

PIPED_WIDTH = 120  # rich's 80-column default wraps tables badly in files and CI logs
STDOUT = "-"


class Output(NamedTuple):  # a NamedTuple: a sixth of a frozen dataclass's cost to define
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


def report_seconds_per_result(outputs: Sequence[Output]) -> float:
    """How long the planned reports take per result row, all formats together."""
    return sum(format_named(output.format).seconds_per_result for output in outputs)


def check_output_paths(outputs: Sequence[Output]) -> None:
    """Fail (exit 2) before the run when an output cannot be written: a missing or
    unwritable directory, a directory given as the file, a read-only existing file."""
    for output in outputs:
        if output.path != STDOUT:
            _check_writable(output.path)


def _check_writable(path: str) -> None:
    target = Path(path)
    if target.is_dir():
        raise InputError(f"cannot write {path}: it is a directory")
    if target.exists() and not os.access(target, os.W_OK):
        raise InputError(f"cannot write {path}: the file is not writable")
    if _is_special(target):
        return  # a device or pipe (/dev/stdout) is written in place, not beside
    parent = target.resolve().parent
    if not parent.is_dir():
        raise InputError(f"cannot write {path}: directory {parent} does not exist")
    try:  # os.access is not the truth for root, ACLs or read-only mounts: try it
        _remove(_create_beside(target))
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None


def _is_special(target: Path) -> bool:
    """An existing path that is not a regular file (a device, a pipe): renaming a
    temporary file onto it would replace the device, so it is written directly."""
    try:
        return not stat.S_ISREG(target.stat().st_mode)
    except OSError:
        return False


def _create_beside(target: Path) -> Path:
    """A new, empty temporary file in the target's directory (same filesystem, so
    the rename is atomic). Mode 0666 less the umask, as a plain write would give."""
    import secrets  # with hashlib, hmac and random (~3 ms): only when a file is written

    temporary = target.resolve().parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
    os.close(os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
    return temporary


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _write_stdout(content: str | bytes) -> None:
    if isinstance(content, bytes):
        sys.stdout.buffer.write(content)
    else:
        sys.stdout.write(content)
    sys.stdout.flush()


def _as_bytes(content: str | bytes) -> bytes:
    return content if isinstance(content, bytes) else content.encode("utf-8")


class _Staged(NamedTuple):  # a NamedTuple, cheaper to define; its lists change in place
    """The files of one write_outputs call: temporaries to rename, and what was
    already put in place (to remove if a later output fails)."""

    pending: list[tuple[Path, Path]]  # (temporary, target)
    placed: list[Path]

    def stage(self, path: str, content: str | bytes) -> None:
        target = Path(path)
        if _is_special(target):
            target.write_bytes(_as_bytes(content))  # a device cannot be replaced
            return
        temporary = _create_beside(target)
        self.pending.append((temporary, target))
        with temporary.open("wb") as handle:
            handle.write(_as_bytes(content))
            handle.flush()
            os.fsync(handle.fileno())  # on disk before the rename makes it visible

    def commit(self) -> None:
        while self.pending:
            temporary, target = self.pending[0]
            os.replace(temporary, target)
            self.pending.pop(0)
            self.placed.append(target)

    def discard(self) -> None:
        for temporary, _ in self.pending:
            _remove(temporary)
        for target in self.placed:
            _remove(target)


def write_outputs(
    document: ResultDocument, outputs: Sequence[Output], options: RenderOptions
) -> None:
    """Render `document` once per output; text on stdout goes to a live console.

    Files are staged first, then stdout is written, then the files are renamed into
    place; on any failure nothing this call wrote stays (InputError: exit 2)."""
    staged = _Staged([], [])
    try:
        stdout_outputs = _stage_files(document, outputs, options, staged)
        for output in stdout_outputs:
            _write_to_stdout(document, output, options)
        staged.commit()
    except OSError as exc:
        staged.discard()
        where = getattr(exc, "filename", None) or "the report"
        raise InputError(f"cannot write {where}: {exc.strerror or exc}") from None
    except BaseException:
        staged.discard()
        raise


def _stage_files(
    document: ResultDocument, outputs: Sequence[Output], options: RenderOptions, staged: _Staged
) -> list[Output]:
    """Write every file output to its temporary; return the stdout outputs."""
    to_stdout = []
    for output in outputs:
        if output.path == STDOUT:
            format_named(output.format)  # an unknown format fails before anything is written
            to_stdout.append(output)
            continue
        content = format_named(output.format).render(document, options)
        try:
            staged.stage(output.path, content)
        except OSError as exc:
            raise OSError(exc.errno, exc.strerror, output.path) from None
    return to_stdout


def _write_to_stdout(document: ResultDocument, output: Output, options: RenderOptions) -> None:
    entry = format_named(output.format)
    if entry.to_console is not None:
        entry.to_console(document, stdout_console())
    else:
        _write_stdout(entry.render(document, options))
