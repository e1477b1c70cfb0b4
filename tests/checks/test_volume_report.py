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


def test_refused_attempts_are_a_fact_and_a_table_of_attacking_ips() -> None:
    # given evidence with 2,000 failed logins from 80 IPs, one of them shown
    attacker = {"ip": "198.51.100.7", "attempts": 25, "targets": 3, "sample_targets": [],
                "first": "2025-03-11T02:00:01Z", "last": "2025-03-11T02:59:00Z"}  # fmt: skip
    attempts = [{"attempt": "auth_failed", "attempts": 2000, "client_ips": 50,
                 "more_client_ips": 30, "top_client_ips": [attacker]}]  # fmt: skip
    # when the appendix is built
    volume = appendix({"attempts": attempts})
    # then a fact sums them up and a table lists the attacking IP
    facts = {fact.label: fact.value for fact in volume.facts}
    assert facts["Refused attempts"] == "auth_failed 2,000 from 80 IPs"
    (table,) = [t for t in volume.tables if t.caption == "Refused attempts by client IP"]
    assert table.rows[0][0].text == "198.51.100.7" and table.rows[0][2].text == "25"


def test_a_capped_table_is_stated_in_the_appendix() -> None:
    # given evidence saying the rejection table reached its bound
    capped = [{"table": "rejections by kind", "limit": 1000, "folded_keys": 4500,
               "folded_weight": 4800}]  # fmt: skip
    # when the appendix is built; then it says so
    facts = {fact.label: fact.value for fact in appendix({"capped_tables": capped}).facts}
    assert (
        facts["Capped tables"]
        == "rejections by kind capped at 1,000 (4,500 keys folded, 4,800 counted in the rest)"
    )


def test_the_deliveries_over_tls_per_provider_are_in_the_appendix() -> None:
    rows = [
        {"provider": "gmail", "tls": 1180, "plain": 20},
        {"provider": "other", "tls": 40, "plain": 0},
    ]
    facts = {f.label: f.value for f in appendix({"tls_deliveries": rows}).facts}
    assert facts["Deliveries sent over TLS"] == (
        "gmail 1,180 of 1,200 over TLS; other 40 of 40 over TLS"
    )


def test_a_log_without_tls_lines_says_the_log_level_hides_them() -> None:
    rows = [{"provider": "gmail", "tls": 0, "plain": 7}]
    facts = {f.label: f.value for f in appendix({"tls_deliveries": rows}).facts}
    assert "smtp_tls_loglevel" in facts["Deliveries sent over TLS"]
