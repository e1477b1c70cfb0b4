"""A truncated `.gz` (issue 9 item 5): what was read is kept, the rest is unknown."""

from __future__ import annotations

import gzip
from datetime import date, timedelta
from pathlib import Path

import pytest
from support import mail_logs as ml

from audit.maillog.ingest import read_logs, validate_logs
from audit.maillog.reader import LogInputError

TODAY = date(2025, 3, 20)
MESSAGES = 2000


def postfix_lines(count: int, first: int = 0) -> list[str]:
    lines: list[str] = []
    for n in range(first, first + count):
        at = ml.START + timedelta(seconds=n)
        lines += ml.postfix_delivery(n, at, f"bob{n}@example.net", ml.OTHER_MX)
    return lines


def truncated_gz(tmp_path: Path) -> Path:
    """mail.log.2.gz cut at two thirds (a rotation interrupted, a partial copy)."""
    data = gzip.compress(("\n".join(postfix_lines(MESSAGES)) + "\n").encode())
    path = tmp_path / "mail.log.2.gz"
    path.write_bytes(data[: len(data) * 2 // 3])
    return path


def test_a_truncated_gz_keeps_what_was_read_and_names_the_file(tmp_path: Path) -> None:
    # given a gzip log cut short
    path = truncated_gz(tmp_path)
    # when it is validated and read
    validate_logs([str(path)])
    facts = read_logs([str(path)], today=TODAY)
    # then the messages before the cut are counted and the file says its rest is unknown
    (file,) = facts.files
    assert 0 < facts.totals["messages"] < MESSAGES and file.malformed == 0
    assert file.truncated and "gzip" in file.truncated


def test_a_good_file_beside_a_truncated_gz_is_still_read(tmp_path: Path) -> None:
    good = ml.write(tmp_path / "mail.log", postfix_lines(10, first=MESSAGES))
    facts = read_logs([str(truncated_gz(tmp_path)), str(good)], today=TODAY)
    assert [f.truncated is None for f in facts.files] == [False, True]
    assert facts.totals["messages"] > 10


def test_a_gz_corrupt_from_its_start_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "mail.log.3.gz"
    path.write_bytes(b"\x1f\x8b" + b"\x00" * 64)
    with pytest.raises(LogInputError, match=r"mail\.log\.3\.gz"):
        read_logs([str(path)], today=TODAY)
