"""Log timestamps: classic syslog (`Jan 10 02:00:01`, no year, no zone) and RFC 3339.

Classic syslog stamps carry no year (RFC 3164 §4.1.2). The year is inferred from a
reference date (the file's modification time, or today for stdin): a log whose first
month is later than the reference month started the year before. Inside the file, a
month that goes backwards by more than six months (Dec -> Jan) is a new year.
Zone-less stamps are kept as logged and treated as UTC; RFC 3339 ones are converted.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTHS = {name: number for number, name in enumerate(MONTH_NAMES, 1)}


class SyslogClock:
    """Turns `Mon DD HH:MM:SS` into datetimes, tracking the inferred year across lines."""

    def __init__(self, reference: date) -> None:
        self.reference = reference
        self.year: int | None = None
        self.last_month = 0

    def stamp(self, month_name: str, day: str, clock: str) -> datetime | None:
        month = MONTHS.get(month_name)
        if month is None:
            return None
        if self.year is None:
            late = month > self.reference.month
            self.year = self.reference.year - 1 if late else self.reference.year
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
