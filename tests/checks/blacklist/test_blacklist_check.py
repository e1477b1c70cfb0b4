"""The blacklist check end to end against the lab DNS server on loopback."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from support.rbldnsd_fixture import dnsbl_zone, list_file, results_by, run_check

from audit.model import CheckId, ResolverInfo, Severity, UnknownReason
from audit.net.dns import DnsClient, Nameserver

LISTED_IP = "192.0.2.20"
CLEAN_IP = "192.0.2.99"


def zones(**records: list[str]) -> dict[str, str]:
    """{zone: extra records}; keyword names use '_' for '.'."""
    return {
        name.replace("_", "."): dnsbl_zone(name.replace("_", "."), recs)
        for name, recs in records.items()
    }


def codes(result) -> list[tuple[str, Severity, str]]:
    return sorted((f.code, f.severity, f.evidence["list"]) for f in result.findings)


def test_an_ip_on_a_high_impact_abuse_list_is_critical(dns_server, tmp_path: Path) -> None:
    server = dns_server(zones=zones(bl_spamcop_net=["20.2.0.192 IN A 127.0.0.2"]))
    result = run_check(server.nameserver, ips=[LISTED_IP], lists=list_file(tmp_path, ["spamcop"]))
    assert codes(result) == [("BLACKLIST_LISTED", Severity.CRITICAL, "spamcop")]


def test_an_ip_on_a_lower_impact_abuse_list_is_high(dns_server, tmp_path: Path) -> None:
    server = dns_server(zones=zones(psbl_surriel_com=["20.2.0.192 IN A 127.0.0.2"]))
    result = run_check(server.nameserver, ips=[LISTED_IP], lists=list_file(tmp_path, ["psbl"]))
    assert codes(result) == [("BLACKLIST_LISTED", Severity.HIGH, "psbl")]


def test_pbl_is_a_medium_policy_finding_with_smarthost_advice(dns_server, tmp_path: Path) -> None:
    server = dns_server(zones=zones(zen_spamhaus_org=["20.2.0.192 IN A 127.0.0.10"]))
    result = run_check(
        server.nameserver, ips=[LISTED_IP], lists=list_file(tmp_path, ["spamhaus-zen"])
    )
    finding = result.findings[0]
    assert (finding.code, finding.severity) == ("BLACKLIST_POLICY_LISTED", Severity.MEDIUM)
    assert finding.evidence["sublists"] == ["PBL"]
    assert finding.evidence["delisting"]["method"] == "self-service"
    assert finding.remediation is not None and finding.remediation.provider == "spamhaus"


def test_a_listing_carries_the_txt_reason(dns_server, tmp_path: Path) -> None:
    server = dns_server(
        zones=zones(
            bl_spamcop_net=[
                "20.2.0.192 IN A 127.0.0.2",
                '20.2.0.192 IN TXT "Blocked - see https://www.spamcop.net/bl.shtml?192.0.2.20"',
            ]
        )
    )
    result = run_check(server.nameserver, ips=[LISTED_IP], lists=list_file(tmp_path, ["spamcop"]))
    assert result.findings[0].evidence["txt"] == [
        "Blocked - see https://www.spamcop.net/bl.shtml?192.0.2.20"
    ]


def test_a_listed_domain_is_a_domain_finding(dns_server, tmp_path: Path) -> None:
    server = dns_server(zones=zones(dbl_spamhaus_org=["example.com IN A 127.0.1.4"]))
    result = run_check(
        server.nameserver, domain="example.com", lists=list_file(tmp_path, ["spamhaus-dbl"])
    )
    assert codes(result) == [("BLACKLIST_DOMAIN_LISTED", Severity.CRITICAL, "spamhaus-dbl")]


def test_an_ipv6_target_is_found_by_its_full_nibble_name(dns_server, tmp_path: Path) -> None:
    nibbles = "1." + "0." * 23 + "8.b.d.0.1.0.0.2"
    server = dns_server(zones=zones(bl_nordspam_com=[f"{nibbles} IN A 127.0.0.2"]))
    result = run_check(
        server.nameserver, ips=["2001:db8::1"], lists=list_file(tmp_path, ["nordspam-bl"])
    )
    assert codes(result) == [("BLACKLIST_LISTED", Severity.HIGH, "nordspam-bl")]


def test_a_clean_ip_on_healthy_lists_passes(dns_server, tmp_path: Path) -> None:
    server = dns_server(zones=zones(bl_spamcop_net=[], psbl_surriel_com=[]))
    result = run_check(
        server.nameserver, ips=[CLEAN_IP], lists=list_file(tmp_path, ["spamcop", "psbl"])
    )
    assert (result.findings, result.unknowns) == ((), ())
    assert result.evidence["counts"]["clean"] == 2


def test_a_spamhaus_refusal_code_is_unknown_not_listed(dns_server, tmp_path: Path) -> None:
    server = dns_server(zones=zones(zen_spamhaus_org=["*.2.0.192 IN A 127.255.255.254"]))
    result = run_check(
        server.nameserver, ips=[LISTED_IP], lists=list_file(tmp_path, ["spamhaus-zen"])
    )
    assert result.findings == ()
    assert [(u.subject, u.reason) for u in result.unknowns] == [
        ("zen.spamhaus.org", UnknownReason.QUERY_REFUSED)
    ]


def test_a_world_listing_zone_makes_its_answers_unknown(dns_server, tmp_path: Path) -> None:
    world = dnsbl_zone("psbl.surriel.com", ["* IN A 127.0.0.2"], healthy=False)
    server = dns_server(zones={"psbl.surriel.com": world})
    result = run_check(server.nameserver, ips=[LISTED_IP], lists=list_file(tmp_path, ["psbl"]))
    assert result.findings == ()
    assert [u.reason for u in result.unknowns] == [UnknownReason.LIST_UNHEALTHY]
    assert result.evidence["lists"][0]["health"] == "lists_the_world"


def test_a_timeout_is_unknown_never_clean(dns_server, tmp_path: Path) -> None:
    server = dns_server(
        zones=zones(bl_spamcop_net=[]), behaviours={"20.2.0.192.bl.spamcop.net": "timeout"}
    )
    result = run_check(
        server.nameserver, ips=[LISTED_IP], lists=list_file(tmp_path, ["spamcop"]), timeout=0.3
    )
    assert [u.reason for u in result.unknowns] == [UnknownReason.TIMEOUT]
    assert results_by(result)[(LISTED_IP, "spamcop")]["state"] == "unknown"


def test_servfail_and_refused_are_unknown_with_their_reason(dns_server, tmp_path: Path) -> None:
    server = dns_server(
        zones=zones(bl_spamcop_net=[], psbl_surriel_com=[]),
        behaviours={
            "20.2.0.192.bl.spamcop.net": "servfail",
            "20.2.0.192.psbl.surriel.com": "refused",
        },
    )
    result = run_check(
        server.nameserver, ips=[LISTED_IP], lists=list_file(tmp_path, ["spamcop", "psbl"])
    )
    assert sorted(u.reason for u in result.unknowns) == sorted(
        [UnknownReason.SERVFAIL, UnknownReason.REFUSED]
    )


def test_a_list_failing_its_positive_test_point_cannot_report_clean(
    dns_server, tmp_path: Path
) -> None:
    server = dns_server(zones={"bl.spamcop.net": dnsbl_zone("bl.spamcop.net", healthy=False)})
    result = run_check(server.nameserver, ips=[CLEAN_IP], lists=list_file(tmp_path, ["spamcop"]))
    assert [u.reason for u in result.unknowns] == [UnknownReason.LIST_UNHEALTHY]


def test_a_resolver_rewriting_nxdomain_is_detected(dns_server, tmp_path: Path) -> None:
    rewriting = dnsbl_zone("bl.spamcop.net", ["* IN A 198.51.100.7"], healthy=False)
    server = dns_server(zones={"bl.spamcop.net": rewriting})
    result = run_check(server.nameserver, ips=[CLEAN_IP], lists=list_file(tmp_path, ["spamcop"]))
    assert result.evidence["resolver"]["nxdomain_rewrite"] is True
    assert UnknownReason.RESOLVER_REWRITES in {u.reason for u in result.unknowns}
    assert result.findings == ()


def test_a_custom_zone_is_queried_and_any_loopback_code_is_a_listing(
    dns_server, tmp_path: Path
) -> None:
    server = dns_server(
        zones={"rbl.corp.test": dnsbl_zone("rbl.corp.test", ["20.2.0.192 IN A 127.0.0.5"])}
    )
    result = run_check(
        server.nameserver,
        ips=[LISTED_IP],
        lists=list_file(tmp_path, []),
        custom=["rbl.corp.test:ip"],
    )
    assert codes(result) == [("BLACKLIST_LISTED", Severity.HIGH, "custom:rbl.corp.test")]


def test_defunct_lists_are_never_queried(dns_server, tmp_path: Path) -> None:
    server = dns_server(zones=zones(bl_spamcop_net=[]))
    result = run_check(
        server.nameserver,
        ips=[CLEAN_IP],
        lists=list_file(tmp_path, ["spamcop", "dnsbl.sorbs.net", "ix.dnsbl.manitu.net"]),
    )
    assert server.store  # the server knows no SORBS zone: a query would be REFUSED/unknown
    assert result.unknowns == ()
    assert {s["list"] for s in result.evidence["skipped_lists"]} == {"sorbs", "nixspam"}


@dataclass
class PublicLookingClient(DnsClient):
    """A loopback client that reports itself as a public resolver (Google)."""

    @property
    def info(self) -> ResolverInfo:
        return ResolverInfo(("8.8.8.8",), True, ("Google Public DNS",))


def test_a_public_resolver_makes_spamhaus_clean_unknown(dns_server, tmp_path: Path) -> None:
    server = dns_server(zones={"zen.spamhaus.org": dnsbl_zone("zen.spamhaus.org", healthy=False)})
    client = PublicLookingClient([Nameserver.parse(server.nameserver)], timeout=1)
    result = run_check(
        server.nameserver, ips=[CLEAN_IP], lists=list_file(tmp_path, ["spamhaus-zen"]), dns=client
    )
    assert result.evidence["resolver"]["warnings"]
    assert [u.subject for u in result.unknowns] == ["zen.spamhaus.org"]


def test_dqs_queries_the_keyed_zone_and_never_shows_the_key(dns_server, tmp_path: Path) -> None:
    key = "q1w2e3r4t5y6u7i8o9p0a1s2d3"
    zone = f"{key}.zen.dq.spamhaus.net"
    server = dns_server(
        zones={
            zone: dnsbl_zone(
                zone, ["20.2.0.192 IN A 127.0.0.4", '20.2.0.192 IN TXT "key ' + key + '"']
            )
        }
    )
    client = DnsClient([Nameserver.parse(server.nameserver)], timeout=1)
    result = run_check(
        server.nameserver,
        ips=[LISTED_IP],
        lists=list_file(tmp_path, ["spamhaus-zen"]),
        dqs_key=key,
        dns=client,
    )
    assert codes(result) == [("BLACKLIST_LISTED", Severity.CRITICAL, "spamhaus-zen")]
    assert key not in repr(result)
    assert all(key not in lookup.name for lookup in client.lookups)


def test_the_check_reports_its_own_id_and_every_code_it_emits(dns_server, tmp_path: Path) -> None:
    server = dns_server(zones=zones(bl_spamcop_net=["20.2.0.192 IN A 127.0.0.2"]))
    result = run_check(server.nameserver, ips=[LISTED_IP], lists=list_file(tmp_path, ["spamcop"]))
    from checks.blacklist.check import BlacklistCheck

    assert result.check is CheckId.BLACKLIST
    assert {f.code for f in result.findings} <= BlacklistCheck.finding_codes
