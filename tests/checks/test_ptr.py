"""The PTR / FCrDNS check (checks/ptr/check.py) against a lab DNS server."""

from __future__ import annotations

import asyncio

import pytest
from support.context import check_context

from audit.model import CheckStatus, Severity, UnknownReason
from audit.net.dns import DnsClient, Nameserver
from checks.ptr.check import PtrCheck, generic_reason
from checks.ptr.options import PtrOptions

SOA = "@ 300 IN SOA ns.{0}. hostmaster.{0}. 1 3600 600 86400 300\n"
REVERSE_V4 = "2.0.192.in-addr.arpa"
REVERSE_V6 = "0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"
V6_PTR_OWNER = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0"  # 2001:db8::1 within REVERSE_V6


def ptr_zones(reverse: str, forward: str = "", *, v6: str = "") -> dict[str, str]:
    zones = {
        REVERSE_V4: SOA.format(REVERSE_V4) + reverse,
        "example.test": SOA.format("example.test") + forward,
    }
    if v6:
        zones[REVERSE_V6] = SOA.format(REVERSE_V6) + v6
    return zones


def run_ptr(nameserver: str, *ips: str, suffixes: tuple[str, ...] = (), timeout: float = 2.0):
    async def go():
        dns = DnsClient([Nameserver.parse(nameserver)], timeout=timeout)
        options = PtrOptions(expect_ptr_suffixes=suffixes)
        return await PtrCheck().run(check_context(dns, "example.test", ips, (options,)))

    return asyncio.run(go())


def codes(result) -> list[str]:
    return sorted(f.code for f in result.findings)


def severity_of(result, code: str) -> Severity:
    return next(f.severity for f in result.findings if f.code == code)


# -- pass ------------------------------------------------------------------------------------


def test_forward_confirmed_own_name_passes(dns_server):
    # given 192.0.2.1 -> mail.example.test -> 192.0.2.1
    server = dns_server(zones=ptr_zones("1 IN PTR mail.example.test.\n", "mail IN A 192.0.2.1\n"))
    result = run_ptr(server.nameserver, "192.0.2.1")
    assert result.status is CheckStatus.PASS
    assert result.findings == () and result.unknowns == ()


def test_evidence_records_the_confirmed_name(dns_server):
    server = dns_server(zones=ptr_zones("1 IN PTR mail.example.test.\n", "mail IN A 192.0.2.1\n"))
    evidence = run_ptr(server.nameserver, "192.0.2.1").evidence["ips"][0]
    assert evidence["fcrdns"] is True
    assert evidence["confirmed_names"] == ["mail.example.test"]


def test_name_containing_a_generic_word_inside_another_word_is_not_generic(dns_server):
    server = dns_server(
        zones=ptr_zones(
            "1 IN PTR liverpool-mail.example.test.\n", "liverpool-mail IN A 192.0.2.1\n"
        )
    )
    result = run_ptr(server.nameserver, "192.0.2.1")
    assert result.status is CheckStatus.PASS


def test_ipv6_forward_confirmed_name_passes(dns_server):
    server = dns_server(
        zones=ptr_zones(
            "", "mail6 IN AAAA 2001:db8::1\n", v6=f"{V6_PTR_OWNER} IN PTR mail6.example.test.\n"
        )
    )
    result = run_ptr(server.nameserver, "2001:db8::1")
    assert result.status is CheckStatus.PASS


# -- findings --------------------------------------------------------------------------------


def test_no_ptr_is_ptr_missing_high(dns_server):
    server = dns_server(zones=ptr_zones(""))
    result = run_ptr(server.nameserver, "192.0.2.1")
    assert codes(result) == ["PTR_MISSING"]
    assert severity_of(result, "PTR_MISSING") is Severity.HIGH
    assert result.status is CheckStatus.FAIL


def test_ptr_nodata_is_ptr_missing(dns_server):
    server = dns_server(zones=ptr_zones('1 IN TXT "not a ptr"\n'))
    assert codes(run_ptr(server.nameserver, "192.0.2.1")) == ["PTR_MISSING"]


def test_ptr_name_without_address_is_fcrdns_failed_high(dns_server):
    server = dns_server(zones=ptr_zones("1 IN PTR mail.example.test.\n"))
    result = run_ptr(server.nameserver, "192.0.2.1")
    assert codes(result) == ["PTR_FCRDNS_FAILED"]
    assert severity_of(result, "PTR_FCRDNS_FAILED") is Severity.HIGH


def test_ptr_name_resolving_to_another_ip_is_fcrdns_failed(dns_server):
    server = dns_server(zones=ptr_zones("1 IN PTR mail.example.test.\n", "mail IN A 192.0.2.99\n"))
    assert codes(run_ptr(server.nameserver, "192.0.2.1")) == ["PTR_FCRDNS_FAILED"]


@pytest.mark.parametrize(
    "name",
    [
        "192-0-2-1.static.isp.test",
        "1-2-0-192.isp.test",
        "host192.0.2.1.isp.test",
        "ip-0-2-1.isp.test",
        "c0000201.isp.test",
        "dynamic-host.isp.test",
        "adsl.customers.isp.test",
        "pool-a.isp.test",
        "cpe.isp.test",
    ],
)
def test_generic_name_is_ptr_generic_medium(dns_server, name):
    server = dns_server(
        zones={
            **ptr_zones(f"1 IN PTR {name}.\n"),
            "isp.test": SOA.format("isp.test") + f"{name}. IN A 192.0.2.1\n",
        }
    )
    result = run_ptr(server.nameserver, "192.0.2.1")
    assert codes(result) == ["PTR_GENERIC"]
    assert severity_of(result, "PTR_GENERIC") is Severity.MEDIUM


