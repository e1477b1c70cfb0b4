"""The scripted SMTP server: presets, command order, line limits, transcripts, hostility.

Clients are the standard library's smtplib, or raw asyncio streams where smtplib would
choke on purpose (hostile replies). Everything runs on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import smtplib
import socket
from collections.abc import Iterator

import pytest
from support.smtp_fixtures import SmtpFactory

from audit.lab.smtpscript import (
    SENDMAIL_RELAY_DENIED,
    Hostility,
    RecipientKind,
    SmtpScript,
    classify_recipient,
)
from audit.lab.smtpserver import ScriptedSmtpServer
from audit.lab.smtpwire import Direction, Reply

# nmap smtp-open-relay style address tricks aimed at another domain through our host.
ROUTING_TRICKS = [
    "user%other.test@[127.0.0.1]",
    "user%other.test@example.test",
    '"user@other.test"@example.test',
    "user@other.test@[127.0.0.1]",
    "other.test!user@example.test",
    "other.test!user",
]


@pytest.fixture
def client(smtp_server: SmtpFactory) -> Iterator[smtplib.SMTP]:
    """An EHLO'd smtplib client of a default (closed) server."""
    server = smtp_server()
    with smtplib.SMTP("127.0.0.1", server.port, timeout=5) as smtp:
        smtp.ehlo("probe.example.net")
        yield smtp


def connect(server: ScriptedSmtpServer, timeout: float = 5) -> smtplib.SMTP:
    return smtplib.SMTP("127.0.0.1", server.port, timeout=timeout)


def rcpt_reply(server: ScriptedSmtpServer, recipient: str, sender: str = "a@b.test") -> int:
    with connect(server) as smtp:
        smtp.ehlo("probe.example.net")
        smtp.mail(sender)
        code, _ = smtp.rcpt(recipient)
        return code


