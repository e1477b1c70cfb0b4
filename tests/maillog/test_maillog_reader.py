"""Reading logs: gzip, stdin, detection, and hostile input kept within bounds."""

from __future__ import annotations

import gzip
import io
import sys
from datetime import date
from pathlib import Path

import pytest
from support.paths import REPO

from audit.loglines.detect import detect_format
from audit.loglines.records import LogFormat
from audit.maillog.ingest import read_logs, validate_logs
from audit.maillog.reader import (
    LogInputError,
    ReadStats,
    bounded_lines,
    line_batches,
    open_log,
)

SAMPLES = REPO / "samples" / "logs"
POSTFIX = (
    "Mar 11 02:00:01 mx1 postfix/qmgr[7]: 4Bx1Yz2abc: from=<a@example.com>, size=1, "
    "nrcpt=1 (queue active)"
)
EXIM = "2025-03-11 02:00:01 1rNabc-000123-AB <= a@example.com U=www-data P=local S=1"
MAILGUN = '{"event": "accepted", "timestamp": 1741683600}'


@pytest.mark.parametrize(
    ("line", "expected"),
    [(POSTFIX, LogFormat.POSTFIX), (EXIM, LogFormat.EXIM), (MAILGUN, LogFormat.MAILGUN),
     ("[", None), ("hello world", None)],
)  # fmt: skip
def test_the_format_is_detected_from_the_first_lines(line: str, expected) -> None:
    assert detect_format([line, line]) == expected


@pytest.mark.parametrize(
    "name", ["postfix-compromised.log", "exim-mainlog.log", "mailgun-events.jsonl"]
)
def test_every_sample_is_detected_and_parsed_without_malformed_lines(name: str) -> None:
    facts = read_logs([str(SAMPLES / name)], today=date(2025, 3, 20))
    (file,) = facts.files
    assert file.format and file.events > 0 and file.malformed == 0


def test_gzip_input_is_read_by_its_magic_bytes(tmp_path: Path) -> None:
    path = tmp_path / "mail.log.1"  # no .gz suffix: logrotate names vary
    path.write_bytes(gzip.compress((POSTFIX + "\n").encode()))
    facts = read_logs([str(path)], today=date(2025, 3, 20))
    assert facts.files[0].format == "postfix" and facts.totals["messages"] == 1


def test_stdin_is_read_with_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO((EXIM + "\n").encode())))
    facts = read_logs(["-"], today=date(2025, 3, 20))
    assert facts.files[0].format == "exim" and facts.totals["messages"] == 1


def test_long_lines_are_truncated_and_the_total_is_bounded() -> None:
    stream = io.StringIO("x" * 50_000 + "\nshort\n" + "y\n" * 1000)
    stats = ReadStats()
    lines = list(bounded_lines(stream, stats, max_line=100, max_total=50_200))
    assert lines[0] == "x" * 100 and lines[1] == "short"
    assert stats.truncated_lines == 1 and stats.size_limit_reached and len(lines) < 200


@pytest.mark.parametrize("chunk", [1, 3, 7, 64])
def test_lines_split_across_chunks_are_read_as_by_readline(chunk: int) -> None:
    # given CRLF, a lone CR, an over-long line and no final newline, read in small chunks
    text = "ab\r\ncd\rlong-" + "z" * 30 + "\nlast"
    stream = io.TextIOWrapper(io.BytesIO(text.encode()), encoding="utf-8", newline=None)
    stats = ReadStats()
    batches = line_batches(stream, stats, max_line=10, max_total=1000, chunk_chars=chunk)
    lines = [line for batch in batches for line in batch]
    assert lines == ["ab", "cd", "long-zzzzz", "last"]
    assert (stats.lines, stats.truncated_lines, stats.size_limit_reached) == (4, 1, False)


def test_non_utf8_bytes_are_replaced_and_garbage_lines_counted(tmp_path: Path) -> None:
    path = tmp_path / "mail.log"
    path.write_bytes(
        (POSTFIX + "\n").encode() + b"\xff\xfe garbage \x80\n" + (POSTFIX + "\n").encode()
    )
    facts = read_logs([str(path)], today=date(2025, 3, 20))
    assert facts.files[0].malformed == 1 and facts.files[0].lines == 3


def test_an_empty_file_is_fine_and_has_no_format(tmp_path: Path) -> None:
    path = tmp_path / "empty.log"
    path.write_text("")
    assert validate_logs([str(path)]) == {str(path): None}


@pytest.mark.parametrize("content", [b"just some text\n", b"\x1f\x8bnot really gzip"])
def test_unknown_or_corrupt_files_are_input_errors(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.log"
    path.write_bytes(content)
    with pytest.raises(LogInputError):
        validate_logs([str(path)])


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(LogInputError):
        open_log(str(tmp_path / "missing.log"))
