"""The volume judges: each finding by code and severity, and threshold boundaries."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from audit.knowledge.volume import shipped_rules
from audit.loglines.records import DeliveryEvent, DeliveryStatus, SubmissionEvent
from audit.maillog.digest import Digest
from audit.maillog.facts import AccountFacts, HourStat, LogFacts
from audit.model import Severity
from checks.volume.judge import judge_account, judge_bounces, judge_volume

T = shipped_rules().thresholds
DAY = datetime(2025, 3, 11, tzinfo=UTC)
EMPTY_FACTS = LogFacts(files=(), accounts=(), relays=(), rejections=(), sending_ips=())


def hour(n: int, messages: int, client_ips: int = 1) -> HourStat:
    return HourStat(DAY + timedelta(hours=n), messages, messages, client_ips, 1)


def account(*hours: HourStat, sent: int = 0, bounced: int = 0) -> AccountFacts:
    total = sum(h.messages for h in hours)
    return AccountFacts("alice", total, total, 1, sent, 0, bounced, hours)


def daytime(messages: int = 5) -> list[HourStat]:
    return [hour(n, messages) for n in range(8, 16)]


def codes(findings) -> list[tuple[str, Severity]]:
    return [(f.code, f.severity) for f in findings]


def test_a_burst_from_many_client_ips_is_a_compromised_account() -> None:
    facts = account(*daytime(), hour(26, 1200, client_ips=37))
    assert codes(judge_account(facts, T)) == [("VOLUME_COMPROMISED_ACCOUNT", Severity.CRITICAL)]


def test_a_burst_from_one_ip_is_a_burst() -> None:
    facts = account(*daytime(), hour(26, 1200, client_ips=1))
    assert codes(judge_account(facts, T)) == [("VOLUME_BURST", Severity.HIGH)]


def test_many_client_ips_without_a_burst() -> None:
    facts = account(*daytime(), hour(17, 6, client_ips=T.many_ips_per_hour))
    assert codes(judge_account(facts, T)) == [("VOLUME_MANY_CLIENT_IPS", Severity.HIGH)]


@pytest.mark.parametrize(
    ("messages", "expected"), [(T.burst_floor - 1, []), (T.burst_floor, ["VOLUME_BURST"])]
)
def test_the_absolute_floor_keeps_small_accounts_quiet(messages: int, expected: list[str]) -> None:
    facts = account(*daytime(1), hour(26, messages))
    assert [f.code for f in judge_account(facts, T)] == expected


def test_a_steady_bulk_sender_is_not_a_burst_below_the_ceiling() -> None:
    facts = account(*daytime(600), hour(17, 900))
    assert judge_account(facts, T) == []


def test_the_absolute_ceiling_flags_even_a_bulk_sender() -> None:
    facts = account(*daytime(3000), hour(17, T.burst_absolute))
    assert [f.code for f in judge_account(facts, T)] == ["VOLUME_BURST"]


def test_without_history_only_the_floor_applies() -> None:
    facts = account(hour(1, 260), hour(2, 240))  # a script that only ever sends at night
    assert [f.code for f in judge_account(facts, T)] == ["VOLUME_BURST"]


@pytest.mark.parametrize(
    ("sent", "bounced", "expected"),
    [(95, 4, []), (45, 4, []), (90, 10, [("VOLUME_HIGH_BOUNCE_RATE", Severity.MEDIUM)]),
     (75, 25, [("VOLUME_HIGH_BOUNCE_RATE", Severity.HIGH)])],
)  # fmt: skip
def test_bounce_ratio_boundaries(sent: int, bounced: int, expected: list) -> None:
    assert codes(judge_bounces(account(*daytime(), sent=sent, bounced=bounced), T)) == expected


def delivery(
    n: int, reply: str, status: DeliveryStatus = DeliveryStatus.BOUNCED, **kw
) -> DeliveryEvent:
    fields = dict(at=DAY, message_id=f"q{n}", recipient=f"u{n}@gmail.com", status=status,
                  remote=True, relay_host="gmail-smtp-in.l.google.com", relay_ip="142.250.1.1",
                  reply=reply)  # fmt: skip
    return DeliveryEvent(**{**fields, **kw})


def test_remote_blocklist_rejections_name_the_provider_and_the_list() -> None:
    digest = Digest()
    for n in range(T.blocks_min_rejections):
        digest.add(
            delivery(
                n, "host x[1.2.3.4] said: 554 5.7.1 Client host blocked using zen.spamhaus.org"
            )
        )
        digest.add(
            delivery(
                100 + n, "421-4.7.28 unusual rate of unsolicited mail", DeliveryStatus.DEFERRED
            )
        )
    findings = judge_volume(digest.facts(()), T)
    assert {(f.code, f.severity, f.subject) for f in findings} == {
        ("VOLUME_REMOTE_BLOCKS", Severity.HIGH, "google-gmail"),
        ("VOLUME_REMOTE_BLOCKS", Severity.HIGH, "google-gmail / zen.spamhaus.org"),
    }


def test_too_few_blocks_and_user_unknowns_are_not_remote_blocks() -> None:
    digest = Digest()
    digest.add(delivery(1, "554 5.7.1 blocked using zen.spamhaus.org"))
    for n in range(10):
        digest.add(delivery(10 + n, "550 5.1.1 user unknown"))
    facts = digest.facts(())
    assert judge_volume(facts, T) == []
    assert {r.rejection.reason for r in facts.rejections} == {"blocked", "user_unknown"}


def submission(n: int, client_ip: str, account: str | None = None) -> SubmissionEvent:
    return SubmissionEvent(DAY, f"q{n}", account, client_ip, "x@spammer.test", 1)


def test_unauthenticated_external_mail_relayed_abroad_is_an_open_relay() -> None:
    digest = Digest(frozenset({"example.com"}))
    digest.add(submission(1, "45.67.89.10"))
    digest.add(delivery(1, "250 ok", DeliveryStatus.SENT))
    assert codes(judge_volume(digest.facts(()), T)) == [
        ("VOLUME_UNAUTHENTICATED_RELAY", Severity.CRITICAL)
    ]


@pytest.mark.parametrize(
    "change",
    [
        dict(forwarded=True),
        dict(recipient="info@example.com"),
        dict(relay_ip="10.0.0.5"),
        dict(remote=False),
    ],
)
def test_forwards_local_domains_internal_hops_and_local_delivery_are_not_relaying(
    change: dict,
) -> None:
    digest = Digest(frozenset({"example.com"}))
    digest.add(submission(1, "45.67.89.10"))
    digest.add(delivery(1, "250 ok", DeliveryStatus.SENT, **change))
    assert judge_volume(digest.facts(()), T) == []


def test_authenticated_or_loopback_submissions_are_not_relaying() -> None:
    digest = Digest()
    digest.add(submission(1, "45.67.89.10", account="alice"))
    digest.add(submission(2, "127.0.0.1"))
    digest.add(delivery(1, "250 ok", DeliveryStatus.SENT))
    digest.add(delivery(2, "250 ok", DeliveryStatus.SENT))
    assert judge_volume(digest.facts(()), T) == []


def test_findings_are_sorted_and_deterministic() -> None:
    facts = account(*daytime(), hour(26, 1200, client_ips=37), sent=50, bounced=50)
    first = judge_account(facts, T) + judge_bounces(facts, T)
    assert first == judge_account(replace(facts), T) + judge_bounces(replace(facts), T)


def test_a_sustained_burst_from_many_ips_under_the_absolute_floor_is_a_compromise() -> None:
    # given an account sending 5 an hour for 40 hours, then 190 an hour for 8 hours from 6
    # IPs (40x its own baseline, under the 200/hour absolute floor: issue 9, item 8)
    usual = [hour(n, 5) for n in range(40)]
    spree = [hour(48 + n, 190, client_ips=6) for n in range(8)]
    facts = account(*usual, *spree)
    # when judged with the site's baseline
    (finding,) = judge_volume(replace(EMPTY_FACTS, accounts=(facts,)), T)
    # then it is a compromised account, and the evidence states the floor it reached
    assert (finding.code, finding.severity) == ("VOLUME_COMPROMISED_ACCOUNT", Severity.CRITICAL)
    assert finding.evidence["floor_messages"] == T.floor_min_messages
    assert finding.evidence["site_median_messages_per_hour"] == 5


def test_the_scaled_floor_follows_the_sites_baseline() -> None:
    # given a busy site (median account-hour 40) and a quiet account jumping to 190 from 6
    # IPs: the site's baseline puts the floor at 400, capped by the absolute floor (200)
    quiet = account(*[hour(n, 5) for n in range(40)], hour(60, 190, client_ips=6))
    busy = replace(account(*[hour(n, 40) for n in range(200)]), account="bob")
    # when judged; then 190 stays under the floor the site's volume sets
    facts = replace(EMPTY_FACTS, accounts=(busy, quiet))
    assert [f.code for f in judge_volume(facts, T)] == []
