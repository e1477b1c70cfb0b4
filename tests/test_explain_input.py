"""`explain` input handling: DSN messages, log excerpts, multi-line replies, hostile input."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from audit.bounce_input import MAX_INPUT_BYTES, MAX_LINE_CHARS, decode, read_file, read_stream
from audit.explain import explain, rejections_in
from audit.validate import InputError

BOUNCES = Path(__file__).resolve().parent / "fixtures" / "bounces"


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
