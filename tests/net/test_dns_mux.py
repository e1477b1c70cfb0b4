"""The multiplexed UDP transport gives the same outcomes as the dnspython path."""

from __future__ import annotations

import asyncio
import time

import pytest

from audit.model import UnknownReason
from audit.net.dns import DnsClient, LookupStatus, Nameserver
from audit.net.dns_mux import MuxDnsClient

ZONE = """@ 300 IN SOA ns.bl.test. h.bl.test. 1 1 1 1 1
2.0.0.127 IN A 127.0.0.2
2.0.0.127 IN A 127.0.0.4
2.0.0.127 IN TXT "part one " "part two"
alias IN CNAME 2.0.0.127
empty IN TXT "x"
"""
CASES = [
    ("2.0.0.127.bl.test", "A", LookupStatus.ANSWER, None),
    ("2.0.0.127.bl.test", "TXT", LookupStatus.ANSWER, None),
    ("alias.bl.test", "A", LookupStatus.ANSWER, None),
    ("9.9.9.9.bl.test", "A", LookupStatus.NXDOMAIN, None),
    ("empty.bl.test", "A", LookupStatus.NODATA, None),
    ("fail.bl.test", "A", LookupStatus.UNKNOWN, UnknownReason.SERVFAIL),
    ("refuse.bl.test", "A", LookupStatus.UNKNOWN, UnknownReason.REFUSED),
    ("slow.bl.test", "A", LookupStatus.UNKNOWN, UnknownReason.TIMEOUT),
]


@pytest.fixture
def server(dns_server):
    return dns_server(
        zones={"bl.test": ZONE},
        behaviours={
            "fail.bl.test": "servfail",
            "refuse.bl.test": "refused",
            "slow.bl.test": "timeout",
        },
    )


def resolve(client_class, nameserver: str, name: str, rdtype: str):
    async def go():
        client = client_class([Nameserver.parse(nameserver)], timeout=0.4, retries=1)
        try:
            return await client.query(name, rdtype)
        finally:
            if isinstance(client, MuxDnsClient):
                client.close()

    return asyncio.run(go())


@pytest.mark.parametrize(("name", "rdtype", "status", "reason"), CASES)
def test_mux_outcome_matches_the_expected_status(server, name, rdtype, status, reason) -> None:
    lookup = resolve(MuxDnsClient, server.nameserver, name, rdtype)
    assert (lookup.status, lookup.reason) == (status, reason)


@pytest.mark.parametrize(("name", "rdtype"), [(c[0], c[1]) for c in CASES[:5]])
def test_mux_records_equal_dnspython_records(server, name, rdtype) -> None:
    mux = resolve(MuxDnsClient, server.nameserver, name, rdtype)
    plain = resolve(DnsClient, server.nameserver, name, rdtype)
    assert (sorted(mux.records), mux.status) == (sorted(plain.records), plain.status)


def test_mux_times_out_within_the_configured_timeout(silent_nameserver) -> None:
    started = time.monotonic()
    lookup = resolve(MuxDnsClient, silent_nameserver, "x.bl.test", "A")
    assert lookup.reason is UnknownReason.TIMEOUT
    assert time.monotonic() - started < 1.0  # timeout=0.4: the budget is really applied