async def read_raw(port: int, max_octets: int, send: bytes = b"", until: bytes = b"") -> bytes:
    """Send `send`, then read until `until` arrives, `max_octets` are read, or EOF."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(send)
    received = b""
    while len(received) < max_octets and not (until and until in received):
        chunk = await asyncio.wait_for(reader.read(65536), 5)
        if not chunk:
            break
        received += chunk
    writer.close()
    return received


# -- lifecycle ----------------------------------------------------------------------


def test_server_listens_on_a_loopback_port_and_reports_its_address() -> None:
    with ScriptedSmtpServer(SmtpScript.closed()) as server:
        assert server.port > 0
        assert server.address == f"127.0.0.1:{server.port}"


def test_stop_ends_sessions_still_in_progress() -> None:
    # given a tarpit that would hold the banner for a minute, and a connected client
    server = ScriptedSmtpServer(SmtpScript.tarpit(60)).start()
    raw = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    assert server.wait_for_sessions(1)
    # when the server stops
    server.stop()
    # then its thread is gone and the client sees the connection closed
    assert server._thread is not None and not server._thread.is_alive()
    assert raw.recv(100) == b""
    raw.close()


# -- closed (the correctly configured MX) --------------------------------------------


def test_closed_server_greets_with_its_banner(smtp_server: SmtpFactory) -> None:
    server = smtp_server()
    with connect(server) as smtp:
        code, _ = smtp.docmd("NOOP")
    assert server.sessions[0].server_lines[0] == "220 mx1.example.test ESMTP Postfix"
    assert code == 250


def test_ehlo_answers_a_multiline_250_with_the_extensions(smtp_server: SmtpFactory) -> None:
    server = smtp_server(starttls=True, auth_mechanisms=("PLAIN", "LOGIN"))
    with connect(server) as smtp:
        code, text = smtp.ehlo("probe.example.net")
    assert code == 250
    assert text.decode().splitlines() == [
        "mx1.example.test", "PIPELINING", "SIZE 10240000", "VRFY", "ENHANCEDSTATUSCODES",
        "8BITMIME", "STARTTLS", "AUTH PLAIN LOGIN",
    ]  # fmt: skip


def test_helo_answers_a_single_line(client: smtplib.SMTP) -> None:
    assert client.helo("probe.example.net") == (250, b"mx1.example.test")


def test_closed_server_accepts_a_local_recipient(client: smtplib.SMTP) -> None:
    client.mail("someone@other.test")
    assert client.rcpt("postmaster@example.test") == (250, b"2.1.5 Ok")


def test_closed_server_accepts_its_own_address_literal(client: smtplib.SMTP) -> None:
    client.mail("someone@other.test")
    assert client.rcpt("user@[127.0.0.1]")[0] == 250


def test_closed_server_denies_relaying_postfix_style(client: smtplib.SMTP) -> None:
    client.mail("someone@other.test")
    code, text = client.rcpt("victim@other.test")
    assert (code, text) == (554, b"5.7.1 <victim@other.test>: Relay access denied")


def test_closed_server_can_deny_relaying_sendmail_style(smtp_server: SmtpFactory) -> None:
    server = smtp_server(SmtpScript.closed(relay_denied_reply=SENDMAIL_RELAY_DENIED))
    with connect(server) as smtp:
        smtp.ehlo("probe.example.net")
        smtp.mail("someone@other.test")
        code, text = smtp.rcpt("victim@other.test")
    assert (code, text) == (550, b"5.7.1 <victim@other.test>... Relaying denied")


@pytest.mark.parametrize("recipient", ROUTING_TRICKS)
def test_closed_server_denies_routing_tricks(smtp_server: SmtpFactory, recipient: str) -> None:
    assert rcpt_reply(smtp_server(), recipient) == 554


def test_closed_server_accepts_the_null_sender(client: smtplib.SMTP) -> None:
    code, _ = client.docmd("MAIL", "FROM:<>")
    assert code == 250


def test_closed_server_accepts_postmaster_without_a_domain(client: smtplib.SMTP) -> None:
    client.mail("")
    assert client.rcpt("postmaster")[0] == 250  # RFC 5321 §4.5.1


def test_closed_server_rejects_unknown_local_users(smtp_server: SmtpFactory) -> None:
    server = smtp_server(local_users=frozenset({"alice"}))
    assert rcpt_reply(server, "bob@example.test") == 550
    assert rcpt_reply(server, "alice@example.test") == 250


# -- the other presets --------------------------------------------------------------


def test_open_relay_accepts_any_recipient(smtp_server: SmtpFactory) -> None:
    assert rcpt_reply(smtp_server(SmtpScript.open_relay()), "victim@other.test") == 250


def test_auth_required_answers_530_at_mail(smtp_server: SmtpFactory) -> None:
    server = smtp_server(SmtpScript.auth_required())
    with connect(server) as smtp:
        smtp.ehlo("probe.example.net")
        code, text = smtp.mail("someone@other.test")
    assert (code, text) == (530, b"5.7.0 Authentication required")


def test_auth_required_can_answer_530_at_rcpt(smtp_server: SmtpFactory) -> None:
    assert rcpt_reply(smtp_server(SmtpScript.auth_required(at="RCPT")), "x@other.test") == 530


def test_greylisting_answers_450_at_rcpt(smtp_server: SmtpFactory) -> None:
    server = smtp_server(SmtpScript.greylisting())
    with connect(server) as smtp:
        smtp.ehlo("probe.example.net")
        smtp.mail("someone@other.test")
        code, text = smtp.rcpt("user@example.test")
    assert code == 450
    assert text.startswith(b"4.7.1 ") and b"Greylisted" in text


def test_tarpit_holds_the_banner_past_a_short_client_timeout(smtp_server: SmtpFactory) -> None:
    # given a tarpit holding its banner for a minute, and a client that waits 0.2 s
    server = smtp_server(SmtpScript.tarpit(60))
    with (
        socket.create_connection(("127.0.0.1", server.port), timeout=0.2) as raw,
        pytest.raises(TimeoutError),  # then its read times out with nothing received
    ):
        raw.recv(100)


@pytest.mark.parametrize("recipient", ROUTING_TRICKS)
def test_accept_then_drop_accepts_routing_tricks(smtp_server: SmtpFactory, recipient: str) -> None:
    assert rcpt_reply(smtp_server(SmtpScript.accept_then_drop()), recipient) == 250


def test_accept_then_drop_denies_plain_relaying(smtp_server: SmtpFactory) -> None:
    assert rcpt_reply(smtp_server(SmtpScript.accept_then_drop()), "victim@other.test") == 554


def test_banner_preset_sets_the_greeting_and_the_ehlo_hostname(smtp_server: SmtpFactory) -> None:
    server = smtp_server(SmtpScript.banner("220 mail.custom.test ESMTP Exim 4.96"))
    with connect(server) as smtp:
        _, ehlo_text = smtp.ehlo("probe.example.net")
    assert server.sessions[0].server_lines[0] == "220 mail.custom.test ESMTP Exim 4.96"
    assert ehlo_text.splitlines()[0] == b"mail.custom.test"


def test_banner_preset_adds_a_missing_220(smtp_server: SmtpFactory) -> None:
    assert SmtpScript.banner("mx.example.test ESMTP").greeting == "220 mx.example.test ESMTP"


def test_a_reply_override_replaces_the_default_answer(smtp_server: SmtpFactory) -> None:
    server = smtp_server(replies={"RCPT": "451 4.3.0 Temporary lookup failure"})
    assert rcpt_reply(server, "user@example.test") == 451


def test_a_421_override_closes_the_connection(smtp_server: SmtpFactory) -> None:
    server = smtp_server(replies={"MAIL": "421 4.7.0 Too many connections"})
    with connect(server) as smtp:
        smtp.ehlo("probe.example.net")
        # smtplib closes its side when it reads a 421 (RFC 5321 §3.8)
        assert smtp.mail("a@b.test")[0] == 421
        with pytest.raises(smtplib.SMTPServerDisconnected):
            smtp.noop()


def test_a_banner_override_can_refuse_service(smtp_server: SmtpFactory) -> None:
    server = smtp_server(replies={"BANNER": "554 5.7.1 No SMTP service here"})
    with pytest.raises(smtplib.SMTPConnectError):
        connect(server)


def test_a_malformed_reply_override_is_refused_at_construction() -> None:
    with pytest.raises(ValueError):
        SmtpScript.closed(replies={"RCPT": "accepted"})


def test_a_script_is_hashable_and_comparable() -> None:
    script = SmtpScript.closed(replies={"RCPT": "451 4.3.0 Try later"})
    assert hash(script) == hash(SmtpScript.closed(replies={"RCPT": "451 4.3.0 Try later"}))
    assert script != SmtpScript.closed()


def test_auth_required_at_an_unknown_stage_is_refused() -> None:
    with pytest.raises(ValueError):
        SmtpScript.auth_required(at="DATA")


# -- command order (RFC 5321 §4.1.4) ---------------------------------------------------


def test_mail_before_helo_is_a_bad_sequence(smtp_server: SmtpFactory) -> None:
    with connect(smtp_server()) as smtp:
        assert smtp.docmd("MAIL", "FROM:<a@b.test>")[0] == 503


def test_rcpt_before_mail_is_a_bad_sequence(client: smtplib.SMTP) -> None:
    assert client.rcpt("user@example.test")[0] == 503


def test_data_before_an_accepted_rcpt_is_a_bad_sequence(client: smtplib.SMTP) -> None:
    client.mail("a@b.test")
    client.rcpt("victim@other.test")
    assert client.docmd("DATA")[0] == 503


def test_a_nested_mail_is_a_bad_sequence(client: smtplib.SMTP) -> None:
    client.mail("a@b.test")
    assert client.mail("c@d.test")[0] == 503


def test_rset_ends_the_transaction(client: smtplib.SMTP) -> None:
    client.mail("a@b.test")
    assert client.rset()[0] == 250
    assert client.rcpt("user@example.test")[0] == 503


def test_mail_without_angle_brackets_is_a_syntax_error(client: smtplib.SMTP) -> None:
    assert client.docmd("MAIL", "FROM:a@b.test")[0] == 501


# -- the other commands --------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "argument", "code"),
    [
        ("NOOP", "", 250),
        ("VRFY", "postmaster", 252),
        ("HELP", "", 214),
        ("EXPN", "staff", 502),
        ("AUTH", "PLAIN AGFAAGI=", 503),
        ("STARTTLS", "", 502),
        ("XFOO", "", 500),
        ("TURN", "", 500),
    ],
)
def test_commands_get_their_reply_codes(
    client: smtplib.SMTP, command: str, argument: str, code: int
) -> None:
    assert client.docmd(command, argument)[0] == code


def test_advertised_starttls_is_answered_454(smtp_server: SmtpFactory) -> None:
    with connect(smtp_server(starttls=True)) as smtp:
        smtp.ehlo("probe.example.net")
        assert smtp.docmd("STARTTLS") == (454, b"4.7.0 TLS not available due to local problem")


def test_quit_answers_221(client: smtplib.SMTP) -> None:
    assert client.docmd("QUIT") == (221, b"2.0.0 Bye")


def test_data_is_answered_354_then_accepted(client: smtplib.SMTP) -> None:
    client.mail("a@b.test")
    client.rcpt("user@example.test")
    assert client.data(b"Subject: test\r\n\r\nbody\r\n")[0] == 250


def test_pipelined_commands_are_answered_in_order(smtp_server: SmtpFactory) -> None:
    server = smtp_server()
    pipelined = b"EHLO p\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<x@other.test>\r\nRSET\r\nQUIT\r\n"
    raw = asyncio.run(read_raw(server.port, 10_000, send=pipelined))
    codes = [line[:4] for line in raw.split(b"\r\n") if line[3:4] == b" "]
    assert codes == [b"220 ", b"250 ", b"250 ", b"554 ", b"250 ", b"221 "]


# -- line length (RFC 5321 §4.5.3.1.4) -----------------------------------------------


def test_a_512_octet_command_line_is_accepted(client: smtplib.SMTP) -> None:
    assert client.docmd("NOOP", "x" * (512 - len("NOOP \r\n")))[0] == 250


def test_a_513_octet_command_line_is_too_long(client: smtplib.SMTP) -> None:
    assert client.docmd("NOOP", "x" * (513 - len("NOOP \r\n"))) == (
        500,
        b"5.5.0 Error: line too long",
    )


def test_a_huge_line_is_refused_and_the_session_goes_on(client: smtplib.SMTP) -> None:
    assert client.docmd("NOOP", "x" * 200_000)[0] == 500
    assert client.noop()[0] == 250


def test_the_line_limit_is_configurable(smtp_server: SmtpFactory) -> None:
    with connect(smtp_server(max_line_length=64)) as smtp:
        assert smtp.docmd("NOOP", "x" * 100)[0] == 500


def test_a_line_limit_above_the_read_buffer_is_honoured(smtp_server: SmtpFactory) -> None:
    with connect(smtp_server(max_line_length=10_000)) as smtp:
        assert smtp.docmd("NOOP", "x" * 9_000)[0] == 250


def test_an_idle_client_is_dropped_with_421(smtp_server: SmtpFactory) -> None:
    server = smtp_server(idle_timeout_s=0.05)
    raw = asyncio.run(read_raw(server.port, 10**4))  # reads until the server hangs up
    assert raw.splitlines()[-1] == b"421 4.4.2 mx1.example.test Error: timeout exceeded"


def test_every_reply_line_ends_with_crlf(smtp_server: SmtpFactory) -> None:
    server = smtp_server()
    raw = asyncio.run(read_raw(server.port, 10_000, send=b"EHLO p\r\nQUIT\r\n"))
    assert raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")


# -- transcripts ---------------------------------------------------------------------


def test_the_transcript_records_both_directions_in_order(smtp_server: SmtpFactory) -> None:
    server = smtp_server()
    with connect(server) as smtp:
        smtp.helo("probe.example.net")
    assert server.sessions[0].lines == (
        (Direction.SERVER, "220 mx1.example.test ESMTP Postfix"),
        (Direction.CLIENT, "helo probe.example.net"),
        (Direction.SERVER, "250 mx1.example.test"),
        (Direction.CLIENT, "QUIT"),
        (Direction.SERVER, "221 2.0.0 Bye"),
    )


def test_the_transcript_shows_that_data_was_sent(smtp_server: SmtpFactory) -> None:
    server = smtp_server()
    with connect(server) as smtp:
        smtp.sendmail("a@b.test", ["user@example.test"], b"Subject: x\r\n\r\nhello\r\n")
    assert server.sessions[0].received_data
    assert server.data_received


def test_a_probe_without_data_leaves_no_data_in_the_transcript(smtp_server: SmtpFactory) -> None:
    server = smtp_server(SmtpScript.open_relay())
    with connect(server) as smtp:
        smtp.ehlo("probe.example.net")
        smtp.mail("a@b.test")
        smtp.rcpt("victim@other.test")
        smtp.rset()
    assert server.sessions[0].commands == ["EHLO", "MAIL", "RCPT", "RSET", "QUIT"]
    assert not server.data_received


def test_each_connection_gets_its_own_transcript(smtp_server: SmtpFactory) -> None:
    server = smtp_server()
    for _ in range(2):
        with connect(server) as smtp:
            smtp.noop()
    sessions = server.sessions
    assert [session.commands for session in sessions] == [["NOOP", "QUIT"], ["NOOP", "QUIT"]]
    assert sessions[0].peer != sessions[1].peer


def test_an_over_long_line_is_recorded_truncated(smtp_server: SmtpFactory) -> None:
    server = smtp_server()
    with connect(server) as smtp:
        smtp.docmd("NOOP", "x" * 200_000)
    recorded = server.sessions[0].client_lines[0]
    assert recorded.startswith("NOOP xxx") and len(recorded) < 200


# -- hostile replies (the client's bounds) -------------------------------------------


def test_hostile_long_line_sends_one_oversized_banner_line(smtp_server: SmtpFactory) -> None:
    server = smtp_server(SmtpScript.hostile(Hostility.LONG_LINE, hostile_size=100_000))
    raw = asyncio.run(read_raw(server.port, 10**6, until=b"\r\n"))
    first_line = raw.split(b"\r\n")[0]
    assert first_line.startswith(b"220 ")
    assert len(first_line) == 100_004


def test_hostile_many_lines_sends_thousands_of_continuations(smtp_server: SmtpFactory) -> None:
    server = smtp_server(SmtpScript.hostile(Hostility.MANY_LINES, hostile_size=5_000))
    raw = asyncio.run(read_raw(server.port, 10**6, until=b"220 mx1"))
    lines = raw.split(b"\r\n")
    assert sum(line.startswith(b"220-") for line in lines) == 5_000
    assert lines[5_000] == b"220 mx1.example.test ESMTP Postfix"


def test_hostile_non_utf8_sends_undecodable_bytes(smtp_server: SmtpFactory) -> None:
    server = smtp_server(SmtpScript.hostile(Hostility.NON_UTF8))
    raw = asyncio.run(read_raw(server.port, 10**4, until=b"\r\n"))
    assert raw.startswith(b"220 ")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


def test_hostile_endless_reply_never_sends_a_final_line(smtp_server: SmtpFactory) -> None:
    server = smtp_server(SmtpScript.hostile(Hostility.ENDLESS))
    raw = asyncio.run(read_raw(server.port, 2 * 10**6))
    assert len(raw) >= 2 * 10**6
    assert all(line.startswith(b"220-") for line in raw.split(b"\r\n")[:-1])


def test_the_server_keeps_serving_after_an_endless_reader_leaves(smtp_server: SmtpFactory) -> None:
    server = smtp_server(SmtpScript.hostile(Hostility.ENDLESS))
    asyncio.run(read_raw(server.port, 10**5))
    assert asyncio.run(read_raw(server.port, 10**5)).startswith(b"220-")


def test_hostility_can_target_the_ehlo_reply(smtp_server: SmtpFactory) -> None:
    server = smtp_server(SmtpScript.hostile(Hostility.MANY_LINES, at="EHLO", hostile_size=3_000))
    raw = asyncio.run(read_raw(server.port, 10**6, send=b"EHLO p\r\nQUIT\r\n"))
    lines = raw.split(b"\r\n")
    assert lines[0] == b"220 mx1.example.test ESMTP Postfix"
    assert sum(line.startswith(b"250-filler") for line in lines) == 3_000
    assert lines[-2] == b"221 2.0.0 Bye"


def test_a_hostile_reply_is_summarised_in_the_transcript(smtp_server: SmtpFactory) -> None:
    server = smtp_server(SmtpScript.hostile(Hostility.LONG_LINE, hostile_size=1_000))
    asyncio.run(read_raw(server.port, 10**4, until=b"\r\n"))
    assert server.sessions[0].server_lines == ["<hostile long_line: 1000 octets>"]


# -- pure helpers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("user@example.test", RecipientKind.LOCAL),
        ("USER@EXAMPLE.TEST", RecipientKind.LOCAL),
        ("postmaster", RecipientKind.LOCAL),
        ("user%example.test@[127.0.0.1]", RecipientKind.LOCAL),
        ("@[192.0.2.1]:user@example.test", RecipientKind.LOCAL),
        ("victim@other.test", RecipientKind.RELAY),
        ("@example.test:victim@other.test", RecipientKind.RELAY),
        ("user%other.test@[127.0.0.1]", RecipientKind.ROUTED),
        ('"user@other.test"@[127.0.0.1]', RecipientKind.ROUTED),
        ("other.test!user@example.test", RecipientKind.ROUTED),
    ],
)
def test_classify_recipient(path: str, kind: RecipientKind) -> None:
    assert classify_recipient(path, {"example.test", "[127.0.0.1]"}) is kind


def test_a_multiline_reply_hyphenates_all_but_the_last_line() -> None:
    assert Reply(250, ("mx", "PIPELINING", "8BITMIME")).wire_lines() == [
        "250-mx",
        "250-PIPELINING",
        "250 8BITMIME",
    ]


@pytest.mark.parametrize("text", ["accepted", "25 ok", "650 nope", ""])
def test_reply_parse_refuses_text_without_a_reply_code(text: str) -> None:
    with pytest.raises(ValueError):
        Reply.parse(text)


def test_reply_parse_reads_code_and_lines() -> None:
    assert Reply.parse("250-mx\n250 SIZE 1") == Reply(250, ("mx", "SIZE 1"))
    assert Reply.parse("550 5.7.1 No") == Reply(550, ("5.7.1 No",))
