"""The relay probe's safety rules (SPEC): no DATA, RSET between attempts, QUIT at the
end, bounded replies. Hostile servers must end in an unknown, never in a hang."""

from __future__ import annotations

import itertools

import pytest
from support.relaylab import probe, run_relay, unknown_reasons
from support.smtp_fixtures import SmtpFactory

from audit.lab.smtpscript import Hostility, SmtpScript
from checks.relay.variants import FOREIGN_DOMAIN, variants

PRESETS = {
    "closed": SmtpScript.closed(),
    "open": SmtpScript.open_relay(),
    "accept_then_drop": SmtpScript.accept_then_drop(),
    "auth_required": SmtpScript.auth_required(),
    "greylisting": SmtpScript.greylisting(),
}


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_probe_never_sends_data(smtp_server: SmtpFactory, preset: str) -> None:
    server = smtp_server(PRESETS[preset])
    probe(server)
    assert not server.data_received


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_probe_ends_with_quit(smtp_server: SmtpFactory, preset: str) -> None:
    server = smtp_server(PRESETS[preset])
    probe(server)
    assert server.sessions[0].commands[-1] == "QUIT"


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_rset_separates_every_attempt(smtp_server: SmtpFactory, preset: str) -> None:
    # given the variants spread over connections below the server's error limit
    server = smtp_server(PRESETS[preset])
    probe(server)
    # then every variant is tried once, RSET separates the attempts of each
    # connection and each connection ends with QUIT
    assert sum(s.commands.count("MAIL") for s in server.sessions) == len(variants())
    for session in server.sessions:
        commands = session.commands
        mail_at = [i for i, verb in enumerate(commands) if verb == "MAIL"]
        for previous, current in itertools.pairwise(mail_at):
            assert "RSET" in commands[previous:current]
        assert commands[-1] == "QUIT"


@pytest.mark.parametrize(("preset", "connections"), [("closed", 2), ("open", 1)])
def test_refusals_per_connection_stay_below_the_error_limit(
    smtp_server: SmtpFactory, preset: str, connections: int
) -> None:
    # given Postfix's default smtpd_soft_error_limit of 10 refusals per connection
    server = smtp_server(PRESETS[preset])
    result = probe(server)
    # then a closed server gets a fresh connection before its 9th refusal, and an open
    # relay (no refusals) one connection
    assert len(server.sessions) == result.connections == connections
    for session in server.sessions:
        refused = [line for line in session.server_lines if line[:1] in "45"]
        assert len(refused) <= 8


def test_every_nmap_variant_is_tried(smtp_server: SmtpFactory) -> None:
    server = smtp_server()
    result = probe(server)
    assert len(variants()) == 16
    assert [a.variant for a in result.attempts] == [v.id for v in variants()]


def test_recipients_are_in_the_reserved_invalid_domain(smtp_server: SmtpFactory) -> None:
    server = smtp_server()
    probe(server)
    rcpts = [line for line in server.sessions[0].client_lines if line.startswith("RCPT")]
    assert rcpts and all(FOREIGN_DOMAIN in line for line in rcpts)


@pytest.mark.parametrize(
    ("kind", "at"),
    [
        (Hostility.LONG_LINE, "BANNER"),
        (Hostility.MANY_LINES, "EHLO"),
        (Hostility.ENDLESS, "BANNER"),
        (Hostility.ENDLESS, "RCPT"),
    ],
)
def test_hostile_replies_are_bounded_and_unknown(
    smtp_server: SmtpFactory, kind: Hostility, at: str
) -> None:
    # given a server whose reply breaks a size bound
    server = smtp_server(SmtpScript.hostile(kind, at=at))
    # when the check probes it
    result = run_relay(server.address, smtp_timeout=1.0)
    # then it ends, unknown (malformed), with no finding and no DATA
    assert unknown_reasons(result) == ["malformed_response"]
    assert result.findings == () or {f.code for f in result.findings} == {"RELAY_NO_STARTTLS"}
    assert result.evidence["servers"][0]["error"] == "protocol_violation"
    assert not server.data_received


def test_non_utf8_replies_are_decoded_with_replacement(smtp_server: SmtpFactory) -> None:
    server = smtp_server(SmtpScript.hostile(Hostility.NON_UTF8, at="EHLO"))
    result = probe(server)
    assert result.error is None
    assert len(result.attempts) == len(variants())
    assert any("\ufffd" in line for line in result.transcript)


def test_control_characters_in_replies_are_escaped(smtp_server: SmtpFactory) -> None:
    banner = "220 mx1.example.test ESMTP \x1b[31mred\u202e"
    server = smtp_server(SmtpScript.closed(replies={"BANNER": banner}))
    result = probe(server)
    assert result.transcript[0] == "S: 220 mx1.example.test ESMTP \\x1b[31mred\\x202e"


def test_transcript_records_both_directions(smtp_server: SmtpFactory) -> None:
    result = probe(smtp_server())
    assert result.transcript[0].startswith("S: 220 ")
    assert result.transcript[1] == "C: EHLO [127.0.0.1]"
    assert result.transcript[-1].startswith("S: 221")


def test_a_tarpit_is_not_reconnected_to(smtp_server: SmtpFactory) -> None:
    # given a closed server that holds every greeting (tarpitting)
    server = smtp_server(SmtpScript.tarpit(0.6))
    # when probed: a new connection would cost more than the error sleeps it avoids
    result = probe(server)
    # then every variant goes over the one connection
    assert len(server.sessions) == result.connections == 1
    assert len(result.attempts) == len(variants())
