"""The digest's remembered verdicts are the verdicts of the replies as logged: over every
reply of sisimai's bounce corpus and every remote rejection of postfix_exporter's lines
and of the Postfix log fixture,
the classifier with its caches warm (masked replies, heads, hosts, verdicts shared by all
of them) gives each reply the kind a fresh classification of its unmasked words gives."""

from __future__ import annotations

import json
from datetime import date

import pytest
from support.paths import FIXTURES
from support.sisimai_corpus import MAILDIR

from audit.bounce.explain import rejections_in
from audit.bounce.extract import RejectionReply
from audit.bounce.input import read_file
from audit.loglines.postfix import PostfixParser
from audit.loglines.records import DeliveryEvent, DeliveryStatus
from audit.maillog.rejections import (
    RejectionClassifier,
    RejectionKind,
    is_remote_rejection,
    rejection_reply,
)
from audit.model.errors import InputError


def sisimai_replies() -> list[RejectionReply]:
    found: list[RejectionReply] = []
    for path in sorted(MAILDIR.iterdir()):
        try:
            found += rejections_in(read_file(str(path)).text)
        except InputError:
            continue
    return found


def as_event(reply: RejectionReply, n: int) -> DeliveryEvent:
    """A Postfix-like delivery event carrying the reply (deferred when the bounce says so)."""
    status = DeliveryStatus.DEFERRED if reply.deferred else DeliveryStatus.BOUNCED
    return DeliveryEvent(
        None, f"Q{n}", f"u{n}@example.net", status, True, reply.remote_host, None, reply.text
    )


def postfix_events() -> list[DeliveryEvent]:
    """The remote rejections of postfix_exporter's lines (one parser a case) and of
    tests/fixtures/bounces/postfix-maillog.txt."""
    corpus = json.loads((FIXTURES / "logs" / "postfix_exporter" / "lines.json").read_text("utf-8"))
    logs = [[entry["line"] for entry in case["lines"]] for case in corpus["cases"]]
    logs.append((FIXTURES / "bounces" / "postfix-maillog.txt").read_text("utf-8").splitlines())
    events: list[DeliveryEvent] = []
    for lines in logs:
        parser = PostfixParser(date(2026, 12, 31))
        events += [
            e
            for line in lines
            for e in parser.parse(line) or []
            if isinstance(e, DeliveryEvent) and is_remote_rejection(e)
        ]
    return events


def uncached_kind(event: DeliveryEvent) -> RejectionKind:
    """The kind of `event` classified from its reply as logged, by a fresh classifier."""
    fresh = RejectionClassifier()
    reason, provider, blocklist, code, enhanced = fresh._verdict(rejection_reply(event))
    host = event.relay_host if event.relay_host != "none" else None
    deferred = event.status is DeliveryStatus.DEFERRED
    return RejectionKind(reason, provider, blocklist, code, enhanced, host, deferred)


SISIMAI = [as_event(r, n) for n, r in enumerate(sisimai_replies())]
POSTFIX = postfix_events()


@pytest.mark.parametrize("events", [SISIMAI, POSTFIX], ids=["sisimai", "postfix logs"])
def test_a_remembered_verdict_is_the_verdict_of_the_reply_as_logged(events) -> None:
    # given every reply of a corpus, classified one after the other by one classifier
    # (twice: the second round reads them all from its caches)
    assert len(events) > 5
    classifier = RejectionClassifier()
    cached = [classifier.classify(e) for e in [*events, *events]]
    # then each kind is the one its unmasked reply gets from a fresh classifier
    expected = [uncached_kind(e) for e in events]
    mismatched = [
        (e.reply[:120], got, want)
        for e, got, want in zip([*events, *events], cached, [*expected, *expected], strict=True)
        if got != want
    ]
    assert mismatched == []
