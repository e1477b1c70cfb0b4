"""`logs` and `audit --log` on logs as real servers write them (issue 9), end to end."""

from __future__ import annotations

import gzip
import json
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
from support import mail_logs as ml

import audit
from audit.cli import main

SCHEMA = json.loads((Path(audit.__file__).parent / "schema" / "result.schema.json").read_text())


def run_json(capsys, *argv: str) -> tuple[int, dict]:
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    jsonschema.validate(document, SCHEMA)
    return int(exited.value.code or 0), document


def logs(capsys, *paths: Path, extra: tuple[str, ...] = ()) -> tuple[int, dict]:
    return run_json(capsys, "logs", *map(str, paths), *extra)


def audit_log(capsys, *paths: Path) -> tuple[int, dict]:
    argv = ["audit", "example.test", "--ip", "192.0.2.1", "--checks", "volume"]
    for path in paths:
        argv += ["--log", str(path)]
    return run_json(capsys, *argv)


def two_user_unknown_bounces(tmp_path: Path) -> Path:
    """The issue's reproduction: user unknown from Gmail's MX and from another host."""
    lines = ml.gmail_bounce(1, ml.START) + ml.other_bounce(2, ml.START)
    return ml.write(tmp_path / "mail.log", lines)


@pytest.mark.parametrize("command", [logs, audit_log], ids=["logs", "audit --log"])
def test_two_user_unknown_bounces_with_and_without_a_provider_are_reported(
    capsys, tmp_path: Path, command
) -> None:
    # given two user-unknown bounces, one from Gmail's MX and one from another host
    path = two_user_unknown_bounces(tmp_path)
    # when the logs are read (logs, and audit --log)
    code, document = command(capsys, path)
    # then the check runs (no crash, exit 0) and both rejections are there
    (check,) = document["checks"]
    assert code == 0 and check["status"] == "pass"
    kinds = {(r["provider"], r["reason"], r["count"]) for r in check["evidence"]["rejections"]}
    assert kinds == {("google-gmail", "user_unknown", 1), (None, "user_unknown", 1)}


def test_a_debian_mail_log_starting_with_dovecot_lines_says_its_line_families(
    capsys, tmp_path: Path
) -> None:
    # given a Debian mail.log that starts with 250 dovecot lines
    lines = [ml.dovecot(n, ml.START) for n in range(250)]
    lines += ml.postfix_delivery(1, ml.START, "bob@example.net", ml.OTHER_MX)
    path = ml.write(tmp_path / "mail.log", lines)
    # when `logs` reads it
    code, document = logs(capsys, path)
    # then it is read (not refused), and the evidence counts the lines of each family
    (file,) = document["checks"][0]["evidence"]["files"]
    assert code == 0 and file["format"] == "postfix"
    assert file["line_families"] == {"not_mail": 250, "postfix": 4}


