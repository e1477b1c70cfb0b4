"""Read log files into `LogFacts`: open, detect the format, parse, aggregate.

`validate_logs` is the up-front check the CLI runs (exit 2 on an unreadable file or an
unknown format); `read_logs` is what the volume check runs, in a worker thread.
"""

from __future__ import annotations

import itertools
import os
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime

from audit.loglines.detect import Detection, detect, make_parser
from audit.loglines.records import LogFormat
from audit.loglines.syslog import NOT_MAIL
from audit.loglines.timestamps import TAIL_BYTES, last_day
from audit.maillog.digest import Digest
from audit.maillog.facts import FileFacts, LogFacts
from audit.maillog.reader import (
    GZIP_MAGIC,
    STDIN,
    LogInputError,
    ReadStats,
    line_batches,
    open_log,
)
from audit.model.errors import InputError

HEAD_CHUNK_CHARS = 8192  # validate_logs reads up to the first mail line, in small chunks


def _reference_date(path: str, today: date) -> date:
    """Anchor for syslog years: the file's modification date (logs end when written)."""
    if path == STDIN:
        return today
    try:
        return datetime.fromtimestamp(os.stat(path).st_mtime, UTC).date()
    except OSError:
        return today


def _last_day(path: str) -> tuple[int, int] | None:
    """(month, day) of the last syslog stamp of a plain file, from its last TAIL_BYTES
    (a seek, not a read of the file); None for stdin, gzip and unreadable files."""
    if path == STDIN:
        return None
    try:
        with open(path, "rb") as raw:
            if raw.read(2) == GZIP_MAGIC:
                return None
            size = raw.seek(0, os.SEEK_END)
            raw.seek(max(0, size - TAIL_BYTES))
            tail = raw.read(TAIL_BYTES)
    except OSError:
        return None
    return last_day(tail.decode("utf-8", "replace"))


def _not_a_mail_log(path: str, detection: Detection) -> LogInputError:
    lines = sum(detection.before.values())
    others = detection.before["syslog"]
    tail = f", {others} of them other programs' syslog lines" if others else ""
    return LogInputError(
        f"{path}: not a Postfix, Exim or Mailgun events log (no mail line in {lines} lines{tail})"
    )


def _format_of(families: dict[str, int], detected: LogFormat) -> str:
    """The file's format: its most frequent mail family (the first mail line's on a tie)."""
    mail = {name: n for name, n in families.items() if name != NOT_MAIL and n}
    if not mail:
        return detected.value
    return max(mail, key=lambda name: (mail[name], name == detected.value))


def read_file(path: str, digest: Digest, today: date, year: int | None = None) -> FileFacts:
    """One file into `digest`. A gzip file corrupt after its start keeps what was read
    (`FileFacts.truncated` says why the rest is unknown); corrupt from the start, or not a
    mail log, it is a LogInputError naming it."""
    try:
        return _read_file(path, digest, today, year)
    except LogInputError as exc:
        if str(exc).startswith(path):
            raise
        raise LogInputError(f"{path}: {exc}") from None


def _read_file(path: str, digest: Digest, today: date, year: int | None) -> FileFacts:
    stats = ReadStats()
    with open_log(path) as stream:
        batches = line_batches(stream, stats)
        detection = detect(batches)
        if detection.layout is None or detection.log_format is None:
            if detection.non_empty:
                raise _not_a_mail_log(path, detection)
            return FileFacts(
                path, None, stats.lines, 0, 0, stats.truncated_lines, False,
                truncated=stats.truncated,
            )  # fmt: skip
        reference = _reference_date(path, today)
        parser = make_parser(detection.layout, reference, year, _last_day(path))
        families, malformed = detection.families_before()
        events = 0
        for batch in itertools.chain((detection.rest,), batches):
            found, bad = parser.parse_batch(batch, digest.add)
            events, malformed = events + found, malformed + bad
        malformed += parser.finish()
    families = dict(Counter(families) + Counter(parser.families()))
    return FileFacts(
        path, _format_of(families, detection.log_format), stats.lines, events, malformed,
        stats.truncated_lines, stats.size_limit_reached, families, stats.truncated,
    )  # fmt: skip


def read_logs(
    paths: Sequence[str],
    local_domains: frozenset[str] = frozenset(),
    today: date | None = None,
    year: int | None = None,
) -> LogFacts:
    """`year`: the first line's year of syslog-stamped files (--year), else inferred."""
    digest = Digest(local_domains)
    day = today or datetime.now(UTC).date()
    files = tuple(read_file(path, digest, day, year) for path in paths)
    return digest.facts(files)


def validate_logs(paths: Sequence[str]) -> dict[str, LogFormat | None]:
    """Each file's format, or LogInputError. Stdin is not read here (it can be read once)."""
    formats: dict[str, LogFormat | None] = {}
    for path in paths:
        if path == STDIN:
            formats[path] = None
            continue
        if os.path.isdir(path):
            raise LogInputError(f"cannot read log {path}: is a directory")
        with open_log(path) as stream:
            try:
                detection = detect(line_batches(stream, ReadStats(), chunk_chars=HEAD_CHUNK_CHARS))
            except LogInputError as exc:
                raise LogInputError(f"{path}: {exc}") from None
        if detection.log_format is None and detection.non_empty:
            raise _not_a_mail_log(path, detection)
        formats[path] = detection.log_format
    return formats


LOGS_STATING_SENDING_IP = (LogFormat.MAILGUN, LogFormat.EXIM)


def log_sending_ips(paths: Sequence[str]) -> list[tuple[str, str]]:
    """(IP, file) for each of our sending IPs a log states; stdin (readable once) and
    Postfix logs (which never state the local address) are not scanned."""
    found: dict[str, str] = {}
    today = datetime.now(UTC).date()
    for path in paths:
        try:
            if path == STDIN or validate_logs([path])[path] not in LOGS_STATING_SENDING_IP:
                continue
            digest = Digest()
            read_file(path, digest, today)
        except LogInputError:
            continue
        for ip, _ in digest.facts(()).sending_ips:
            found.setdefault(ip, path)
    return list(found.items())


def parse_log_files(paths: list[str]) -> tuple[str, ...]:
    """--log files, each readable and in a known format (exit 2 otherwise)."""
    if paths.count("-") > 1:
        raise InputError("--log -: standard input can be given only once")
    try:
        validate_logs(paths)
    except LogInputError as exc:
        raise InputError(str(exc)) from None
    return tuple(dict.fromkeys(paths))
