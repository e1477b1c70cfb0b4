"""The year of classic syslog stamps, inferred from the log's own sequence (issue 9, item 6):
no line is dated after the reference date (the file's modification time, or today)."""

from __future__ import annotations

from datetime import date

from audit.loglines.timestamps import SyslogClock, last_day


def years(clock: SyslogClock, *days: tuple[str, str]) -> list[int]:
    return [stamp.year for m, d in days if (stamp := clock.stamp(m, d, "02:00:00"))]


def test_a_december_to_january_log_read_in_december_ends_in_this_year() -> None:
    # given a Dec 31 -> Jan 1 log read from stdin on Dec 2 (no file date, no last line)
    clock = SyslogClock(date(2026, 12, 2))
    # when its stamps are dated; then Dec 31 is last year's: the log is not in the future
    assert years(clock, ("Dec", "31"), ("Jan", "1")) == [2025, 2026]


def test_the_last_line_anchors_the_year_of_a_copied_file() -> None:
    # given a Dec 31 -> Jan 1 log copied on Dec 2 (mtime = now), its last line Jan 1
    clock = SyslogClock(date(2026, 12, 2), last_day=(1, 1))
    # when dated; then the last line is this year's and the first is the year before
    assert years(clock, ("Dec", "31"), ("Jan", "1")) == [2025, 2026]


def test_a_log_within_one_year_is_in_the_year_of_its_last_line() -> None:
    # given a log from Mar 1 to Mar 9 whose file was written on Mar 10
    clock = SyslogClock(date(2026, 3, 10), last_day=(3, 9))
    # then it is all this year's
    assert years(clock, ("Mar", "1"), ("Mar", "9")) == [2026, 2026]


def test_a_last_line_after_the_reference_day_is_last_years() -> None:
    # given a log ending Nov 20 in a file dated Mar 10 (restored from an archive)
    clock = SyslogClock(date(2026, 3, 10), last_day=(11, 20))
    # then it ended in the year before the file's date
    assert years(clock, ("Nov", "1"), ("Nov", "20")) == [2025, 2025]


def test_a_stated_year_is_the_first_lines_and_rolls_over() -> None:
    # given --year 2020 for a Dec 31 -> Jan 1 log
    clock = SyslogClock(date(2026, 12, 2), year=2020, last_day=(1, 1))
    # then the first line is in 2020, the rollover in 2021
    assert years(clock, ("Dec", "31"), ("Jan", "1")) == [2020, 2021]


def test_the_last_stamp_of_a_tail_is_found_past_other_lines() -> None:
    # given a file's tail ending with a line without a stamp
    tail = "Dec 31 23:59:59 mx1 postfix/qmgr[1]: x\nJan  1 00:00:01 mx1 dovecot[2]: y\ngarbage\n"
    # then its last stamp's day is read
    assert last_day(tail) == (1, 1)
