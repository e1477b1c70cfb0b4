"""A syslog file (rsyslog's `mail.log`, journald's text, Postfix's `maillog_file`): Postfix
lines, Exim's when it logs through syslog (`log_file_path = syslog`: `host exim[4000]:
2026-11-21 10:00:00 1abc...`, Exim's own stamp kept, spec chapter "Log files"), and other
programs' (dovecot, amavis, opendkim), which are counted as not mail lines.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from audit.loglines.exim import EximParser
from audit.loglines.postfix import PostfixParser
from audit.loglines.records import Event, LogFormat

NOT_MAIL = "not_mail"  # a syslog line of a program that is not a mail server
EXIM_PROGRAMS = ("exim",)  # exim, exim4 (Debian's binary name)


class SyslogParser:
    """Postfix's lines through the Postfix parser, Exim's through an Exim parser."""

    def __init__(
        self, reference: date, year: int | None = None, last_day: tuple[int, int] | None = None
    ) -> None:
        self.postfix = PostfixParser(reference, self._foreign, year, last_day)
        self.exim: EximParser | None = None  # made on the first Exim line
        self.exim_lines = 0

    def parse_batch(self, lines: Sequence[str], add: Callable[[Event], None]) -> tuple[int, int]:
        return self.postfix.parse_batch(lines, add)

    def finish(self) -> int:
        return 0

    def families(self) -> dict[str, int]:
        return {
            LogFormat.POSTFIX.value: self.postfix.postfix_lines,
            LogFormat.EXIM.value: self.exim_lines,
            NOT_MAIL: self.postfix.other_lines,
        }

    def _foreign(self, program: str, message: str, add: Callable[[Event], None]) -> int | None:
        if not program.startswith(EXIM_PROGRAMS):
            return None
        if self.exim is None:
            self.exim = EximParser()
        self.exim_lines += 1
        events = self.exim.parse(message) or []  # without Exim's stamp: no event to read
        for event in events:
            add(event)
        return len(events)
