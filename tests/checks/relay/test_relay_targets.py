"""Which servers the relay probe may talk to: --smtp-host values, else the MX hosts."""

from __future__ import annotations

import asyncio

from audit.net.dns import DnsClient, Nameserver
from checks.relay.targets import TargetPlan, plan_targets

SOA = "@ 300 IN SOA ns.{0}. hostmaster.{0}. 1 3600 600 86400 300\n"
ZONES = {
    "example.test": SOA.format("example.test")
    + "@ IN MX 20 mx2.example.test.\n@ IN MX 10 mx1.example.test.\n"
    + "mx1 IN A 192.0.2.25\nmx1 IN AAAA 2001:db8::25\nmx2 IN A 192.0.2.26\n"
    + "named IN A 192.0.2.30\n",
    "nullmx.test": SOA.format("nullmx.test") + "@ IN MX 0 .\n",
    "implicit.test": SOA.format("implicit.test") + "@ IN A 192.0.2.40\n",
}


def plan(nameserver: str, domain: str | None, *smtp_hosts: str) -> TargetPlan:
    async def go() -> TargetPlan:
        client = DnsClient([Nameserver.parse(nameserver)], timeout=0.5, retries=0)
        return await plan_targets(client, domain, smtp_hosts)

    return asyncio.run(go())


def addresses(result: TargetPlan) -> list[tuple[str, str, int, str]]:
    return [(t.host, t.ip, t.port, t.source) for t in result.targets]


def test_mx_hosts_in_preference_order_on_port_25(dns_server) -> None:
    result = plan(dns_server(zones=ZONES).nameserver, "example.test")
    assert addresses(result) == [
        ("mx1.example.test", "192.0.2.25", 25, "mx"),
        ("mx1.example.test", "2001:db8::25", 25, "mx"),
        ("mx2.example.test", "192.0.2.26", 25, "mx"),
    ]


def test_given_hosts_replace_the_mx_hosts(dns_server) -> None:
    result = plan(dns_server(zones=ZONES).nameserver, "example.test", "named.example.test:2525")
    assert addresses(result) == [("named.example.test", "192.0.2.30", 2525, "given")]


def test_null_mx_means_nothing_to_probe(dns_server) -> None:
    result = plan(dns_server(zones=ZONES).nameserver, "nullmx.test")
    assert result.targets == [] and result.unknowns == []
    assert "RFC 7505" in result.note


def test_no_mx_means_the_implicit_mx(dns_server) -> None:
    result = plan(dns_server(zones=ZONES).nameserver, "implicit.test")
    assert addresses(result) == [("implicit.test", "192.0.2.40", 25, "mx")]


def test_unresolvable_host_is_unknown(dns_server) -> None:
    result = plan(dns_server(zones=ZONES).nameserver, "example.test", "gone.example.test")
    assert result.targets == []
    assert [u.reason.value for u in result.unknowns] == ["dependency"]


def test_dns_timeout_is_unknown(silent_nameserver: str) -> None:
    result = plan(silent_nameserver, "example.test")
    assert [u.reason.value for u in result.unknowns] == ["timeout"]
