"""The relay check against scripted SMTP servers on loopback: findings, unknowns, skips.

Every server here is `audit.lab.smtpserver.ScriptedSmtpServer` (tests/smtp_fixtures.py);
the probe runs from 127.0.0.1, so findings carry the vantage-point caveat.
"""

from __future__ import annotations

import socket

import pytest
from support.relaylab import DOMAIN, codes, outcomes, run_relay, unknown_reasons
from support.smtp_fixtures import SmtpFactory

from audit.lab.smtpscript import SmtpScript
from audit.model import CheckStatus

# -- verdicts per server behaviour -------------------------------------------------------


def test_closed_mx_has_no_relay_finding(smtp_server: SmtpFactory) -> None:
    # given a correctly closed MX that offers STARTTLS
    server = smtp_server(SmtpScript.closed(starttls=True))
    # when the relay check probes it
    result = run_relay(server.address)
    # then nothing is found, every variant was rejected and the check passes
    assert codes(result) == {}
    assert set(outcomes(result).values()) == {"rejected"}
    assert result.status is CheckStatus.PASS


def test_open_relay_is_critical(smtp_server: SmtpFactory) -> None:
    server = smtp_server(SmtpScript.open_relay(starttls=True))
    result = run_relay(server.address)
    assert codes(result) == {"RELAY_OPEN": "critical"}
    assert result.status is CheckStatus.FAIL


def test_accept_then_drop_is_reported_as_address_trick(smtp_server: SmtpFactory) -> None:
    # given a server refusing plain relaying but accepting percent hacks and bang paths
    server = smtp_server(SmtpScript.accept_then_drop(starttls=True))
    result = run_relay(server.address)
    # then the finding is the trick one, not an open relay
    assert codes(result) == {"RELAY_ADDRESS_TRICK_ACCEPTED": "high"}
    assert outcomes(result)["percent-hack-ip"] == "accepted_at_rcpt"
    assert outcomes(result)["null-sender"] == "rejected"


@pytest.mark.parametrize("at", ["MAIL", "RCPT"])
def test_auth_required_is_a_refusal(smtp_server: SmtpFactory, at: str) -> None:
    server = smtp_server(SmtpScript.auth_required(at=at, starttls=True))
    result = run_relay(server.address)
    assert codes(result) == {}
    assert set(outcomes(result).values()) == {"auth_required"}
    assert result.status is CheckStatus.PASS


def test_auth_mechanisms_are_recorded(smtp_server: SmtpFactory) -> None:
    server = smtp_server(SmtpScript.auth_required(starttls=True))
    evidence = run_relay(server.address).evidence["servers"][0]
    assert evidence["auth_mechanisms"] == ["PLAIN", "LOGIN"]
    assert evidence["starttls"] is True


def test_greylisting_is_unknown_not_a_finding(smtp_server: SmtpFactory) -> None:
    # given a greylister answering 450 to every RCPT
    server = smtp_server(SmtpScript.greylisting(starttls=True))
    result = run_relay(server.address)
    # then no relay finding, but the check cannot call it clean either
    assert codes(result) == {}
    assert unknown_reasons(result) == ["refused"]
    assert result.status is CheckStatus.UNKNOWN


def test_missing_starttls_is_medium(smtp_server: SmtpFactory) -> None:
    server = smtp_server(SmtpScript.closed())
    assert codes(run_relay(server.address)) == {"RELAY_NO_STARTTLS": "medium"}


def test_server_without_esmtp_falls_back_to_helo(smtp_server: SmtpFactory) -> None:
    # given a server that refuses EHLO (no ESMTP)
    server = smtp_server(SmtpScript.closed(replies={"EHLO": "502 5.5.2 not implemented"}))
    result = run_relay(server.address)
    # then the probe said HELO, still tried every variant, and notes there is no STARTTLS
    assert result.evidence["servers"][0]["hello"] == "HELO"
    assert set(outcomes(result).values()) == {"rejected"}
    assert codes(result) == {"RELAY_NO_STARTTLS": "medium"}


