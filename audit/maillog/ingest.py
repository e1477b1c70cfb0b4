"""Read log files into `LogFacts`: open, detect the format, parse, aggregate.

`validate_logs` is the up-front check the CLI runs (exit 2 on an unreadable file or an
unknown format); `read_logs` is what the volume check runs, in a worker thread.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from audit.loglines.detect import DETECT_LINES, LineParser, detect_format, make_parser
from audit.loglines.mailgun import MailgunParser
from audit.loglines.postfix import PostfixParser
from audit.loglines.records import LogFormat
from audit.maillog.digest import Digest
from audit.maillog.facts import FileFacts, LogFacts
from audit.maillog.reader import STDIN, LogInputError, ReadStats, line_batches, open_log
from audit.model.errors import InputError

HEAD_CHUNK_CHARS = 8192  # validate_logs reads the first lines, as a line reader would


def _reference_date(path: str, today: date) -> date:
    """Anchor for syslog years: the file's modification date (logs end when written)."""
    if path == STDIN:
        return today
    try:
        return datetime.fromtimestamp(os.stat(path).st_mtime, UTC).date()
    except OSError:
        return today


def _head(batches: Iterable[list[str]]) -> tuple[list[str], list[str]]:
    """The lines up to the DETECT_LINES-th non-empty one, and the rest of their batch."""
    head: list[str] = []
    found = 0
    for batch in batches:
        for index, line in enumerate(batch):
            if line.strip():
                found += 1
                if found >= DETECT_LINES:
                    head.extend(batch[: index + 1])
                    return head, batch[index + 1 :]
        head.extend(batch)
    return head, []


def _parse_each(parser: LineParser, lines: list[str], digest: Digest) -> tuple[int, int]:
    """(events, malformed lines) of `lines`, the events added to `digest`."""
    events = malformed = 0
    for line in lines:
        parsed = parser.parse(line)
        if parsed is None:
            malformed += 1
            continue
        events += len(parsed)
        for event in parsed:
            digest.add(event)
    return events, malformed


def read_file(path: str, digest: Digest, today: date) -> FileFacts:
    stats = ReadStats()
    with open_log(path) as stream:
        batches = line_batches(stream, stats)
        head, rest = _head(batches)
        log_format = detect_format(head)
        if log_format is None:
            if any(line.strip() for line in head):
                raise LogInputError(f"{path}: not a Postfix, Exim or Mailgun events log")
            return FileFacts(path, None, stats.lines, 0, 0, stats.truncated_lines, False)
        parser = make_parser(log_format, _reference_date(path, today))
        events = malformed = 0
        for batch in itertools.chain((head, rest), batches):
            if isinstance(parser, PostfixParser):
                found, bad = parser.parse_batch(batch, digest.add)
            else:
                found, bad = _parse_each(parser, batch, digest)
            events, malformed = events + found, malformed + bad
        if isinstance(parser, MailgunParser):
            malformed += parser.finish()
    return FileFacts(
        path, log_format.value, stats.lines, events, malformed,
        stats.truncated_lines, stats.size_limit_reached,
    )  # fmt: skip


def read_logs(
    paths: Sequence[str],
    local_domains: frozenset[str] = frozenset(),
    today: date | None = None,
) -> LogFacts:
    digest = Digest(local_domains)
    day = today or datetime.now(UTC).date()
    files = tuple(read_file(path, digest, day) for path in paths)
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
            head, _ = _head(line_batches(stream, ReadStats(), chunk_chars=HEAD_CHUNK_CHARS))
        log_format = detect_format(head)
        if log_format is None and any(line.strip() for line in head):
            raise LogInputError(f"{path}: not a Postfix, Exim or Mailgun events log")
        formats[path] = log_format
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
