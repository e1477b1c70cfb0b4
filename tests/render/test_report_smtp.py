"""The report's SMTP servers table, built from the relay check's evidence."""

from __future__ import annotations

from typing import Any

from audit.render.report.smtp import smtp_table


def document(servers: list[dict[str, Any]], status: str = "fail") -> dict[str, Any]:
    return {"checks": [{"id": "relay", "status": status, "evidence": {"servers": servers}}]}


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
    table = smtp_table(document([server()]))
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
    table = smtp_table(document([server(attempts=attempts)]))
    assert table is not None and texts(table)[0][3] == "open relay"


def test_an_unreachable_server_is_not_determined_never_closed() -> None:
    table = smtp_table(document([server(banner=[], attempts=[], error="timeout")]))
    assert table is not None
    assert texts(table)[0][1] == "no greeting"
    assert texts(table)[0][3] == "not determined"


def test_probe_from_a_trusted_network_is_flagged() -> None:
    vantage = {"internal": True, "source_ip": "127.0.0.1", "reason": "loopback"}
    table = smtp_table(document([server(vantage=vantage)]))
    assert table is not None and table.rows[0][4].tone == "warn"


def test_no_table_when_the_relay_check_was_skipped() -> None:
    assert smtp_table(document([server()], status="skipped")) is None
