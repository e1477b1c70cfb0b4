"""`explain` input handling: DSN messages, log excerpts, multi-line replies, hostile input."""

from __future__ import annotations

import base64
import io
import time

import pytest
from support.paths import FIXTURES

from audit.bounce.explain import explain, explain_inputs, rejections_in
from audit.bounce.input import MAX_INPUT_BYTES, MAX_LINE_CHARS, decode, read_file, read_stream
from audit.model.errors import InputError

BOUNCES = FIXTURES / "bounces"


def explain_file(name: str):
    return explain([read_file(str(BOUNCES / name))])


def test_a_microsoft_s3150_dsn_gives_one_classification():
    # given a Postfix DSN whose delivery-status names Outlook.com and S3150
    [result] = explain_file("microsoft-s3150.eml")
    # then the Diagnostic-Code is classified (the returned headers are ignored)
    assert (result.provider, result.reason.value, result.temporary) == (
        "microsoft-outlook", "blocked", False,
    )  # fmt: skip
    assert result.sending_ip == "198.51.100.7"
    assert result.input.startswith("550 5.7.1 Unfortunately")


def test_a_gmail_deferral_dsn_is_temporary():
    [result] = explain_file("gmail-4.7.28-deferral.eml")
    assert (result.provider, result.reason.value, result.temporary) == (
        "google-gmail", "rate_limited", True,
    )  # fmt: skip
    assert result.sending_ip == "203.0.113.9"


def test_a_postfix_dsn_naming_zen_maps_to_the_catalog_zone():
    [result] = explain_file("postfix-zen-spamhaus.eml")
    assert (result.provider, result.blocklist, result.sending_ip) == (
        "spamhaus", "zen.spamhaus.org", "198.51.100.30",
    )  # fmt: skip


def test_a_postfix_log_excerpt_gives_one_classification_per_remote_rejection():
    # given a log with four remote rejections, a timeout, a delivery and an smtpd line
    results = explain_file("postfix-maillog.txt")
    # then only the four rejections are classified, in log order
    assert [(r.provider, r.temporary) for r in results] == [
        ("spamhaus", False),
        ("microsoft-outlook", False),
        ("google-gmail", True),
        ("yahoo", True),
    ]
    # and the receiving MTA's bracketed address is never taken for the sender's
    assert {r.sending_ip for r in results} == {"198.51.100.30"}


def test_an_exim_log_line_is_a_remote_rejection():
    line = (
        "2025-03-12 14:30:00 1tAbCd-000123-Ef ** bob@t-online.de R=dnslookup T=remote_smtp "
        "H=mx00.t-online.de [194.25.134.8]: SMTP error from remote mail server after "
        "MAIL FROM:<alice@example.com> SIZE=1234: 554 IP=203.0.113.100 - None/bad reputation. "
        "Ask your postmaster for help or to contact tobr@rx.t-online.de for reset. (NOWL)"
    )
    [rejection] = rejections_in(line)
    assert rejection.remote_host == "mx00.t-online.de"
    assert rejection.text.startswith("554 IP=203.0.113.100")


def test_a_multiline_smtp_reply_is_one_rejection():
    text = (
        "550-5.7.1 [203.0.113.9] Our system has detected an unusual rate of\n"
        "550-5.7.1 unsolicited mail originating from your IP address. To protect our\n"
        "550 5.7.1 users from spam, mail sent from your IP address has been blocked. - gsmtp\n"
    )
    [result] = explain([decode("TEXT", text.encode())])
    assert (result.provider, result.reason.value) == ("google-gmail", "blocked")


def test_several_plain_lines_give_several_classifications():
    text = "554 Denied [SHXBL] - Denied by Spamhaus XBL\n\n552 5.2.2 Mailbox full\n"
    assert [r.reason.value for r in explain([decode("TEXT", text.encode())])] == [
        "blocked", "mailbox_full",
    ]  # fmt: skip


def test_bare_dsn_fields_are_read_as_a_delivery_status():
    text = (
        "Action: failed\nStatus: 5.1.1\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <x@example.org>: User unknown\n"
    )
    [result] = explain([decode("TEXT", text.encode())])
    assert result.reason.value == "user_unknown"


def test_rfc2047_encoded_and_folded_dsn_fields_are_decoded():
    # given a DSN whose Diagnostic-Codes are folded RFC 2047 words (B with a UTF-8 character
    # split across two words, and Q), one recipient delivered, one delayed
    first, second = explain_file("rfc2047-folded-dsn.eml")
    # then each is decoded into one line, and classified as the plain text would be
    assert first.input.startswith("554 5.7.1 Zugriff verweigert für [198.51.100.30]: blocked")
    assert (first.provider, first.blocklist, first.sending_ip, first.temporary) == (
        "spamhaus", "zen.spamhaus.org", "198.51.100.30", False,
    )  # fmt: skip
    assert second.input.startswith("421-4.7.28 [203.0.113.9 15] Our system has detected")
    assert (second.provider, second.reason.value, second.temporary) == (
        "google-gmail", "rate_limited", True,
    )  # fmt: skip


