"""The DNS layer under hostile answers: bounds that are hit, answers for another name, CNAME
loops and slow servers give an unknown with its reason, never a smaller or empty answer."""

from __future__ import annotations

import asyncio

import pytest
from support.hostile_dns import HostileDnsServer, answer_for_another_name

from audit.lab.dnsserver import RecordStore
from audit.model import UnknownReason
from audit.net.dns import MAX_RECORDS_PER_ANSWER, DnsClient, Lookup, LookupStatus, Nameserver

SOA = "@ 300 IN SOA ns.{0}. hostmaster.{0}. 1 3600 600 86400 300\n"


def txt(value: str) -> str:
    """A TXT rdata in zone syntax, split into 255-octet character-strings."""
    return " ".join(f'"{value[i : i + 255]}"' for i in range(0, len(value), 255))


def query(nameserver: str, name: str, rdtype: str, timeout: float = 2.0) -> Lookup:
    async def go() -> Lookup:
        client = DnsClient([Nameserver.parse(nameserver)], timeout=timeout, retries=1)
        return await client.query(name, rdtype)

    return asyncio.run(go())


def test_a_txt_rrset_of_300_records_is_kept_whole(dns_server):
    records = "".join(f"@ IN TXT {txt(f'junk-{i}')}\n" for i in range(300))
    server = dns_server(zones={"big.test": SOA.format("big.test") + records})

    lookup = query(server.nameserver, "big.test", "TXT")

    assert lookup.status is LookupStatus.ANSWER
    assert len(lookup.records) == 300


def test_an_rrset_beyond_the_record_bound_is_unknown_answer_too_large(dns_server):
    count = MAX_RECORDS_PER_ANSWER + 1
    records = "".join(f"@ IN TXT {txt(f'j{i}')}\n" for i in range(count))
    server = dns_server(zones={"huge.test": SOA.format("huge.test") + records})

    lookup = query(server.nameserver, "huge.test", "TXT")

    assert lookup.status is LookupStatus.UNKNOWN
    assert lookup.reason is UnknownReason.ANSWER_TOO_LARGE
    assert lookup.records == ()


def test_a_txt_record_of_6000_characters_is_not_cut(dns_server):
    value = "v=spf1 " + " ".join(f"ip4:192.0.2.{i % 250}" for i in range(420)) + " -all"
    assert len(value) > 6000
    server = dns_server(zones={"long.test": SOA.format("long.test") + f"@ IN TXT {txt(value)}\n"})

    lookup = query(server.nameserver, "long.test", "TXT")

    assert lookup.records == (value,)


def test_an_answer_owned_by_another_name_is_malformed_not_nodata():
    store = RecordStore()
    store.add_zone_text("victim.test", SOA.format("victim.test"))
    craft = answer_for_another_name(
        "other.test.", '"v=spf1 +all"', lambda name, rdtype: name == "victim.test."
    )
    with HostileDnsServer(store, craft) as server:
        lookup = query(server.nameserver, "victim.test", "TXT")

    assert lookup.status is LookupStatus.UNKNOWN
    assert lookup.reason is UnknownReason.MALFORMED
    assert "other.test" in lookup.detail


def test_a_cname_loop_has_its_own_reason(dns_server):
    zone = SOA.format("loop.test") + "a IN CNAME b\nb IN CNAME a\n"
    server = dns_server(zones={"loop.test": zone})

    lookup = query(server.nameserver, "a.loop.test", "TXT")

    assert lookup.reason is UnknownReason.CNAME_LOOP


@pytest.mark.slow
def test_an_answer_after_two_thirds_of_the_timeout_is_an_answer(dns_server):
    # --timeout 1.5 and an answer after 1.0 s: an even split over two attempts (0.75 s
    # each) timed out every time; the first attempt now gets most of the budget.
    server = dns_server(zones={"slow.test": SOA.format("slow.test") + "@ IN A 192.0.2.1\n"})
    server.delay_s = 1.0

    lookup = query(server.nameserver, "slow.test", "A", timeout=1.5)

    assert lookup.status is LookupStatus.ANSWER
