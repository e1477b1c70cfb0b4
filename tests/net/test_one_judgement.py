"""Both DNS clients judge the same hostile reply the same way (audit/net/dns_answer.py):
the multiplexed client of `blacklist` and dnspython's of `audit` never disagree."""

from __future__ import annotations

import asyncio

import dns.message
import dns.rrset
import pytest
from support.hostile_dns import (
    Craft,
    HostileDnsServer,
    a_outside_loopback,
    answer_for_another_name,
    echo_query,
    huge_rrset,
    short_a_record,
)

from audit.lab.dnsserver import RecordStore
from audit.model import UnknownReason
from audit.net.dns import MAX_RECORDS_PER_ANSWER, DnsClient, Lookup, LookupStatus, Nameserver
from audit.net.dns_mux import MuxDnsClient

NAME = "2.0.0.127.bl.test"


def ask(client_class: type[DnsClient], craft: Craft, timeout: float) -> Lookup:
    async def go() -> Lookup:
        client = client_class([Nameserver.parse(server.nameserver)], timeout=timeout, retries=1)
        try:
            return await client.query(NAME, "A")
        finally:
            if isinstance(client, MuxDnsClient):
                client.close()

    with HostileDnsServer(RecordStore(), craft) as server:
        return asyncio.run(go())


def both(craft: Craft, timeout: float = 0.4) -> tuple[Lookup, Lookup]:
    """(multiplexed, dnspython) outcomes; `timeout` short where the answer never comes."""
    return ask(MuxDnsClient, craft, timeout), ask(DnsClient, craft, timeout)


def outcome(lookup: Lookup) -> tuple[LookupStatus, UnknownReason | None, tuple[str, ...]]:
    return lookup.status, lookup.reason, lookup.records


def huge_over_udp(query: dns.message.Message, store: RecordStore) -> bytes:
    """The huge RRset in one UDP datagram, no TC: the multiplexed client's fast path."""
    reply = huge_rrset(MAX_RECORDS_PER_ANSWER + 1)(query, store)
    assert isinstance(reply, dns.message.Message)
    return reply.to_wire(max_size=65535)


def test_an_echoed_query_is_not_a_response_for_either_client() -> None:
    mux, plain = both(echo_query())
    assert outcome(mux) == outcome(plain) == (LookupStatus.UNKNOWN, UnknownReason.TIMEOUT, ())


def test_a_record_owned_by_another_name_is_malformed_for_either_client() -> None:
    mux, plain = both(answer_for_another_name("other.test.", "127.0.0.2"))
    assert outcome(mux) == outcome(plain) == (LookupStatus.UNKNOWN, UnknownReason.MALFORMED, ())


def test_a_ten_octet_a_record_is_never_an_answer_for_either_client() -> None:
    mux, plain = both(short_a_record(10))
    assert outcome(mux) == outcome(plain)
    assert mux.status is LookupStatus.UNKNOWN


@pytest.mark.parametrize("craft", [huge_rrset(MAX_RECORDS_PER_ANSWER + 1), huge_over_udp])
def test_an_rrset_beyond_the_bound_is_answer_too_large_for_either_client(craft: Craft) -> None:
    mux, plain = both(craft, timeout=5.0)  # 16 kB over TCP from a server in a thread
    expected = (LookupStatus.UNKNOWN, UnknownReason.ANSWER_TOO_LARGE, ())
    assert outcome(mux) == outcome(plain) == expected


def test_an_a_outside_loopback_is_the_same_answer_for_either_client() -> None:
    mux, plain = both(a_outside_loopback("198.51.100.7"))
    assert outcome(mux) == outcome(plain) == (LookupStatus.ANSWER, None, ("198.51.100.7",))


def test_a_txt_answer_to_an_a_query_is_malformed_not_nodata() -> None:
    def txt_for_a(query: dns.message.Message, store: RecordStore) -> dns.message.Message:
        reply = dns.message.make_response(query)
        reply.answer.append(dns.rrset.from_text(query.question[0].name, 300, "IN", "TXT", '"x"'))
        return reply

    mux, plain = both(txt_for_a)
    assert outcome(mux) == outcome(plain) == (LookupStatus.UNKNOWN, UnknownReason.MALFORMED, ())
