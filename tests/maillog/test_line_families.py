"""Detection per line family over the whole file (issue 9 item 2): real logs start with
other programs' lines or with Exim's rejections, and Exim may log through syslog."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from support import mail_logs as ml

from audit.maillog.ingest import read_logs, validate_logs
from audit.maillog.reader import LogInputError

TODAY = date(2025, 3, 20)


def at(second: int):
    return ml.START + timedelta(seconds=second)


def debian_mail_log(tmp_path: Path, dovecot: int = 250) -> Path:
    """Debian's mail.log: dovecot logins first, then Postfix mixed with amavis/opendkim."""
    lines = [ml.dovecot(n, at(n)) for n in range(dovecot)]
    for n in range(10):
        lines += [ml.amavis(n, at(300 + n)), ml.opendkim(n, at(300 + n))]
        lines += ml.postfix_delivery(n, at(300 + n), f"bob{n}@example.net", ml.OTHER_MX)
    return ml.write(tmp_path / "mail.log", lines)


def exim_mainlog_starting_with_refusals(tmp_path: Path) -> Path:
    lines = [ml.exim_rejection(n, at(n)) for n in range(150)]
    lines += [ml.exim_auth_failure(n, at(150 + n)) for n in range(150)]
    for n in range(5):
        lines += ml.exim_message(n, at(400 + n))
    return ml.write(tmp_path / "mainlog", lines)


def exim_through_syslog(tmp_path: Path) -> Path:
    lines = [ml.dovecot(n, at(n)) for n in range(20)]
    for n in range(5):
        lines += [ml.via_syslog(line, at(100 + n)) for line in ml.exim_message(n, at(100 + n))]
    return ml.write(tmp_path / "mail.log", lines)


def test_a_debian_mail_log_starting_with_250_dovecot_lines_is_read(tmp_path: Path) -> None:
    # given a mail.log whose first 250 lines are dovecot's
    path = debian_mail_log(tmp_path)
    # when it is validated and read
    validate_logs([str(path)])
    facts = read_logs([str(path)], today=TODAY)
    # then it is Postfix, every message is counted, and the other programs' lines are counted
    (file,) = facts.files
    assert file.format == "postfix" and facts.totals["messages"] == 10
    assert file.families == {"postfix": 40, "not_mail": 270} and file.malformed == 0


def test_an_exim_mainlog_starting_with_rejections_and_auth_failures_is_read(
    tmp_path: Path,
) -> None:
    # given a mainlog whose first 300 lines are SMTP-time rejections and authenticator failures
    path = exim_mainlog_starting_with_refusals(tmp_path)
    # when it is validated and read
    validate_logs([str(path)])
    facts = read_logs([str(path)], today=TODAY)
    # then it is Exim, with its messages and every line counted as Exim's
    (file,) = facts.files
    assert file.format == "exim" and facts.totals["messages"] == 5
    assert file.families == {"exim": 315} and file.malformed == 0


def test_an_exim_mainlog_of_refusals_only_is_an_exim_log(tmp_path: Path) -> None:
    path = ml.write(tmp_path / "mainlog", [ml.exim_auth_failure(n, at(n)) for n in range(3)])
    assert validate_logs([str(path)]) == {str(path): "exim"}


def test_exim_logging_through_syslog_is_read(tmp_path: Path) -> None:
    # given Exim's lines through syslog (`host exim[4000]: 2025-03-11 02:00:01 ...`)
    path = exim_through_syslog(tmp_path)
    # when it is read
    validate_logs([str(path)])
    facts = read_logs([str(path)], today=TODAY)
    # then its messages and deliveries are counted, with the dovecot lines as not mail
    (file,) = facts.files
    assert file.format == "exim" and facts.totals["messages"] == 5 and facts.totals["sent"] == 5
    assert file.families == {"exim": 15, "not_mail": 20}


def test_postfix_and_exim_in_one_syslog_file_are_both_read(tmp_path: Path) -> None:
    lines = ml.postfix_delivery(1, at(0), "bob@example.net", ml.OTHER_MX)
    lines += [ml.via_syslog(line, at(5)) for line in ml.exim_message(2, at(5))]
    path = ml.write(tmp_path / "mail.log", lines)
    facts = read_logs([str(path)], today=TODAY)
    assert facts.totals["messages"] == 2 and facts.files[0].families == {"postfix": 4, "exim": 3}


def test_a_syslog_file_without_any_mail_line_is_still_refused(tmp_path: Path) -> None:
    path = ml.write(tmp_path / "mail.log", [ml.dovecot(n, at(n)) for n in range(300)])
    with pytest.raises(LogInputError, match="300 of them other programs"):
        validate_logs([str(path)])
