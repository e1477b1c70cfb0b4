"""Open a log safely: gzip by magic bytes, `-` for stdin, bounded lines and total size.

Logs are hostile input: a line is cut at MAX_LINE_CHARS (the rest of it discarded), a
file stops being read after MAX_TOTAL_CHARS (decompressed, so a gzip bomb is bounded
too), and bytes that are not UTF-8 are replaced. Nothing reads a whole file at once.
A gzip file that ends early or turns corrupt (a rotation cut short, a partial copy) keeps
what decompressed before that point: `ReadStats.truncated` says why the rest is unknown.
"""

from __future__ import annotations

import gzip
import io
import itertools
import sys
import zlib
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
    truncated: str | None = None  # why the file's rest could not be read (corrupt gzip)


class _Gunzip(io.RawIOBase):
    """A gzip stream that ends where its data turns corrupt, remembering why: what
    decompressed before the damage is read as the file's content."""

    def __init__(self, fileobj: IO[bytes]) -> None:
        self.gzip = gzip.GzipFile(fileobj=fileobj)
        self.error: str | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.error is not None:
            return 0
        try:
            data = self.gzip.read1(len(buffer))
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            self.error = f"corrupt gzip data: {exc}"
            return 0
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.gzip.close()
        super().close()


def read_error(stream: IO[str]) -> str | None:
    """Why `stream` (from open_log) ended early, if it did."""
    raw = getattr(getattr(stream, "buffer", None), "raw", None)
    return raw.error if isinstance(raw, _Gunzip) else None


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
    if head == GZIP_MAGIC:
        binary = cast(IO[bytes], io.BufferedReader(_Gunzip(cast(IO[bytes], buffered))))
    else:
        binary = cast(IO[bytes], buffered)
    return io.TextIOWrapper(binary, encoding="utf-8", errors="replace", newline=None)


CHUNK_CHARS = 1024 * 1024  # read and decode this much at a time, then split into lines


def bounded_lines(
    stream: IO[str],
    stats: ReadStats,
    max_line: int = MAX_LINE_CHARS,
    max_total: int = MAX_TOTAL_CHARS,
) -> Iterator[str]:
    """Lines without their newline, each at most `max_line` characters."""
    return itertools.chain.from_iterable(line_batches(stream, stats, max_line, max_total))


def line_batches(
    stream: IO[str],
    stats: ReadStats,
    max_line: int = MAX_LINE_CHARS,
    max_total: int = MAX_TOTAL_CHARS,
    chunk_chars: int = CHUNK_CHARS,
) -> Iterator[list[str]]:
    """`bounded_lines` a list at a time: the stream is read in large chunks, each split
    into lines at once. The bounds are those of reading line by line: a line costs its
    characters and newline against `max_total`, an over-long one its first `max_line` + 1
    characters before it is kept, then its tail is skipped in `max_line` pieces until
    the newline or the budget runs out (the tail is never held in memory)."""
    batches = _Batcher(stats, max_line, max_total)
    # never read far past the size limit: what is decided there needs one character more
    last_needed = max_total + max_line + 2
    read = 0
    while not batches.done:
        try:
            chunk = stream.read(max(1, min(chunk_chars, last_needed - read)))
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise LogInputError(f"corrupt log: {exc}") from None
        read += len(chunk)
        if not chunk and (error := read_error(stream)) is not None:
            if not stats.lines and not batches.pending:
                raise LogInputError(f"corrupt log: {error}")
            # the line being read when the data ended is cut: its end is unknown
            stats.truncated = error
            return
        batch = batches.feed(chunk) if chunk else batches.finish()
        if batch:
            yield batch
        if not chunk:
            return


class _Batcher:
    """The line splitting and bounds of `line_batches`, one chunk at a time."""

    def __init__(self, stats: ReadStats, max_line: int, max_total: int) -> None:
        self.stats, self.max_line, self.max_total = stats, max_line, max_total
        self.consumed = 0  # characters read so far, newlines included
        self.pending = ""  # the start of a line whose newline is not read yet
        self.skipped = -1  # >= 0: skipping the tail of an over-long line (chars so far)
        self.done = False

    def feed(self, chunk: str) -> list[str]:
        out: list[str] = []
        if self.skipped >= 0:
            newline = chunk.find("\n")
            if newline < 0:
                self.skipped += len(chunk)
                self._check_long_line(out)
                return out
            self._long_line(out, self.skipped + newline + 1)
            if self.done:
                return out
            chunk = chunk[newline + 1 :]
        text = self.pending + chunk
        lines = text.split("\n")
        tail = lines.pop()
        self._complete(lines, out, "\r" in text)
        if self.done:
            return out
        if len(tail) > self.max_line + 1:
            self.pending, self.skipped = tail[: self.max_line + 1], len(tail) - self.max_line - 1
            self._check_long_line(out)
        else:
            self.pending = tail
        return out

    def finish(self) -> list[str]:
        """End of input: the last line had no newline."""
        out: list[str] = []
        if self.done:
            return out
        if self.skipped >= 0:
            self._long_line(out, self.skipped)
        elif self.pending:
            self._line(self.pending, len(self.pending), out)
        self.done = True
        return out

    def _complete(self, lines: list[str], out: list[str], carriage_returns: bool) -> None:
        """Lines followed by their newline: all at once when no bound is reached."""
        size = sum(map(len, lines)) + len(lines)
        if self.consumed + size <= self.max_total and (
            not lines or max(map(len, lines)) <= self.max_line
        ):
            self.consumed += size
            self.stats.lines += len(lines)
            if carriage_returns:  # a stream that keeps them (not universal newlines)
                lines = [line.rstrip("\r") for line in lines]
            out.extend(lines)
            return
        for line in lines:
            self._line(line, len(line) + 1, out)
            if self.done:
                return

    def _line(self, line: str, full: int, out: list[str]) -> None:
        """One line of `full` characters (with its newline, if it has one)."""
        cap = self.max_line
        head = min(full, cap + 1)
        if self.consumed + head > self.max_total:
            self.stats.size_limit_reached, self.done = True, True
            return
        self.consumed += head
        if len(line) > cap:
            self.stats.truncated_lines += 1
            if self._stops_in_tail(full - head, self.consumed):
                self.stats.size_limit_reached, self.done = True, True
            self.consumed += full - head
            line = line[:cap]
        self.stats.lines += 1
        out.append(line.rstrip("\r"))

    def _stops_in_tail(self, tail: int, consumed: int) -> bool:
        """Whether skipping a `tail` of characters in `max_line` pieces runs out of the
        budget before the end of the line (reading then stops at the size limit)."""
        pieces = -(-tail // self.max_line)
        return pieces > 0 and (pieces - 1) * self.max_line > self.max_total - consumed

    def _long_line(self, out: list[str], tail: int) -> None:
        line, self.pending, self.skipped = self.pending, "", -1
        self._line(line, len(line) + tail, out)

    def _check_long_line(self, out: list[str]) -> None:
        """Stop reading an endless line as soon as the outcome is certain."""
        after_head = self.consumed + self.max_line + 1
        if after_head > self.max_total or self._stops_in_tail(self.skipped, after_head):
            self._long_line(out, self.skipped)
