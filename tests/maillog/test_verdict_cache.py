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
    _masked_word,
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


def digits_turned(word: str) -> str:
    """`word` with each digit one more (mod 10): another token, address or id of its shape."""
    return word.translate(str.maketrans("0123456789", "1234567890"))


def with_other_details(event: DeliveryEvent) -> DeliveryEvent:
    """`event` with every word its mask changes written with other digits: the same reply
    of another message (another token, queue id, time, address)."""
    words = [
        digits_turned(w)
        if _masked_word(w) != w and _masked_word(digits_turned(w)) == _masked_word(w)
        else w
        for w in event.reply.split(" ")
    ]
    return event._replace(reply=" ".join(words), message_id=event.message_id + "b")


@pytest.mark.parametrize("events", [SISIMAI, POSTFIX], ids=["sisimai", "postfix logs"])
def test_a_relay_s_template_gives_each_reply_the_kind_its_words_get_without_it(events) -> None:
    # given every reply of a corpus seen twice from its relay (the second makes the
    # relay's template), then the same reply of another message (other per-message words),
    # by one classifier, and by another that reads every reply without templates
    with_templates, without = RejectionClassifier(), RejectionClassifier()
    got, want = [], []
    for event in events:
        other = with_other_details(event)
        for kinds, classify in ((got, with_templates.classify), (want, without._classify)):
            classify(event)
            classify(event)
            kinds.append(classify(other))
    # then each gets the same kind from both (and the templates read some of them)
    assert got == want
    assert any(t is not None for t in with_templates._templates.values())


GMAIL_HOST, GMAIL_IP = "gmail-smtp-in.l.google.com", "142.250.102.27"
NO_SUCH_USER = (
    "host gmail-smtp-in.l.google.com[142.250.102.27] said: 550-5.1.1 The email account "
    "that you tried to reach does not exist. Please try double-checking the recipient's "
    "email address for typos or unnecessary spaces. For more information, go to "
    "https://support.google.com/mail/?p=NoSuchUser {} - gsmtp (in reply to RCPT TO command)"
)


def gmail_bounce(reply: str, n: int = 0) -> DeliveryEvent:
    return DeliveryEvent(
        None, f"Q{n}", f"u{n}@gmail.com", DeliveryStatus.BOUNCED, True, GMAIL_HOST, GMAIL_IP,
        reply,
    )  # fmt: skip


def test_a_gmail_bounce_with_another_token_is_read_by_its_relay_s_template() -> None:
    # given two Gmail "no such user" bounces (the second makes the relay's template)
    classifier = RejectionClassifier()
    for n, token in enumerate(("d2e1a72fcca58-7b0f0f1a2c3si1234567a3.42", "c97ff26-22a2si81a5.42")):
        classifier.classify(gmail_bounce(NO_SUCH_USER.format(token), n))
    template = classifier._templates[(GMAIL_HOST, GMAIL_IP, DeliveryStatus.BOUNCED)]
    assert template is not None
    # when a third one comes with its own token: the template reads it, as a fresh
    # classifier would
    third = gmail_bounce(NO_SUCH_USER.format("a0b1c2d3e4f5a-6b7c8d9e0f1si7654321a9.42"), 2)
    assert template.kind_of(third.reply) == uncached_kind(third)
    assert classifier.classify(third) == uncached_kind(third)


@pytest.mark.parametrize(
    "reply",
    [
        NO_SUCH_USER.format("tok3n0123456789").replace("does not exist", "is disabled"),
        NO_SUCH_USER.format("tok3n0123456789") + " again",
        NO_SUCH_USER.format("tok3n0123456789").replace("5.1.1", "5.2.1"),
        NO_SUCH_USER.format("<u0@gmail.com>"),
        NO_SUCH_USER.format("short").replace(f"[{GMAIL_IP}]", "[142.250.102.28]"),
    ],
    ids=["other words", "longer", "other code", "an address", "other relay IP in the text"],
)
def test_a_reply_of_other_words_is_not_read_by_the_template(reply: str) -> None:
    # given a relay's template of Gmail's "no such user" bounce
    classifier = RejectionClassifier()
    for n in range(2):
        classifier.classify(gmail_bounce(NO_SUCH_USER.format(f"d2e1a72fcca58-7b0f0f1a2si{n}a3.42")))
    template = classifier._templates[(GMAIL_HOST, GMAIL_IP, DeliveryStatus.BOUNCED)]
    assert template is not None
    # when the reply differs in a word that is not per-message: the template does not read
    # it, and the classifier gives it the kind of its own words
    assert template.kind_of(reply) is None
    assert classifier.classify(gmail_bounce(reply, 9)) == uncached_kind(gmail_bounce(reply, 9))
