"""The volume check's report section (checks/volume/report.py): appendix tables and
the subject of a logs-only report."""

from __future__ import annotations

from typing import Any

from checks.volume.report import appendix, section, subject


def check(evidence: dict[str, Any]) -> Any:
    return {"id": "volume", "status": "fail", "duration_s": 0.1, "detail": "", "unknowns": [],
            "evidence": evidence}  # fmt: skip


def test_volume_section_tables_files_accounts_and_rejections() -> None:
    evidence = {
        "formats": ["postfix"],
        "files": [{"path": "/var/log/mail.log", "format": "postfix", "lines": 10, "events": 4}],
        "top_accounts": [{"account": "alice@example.test", "messages": 1200, "client_ips": 37}],
        "rejections": [{"provider": "spamhaus", "reason": "blocked", "count": 3, "sample": "x"}],
        "totals": {"messages": 1200},
    }
    volume = appendix(evidence)
    assert [t.caption for t in volume.tables] == [
        "Log files",
        "Busiest accounts",
        "Remote rejections",
    ]
    assert volume.tables[0].rows[0][0].text == "mail.log"


def test_a_logs_only_report_is_about_the_log_files() -> None:
    files = [{"path": f"/var/log/mail.log.{n}"} for n in range(3)]
    assert subject({"files": files}) == "mail logs: mail.log.0, mail.log.1 …"
    assert section(check({"files": files[:1]})).subject == "mail logs: mail.log.0"


def test_without_files_the_volume_check_names_no_subject() -> None:
    assert subject({}) is None


def test_the_lines_of_each_family_are_in_the_appendix() -> None:
    # given two files, a Debian mail.log with dovecot lines and an Exim mainlog
    files = [
        {"path": "mail.log", "lines": 310, "line_families": {"postfix": 40, "not_mail": 270}},
        {"path": "mainlog", "lines": 15, "line_families": {"exim": 15}},
    ]
    volume = appendix({"files": files})
    # then the appendix says how many lines of each family were seen, in all and per file
    facts = {fact.label: fact.value for fact in volume.facts}
    assert facts["Lines by family"] == "exim 15, not mail 270, postfix 40"
    assert volume.tables[0].rows[0][1].note == "not mail 270, postfix 40"
