"""End to end against a real rbldnsd serving fixture zones (tests/fixtures/rbldnsd).

One daemon per module: multi-dataset ZEN (SBL + XBL + PBL merged into one answer), a
Spamhaus mirror answering an error code, a world-listing zone, an IPv6 ip6trie, DBL and
URIBL domain lists with a refusal code, all with TXT reasons.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.rbldnsd_fixture import (
    Rbldnsd,
    list_file,
    results_by,
    run_check,
    start_rbldnsd,
    stop_rbldnsd,
)

from audit.model import Severity, UnknownReason

pytestmark = pytest.mark.rbldnsd

DATASETS = [
    ("zen.spamhaus.org", "ip4set", "zen-sbl.ip4set"),
    ("zen.spamhaus.org", "ip4set", "zen-xbl.ip4set"),
    ("zen.spamhaus.org", "ip4set", "zen-pbl.ip4set"),
    ("sbl.spamhaus.org", "ip4set", "sbl-refusing.ip4set"),
    ("psbl.surriel.com", "ip4trie", "world.ip4trie"),
    ("bl.nordspam.com", "ip4set", "nordspam-v4.ip4set"),
    ("bl.nordspam.com", "ip6trie", "nordspam-v6.ip6trie"),
    ("dbl.spamhaus.org", "dnset", "dbl.dnset"),
    ("multi.uribl.com", "dnset", "uribl.dnset"),
]
LISTS = ["spamhaus-zen", "spamhaus-sbl", "psbl", "nordspam-bl", "spamhaus-dbl", "uribl-multi"]


@pytest.fixture(scope="module")
def rbldnsd() -> Iterator[Rbldnsd]:
    server = start_rbldnsd(DATASETS)
    yield server
    stop_rbldnsd(server)


def check(rbldnsd: Rbldnsd, tmp_path: Path, ips=(), domain=None, extra_lists=()):
    lists = list_file(tmp_path, [*LISTS, *extra_lists])
    return run_check(rbldnsd.nameserver, ips=ips, domain=domain, lists=lists)


def findings_of(result, subject: str) -> list[tuple[str, Severity, str]]:
    return sorted(
        (f.code, f.severity, f.evidence["list"]) for f in result.findings if f.subject == subject
    )


def test_merged_zen_datasets_answer_several_codes_as_one_critical_finding(
    rbldnsd, tmp_path
) -> None:
    result = check(rbldnsd, tmp_path, ips=["192.0.2.20"])
    zen = next(f for f in result.findings if f.evidence["list"] == "spamhaus-zen")
    assert (zen.code, zen.severity) == ("BLACKLIST_LISTED", Severity.CRITICAL)
    assert zen.evidence["codes"] == ["127.0.0.10", "127.0.0.2", "127.0.0.4"]
    assert zen.evidence["sublists"] == ["PBL", "SBL", "XBL"]


def test_zen_txt_reasons_are_reported(rbldnsd, tmp_path) -> None:
    result = check(rbldnsd, tmp_path, ips=["192.0.2.20"])
    zen = next(f for f in result.findings if f.evidence["list"] == "spamhaus-zen")
    assert any("192.0.2.20" in text for text in zen.evidence["txt"])


def test_pbl_only_address_is_a_medium_policy_finding(rbldnsd, tmp_path) -> None:
    result = check(rbldnsd, tmp_path, ips=["192.0.2.30"])
    assert findings_of(result, "192.0.2.30") == [
        ("BLACKLIST_POLICY_LISTED", Severity.MEDIUM, "spamhaus-zen")
    ]


def test_spamhaus_error_code_is_unknown_not_a_listing(rbldnsd, tmp_path) -> None:
    result = check(rbldnsd, tmp_path, ips=["192.0.2.40"])
    row = results_by(result)[("192.0.2.40", "spamhaus-sbl")]
    assert (row["state"], row["reason"]) == ("unknown", "query_refused")
    assert not [f for f in result.findings if f.evidence["list"] == "spamhaus-sbl"]


def test_world_listing_zone_is_unhealthy_and_its_answers_unknown(rbldnsd, tmp_path) -> None:
    result = check(rbldnsd, tmp_path, ips=["192.0.2.99"])
    health = {row["id"]: row["health"] for row in result.evidence["lists"]}
    assert health["psbl"] == "lists_the_world"
    assert ("psbl.surriel.com", UnknownReason.LIST_UNHEALTHY) in {
        (u.subject, u.reason) for u in result.unknowns
    }
    assert not [f for f in result.findings if f.evidence["list"] == "psbl"]


def test_healthy_lists_pass_their_test_points(rbldnsd, tmp_path) -> None:
    result = check(rbldnsd, tmp_path, ips=["192.0.2.99"], domain="clean.example")
    health = {row["id"]: row["health"] for row in result.evidence["lists"]}
    assert {k: v for k, v in health.items() if k != "psbl"} == {
        "spamhaus-zen": "healthy",
        "spamhaus-sbl": "healthy",
        "nordspam-bl": "healthy",
        "spamhaus-dbl": "healthy",
        "uribl-multi": "healthy",
    }


def test_clean_ip_is_clean_on_healthy_lists(rbldnsd, tmp_path) -> None:
    result = check(rbldnsd, tmp_path, ips=["198.51.100.1"])
    states = {lst: row["state"] for (_, lst), row in results_by(result).items()}
    assert states["spamhaus-zen"] == "clean"
    assert states["psbl"] == "unknown"


def test_ipv6_listing_is_found_through_ip6trie(rbldnsd, tmp_path) -> None:
    result = check(rbldnsd, tmp_path, ips=["2001:db8::25"])
    assert findings_of(result, "2001:db8::25") == [
        ("BLACKLIST_LISTED", Severity.HIGH, "nordspam-bl")
    ]


def test_listed_domain_is_critical_with_its_txt(rbldnsd, tmp_path) -> None:
    result = check(rbldnsd, tmp_path, domain="bad.example")
    found = [f for f in result.findings if f.evidence["list"] == "spamhaus-dbl"]
    assert [(f.code, f.severity) for f in found] == [("BLACKLIST_DOMAIN_LISTED", Severity.CRITICAL)]
    assert found[0].evidence["txt"]


def test_wildcard_subdomain_listing_on_dbl(rbldnsd, tmp_path) -> None:
    result = check(rbldnsd, tmp_path, domain="www.abused.example")
    found = [f for f in result.findings if f.evidence["list"] == "spamhaus-dbl"]
    assert found and found[0].evidence["codes"] == ["127.0.1.102"]


def test_uribl_bitmask_black_is_a_domain_listing(rbldnsd, tmp_path) -> None:
    result = check(rbldnsd, tmp_path, domain="spam.example")
    assert ("BLACKLIST_DOMAIN_LISTED", Severity.CRITICAL, "uribl-multi") in findings_of(
        result, "spam.example"
    )


def test_uribl_refusal_code_is_unknown(rbldnsd, tmp_path) -> None:
    result = check(rbldnsd, tmp_path, domain="refused.example")
    row = results_by(result)[("refused.example", "uribl-multi")]
    assert (row["state"], row["reason"]) == ("unknown", "query_refused")
