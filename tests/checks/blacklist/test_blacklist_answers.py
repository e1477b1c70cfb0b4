"""Pure parts: query names (RFC 5782 §2), answer classification, list health."""

from __future__ import annotations

import pytest

from audit.knowledge.dnsbl.catalog import Category, TargetKind, shipped_catalog
from audit.knowledge.dnsbl.selection import SelectedList
from audit.model import UnknownReason
from audit.net.dns import Lookup, LookupStatus
from checks.blacklist.classify import State, classify
from checks.blacklist.health import Health, apply_health, judge_health
from checks.blacklist.query import parse_target, query_label

CATALOG = shipped_catalog()


def answer(*codes: str) -> Lookup:
    return Lookup("q", "A", LookupStatus.ANSWER, records=codes)


NXDOMAIN = Lookup("q", "A", LookupStatus.NXDOMAIN)


def entry(list_id: str):
    found = CATALOG.get(list_id)
    assert found is not None
    return found


def test_ipv4_is_queried_as_reversed_octets() -> None:
    assert query_label("192.0.2.20", TargetKind.IPV4) == "20.2.0.192"


def test_ipv6_is_queried_as_32_reversed_nibbles_even_when_compressed() -> None:
    label = query_label("2001:db8::1", TargetKind.IPV6)
    assert label == "1." + "0." * 23 + "8.b.d.0.1.0.0.2"
    assert len(label.split(".")) == 32


def test_ipv4_mapped_ipv6_is_checked_as_ipv4() -> None:
    assert parse_target("::ffff:192.0.2.20").kind is TargetKind.IPV4


def test_a_domain_is_queried_as_itself_lowercased() -> None:
    target = parse_target("Example.COM.")
    assert (target.kind, target.label) == (TargetKind.DOMAIN, "example.com")


def test_nxdomain_is_clean() -> None:
    assert classify(entry("spamhaus-zen"), NXDOMAIN).state is State.CLEAN


@pytest.mark.parametrize("code", ["127.255.255.252", "127.255.255.254", "127.255.255.255"])
def test_spamhaus_error_codes_are_unknown_query_refused(code: str) -> None:
    verdict = classify(entry("spamhaus-zen"), answer(code))
    assert (verdict.state, verdict.reason) == (State.UNKNOWN, UnknownReason.QUERY_REFUSED)


def test_dbl_ip_query_error_code_is_unknown() -> None:
    verdict = classify(entry("spamhaus-dbl"), answer("127.0.1.255"))
    assert verdict.reason is UnknownReason.QUERY_REFUSED


def test_uribl_refusal_127_0_0_1_is_unknown() -> None:
    verdict = classify(entry("uribl-multi"), answer("127.0.0.1"))
    assert verdict.reason is UnknownReason.QUERY_REFUSED


def test_senderscore_blocked_code_is_unknown() -> None:
    verdict = classify(entry("senderscore-rpbl"), answer("127.255.255.255"))
    assert verdict.reason is UnknownReason.QUERY_REFUSED


def test_zen_multiple_codes_keep_every_meaning_and_the_worst_category() -> None:
    verdict = classify(entry("spamhaus-zen"), answer("127.0.0.10", "127.0.0.4"))
    assert verdict.state is State.LISTED
    assert verdict.category is Category.ABUSE
    assert {m.sublist for m in verdict.meanings} == {"XBL", "PBL"}


def test_pbl_alone_is_a_policy_listing() -> None:
    verdict = classify(entry("spamhaus-zen"), answer("127.0.0.11"))
    assert verdict.category is Category.POLICY


def test_surbl_bitmask_is_decoded_into_each_flag() -> None:
    verdict = classify(entry("surbl-multi"), answer("127.0.0.24"))  # 8 PH + 16 MW
    assert verdict.state is State.LISTED
    assert {m.code for m in verdict.meanings} == {"8", "16"}


def test_uribl_grey_alone_is_a_reputation_listing() -> None:
    verdict = classify(entry("uribl-multi"), answer("127.0.0.4"))
    assert verdict.category is Category.REPUTATION


def test_allowlist_codes_are_not_listings() -> None:
    verdict = classify(entry("mailspike-rep"), answer("127.0.0.18"))
    assert verdict.state is State.CLEAN and verdict.allowlisted


