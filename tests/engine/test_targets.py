"""Sending-IP derivation from MX, the implicit MX, null MX and SPF literals (engine/targets)."""

from __future__ import annotations

import asyncio

from audit.engine.targets import resolve_target
from audit.model import IpSource, UnknownReason
from audit.net.dns import DnsClient, Nameserver

SOA = "@ 300 IN SOA ns.{0}. hostmaster.{0}. 1 3600 600 86400 300\n"


def zone(origin: str, body: str) -> dict[str, str]:
    return {origin: SOA.format(origin) + body}


def derive(nameserver: str, domain: str | None, given: tuple[str, ...] = (), timeout=2.0):
    async def go():
        dns = DnsClient([Nameserver.parse(nameserver)], timeout=timeout)
        return await resolve_target(dns, domain, given)

    return asyncio.run(go())


def ip_sources(target) -> list[tuple[str, str]]:
    return [(ip.ip, ip.source.value) for ip in target.ips]


def test_mx_hosts_addresses_are_sending_ips_in_preference_order(dns_server):
    server = dns_server(
        zones=zone(
            "example.test",
            """
@ IN MX 20 backup.example.test.
@ IN MX 10 mx.example.test.
mx IN A 192.0.2.10
mx IN AAAA 2001:db8::10
backup IN A 192.0.2.20
""",
        )
    )
    target, unknowns = derive(server.nameserver, "example.test")
    assert ip_sources(target) == [
        ("192.0.2.10", "mx"),
        ("2001:db8::10", "mx"),
        ("192.0.2.20", "mx"),
    ]
    assert unknowns == []


def test_mx_derived_ip_records_its_host(dns_server):
    server = dns_server(
        zones=zone("example.test", "@ IN MX 10 mx.example.test.\nmx IN A 192.0.2.10\n")
    )
    target, _ = derive(server.nameserver, "example.test")
    assert target.ips[0].detail == "mx.example.test"


def test_without_mx_the_domain_itself_is_the_implicit_mx(dns_server):
    server = dns_server(zones=zone("example.test", "@ IN A 192.0.2.30\n"))
    target, _ = derive(server.nameserver, "example.test")
    assert ip_sources(target) == [("192.0.2.30", "mx")]
    assert target.ips[0].detail == "example.test"


def test_null_mx_gives_no_mx_ips(dns_server):
    server = dns_server(zones=zone("example.test", "@ IN MX 0 .\n@ IN A 192.0.2.30\n"))
    target, unknowns = derive(server.nameserver, "example.test")
    assert target.ips == ()
    assert unknowns == []


def test_null_mx_still_takes_spf_literals(dns_server):
    server = dns_server(
        zones=zone("example.test", '@ IN MX 0 .\n@ IN TXT "v=spf1 ip4:192.0.2.40 -all"\n')
    )
    target, _ = derive(server.nameserver, "example.test")
    assert ip_sources(target) == [("192.0.2.40", "spf")]


def test_spf_single_address_literals_are_sending_ips(dns_server):
    spf = "v=spf1 ip4:192.0.2.40 ip4:192.0.2.41/32 ip6:2001:db8::40 ip6:2001:db8::41/128 -all"
    server = dns_server(zones=zone("example.test", f'@ IN MX 0 .\n@ IN TXT "{spf}"\n'))
    target, _ = derive(server.nameserver, "example.test")
    assert ip_sources(target) == [
        ("192.0.2.40", "spf"),
        ("192.0.2.41", "spf"),
        ("2001:db8::40", "spf"),
        ("2001:db8::41", "spf"),
    ]


def test_spf_literal_records_its_mechanism(dns_server):
    server = dns_server(
        zones=zone("example.test", '@ IN MX 0 .\n@ IN TXT "v=spf1 +ip4:192.0.2.40 -all"\n')
    )
    target, _ = derive(server.nameserver, "example.test")
    assert target.ips[0].detail == "+ip4:192.0.2.40"


def test_spf_ranges_includes_and_failing_terms_are_not_sending_ips(dns_server):
    spf = (
        "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/64 include:_spf.esp.test"
        " -ip4:192.0.2.66 ~ip4:192.0.2.67 ip4:not-an-ip a mx -all"
    )
    server = dns_server(zones=zone("example.test", f'@ IN MX 0 .\n@ IN TXT "{spf}"\n'))
    target, unknowns = derive(server.nameserver, "example.test")
    assert target.ips == ()
    assert unknowns == []


def test_non_spf_txt_records_are_ignored(dns_server):
    server = dns_server(
        zones=zone(
            "example.test",
            '@ IN MX 0 .\n@ IN TXT "google-site-verification=ip4:192.0.2.99"\n',
        )
    )
    target, _ = derive(server.nameserver, "example.test")
    assert target.ips == ()


def test_ip_in_both_mx_and_spf_is_listed_once_as_mx(dns_server):
    server = dns_server(
        zones=zone(
            "example.test",
            "@ IN MX 10 mx.example.test.\nmx IN A 192.0.2.10\n"
            '@ IN TXT "v=spf1 ip4:192.0.2.10 ip4:192.0.2.40 -all"\n',
        )
    )
    target, _ = derive(server.nameserver, "example.test")
    assert ip_sources(target) == [("192.0.2.10", "mx"), ("192.0.2.40", "spf")]


def test_given_ips_skip_derivation(dns_server):
    server = dns_server(
        zones=zone("example.test", "@ IN MX 10 mx.example.test.\nmx IN A 192.0.2.10\n")
    )
    target, unknowns = derive(server.nameserver, "example.test", ("198.51.100.1", "198.51.100.1"))
    assert ip_sources(target) == [("198.51.100.1", "given")]
    assert unknowns == []
    assert server.queries == 0


def test_mx_lookup_timeout_is_a_run_unknown(dns_server):
    server = dns_server(
        zones=zone("example.test", '@ IN TXT "v=spf1 -all"\n'),
        behaviours={"example.test": "timeout"},
    )
    target, unknowns = derive(server.nameserver, "example.test", timeout=0.3)
    assert target.ips == ()
    assert {u.reason for u in unknowns} == {UnknownReason.TIMEOUT}
    assert len(unknowns) == 2  # MX and SPF


def test_mx_host_address_failure_is_a_run_unknown(dns_server):
    server = dns_server(
        zones=zone(
            "example.test",
            "@ IN MX 10 mx.example.test.\n@ IN MX 20 ok.example.test.\nok IN A 192.0.2.20\n",
        ),
        behaviours={"mx.example.test": "servfail"},
    )
    target, unknowns = derive(server.nameserver, "example.test")
    assert ip_sources(target) == [("192.0.2.20", "mx")]
    assert [u.reason for u in unknowns] == [UnknownReason.SERVFAIL, UnknownReason.SERVFAIL]


def test_missing_domain_gives_no_ips_and_no_unknowns(dns_server):
    server = dns_server(zones=zone("example.test", ""))
    target, unknowns = derive(server.nameserver, "nope.example.test")
    assert (target.ips, unknowns) == ((), [])


def test_no_domain_uses_the_given_ips_only(silent_nameserver):
    target, unknowns = derive(silent_nameserver, None, ("192.0.2.1",))
    assert target.domain is None
    assert [ip.source for ip in target.ips] == [IpSource.GIVEN]
    assert unknowns == []