def test_session_refused_at_greeting_is_unknown(smtp_server: SmtpFactory) -> None:
    server = smtp_server(SmtpScript.closed(replies={"BANNER": "554 5.7.1 No service for you"}))
    result = run_relay(server.address)
    assert codes(result) == {}
    assert unknown_reasons(result) == ["refused"]


def test_421_mid_session_stops_early_and_is_unknown(smtp_server: SmtpFactory) -> None:
    server = smtp_server(SmtpScript.closed(replies={"RCPT": "421 4.7.0 too many errors"}))
    result = run_relay(server.address)
    assert unknown_reasons(result) == ["network_error"]
    assert len(server.sessions[0].commands) <= 4  # EHLO MAIL RCPT, then it hung up


# -- vantage point ---------------------------------------------------------------------------


def test_findings_say_where_the_probe_ran_from(smtp_server: SmtpFactory) -> None:
    server = smtp_server(SmtpScript.open_relay(starttls=True))
    result = run_relay(server.address)
    finding = result.findings[0]
    assert finding.evidence["vantage"]["source_ip"] == "127.0.0.1"
    assert finding.evidence["vantage"]["internal"] is True
    assert "false alarm" in finding.detail
    assert result.evidence["servers"][0]["vantage"]["source_ip"] == "127.0.0.1"


# -- unreachable, slow, skipped --------------------------------------------------------------


def test_connection_refused_is_unknown_never_pass() -> None:
    # given a loopback port that is bound but not listening: connections are refused
    with socket.socket() as reserved:
        reserved.bind(("127.0.0.1", 0))
        result = run_relay(f"127.0.0.1:{reserved.getsockname()[1]}")
    assert unknown_reasons(result) == ["network_error"]
    assert result.status is CheckStatus.UNKNOWN


def test_tarpit_beyond_the_timeout_is_unknown(smtp_server: SmtpFactory) -> None:
    # given a tarpit holding its banner far longer than the (tiny) SMTP timeout allows
    server = smtp_server(SmtpScript.tarpit(30))
    result = run_relay(server.address, smtp_timeout=0.1)
    assert unknown_reasons(result) == ["timeout"]
    assert result.evidence["servers"][0]["error"] == "timeout"


def test_check_budget_bounds_a_slow_session(smtp_server: SmtpFactory) -> None:
    # given a tarpit and a command timeout longer than the check's own time
    server = smtp_server(SmtpScript.tarpit(30))
    result = run_relay(server.address, smtp_timeout=20, check_timeout=0.5)
    assert result.evidence["servers"][0]["error"] == "budget"
    assert unknown_reasons(result) == ["timeout"]


def test_no_relay_probe_skips_the_check(smtp_server: SmtpFactory) -> None:
    server = smtp_server()
    result = run_relay(server.address, relay_probe=False)
    assert result.status is CheckStatus.SKIPPED
    assert result.detail
    assert server.sessions == []


def test_several_hosts_are_probed_each_once(smtp_server: SmtpFactory) -> None:
    closed, open_relay = smtp_server(), smtp_server(SmtpScript.open_relay())
    result = run_relay(closed.address, open_relay.address, closed.address)
    assert [s["port"] for s in result.evidence["servers"]] == [closed.port, open_relay.port]
    # one probe per host: the closed one's 16 refusals over two connections (below
    # Postfix's default error limit), the open relay's acceptances over one
    assert [s["connections"] for s in result.evidence["servers"]] == [2, 1]
    assert (len(closed.sessions), len(open_relay.sessions)) == (2, 1)
    assert {f.subject for f in result.findings if f.code == "RELAY_OPEN"} == {
        f"127.0.0.1:{open_relay.port}"
    }


def test_without_domain_or_host_the_check_is_unknown() -> None:
    result = run_relay(domain=None)
    assert unknown_reasons(result) == ["dependency"]


def test_sender_is_in_the_audited_domain(smtp_server: SmtpFactory) -> None:
    server = smtp_server()
    run_relay(server.address)
    assert f"MAIL FROM:<relay-probe@{DOMAIN}>" in server.sessions[0].client_lines
