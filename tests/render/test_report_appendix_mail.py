"""Appendix tables for the relay probe and the mail-log analysis."""

from __future__ import annotations

from audit.render.report.appendix_mail import relay_section, volume_section


def test_relay_section_has_one_row_per_attempt_with_its_outcome() -> None:
    evidence = {
        "foreign_recipient_domain": "relay-test.mailhygiene.invalid",
        "variants": 2,
        "servers": [
            {
                "host": "mx1.example.test",
                "ip": "192.0.2.10",
                "port": 25,
                "banner": ["220 mx1.example.test ESMTP"],
                "attempts": [
                    {"variant": "null-sender", "kind": "plain", "outcome": "rejected",
                     "mail_from": "<>", "rcpt_to": "<x@relay-test.mailhygiene.invalid>",
                     "rcpt_reply": "554 5.7.1 Relay access denied"},
                    {"variant": "bang-path", "kind": "trick", "outcome": "accepted_at_rcpt",
                     "mail_from": "<a@[192.0.2.10]>", "rcpt_to": "<other!x>",
                     "rcpt_reply": "250 2.1.5 Ok"},
                ],
                "vantage": {"source_ip": "198.51.100.9", "reason": "outside"},
            }
        ],
    }  # fmt: skip
    section = relay_section(evidence)
    (table,) = section.tables
    assert [row[0].text for row in table.rows] == ["null-sender", "bang-path"]
    assert [row[4].tone for row in table.rows] == ["ok", "bad"]
    assert any("banner" in fact.label for fact in section.facts)


def test_relay_section_without_servers_says_so() -> None:
    assert relay_section({"servers": []}).note == "No SMTP server was probed."


def test_volume_section_tables_files_accounts_and_rejections() -> None:
    evidence = {
        "formats": ["postfix"],
        "files": [{"path": "/var/log/mail.log", "format": "postfix", "lines": 10, "events": 4}],
        "top_accounts": [{"account": "alice@example.test", "messages": 1200, "client_ips": 37}],
        "rejections": [{"provider": "spamhaus", "reason": "blocked", "count": 3, "sample": "x"}],
        "totals": {"messages": 1200},
    }
    section = volume_section(evidence)
    assert [t.caption for t in section.tables] == [
        "Log files",
        "Busiest accounts",
        "Remote rejections",
    ]
    assert section.tables[0].rows[0][0].text == "mail.log"