def test_dsn_field_groups_give_remote_mta_status_and_action():
    [failed, delayed] = rejections_in(read_file(str(BOUNCES / "rfc2047-folded-dsn.eml")).text)
    assert (failed.remote_host, failed.status, failed.deferred) == (
        "mx.example.net",
        "5.7.1",
        False,
    )
    assert (delayed.remote_host, delayed.status, delayed.deferred) == (
        "gmail-smtp-in.l.google.com", "4.7.28", True,
    )  # fmt: skip


def test_a_text_bounce_in_base64_latin1_is_decoded():
    body = "Votre message a été refusé: 554 5.7.1 bloqué par zen.spamhaus.org\n"
    text = (
        "From: MAILER-DAEMON@example.fr\nSubject: =?iso-8859-1?q?Non_remis?=\nMIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: base64\n\n"
        + base64.encodebytes(body.encode("latin-1")).decode()
    )
    [result] = explain([decode("TEXT", text.encode())])
    assert "bloqué par zen.spamhaus.org" in result.input
    assert result.blocklist == "zen.spamhaus.org"


def test_rejections_beyond_the_cap_are_counted_not_classified(monkeypatch):
    # given a cap of 3 and five rejections across two inputs
    monkeypatch.setattr("audit.bounce.explain.MAX_REJECTIONS", 3)
    lines = [f"550 5.7.1 blocked using bl.spamcop.net ({n})" for n in range(5)]
    inputs = [
        decode("a", "\n".join(lines[:2]).encode()),
        decode("b", "\n".join(lines[2:]).encode()),
    ]
    # when explained
    explained = explain_inputs(inputs)
    # then the first three are classified, in order, and the two others counted
    assert [c.input[-3:] for c in explained.classifications] == ["(0)", "(1)", "(2)"]
    assert explained.truncated == 2
    assert explain(inputs) == explained.classifications


# -- hostile and malformed input ----------------------------------------------------------------


def test_a_ten_megabyte_line_is_cut_to_the_limits_quickly():
    # given 10 MB on one line
    data = b"550 5.7.1 blocked using zen.spamhaus.org " + b"A" * (10 * 1024 * 1024)
    started = time.monotonic()
    # when it is read and explained
    item = read_stream("<stdin>", io.BytesIO(data))
    results = explain([item])
    # then input, line and classification are bounded, and it is fast
    assert item.truncated and len(item.text) <= MAX_LINE_CHARS <= MAX_INPUT_BYTES
    assert len(results) == 1 and len(results[0].input) <= MAX_LINE_CHARS
    assert results[0].blocklist == "zen.spamhaus.org"
    assert time.monotonic() - started < 5


def test_nul_bytes_and_escapes_are_blanked_not_fatal():
    data = b"550 5.7.1 Client host [203.0.113.5]\x00 blocked using\x1b[31m bl.spamcop.net\x00\n"
    [result] = explain([decode("TEXT", data)])
    assert "\x00" not in result.input and "\x1b" not in result.input
    assert (result.blocklist, result.sending_ip) == ("bl.spamcop.net", "203.0.113.5")


def test_control_characters_decoded_from_encoded_words_are_blanked():
    # given an escape sequence hidden in an RFC 2047 word, where the input reader cannot see it
    text = (
        "Action: failed\nStatus: 5.7.1\n"
        "Diagnostic-Code: smtp; 550 5.7.1 =?utf-8?q?=1B[2J=1B]0;owned=07blocked?=\n"
        "  using bl.spamcop.net\n"
    )
    [result] = explain([decode("TEXT", text.encode())])
    # then decoding does not bring the control characters back
    assert not any(ord(char) < 0x20 for char in result.input)
    assert result.blocklist == "bl.spamcop.net"


def test_markup_in_a_bounce_is_data():
    data = b"550 5.7.1 <script>alert(1)</script> rejected [203.0.113.5]"
    [result] = explain([decode("TEXT", data)])
    assert "<script>" in result.input
    assert result.provider is None


def test_invalid_utf8_is_replaced():
    [result] = explain([decode("TEXT", b"550 5.7.1 blocked \xff\xfe using bl.spamcop.net")])
    assert "\ufffd" in result.input and result.blocklist == "bl.spamcop.net"


def test_binary_input_is_an_input_error():
    with pytest.raises(InputError, match="binary"):
        decode("x.bin", bytes(range(32)) * 100)


@pytest.mark.parametrize("data", [b"", b"  \n\t\n"])
def test_empty_input_is_an_input_error(data):
    with pytest.raises(InputError, match="empty"):
        decode("TEXT", data)


def test_an_unreadable_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        read_file(str(tmp_path / "missing.eml"))
