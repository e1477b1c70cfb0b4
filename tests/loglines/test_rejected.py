"""The rejection one log line records, read alone: what `explain` takes from a log excerpt."""

from __future__ import annotations

import pytest

from audit.loglines.rejected import LoggedRejection, logged_rejection

POSTFIX_BOUNCED = (
    "Mar 12 14:30:00 mail postfix/smtp[2201]: 9EF56: to=<dave@example.net>, "
    "relay=mx.example.net[192.0.2.25]:25, delay=0.4, dsn=5.7.1, status=bounced (host "
    "mx.example.net[192.0.2.25] said: 554 5.7.1 blocked using zen.spamhaus.org (in reply to "
    "RCPT TO command))"
)
EXIM_DEFERRED = (
    "2025-03-12 14:30:00 +0100 1tAbCd-000123-Ef == bob@gmail.com R=dnslookup T=remote_smtp "
    "defer (-44) H=Gmail-SMTP-in.l.google.com [142.250.1.26]: SMTP error from remote mail "
    "server after RCPT TO:<bob@gmail.com>: 421-4.7.28 unusual rate of unsolicited mail"
)


def test_a_postfix_bounce_gives_the_reply_its_status_and_dsn():
    found = logged_rejection(POSTFIX_BOUNCED)
    assert found is not None and found.reply.startswith("host mx.example.net[192.0.2.25] said:")
    assert (found.deferred, found.dsn, found.remote_host) == (False, "5.7.1", None)


def test_the_delivery_part_of_a_postfix_line_is_enough():
    # given the part of a line from `status=` on, pasted alone
    found = logged_rejection("status=deferred (host mx.example.org[192.0.2.9] said: 450 busy)")
    assert found == LoggedRejection("host mx.example.org[192.0.2.9] said: 450 busy", None, True)


@pytest.mark.parametrize(
    "line",
    [
        "Mar 12 14:30:04 mail postfix/smtp[2205]: 5C6D7: to=<f@example.org>, relay=none, "
        "delay=30, dsn=4.4.1, status=deferred (connect to mx.example.org[192.0.2.40]:25: "
        "Connection timed out)",
        "Mar 12 14:30:05 mail postfix/smtp[2206]: 8E9F0: to=<g@example.com>, relay=mx.example"
        ".com[192.0.2.50]:25, delay=0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 1)",
        "Mar 12 14:29:58 mail postfix/smtpd[2101]: connect from client.example.com[192.0.2.10]",
    ],
    ids=["timeout", "sent", "connect"],
)
def test_timeouts_deliveries_and_other_lines_are_no_rejection(line):
    assert logged_rejection(line) is None


def test_an_exim_deferral_gives_the_remote_words_and_the_lowercased_host():
    found = logged_rejection(EXIM_DEFERRED)
    assert found == LoggedRejection(
        "421-4.7.28 unusual rate of unsolicited mail", "gmail-smtp-in.l.google.com", True
    )


def test_an_exim_bounce_without_a_remote_reply_is_no_rejection():
    line = "2025-03-12 14:30:00 1tAbCd-000123-Ef ** nobody@example.org: Unrouteable address"
    assert logged_rejection(line) is None


@pytest.mark.parametrize(
    ("line", "reply"),
    [
        (
            "Mar 12 14:31:00 mail postfix/smtpd[2101]: NOQUEUE: reject: RCPT from unknown"
            "[203.0.113.5]: 554 5.7.1 Service unavailable; Client host [203.0.113.5] blocked "
            "using zen.spamhaus.org; from=<s@spam.test> to=<a@example.com> proto=ESMTP",
            "554 5.7.1 Service unavailable; Client host [203.0.113.5] blocked using "
            "zen.spamhaus.org",
        ),
        (
            "2025-03-12 14:31:00 H=(spam.test) [203.0.113.5] F=<s@spam.test> rejected RCPT "
            "<a@example.com>: 550 listed at bl.spamcop.net",
            "550 listed at bl.spamcop.net",
        ),
    ],
    ids=["postfix-noqueue", "exim-rcpt"],
)
def test_our_own_smtp_time_rejects_are_read_too(line, reply):
    assert logged_rejection(line) == LoggedRejection(reply)
