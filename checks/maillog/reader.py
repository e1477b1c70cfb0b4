"""Open a log safely: gzip by magic bytes, `-` for stdin, bounded lines and total size.

Logs are hostile input: a line is cut at MAX_LINE_CHARS (the rest of it discarded), a
file stops being read after MAX_TOTAL_CHARS (decompressed, so a gzip bomb is bounded
too), and bytes that are not UTF-8 are replaced. Nothing reads a whole file at once.
"""

from __future__ import annotations

import gzip
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, cast

MAX_LINE_CHARS = 8 * 1024
MAX_TOTAL_CHARS = 2 * 1024**3
GZIP_MAGIC = b"\x1f\x8b"
STDIN = "-"


class LogInputError(Exception):
    """A log file cannot be read (missing, unreadable, corrupt gzip)."""


@dataclass
class ReadStats:
    lines: int = 0
    truncated_lines: int = 0
    size_limit_reached: bool = False


def open_log(path: str) -> IO[str]:
    """A text stream over `path` ('-' = stdin), gunzipped when it starts with gzip magic."""
    try:
        raw: IO[bytes] = sys.stdin.buffer if path == STDIN else open(path, "rb")  # noqa: SIM115
    except OSError as exc:
        raise LogInputError(f"cannot read log {path}: {exc.strerror or exc}") from None
    buffered = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(cast(Any, raw))
    try:
        head = buffered.peek(2)[:2]
    except OSError as exc:
        raise LogInputError(f"cannot read log {path}: {exc.strerror or exc}") from None
    binary = cast(IO[bytes], gzip.GzipFile(fileobj=buffered) if head == GZIP_MAGIC else buffered)
    return io.TextIOWrapper(binary, encoding="utf-8", errors="replace", newline=None)


def bounded_lines(
    stream: IO[str],
    stats: ReadStats,
    max_line: int = MAX_LINE_CHARS,
    max_total: int = MAX_TOTAL_CHARS,
) -> Iterator[str]:
    """Lines without their newline, each at most `max_line` characters."""
    consumed = 0
    while True:
        try:
            line = stream.readline(max_line + 1)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise LogInputError(f"corrupt log: {exc}") from None
        if not line:
            return
        consumed += len(line)
        if consumed > max_total:
            stats.size_limit_reached = True
            return
        if len(line) > max_line and not line.endswith("\n"):
            consumed += _discard_rest(stream, max_line, max_total - consumed)
            stats.truncated_lines += 1
            line = line[:max_line]
        stats.lines += 1
        yield line.rstrip("\r\n")


def _discard_rest(stream: IO[str], chunk: int, budget: int) -> int:
    skipped = 0
    while skipped <= budget:
        part = stream.readline(chunk)
        skipped += len(part)
        if not part or part.endswith("\n"):
            break
    return skipped
