"""Postfix log parsing: correlation by queue id, both timestamp styles, bad lines."""

from __future__ import annotations

from datetime import UTC, date, datetime

from audit.loglines.postfix import PostfixParser
from audit.loglines.records import DeliveryEvent, DeliveryStatus, SubmissionEvent

SMTPD = (
    "Mar 11 02:00:01 mx1 postfix/submission/smtpd[812]: 4Bx1Yz2abc: client=unknown"
    "[198.18.7.9]:51234, sasl_method=LOGIN, sasl_username=alice@example.com"
)
QMGR = (
    "Mar 11 02:00:01 mx1 postfix/qmgr[700]: 4Bx1Yz2abc: from=<alice@example.com>, size=2048, "
    "nrcpt=2 (queue active)"
)
BOUNCED = (
    "Mar 11 02:00:03 mx1 postfix/smtp[900]: 4Bx1Yz2abc: to=<bob@outlook.com>, relay="
    "outlook-com.olc.protection.outlook.com[52.101.68.2]:25, delay=2, delays=0.1/0/1/1, "
    "dsn=5.7.1, status=bounced (host outlook-com.olc.protection.outlook.com[52.101.68.2] said: "
    "550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent (S3150). "
    "(in reply to MAIL FROM command))"
)


def parse_all(lines: list[str], reference: date = date(2025, 6, 1)) -> list:
    parser = PostfixParser(reference)
    return [event for line in lines for event in (parser.parse(line) or [])]


def test_a_sasl_submission_is_correlated_to_its_delivery_by_queue_id() -> None:
    # given smtpd, qmgr and smtp lines of one queue id
    events = parse_all([SMTPD, QMGR, BOUNCED])
    # then the submission carries the SASL user and client, the delivery its account
    submission, delivery = events
    assert isinstance(submission, SubmissionEvent) and isinstance(delivery, DeliveryEvent)
    assert (submission.account, submission.client_ip, submission.recipients) == (
        "alice@example.com", "198.18.7.9", 2,
    )  # fmt: skip
    assert delivery.account == "alice@example.com"
    assert delivery.status is DeliveryStatus.BOUNCED and delivery.remote
    assert delivery.relay_ip == "52.101.68.2" and "S3150" in delivery.reply


def test_qmgr_retries_of_a_deferred_message_count_once() -> None:
    events = parse_all([SMTPD, QMGR, QMGR.replace("02:00:01", "02:30:01")])
    assert len([e for e in events if isinstance(e, SubmissionEvent)]) == 1


def test_rfc3339_timestamps_are_parsed_in_utc() -> None:
    line = QMGR.replace("Mar 11 02:00:01", "2025-03-11T03:00:01.123456+01:00")
    (event,) = parse_all([line])
    assert event.at == datetime(2025, 3, 11, 2, 0, 1, 123456, tzinfo=UTC)


def test_the_year_rolls_over_from_december_to_january() -> None:
    # given a log from Dec 31 to Jan 1, read in February
    lines = [
        QMGR.replace("Mar 11", "Dec 31"),
        QMGR.replace("Mar 11", "Jan  1").replace("4Bx1", "5Cx1"),
    ]
    first, second = parse_all(lines, reference=date(2025, 2, 1))
    assert (first.at.year, second.at.year) == (2024, 2025)


def test_a_garbled_line_is_malformed_and_other_daemons_are_ignored() -> None:
    parser = PostfixParser(date(2025, 6, 1))
    assert parser.parse("\x00\x01 garbage ☃") is None
    assert parser.parse(QMGR[:20]) is None
    assert parser.parse("Mar 11 02:00:01 mx1 dovecot[1]: imap-login: Login: user=<a>") == []


def test_local_pickup_submissions_are_attributed_to_the_uid() -> None:
    pickup = "Mar 11 02:00:01 mx1 postfix/pickup[1]: 7AB12CD34E: uid=33 from=<www-data>"
    (event,) = parse_all([pickup, QMGR.replace("4Bx1Yz2abc", "7AB12CD34E")])
    assert event.account == "local:uid=33" and event.local


def test_a_content_filter_hop_and_lmtp_are_not_remote() -> None:
    amavis = BOUNCED.replace(
        "outlook-com.olc.protection.outlook.com[52.101.68.2]:25", "127.0.0.1[127.0.0.1]:10024", 1
    )
    lmtp = BOUNCED.replace("postfix/smtp[", "postfix/lmtp[")
    assert not parse_all([amavis])[0].remote
    assert not parse_all([lmtp])[0].remote


def test_a_remembered_stamp_still_follows_the_year_rollover() -> None:
    # given the same classic stamp before and after a year rollover (Jan, Aug, Jan: the parser
    # remembers parsed stamps, the year must not come from that memory)
    jan = QMGR.replace("Mar 11", "Jan  1")
    aug = QMGR.replace("Mar 11", "Aug  1").replace("4Bx1", "6Dx1")
    lines = [jan, aug, jan.replace("4Bx1", "5Cx1")]
    first, _, third = parse_all(lines, reference=date(2025, 2, 1))
    assert (first.at.year, third.at.year) == (2025, 2026)


def test_parse_batch_counts_what_parse_returns() -> None:
    lines = [SMTPD, "\x00 garbage", QMGR, QMGR, "Mar 11 02:00:01 mx1 dovecot[1]: x", BOUNCED]
    events: list = []
    assert PostfixParser(date(2025, 6, 1)).parse_batch(lines, events.append) == (2, 1)
    assert [type(e) for e in events] == [type(e) for e in parse_all(lines)]


def test_an_address_probe_is_not_a_delivery():
    # given verify(8)'s probe of an address, which explain reads as a rejection
    probe = BOUNCED.replace("status=bounced", "status=undeliverable")
    # then the digest's parser sees no delivery in it
    assert parse_all([SMTPD, QMGR, probe]) == parse_all([SMTPD, QMGR])


def test_a_qmgr_deferral_without_a_connection_is_a_deferred_delivery() -> None:
    # given qmgr deferring a recipient itself (the destination's transport is suspended)
    line = (
        "Mar 11 02:00:01 mx1 postfix/qmgr[1]: 4Bx1Yz2abc: to=<bob@example.net>, relay=none, "
        "delay=3600, delays=3600/0/0/0, dsn=4.4.1, status=deferred (delivery temporarily "
        "suspended: connect to mx.example.net[192.0.2.30]:25: Connection timed out)"
    )
    # when parsed; then it is a deferred delivery
    (event,) = parse_all([line])
    assert event.status.value == "deferred"


def test_a_local_agents_forwarded_delivery_keeps_every_field() -> None:
    # given a message submitted by alice and delivered by local(8) to an alias (orig_to=):
    # a delivery agent's line, which the batch loop hands straight to the delivery reader
    local = (
        "Mar 11 02:00:04 mx1 postfix/local[901]: 4Bx1Yz2abc: to=<carol@example.com>, "
        "orig_to=<postmaster@example.com>, relay=local, delay=0.1, delays=0/0/0/0.1, "
        "dsn=2.0.0, status=sent (delivered to mailbox)"
    )
    # when the lines are parsed
    _, delivery = parse_all([SMTPD, QMGR, local])
    # then it is one local, forwarded delivery of alice's, with the relay and reply as logged
    assert delivery == DeliveryEvent(
        datetime(2025, 3, 11, 2, 0, 4, tzinfo=delivery.at.tzinfo), "4Bx1Yz2abc",
        "carol@example.com", DeliveryStatus.SENT, False, "local", None,
        "delivered to mailbox", None, True, "alice@example.com", None,
    )  # fmt: skip
