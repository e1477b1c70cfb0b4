"""The relay check's report section (checks/relay/report.py): the SMTP servers table
of the Sending IPs chapter and the appendix tables of every attempt."""

from __future__ import annotations

from typing import Any

from checks.relay.report import SERVERS_LEAD, appendix, section, servers_table


def check(servers: list[dict[str, Any]]) -> Any:
    return {"id": "relay", "status": "fail", "duration_s": 0.1, "detail": "", "unknowns": [],
            "evidence": {"servers": servers}}  # fmt: skip


def smtp_table(relay_check: Any) -> Any:
    return servers_table(relay_check["evidence"])


def server(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "host": "mx1.example.test",
        "ip": "192.0.2.10",
        "port": 25,
        "banner": ["220 mx1.example.test ESMTP"],
        "starttls": True,
        "auth_mechanisms": [],
        "error": None,
        "attempts": [{"kind": "plain", "outcome": "rejected"}],
        "vantage": {"internal": False, "source_ip": "198.51.100.9"},
    }
    base.update(overrides)
    return base


def texts(table: Any) -> list[list[str]]:
    return [[cell.text for cell in row] for row in table.rows]


def test_a_closed_server_shows_its_banner_and_closed_verdict() -> None:
    table = smtp_table(check([server()]))
    assert table is not None
    assert texts(table) == [
        [
            "mx1.example.test (192.0.2.10:25)",
            "220 mx1.example.test ESMTP",
            "STARTTLS",
            "closed",
            "from 198.51.100.9",
        ]
    ]


def test_a_plain_relay_accepted_reads_open_relay() -> None:
    attempts = [{"kind": "plain", "outcome": "accepted_at_rcpt"}]
    table = smtp_table(check([server(attempts=attempts)]))
    assert table is not None and texts(table)[0][3] == "open relay"


def test_an_unreachable_server_is_not_determined_never_closed() -> None:
    table = smtp_table(check([server(banner=[], attempts=[], error="timeout")]))
    assert table is not None
    assert texts(table)[0][1] == "no greeting"
    assert texts(table)[0][3] == "not determined"


def test_probe_from_a_trusted_network_is_flagged() -> None:
    vantage = {"internal": True, "source_ip": "127.0.0.1", "reason": "loopback"}
    table = smtp_table(check([server(vantage=vantage)]))
    assert table is not None and table.rows[0][4].tone == "warn"


def test_no_table_when_no_server_was_probed() -> None:
    assert servers_table({"servers": []}) is None
    assert section(check([])).ip_subsections == ()


def test_the_section_puts_the_servers_table_in_the_ips_chapter_with_its_lead() -> None:
    (subsection,) = section(check([server()])).ip_subsections
    assert subsection.title == "SMTP servers probed"
    assert subsection.lead == SERVERS_LEAD and "no DATA" in subsection.lead
    assert subsection.table.css_class == "smtp"


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
    relay = appendix(evidence)
    (table,) = relay.tables
    assert [row[0].text for row in table.rows] == ["null-sender", "bang-path"]
    assert [row[4].tone for row in table.rows] == ["ok", "bad"]
    assert any("banner" in fact.label for fact in relay.facts)


def test_relay_section_without_servers_says_so() -> None:
    assert appendix({"servers": []}).note == "No SMTP server was probed."
