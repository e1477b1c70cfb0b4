"""Mailgun events: JSON lines, arrays (compact and pretty), Events API pages."""

from __future__ import annotations

import json

from audit.loglines.mailgun import MailgunParser
from audit.loglines.records import DeliveryEvent, DeliveryStatus, SubmissionEvent

ACCEPTED = {
    "event": "accepted", "timestamp": 1741683600.5, "recipient": "a@gmail.com",
    "envelope": {"sender": "news@mg.example.com", "targets": "a@gmail.com"},
    "flags": {"is-authenticated": True}, "message": {"headers": {"message-id": "<1@mg>"}},
}  # fmt: skip
FAILED = {
    "event": "failed", "severity": "permanent", "reason": "bounce", "timestamp": 1741683601,
    "recipient": "a@gmail.com",
    "envelope": {"sender": "news@mg.example.com", "sending-ip": "198.51.100.30"},
    "delivery-status": {"code": 550, "message": "5.1.1 user unknown", "mx-host": "mx.gmail.com"},
    "message": {"headers": {"message-id": "<1@mg>"}},
}  # fmt: skip


def feed(lines: list[str]) -> tuple[list, int]:
    parser = MailgunParser()
    events, malformed = [], 0
    for line in lines:
        parsed = parser.parse(line)
        if parsed is None:
            malformed += 1
        else:
            events += parsed
    return events, malformed + parser.finish()


def test_json_lines_give_a_submission_and_a_bounce_with_the_sending_ip() -> None:
    events, malformed = feed([json.dumps(ACCEPTED), json.dumps(FAILED)])
    submission, delivery = events
    assert malformed == 0
    assert isinstance(submission, SubmissionEvent) and submission.account == "news@mg.example.com"
    assert isinstance(delivery, DeliveryEvent) and delivery.status is DeliveryStatus.BOUNCED
    assert delivery.local_ip == "198.51.100.30" and delivery.reply.startswith("550 5.1.1")


def test_a_temporary_failure_is_a_deferral() -> None:
    events, _ = feed([json.dumps({**FAILED, "severity": "temporary"})])
    assert events[0].status is DeliveryStatus.DEFERRED


def test_a_pretty_printed_array_is_streamed_object_by_object() -> None:
    lines = json.dumps([ACCEPTED, FAILED], indent=2).splitlines()
    events, malformed = feed(lines)
    assert len(events) == 2 and malformed == 0


def test_an_events_api_page_is_read_and_its_paging_ignored() -> None:
    page = json.dumps({"items": [ACCEPTED, FAILED], "paging": {"next": "https://x"}})
    events, malformed = feed([page])
    assert len(events) == 2 and malformed == 0


def test_bad_lines_and_objects_without_event_are_malformed() -> None:
    events, malformed = feed([json.dumps(ACCEPTED), '{"event": "deliv', json.dumps({"id": 1})])
    assert len(events) == 1 and malformed == 2
