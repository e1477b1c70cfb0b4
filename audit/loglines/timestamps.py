"""Log timestamps: classic syslog (`Jan 10 02:00:01`, no year, no zone) and RFC 3339.

Classic syslog stamps carry no year (RFC 3164 §4.1.2). Syslog dates run forward, so the
year is inferred from the log's own sequence, anchored on a reference date (the file's
modification time, or today for stdin) that no line can be later than: the line a file
ends with (when it can be read cheaply, `last_day`) is in the reference's year unless its
day is after the reference's, then the year before; the first line is in that year, or the
year before when its day comes after the last line's (the log crossed a new year). Without
the last line, the first line's day is compared with the reference's the same way. Inside
the file, a month that goes backwards by more than six months (Dec -> Jan) is a new year.
`--year` states the first line's year instead.
Zone-less stamps are kept as logged and treated as UTC; RFC 3339 ones are converted.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Final

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTHS: Final = {name: number for number, name in enumerate(MONTH_NAMES, 1)}
TAIL_BYTES: Final = 64 * 1024  # the end of a plain file read for its last stamp


class SyslogClock:
    """Turns `Mon DD HH:MM:SS` into datetimes, tracking the inferred year across lines.
    `year`: the first line's year as stated (--year); `last_day`: (month, day) of the
    file's last syslog line, when known."""

    def __init__(
        self, reference: date, year: int | None = None, last_day: tuple[int, int] | None = None
    ) -> None:
        self.reference = reference
        self.stated_year = year
        self.last_day = last_day
        self.year: int | None = None
        self.last_month = 0

    def first_year(self, month: int, day: int) -> int:
        """The year of the first line, dated `month`/`day`."""
        if self.stated_year is not None:
            return self.stated_year
        reference = (self.reference.month, self.reference.day)
        if self.last_day is None:
            return self.reference.year - 1 if (month, day) > reference else self.reference.year
        last_year = self.reference.year - (1 if self.last_day > reference else 0)
        return last_year - 1 if (month, day) > self.last_day else last_year

    def stamp(self, month_name: str, day: str, clock: str) -> datetime | None:
        month = MONTHS.get(month_name)
        if month is None:
            return None
        if self.year is None:
            self.year = self.first_year(month, int(day))
        elif month < self.last_month - 6:
            self.year += 1  # Dec -> Jan rollover
        self.last_month = month
        try:
            hour, minute, second = (int(part) for part in clock.split(":"))
            return datetime(self.year, month, int(day), hour, minute, second, tzinfo=UTC)
        except ValueError:
            return None


def parse_rfc3339(text: str) -> datetime | None:
    """`2024-01-10T02:00:01.123+01:00` (or `Z`, or a space for the T) in UTC."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def from_epoch(value: object) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def last_day(tail: str) -> tuple[int, int] | None:
    """(month, day) of the last classic syslog stamp starting a line of `tail`."""
    for line in reversed(tail.splitlines()):
        month = MONTHS.get(line[:3])
        if month is not None and line[3:4] == " " and (day := line[4:6].strip()).isdigit():
            return month, int(day)
    return None
