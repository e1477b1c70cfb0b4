"""The volume check's options: the year of syslog-stamped logs, when the logs cannot say.

Classic syslog stamps (`Mar 11 02:00:01`) carry no year (RFC 3164 §4.1.2): the check infers
it from the log's own dates and the file's modification time (audit/loglines/timestamps.py);
`--year` states it for a log whose file date says nothing (a copy, stdin, an old archive).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from audit.engine.options import OptionSpec, ValueKind
from audit.model.errors import InputError

MIN_YEAR, MAX_YEAR = 1970, 9999


def parse_year(raw: Any) -> int | None:
    """--year YEAR as an int (exit 2 for anything that is not a plausible year)."""
    if raw is None:
        return None
    try:
        year = float(raw)
    except (TypeError, ValueError):
        raise InputError(f"--year {raw}: not a year") from None
    if not year.is_integer() or not MIN_YEAR <= year <= MAX_YEAR:
        raise InputError(f"--year {raw}: not a year between {MIN_YEAR} and {MAX_YEAR}")
    return int(year)


@dataclass(frozen=True)
class VolumeOptions:
    year: int | None = None  # the first syslog line's year; None: inferred

    declarations: ClassVar[tuple[OptionSpec, ...]] = (
        OptionSpec(
            "year",
            ("--year",),
            "Year of the first line of syslog-stamped mail logs (their stamps have none; a "
            "Dec -> Jan rollover moves on to the next). Default: inferred from the log's own "
            "dates and the file's modification time.",
            ValueKind.NUMBER,
            metavar="YEAR",
            field="year",
            parse=parse_year,
        ),
    )
