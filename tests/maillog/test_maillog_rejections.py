"""Remote rejections in the logs: classified by explain's classifier, once per distinct reply."""

from __future__ import annotations

from datetime import date

import pytest
from support.paths import FIXTURES

from audit.bounce.explain import explain
from audit.bounce.input import decode
from audit.loglines.exim import EximParser
from audit.loglines.postfix import PostfixParser
from audit.loglines.records import DeliveryEvent, DeliveryStatus
from audit.maillog import rejections
from audit.maillog.digest import Digest
from audit.maillog.rejections import RejectionClassifier, is_remote_rejection

EXIM_BOUNCE = (
    "2025-03-12 14:30:00 1tAbCd-000123-Ef ** bob@t-online.de R=dnslookup T=remote_smtp "
    "H=mx00.t-online.de [194.25.134.8]: SMTP error from remote mail server after "
    "MAIL FROM:<alice@example.com> SIZE=1234: 554 IP=203.0.113.100 - None/bad reputation. "
    "Ask your postmaster for help or to contact tobr@rx.t-online.de for reset. (NOWL)"
)


def delivery(reply: str, host: str | None = "mx.example.net", **kw) -> DeliveryEvent:
    fields = dict(
        at=None,
        message_id="q1",
        recipient="u@example.net",
        status=DeliveryStatus.BOUNCED,
        remote=True,
        relay_host=host,
        reply=reply,
    )
    return DeliveryEvent(**{**fields, **kw})  # type: ignore[arg-type]  # fmt: skip


def remote_rejections(lines: list[str]) -> list[DeliveryEvent]:
    postfix, exim = PostfixParser(date(2025, 3, 20)), EximParser()
    events = [e for line in lines for e in (postfix.parse(line) or exim.parse(line) or [])]
    return [e for e in events if isinstance(e, DeliveryEvent) and is_remote_rejection(e)]


@pytest.mark.parametrize(
    "lines",
    [(FIXTURES / "bounces" / "postfix-maillog.txt").read_text().splitlines(), [EXIM_BOUNCE]],
    ids=["postfix", "exim"],
)
def test_the_digest_and_explain_say_the_same_about_each_log_line(lines):
    # given log lines with remote rejections
    events = remote_rejections(lines)
    # when the digest classifies their events and explain the same lines
    classifier = RejectionClassifier()
    digest = [classifier.classify(e) for e in events]
    explained = explain([decode("log", "\n".join(lines).encode())])
    # then provider, list and reason agree, line by line
    assert len(digest) == len(explained) > 0
    assert [(k.provider, k.blocklist, k.reason) for k in digest] == [
        (c.provider, c.blocklist, c.reason.value) for c in explained
    ]


def test_exims_own_wording_is_not_read_as_the_remote_reply():
    # given an Exim bounce, whose reply starts with "SMTP error from remote mail server"
    [event] = remote_rejections([EXIM_BOUNCE])
    # then the classifier reads the server's reply: its code, its provider
    kind = RejectionClassifier().classify(event)
    assert (kind.code, kind.provider, kind.reason) == ("554", "t-online", "bad_reputation")


def test_each_distinct_reply_is_classified_once(monkeypatch):
    # given a classifier that counts its calls
    calls: list[str] = []
    real = rejections.verdict_for
    monkeypatch.setattr(
        rejections, "verdict_for", lambda r, k, c: calls.append(r.text) or real(r, k, c)
    )
    classifier = RejectionClassifier()
    # when the same reply is seen many times, and another once
    for _ in range(50):
        classifier.classify(delivery("554 5.7.1 blocked using zen.spamhaus.org"))
    classifier.classify(delivery("550 5.1.1 user unknown"))
    # then each distinct reply went through the classifier once
    assert len(calls) == 2


def test_kinds_that_differ_only_by_a_missing_value_sort_without_error():
    # given as many rejections with and without a provider (same reason, code and host)
    digest = Digest()
    digest.add(delivery("550 5.7.1 Access denied (AS16012609) outlook.com"))
    digest.add(delivery("550 5.7.1 Access denied"))
    # when the facts are built, then they sort, the one without a provider first
    providers = [r.rejection.provider for r in digest.facts(()).rejections]
    assert providers == [None, "microsoft-outlook"]


def test_a_reply_is_normalised_without_its_per_message_details():
    # given replies carrying a Gmail token, an Outlook server id, our IP, a recipient, a time
    gmail = "550-5.1.1 does not exist. d2e1a72fcca58-7b0f0f1a2c3si123456b3a.42 - gsmtp"
    outlook = "550 5.7.1 from [203.0.113.77] (S3150). [AM4PR05MB1234.eurprd01.prod x 08DC12345AB9]"
    echo = "550 5.1.1 <u1234@dom1234.example>: User unknown at 10:11:12"
    # then those are masked, the codes a provider's patterns read are kept
    assert rejections.normalised_reply(gmail) == "550-5.1.1 does not exist. x0 - gsmtp"
    assert rejections.normalised_reply(outlook) == "550 5.7.1 from [192.0.2.1] (S3150). [x0 x x0]"
    assert rejections.normalised_reply(echo) == "550 5.1.1 <x@x.invalid>: User unknown at 00:00:00"
    kept = "554 Access denied (AS16012609) BL000001 IPBL0001 blocked using zen.spamhaus.org"
    assert rejections.normalised_reply(kept) == kept