def test_an_answer_outside_127_8_is_unknown() -> None:
    verdict = classify(entry("spamcop"), answer("198.51.100.7"))
    assert (verdict.state, verdict.reason) == (State.UNKNOWN, UnknownReason.MALFORMED)


def test_a_listing_beside_an_address_outside_127_8_is_unknown_malformed() -> None:
    verdict = classify(entry("spamcop"), answer("127.0.0.2", "198.51.100.7"))
    assert (verdict.state, verdict.reason) == (State.UNKNOWN, UnknownReason.MALFORMED)


def test_an_undocumented_loopback_code_is_still_a_listing() -> None:
    verdict = classify(entry("spamcop"), answer("127.0.0.99"))
    assert verdict.state is State.LISTED


def test_a_timeout_is_unknown_never_clean() -> None:
    lookup = Lookup("q", "A", LookupStatus.UNKNOWN, reason=UnknownReason.TIMEOUT)
    assert classify(entry("spamcop"), lookup).reason is UnknownReason.TIMEOUT


def test_txt_reasons_are_bounded_and_stripped_of_control_characters() -> None:
    txt = Lookup("q", "TXT", LookupStatus.ANSWER, records=("evil\x1b[31m" + "x" * 5000,) * 10)
    verdict = classify(entry("spamcop"), answer("127.0.0.2"), txt)
    assert len(verdict.txt) <= 4
    assert all(len(t) <= 300 and "\x1b" not in t for t in verdict.txt)


def selected(list_id: str) -> SelectedList:
    found = entry(list_id)
    return SelectedList(found, found.zone, found.zone)


def test_a_list_answering_its_negative_test_point_lists_the_world() -> None:
    health = judge_health(selected("spamcop"), [answer("127.0.0.2")], [answer("127.0.0.2")])
    assert health.health is Health.LISTS_WORLD


def test_a_world_listing_list_turns_listings_into_unknown() -> None:
    health = judge_health(selected("spamcop"), [answer("127.0.0.2")], [answer("127.0.0.2")])
    verdict = apply_health(
        classify(entry("spamcop"), answer("127.0.0.2")), health, selected("spamcop"), False
    )
    assert verdict.reason is UnknownReason.LIST_UNHEALTHY


def test_a_malformed_dns_reply_on_a_test_point_leaves_the_list_untested() -> None:
    broken = Lookup("q", "A", LookupStatus.UNKNOWN, reason=UnknownReason.MALFORMED)
    health = judge_health(selected("spamcop"), [broken], [NXDOMAIN])
    assert health.health is Health.UNTESTED


def test_a_list_missing_its_positive_test_point_cannot_say_clean() -> None:
    health = judge_health(selected("spamcop"), [NXDOMAIN], [NXDOMAIN])
    verdict = apply_health(classify(entry("spamcop"), NXDOMAIN), health, selected("spamcop"), False)
    assert health.health is Health.BLIND
    assert verdict.reason is UnknownReason.LIST_UNHEALTHY


def test_a_list_missing_its_positive_test_point_still_reports_listings() -> None:
    health = judge_health(selected("spamcop"), [NXDOMAIN], [NXDOMAIN])
    verdict = apply_health(
        classify(entry("spamcop"), answer("127.0.0.2")), health, selected("spamcop"), False
    )
    assert verdict.state is State.LISTED


def test_spamhaus_clean_through_a_public_resolver_is_unknown_without_a_passed_test() -> None:
    zen = selected("spamhaus-zen")
    health = judge_health(zen, [], [NXDOMAIN])  # no positive answer to rely on
    verdict = apply_health(classify(zen.entry, NXDOMAIN), health, zen, resolver_public=True)
    assert verdict.reason is UnknownReason.QUERY_REFUSED


def test_spamhaus_via_dqs_is_trusted_through_a_public_resolver() -> None:
    zen = entry("spamhaus-zen")
    dqs = SelectedList(zen, "k.zen.dq.spamhaus.net", "<key>.zen.dq.spamhaus.net", via_dqs=True)
    health = judge_health(dqs, [], [NXDOMAIN])
    verdict = apply_health(classify(zen, NXDOMAIN), health, dqs, resolver_public=True)
    assert verdict.state is State.CLEAN
