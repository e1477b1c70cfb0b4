"""Which kind of log a file is, decided by its first mail line wherever it is, and the
line families counted over the whole file.

A file is one of three layouts: *syslog* (rsyslog's `mail.log`, journald's text, Postfix's
`maillog_file`: Postfix lines mixed with other programs' - dovecot, amavis, opendkim - and
with Exim's when it logs through syslog), an *Exim mainlog*, or *Mailgun* events JSON (the
first character is `[` or `{` and one of the first DETECT_LINES lines mentions `"event"`).
Detection reads lines until the first one with a mail signature, at one match per line:
a Debian mail.log may start with hours of dovecot lines, an Exim mainlog with rejections.
Lines before it are counted (another program's syslog line is not a mail line; the rest is
malformed), never kept. No mail line in a non-empty file is an input error (exit 2).
"""

from __future__ import annotations

import enum
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from audit.loglines.exim import LINE as EXIM_STAMPED
from audit.loglines.exim import EximParser
from audit.loglines.mailgun import MailgunParser
from audit.loglines.records import Event, LogFormat
from audit.loglines.syslog import NOT_MAIL, SyslogParser

DETECT_LINES = 200  # lines searched for a Mailgun `"event"` (a JSON document's start)
SYSLOG_STAMP = r"(?:[A-Z][a-z]{2} {1,2}\d{1,2} \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\S+) \S+ "
EXIM_STAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?: [+-]\d{4})?(?: \[\d+\])? "
# Exim's own lines (spec chapter "Log files"): a message's, a queue run's, and those of an
# SMTP session refused or failed (rejected RCPT, authenticator failed, protocol errors).
EXIM_LINE = (
    EXIM_STAMP + r"(?:[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4} (?:<=|=>|->|\*\*|==|"
    r"Completed)|(?:Start|End) queue run|exim \d|SMTP connection from|(?:\S+ )?authenticator "
    r"failed for |.*\brejected (?:RCPT|MAIL|EHLO|HELO|connection|after DATA)\b|SMTP (?:protocol "
    r"(?:synchronization )?error|command timeout|call from)|no host name found for IP address "
    r"|unexpected disconnection while reading SMTP command)"
)
SYSLOG_LINE = re.compile(SYSLOG_STAMP + r"[^\s\[:]+(?:\[\d+\])?: ")
MAILGUN_EVENT = re.compile(r'"event"\s*:\s*"')


class Layout(enum.Enum):
    SYSLOG = "syslog"
    EXIM_MAINLOG = "exim mainlog"
    MAILGUN = "mailgun"


SIGNATURES: tuple[tuple[LogFormat, Layout, re.Pattern[str]], ...] = (
    (
        LogFormat.POSTFIX,
        Layout.SYSLOG,
        re.compile(SYSLOG_STAMP + r"postfix[\w./-]*(?:\[\d+\])?: "),
    ),
    (  # Exim through syslog (log_file_path = syslog) keeps its own stamp
        LogFormat.EXIM,
        Layout.SYSLOG,
        re.compile(SYSLOG_STAMP + r"exim[\w.-]*(?:\[\d+\])?: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d"),
    ),
    (LogFormat.EXIM, Layout.EXIM_MAINLOG, re.compile(EXIM_LINE)),
)


def line_format(line: str) -> tuple[LogFormat, Layout] | None:
    """The format and layout of a mail line, or None (another program's, or not a log line)."""
    for log_format, layout, signature in SIGNATURES:
        if signature.match(line):
            return log_format, layout
    return None


class FileParser(Protocol):
    def parse_batch(self, lines: Sequence[str], add: Callable[[Event], None]) -> tuple[int, int]:
        """(events, malformed lines) of `lines`, each event passed to `add`."""
        ...

    def finish(self) -> int:
        """Malformed input left at the end (an unfinished JSON object)."""
        ...

    def families(self) -> dict[str, int]:
        """Lines read per family: a format's value, or NOT_MAIL."""
        ...


class LineParser(Protocol):
    def parse(self, line: str) -> list[Event] | None: ...