@pytest.mark.parametrize(
    "name",
    [
        "mail.example.test",
        "liverpool-mail.example.test",
        "mx1.example.test",
        "smtp-out.example.test",
        "poolside.example.test",
    ],
)
def test_own_server_names_are_not_generic(name):
    assert generic_reason(name, "192.0.2.1") is None


def test_ipv6_name_embedding_the_address_is_generic():
    name = "host-20010db8000000000000000000000001.isp.test"
    assert generic_reason(name, "2001:db8::1") is not None


def test_two_ptr_records_are_ptr_multiple_low(dns_server):
    server = dns_server(
        zones=ptr_zones(
            "1 IN PTR mail.example.test.\n1 IN PTR smtp.example.test.\n",
            "mail IN A 192.0.2.1\nsmtp IN A 192.0.2.1\n",
        )
    )
    result = run_ptr(server.nameserver, "192.0.2.1")
    assert codes(result) == ["PTR_MULTIPLE"]
    assert severity_of(result, "PTR_MULTIPLE") is Severity.LOW


def test_one_confirmed_name_of_several_is_enough_for_fcrdns(dns_server):
    server = dns_server(
        zones=ptr_zones(
            "1 IN PTR mail.example.test.\n1 IN PTR stale.example.test.\n",
            "mail IN A 192.0.2.1\n",
        )
    )
    assert "PTR_FCRDNS_FAILED" not in codes(run_ptr(server.nameserver, "192.0.2.1"))


def test_name_outside_expected_suffix_is_ptr_unexpected_name_high(dns_server):
    server = dns_server(zones=ptr_zones("1 IN PTR mail.example.test.\n", "mail IN A 192.0.2.1\n"))
    result = run_ptr(server.nameserver, "192.0.2.1", suffixes=("mg.example.test",))
    assert codes(result) == ["PTR_UNEXPECTED_NAME"]
    assert severity_of(result, "PTR_UNEXPECTED_NAME") is Severity.HIGH


@pytest.mark.parametrize("suffix", ["example.test", "mail.example.test"])
def test_name_inside_expected_suffix_passes(dns_server, suffix):
    server = dns_server(zones=ptr_zones("1 IN PTR mail.example.test.\n", "mail IN A 192.0.2.1\n"))
    result = run_ptr(server.nameserver, "192.0.2.1", suffixes=(suffix,))
    assert result.status is CheckStatus.PASS


def test_suffix_matches_whole_labels_only(dns_server):
    server = dns_server(zones=ptr_zones("1 IN PTR mail.notexample.test.\n", ""))
    result = run_ptr(server.nameserver, "192.0.2.1", suffixes=("example.test",))
    assert "PTR_UNEXPECTED_NAME" in codes(result)


def test_findings_are_about_the_ip(dns_server):
    server = dns_server(zones=ptr_zones(""))
    result = run_ptr(server.nameserver, "192.0.2.1")
    assert [f.subject for f in result.findings] == ["192.0.2.1"]


def test_each_ip_is_judged_separately(dns_server):
    server = dns_server(zones=ptr_zones("1 IN PTR mail.example.test.\n", "mail IN A 192.0.2.1\n"))
    result = run_ptr(server.nameserver, "192.0.2.1", "192.0.2.2")
    assert [(f.code, f.subject) for f in result.findings] == [("PTR_MISSING", "192.0.2.2")]


# -- unknown, never a pass --------------------------------------------------------------------


def test_ptr_lookup_timeout_is_unknown_not_pass(dns_server):
    server = dns_server(
        zones=ptr_zones("1 IN PTR mail.example.test.\n", "mail IN A 192.0.2.1\n"),
        behaviours={f"1.{REVERSE_V4}": "timeout"},
    )
    result = run_ptr(server.nameserver, "192.0.2.1", timeout=0.3)
    assert result.status is CheckStatus.UNKNOWN
    assert [u.reason for u in result.unknowns] == [UnknownReason.TIMEOUT]
    assert result.findings == ()


def test_ptr_lookup_servfail_is_unknown(dns_server):
    server = dns_server(zones=ptr_zones(""), behaviours={f"1.{REVERSE_V4}": "servfail"})
    result = run_ptr(server.nameserver, "192.0.2.1")
    assert result.status is CheckStatus.UNKNOWN
    assert [u.reason for u in result.unknowns] == [UnknownReason.SERVFAIL]


def test_forward_lookup_timeout_is_unknown_not_pass(dns_server):
    server = dns_server(
        zones=ptr_zones("1 IN PTR mail.example.test.\n", "mail IN A 192.0.2.1\n"),
        behaviours={"mail.example.test": "timeout"},
    )
    result = run_ptr(server.nameserver, "192.0.2.1", timeout=0.3)
    assert result.status is CheckStatus.UNKNOWN
    assert [u.reason for u in result.unknowns] == [UnknownReason.TIMEOUT]
    assert "PTR_FCRDNS_FAILED" not in codes(result)
    assert result.evidence["ips"][0]["fcrdns"] is None


def test_whole_resolver_silent_is_unknown(silent_nameserver):
    result = run_ptr(silent_nameserver, "192.0.2.1", timeout=0.3)
    assert result.status is CheckStatus.UNKNOWN


def test_no_sending_ip_is_unknown_dependency(silent_nameserver):
    result = run_ptr(silent_nameserver)
    assert result.status is CheckStatus.UNKNOWN
    assert [u.reason for u in result.unknowns] == [UnknownReason.DEPENDENCY]