def counted_verdicts(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = rejections.verdict_for
    monkeypatch.setattr(
        rejections, "verdict_for", lambda r, k, c: calls.append(r.text) or real(r, k, c)
    )
    return calls


def test_bounces_that_differ_only_by_their_token_are_classified_once(monkeypatch):
    # given 500 Gmail "no such user" bounces, each with its own per-message token
    calls = counted_verdicts(monkeypatch)
    classifier = RejectionClassifier()
    kinds = {
        classifier.classify(
            delivery(
                f"550-5.1.1 The email account that you tried to reach does not exist. "
                f"{n:013x}-{n * 7919:011x}si{n}a{n % 9}.{n % 99} - gsmtp",
                host="gmail-smtp-in.l.google.com",
            )
        )
        for n in range(10**6, 10**6 + 500)
    }
    # then the classifier ran once, and they are one kind: Gmail, user unknown
    assert len(calls) == 1
    assert [(k.provider, k.reason) for k in kinds] == [("google-gmail", "user_unknown")]


def test_many_hosts_saying_the_same_words_are_classified_once(monkeypatch):
    calls = counted_verdicts(monkeypatch)
    classifier = RejectionClassifier()
    for n in range(300):
        classifier.classify(
            delivery(f"550 5.1.1 <u{n}@d{n}.example>: User unknown", f"mx.d{n}.example")
        )
    assert len(calls) == 1


def test_the_host_index_names_the_provider_serves_host_names() -> None:
    # given every provider's host suffixes, hosts under them, and hosts of no provider
    from audit.knowledge.providers import shipped_knowledge

    knowledge = shipped_knowledge()
    suffixes = [suffix for provider in knowledge.providers for suffix in provider.hosts]
    hosts = [*suffixes, *(f"mx1.{s}" for s in suffixes), *(f"A.B.{s.upper()}." for s in suffixes)]
    hosts += ["mx.example.net", "gmail.com.evil.example", "notgoogle.com", "com", ""]
    index = rejections.HostIndex(knowledge)
    # then the index names the provider the providers' own test names, for each host
    for host in hosts:
        expected = next((p.id for p in knowledge.providers if p.serves_host(host)), None)
        assert index.serving(host) == expected, host


@pytest.mark.parametrize(
    "reply",
    [
        "550-5.1.1 The email account that you tried to reach does not exist. "
        "https://support.google.com/mail/?p=NoSuchUser "
        "91b752265b1f5-cd6d8f16adfsi2058756a33.42 - gsmtp",
        "host x[1.2.3.4] said: 550 <a b@c.d> x\tq9 <<x@y1>> [ab1]:25 1.2.3.4:25 ::1 a:b:c:d:e",
        "550 5.7.1 [2001:db8::5] 1234567 <x@y.z> <a@b.c1> <x y@b1> (S3150) AM1PR01MB1234",
        "",
        "  two  spaces 1 ",
    ],
)
def test_the_word_by_word_mask_is_the_regex_over_the_whole_reply(reply: str) -> None:
    # given a reply; when masked word by word; then it is what the regex gives at once
    assert rejections.normalised_reply(reply) == rejections.MASKED.sub(rejections._mask, reply)


def test_bounces_from_distinct_hosts_with_their_prefix_and_recipient_are_classified_once(
    monkeypatch,
):
    # given 300 Postfix bounces, each naming its own relay and echoing its own recipient
    calls = counted_verdicts(monkeypatch)
    classifier = RejectionClassifier()
    kinds = {
        classifier.classify(
            delivery(
                f"host mx{n}.d{n}.example[203.0.{n % 250}.{n % 7}] said: 550 5.1.1 "
                f"<u{n}@d{n}.example>: Recipient address rejected: User unknown "
                "(in reply to RCPT TO command)",
                f"mx{n}.d{n}.example",
                relay_ip=f"203.0.{n % 250}.{n % 7}",
                recipient=f"u{n}@d{n}.example",
            )
        )
        for n in range(300)
    }
    # then the words were classified once, and each host keeps its own kind
    assert len(calls) == 1
    assert {k.reason for k in kinds} == {"user_unknown"}
    assert len({k.host for k in kinds}) == 300


@pytest.mark.parametrize(
    "reply",
    [
        "host mx1.d1.example[203.0.113.9] said: 550 5.1.1 <u1@d1.example>: User unknown "
        "(in reply to RCPT TO command)",
        "host gmail-smtp-in.l.google.com[142.250.102.27] said: 550-5.1.1 The email account "
        "that you tried to reach does not exist. 001d5877f77b2-f925f0aea68si7302402a73.42 - gsmtp",
        "550 5.7.1 <u1@d1.example>... Relaying denied <u1@d1.example>",
    ],
)
def test_masking_the_relay_prefix_and_recipient_first_keeps_the_kind(reply: str) -> None:
    # given a bounce; when classified with the event's relay and recipient masked first
    # (the fast path), then the kind is the one the reply as logged gets
    host = reply.split()[1].partition("[")[0] if reply.startswith("host ") else "mx1.d1.example"
    event = delivery(reply, host, relay_ip="203.0.113.9", recipient="u1@d1.example")
    fast = RejectionClassifier().classify(event)
    assert fast == RejectionClassifier()._kind(event, rejections.normalised_reply(reply))


@pytest.mark.parametrize(
    "reply",
    [
        "550-5.1.1 The email account that you tried to reach does not exist. "
        "91b752265b1f5-cd6d8f16adfsi2058756a33.42 - gsmtp (in reply to RCPT TO command)",
        "550 5.7.1 [2001:db8::5] 1234567 <x@y.z> <a@b.c1> <x y@b1> (S3150) AM1PR01MB1234",
        "no digit at all <a@b.c>",
        "",
        "  two  spaces 1 ",
        "9",
    ],
)
def test_the_head_remembered_and_the_tail_masked_make_the_whole_mask(reply: str) -> None:
    # given a reply read twice (the second time its head comes from the cache)
    classifier = RejectionClassifier()
    first = classifier._normalised_reply(reply)
    # then both are the mask of the whole reply
    assert first == classifier._normalised_reply(reply) == rejections.normalised_reply(reply)
