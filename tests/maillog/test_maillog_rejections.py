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