def test_a_truncated_gz_makes_the_check_unknown_naming_the_file(capsys, tmp_path: Path) -> None:
    # given a good log and a rotated .gz cut short
    good = ml.write(tmp_path / "mail.log", ml.gmail_bounce(1, ml.START))
    data = gzip.compress(
        "\n".join(
            line
            for n in range(2, 150)  # one a minute: no burst
            for line in ml.postfix_delivery(
                n, ml.START + timedelta(minutes=n), f"b{n}@example.net", ml.OTHER_MX
            )
        ).encode()
    )
    cut = tmp_path / "mail.log.2.gz"
    cut.write_bytes(data[: len(data) // 2])
    # when `logs` reads both
    code, document = logs(capsys, good, cut)
    # then both are counted, and the check is unknown(truncated) about the cut file only
    (check,) = document["checks"]
    assert check["status"] == "unknown" and code != 2
    assert [(u["subject"], u["reason"]) for u in check["unknowns"]] == [(str(cut), "truncated")]
    assert check["evidence"]["totals"]["messages"] > 1
    assert [f["truncated"] is None for f in check["evidence"]["files"]] == [True, False]


def december_to_january(tmp_path: Path) -> Path:
    """A message on Dec 31 and one on Jan 1 (classic stamps: no year)."""
    new_year = ml.START.replace(month=12, day=31)
    lines = ml.postfix_delivery(1, new_year, "bob@example.net", ml.OTHER_MX)
    lines += ml.postfix_delivery(2, new_year + timedelta(days=1), "bob@example.net", ml.OTHER_MX)
    return ml.write(tmp_path / "mail.log", lines)


def test_a_december_to_january_log_copied_today_is_not_dated_in_the_future(
    capsys, tmp_path: Path
) -> None:
    # given a Dec 31 -> Jan 1 log whose file is dated today (a copy)
    import os
    import time

    path = december_to_january(tmp_path)
    now = time.time()
    os.utime(path, (now, now))
    # when `logs` reads it
    _, document = logs(capsys, path)
    # then its last message is dated no later than today
    last = document["checks"][0]["evidence"]["time_range"]["last"]
    assert last[:10] <= time.strftime("%Y-%m-%d", time.gmtime(now))


@pytest.mark.parametrize("command", ["logs", "audit"])
def test_year_states_the_first_lines_year(capsys, tmp_path: Path, command: str) -> None:
    # given a Dec 31 -> Jan 1 log and --year 2019
    path = december_to_january(tmp_path)
    # when `logs --year 2019` or `audit --log ... --year 2019` reads it
    if command == "logs":
        _, document = logs(capsys, path, extra=("--year", "2019"))
    else:
        argv = ["audit", "example.test", "--ip", "192.0.2.1", "--checks", "volume"]
        _, document = run_json(capsys, *argv, "--log", str(path), "--year", "2019")
    # then the log runs from Dec 31 2019 to Jan 1 2020
    span = document["checks"][0]["evidence"]["time_range"]
    assert span["first"].startswith("2019-12-31") and span["last"].startswith("2020-01-01")


@pytest.mark.parametrize("year", ["20x9", "1800", "2019.5"])
def test_a_bad_year_is_an_input_error(capsys, tmp_path: Path, year: str) -> None:
    # given a log and a --year that is not a year
    path = december_to_january(tmp_path)
    # when `logs` is run; then it exits 2 before reading
    with pytest.raises(SystemExit) as exited:
        main(["logs", str(path), "--year", year])
    assert exited.value.code == 2
    capsys.readouterr()


def test_lines_parsed_counts_only_mail_lines(capsys, tmp_path: Path) -> None:
    # given a Debian mail.log: 250 dovecot and amavis lines, 4 Postfix lines, 1 garbled line
    lines = [ml.dovecot(n, ml.START) for n in range(200)]
    lines += [ml.amavis(n, ml.START) for n in range(50)]
    lines += [*ml.postfix_delivery(1, ml.START, "bob@example.net", ml.OTHER_MX), "\x00garbled"]
    path = ml.write(tmp_path / "mail.log", lines)
    # when `logs` reads it
    _, document = logs(capsys, path)
    # then the other programs' lines are ignored, not parsed, and the garbled one skipped
    evidence = document["checks"][0]["evidence"]
    assert (evidence["lines_parsed"], evidence["lines_ignored"]) == (4, 250)
    assert evidence["lines_skipped"] == 1


def test_a_message_expired_and_returned_to_sender_is_bounced(capsys, tmp_path: Path) -> None:
    # given a message deferred, then expired after maximal_queue_lifetime (qmgr's line)
    lines = ml.postfix_delivery(
        1, ml.START, "bob@example.net", ml.OTHER_MX, "deferred",
        "451 4.7.1 Greylisted, please try again later",
    )  # fmt: skip
    later = ml.START + timedelta(days=5)
    q = ml.qid(1)
    lines += [
        ml.syslog(later, "postfix/qmgr[1002]", f"{q}: from=<alice@example.com>, "
                  "status=expired, returned to sender"),
        ml.syslog(later, "postfix/qmgr[1002]", f"{q}: removed"),
    ]  # fmt: skip
    path = ml.write(tmp_path / "mail.log", lines)
    # when `logs` reads it
    _, document = logs(capsys, path)
    # then it counts as bounced, for the account that sent it
    evidence = document["checks"][0]["evidence"]
    assert evidence["totals"]["bounced"] == 1 and evidence["totals"]["deferred"] == 1
    (alice,) = evidence["top_accounts"]
    assert alice["bounced"] == 1


def test_the_text_header_of_a_logs_only_run_names_the_logs(capsys, tmp_path: Path) -> None:
    # given a log; when `logs` writes its text summary
    path = ml.write(tmp_path / "mail.log", ml.postfix_delivery(1, ml.START, "b@x.net", ml.OTHER_MX))
    with pytest.raises(SystemExit):
        main(["logs", str(path)])
    header = capsys.readouterr().out.splitlines()[:2]
    # then the header names the log files, and no empty resolver line follows
    assert header[0].endswith("— mail logs: mail.log")
    assert not header[1].strip().startswith("resolver")