class EachLine:
    """A file of one family read a line at a time (Exim mainlog, Mailgun events)."""

    def __init__(self, parser: LineParser, family: LogFormat) -> None:
        self.parser, self.family, self.lines = parser, family, 0

    def parse_batch(self, lines: Sequence[str], add: Callable[[Event], None]) -> tuple[int, int]:
        events = malformed = 0
        for line in lines:
            parsed = self.parser.parse(line)
            if parsed is None:
                malformed += 1
                continue
            events += len(parsed)
            for event in parsed:
                add(event)
        self.lines += len(lines) - malformed
        return events, malformed

    def finish(self) -> int:
        return self.parser.finish() if isinstance(self.parser, MailgunParser) else 0

    def families(self) -> dict[str, int]:
        return {self.family.value: self.lines}


def make_parser(
    layout: Layout,
    reference: date,
    year: int | None = None,
    last_day: tuple[int, int] | None = None,
) -> FileParser:
    """A fresh, stateful parser for one file; `reference` anchors syslog years (`year`
    states the first line's, `last_day` is the file's last stamp: timestamps.SyslogClock)."""
    if layout is Layout.SYSLOG:
        return SyslogParser(reference, year, last_day)
    if layout is Layout.EXIM_MAINLOG:
        return EachLine(EximParser(), LogFormat.EXIM)
    return EachLine(MailgunParser(), LogFormat.MAILGUN)


@dataclass
class Detection:
    """What the lines up to the first mail line say: the layout, the lines from there on
    (in their batch), and the lines before it by kind."""

    layout: Layout | None = None
    log_format: LogFormat | None = None
    rest: list[str] = field(default_factory=list)
    before: Counter[str] = field(default_factory=Counter)  # syslog, exim_stamped, other
    non_empty: bool = False

    def families_before(self) -> tuple[dict[str, int], int]:
        """The lines before the first mail line as (families, malformed) for this layout."""
        syslog, stamped, other = (self.before[k] for k in ("syslog", "exim_stamped", "other"))
        if self.layout is Layout.SYSLOG:
            return {NOT_MAIL: syslog}, stamped + other
        if self.layout is Layout.EXIM_MAINLOG:
            return {LogFormat.EXIM.value: stamped}, syslog + other
        return {}, syslog + stamped + other


def _kind(line: str) -> str:
    if SYSLOG_LINE.match(line):
        return "syslog"
    return "exim_stamped" if EXIM_STAMPED.match(line) else "other"


def detect(batches: Iterator[list[str]]) -> Detection:
    """Read `batches` up to the first mail line (the rest is left in the iterator)."""
    found = Detection()
    for batch in batches:
        if not found.non_empty and (first := _first_non_empty(batch)) is not None:
            found.non_empty = True
            if batch[first].lstrip("\ufeff \t")[:1] in ("[", "{"):
                batch = _json_head(batch, batches)
                if any(MAILGUN_EVENT.search(text) for text in batch):
                    found.layout, found.log_format, found.rest = (
                        Layout.MAILGUN, LogFormat.MAILGUN, batch
                    )  # fmt: skip
                    return found
        if _scan(found, batch):
            return found
    return found


def _first_non_empty(batch: list[str]) -> int | None:
    return next((index for index, line in enumerate(batch) if line.strip()), None)


def _scan(found: Detection, batch: list[str]) -> bool:
    """Count `batch`'s lines into `found` up to its first mail line: whether there is one."""
    for index, line in enumerate(batch):
        mail = line_format(line)
        if mail is not None:
            found.log_format, found.layout = mail
            found.rest = batch[index:]
            return True
        found.before[_kind(line)] += 1
    return False


def _json_head(start: list[str], batches: Iterator[list[str]]) -> list[str]:
    """`start` and the lines after it, up to its DETECT_LINES-th non-empty line."""
    head = list(start)
    while sum(1 for line in head if line.strip()) < DETECT_LINES:
        batch = next(batches, None)
        if batch is None:
            break
        head.extend(batch)
    return head


def detect_format(first_lines: Iterable[str]) -> LogFormat | None:
    """The format of a log that starts with `first_lines` (the first mail line's)."""
    return detect(iter([list(first_lines)])).log_format
