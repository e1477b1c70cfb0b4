"""Refused attempts read from one line: the shapes fail2ban's postfix, postfix-sasl and exim
filters match (their test lines are GPL: these are written by hand, in the same shapes)."""

from __future__ import annotations

from datetime import date

import pytest

from audit.loglines.exim import EximParser
from audit.loglines.postfix import PostfixParser
from audit.loglines.records import AttemptEvent, AttemptKind

AUTH, RELAY, UNKNOWN = (
    AttemptKind.AUTH_FAILED,
    AttemptKind.RELAY_DENIED,
    AttemptKind.UNKNOWN_RECIPIENT,
)

POSTFIX_LINES = [
    (
        "Mar 11 02:00:01 mx1 postfix/smtpd[7676]: warning: unknown[198.51.100.7]: "
        "SASL LOGIN authentication failed: UGFzc3dvcmQ6",
        (AUTH, "198.51.100.7", None, None),
    ),
    (
        "Mar 11 02:00:01 mx1 postfix/submission/smtpd[812]: warning: "
        "host-203-0-113-9.example.net[203.0.113.9]: SASL PLAIN authentication failed: "
        "authentication failure, sasl_username=alice@example.com",
        (AUTH, "203.0.113.9", "alice@example.com", None),
    ),
    (
        "Mar 11 02:00:01 mx1 postfix/smtps/smtpd[9]: warning: unknown[2001:db8::7]:4123: "
        "SASL CRAM-MD5 authentication failed: PDI1MTg1NTYyNjQ+",
        (AUTH, "2001:db8::7", None, None),
    ),
    (
        "Mar 11 02:00:01 mx1 postfix/smtpd[8738]: NOQUEUE: reject: RCPT from "
        "bot.example.net[192.0.2.44]: 554 5.7.1 <victim@example.org>: Relay access denied; "
        "from=<spam@example.net> to=<victim@example.org> proto=ESMTP helo=<bot>",
        (RELAY, "192.0.2.44", None, "victim@example.org"),
    ),
    (
        "2025-03-11T02:00:01.000000+00:00 mx1 postfix/smtpd[8738]: NOQUEUE: reject: RCPT from "
        "unknown[192.0.2.45]: 550 5.1.1 <guess1@example.com>: Recipient address rejected: "
        "User unknown in local recipient table; from=<a@example.net> to=<guess1@example.com> "
        "proto=ESMTP helo=<x>",
        (UNKNOWN, "192.0.2.45", None, "guess1@example.com"),
    ),
    (
        "Mar 11 02:00:01 mx1 postfix/smtpd[8738]: NOQUEUE: reject: RCPT from "
        "unknown[192.0.2.46]: 550 5.1.1 <guess2@example.com>: Recipient address rejected: "
        "User unknown in virtual mailbox table; from=<> to=<guess2@example.com> proto=SMTP",
        (UNKNOWN, "192.0.2.46", None, "guess2@example.com"),
    ),
]

EXIM_LINES = [
    (
        "2025-03-11 02:00:01 dovecot_login authenticator failed for (User) "
        "[198.51.100.8]:51234 I=[192.0.2.10]:587: 535 Incorrect authentication data "
        "(set_id=admin@example.com)",
        (AUTH, "198.51.100.8", "admin@example.com", None),
    ),
    (
        "2025-03-11 02:00:01 [4012] plain authenticator failed for H=([198.51.100.9]) "
        "[198.51.100.9]: 535 Incorrect authentication data",
        (AUTH, "198.51.100.9", None, None),
    ),
    (
        "2025-03-11 02:00:01 H=(bulk) [192.0.2.50]:53905 I=[192.0.2.10]:25 F=<s@example.net> "
        "rejected RCPT <victim@example.org>: relay not permitted",
        (RELAY, "192.0.2.50", None, "victim@example.org"),
    ),
    (
        "2025-03-11 02:00:01 H=mail.example.net (helo) [192.0.2.51] F=<> rejected RCPT "
        "<nobody@example.com>: Unrouteable address",
        (UNKNOWN, "192.0.2.51", None, "nobody@example.com"),
    ),
]


def _fields(event: AttemptEvent) -> tuple[object, ...]:
    return (event.kind, event.client_ip, event.account, event.recipient)


@pytest.mark.parametrize(("line", "expected"), POSTFIX_LINES)
def test_a_postfix_refused_attempt_is_one_attempt_event(line: str, expected) -> None:
    # given a Postfix smtpd line refusing a client; when it is parsed
    events = PostfixParser(date(2025, 3, 31)).parse(line)
    # then it is one attempt with the client IP, the account or the recipient tried
    assert events is not None and len(events) == 1
    (event,) = events
    assert isinstance(event, AttemptEvent) and _fields(event) == expected


@pytest.mark.parametrize(("line", "expected"), EXIM_LINES)
def test_an_exim_refused_attempt_is_one_attempt_event(line: str, expected) -> None:
    # given an Exim mainlog line refusing a client; when it is parsed
    events = EximParser().parse(line)
    # then it is one attempt with the client IP, the account or the recipient tried
    assert events is not None and len(events) == 1
    (event,) = events
    assert isinstance(event, AttemptEvent) and _fields(event) == expected


@pytest.mark.parametrize(
    "line",
    [
        "Mar 11 02:00:01 mx1 postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[192.0.2.9]: "
        "450 4.7.1 Client host rejected: cannot find your hostname; from=<a@b> to=<c@d>",
        "Mar 11 02:00:01 mx1 postfix/smtpd[1]: warning: hostname x does not resolve to 192.0.2.9",
        "Mar 11 02:00:01 mx1 postfix/smtpd[1]: lost connection after AUTH from unknown[192.0.2.9]",
    ],
)
def test_other_smtpd_refusals_are_no_attempt(line: str) -> None:
    # given smtpd lines that are not an authentication, relay or recipient attempt
    # when parsed; then they give no event
    assert PostfixParser(date(2025, 3, 31)).parse(line) == []
