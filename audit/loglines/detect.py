"""Which format a log is in, decided from its first lines (per file, never per line).

Each format has a line signature; the one matching most of the first DETECT_LINES
non-empty lines wins. A file whose first character is `[` or `{` and which mentions
`"event"` is Mailgun JSON. No match on a non-empty file is an input error (exit 2).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Protocol

from audit.loglines.exim import EximParser
from audit.loglines.mailgun import MailgunParser
from audit.loglines.postfix import PostfixParser
from audit.loglines.records import Event, LogFormat

DETECT_LINES = 200
SIGNATURES: dict[LogFormat, re.Pattern[str]] = {
    LogFormat.POSTFIX: re.compile(
        r"^(?:[A-Z][a-z]{2} {1,2}\d{1,2} \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\S+) \S+ "
        r"postfix[\w./-]*(?:\[\d+\])?: "
    ),
    LogFormat.EXIM: re.compile(
        r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?: [+-]\d{4})?(?: \[\d+\])? "
        r"(?:[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4} (?:<=|=>|->|\*\*|==|Completed)"
        r"|(?:Start|End) queue run|exim \d|SMTP connection from)"
    ),
}
MAILGUN_EVENT = re.compile(r'"event"\s*:\s*"')


class LineParser(Protocol):
    def parse(self, line: str) -> list[Event] | None: ...


def detect_format(first_lines: Sequence[str]) -> LogFormat | None:
    lines = [line for line in first_lines if line.strip()][:DETECT_LINES]
    if not lines:
        return None
    if lines[0].lstrip("\ufeff \t")[:1] in ("[", "{") and any(
        MAILGUN_EVENT.search(line) for line in lines
    ):
        return LogFormat.MAILGUN
    scores = {fmt: sum(1 for line in lines if sig.match(line)) for fmt, sig in SIGNATURES.items()}
    best = max(scores, key=lambda fmt: scores[fmt])
    return best if scores[best] else None


def make_parser(log_format: LogFormat, reference: date) -> LineParser:
    """A fresh, stateful parser for one file; `reference` anchors syslog years."""
    if log_format is LogFormat.POSTFIX:
        return PostfixParser(reference)
    if log_format is LogFormat.EXIM:
        return EximParser()
    return MailgunParser()
