"""The lab authoritative DNS server (audit/lab/dnsserver.py), queried on the wire."""

from __future__ import annotations

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from audit.lab.dnsserver import RecordStore, store_from_mapping

BIG_TXT = " ".join('"' + "b" * 200 + '"' for _ in range(4))  # 800 bytes: > 512, < 1232

ZONE = f"""
@ 300 IN SOA ns.example.test. hostmaster.example.test. 1 3600 600 86400 300
@ 300 IN NS ns.example.test.
ns 300 IN A 192.0.2.53
mx 300 IN A 192.0.2.10
a.b.c 300 IN A 192.0.2.1
*.wild 300 IN A 192.0.2.2
*.wild 300 IN TXT "wildcard"
host.wild 300 IN A 192.0.2.3
sub.wild 300 IN TXT "sub exists"
alias 300 IN CNAME mx
chain 300 IN CNAME alias
away 300 IN CNAME mail.other.test.
dangling 300 IN CNAME gone
big 300 IN TXT {BIG_TXT}
"""

OTHER = """
@ 300 IN SOA ns.other.test. hostmaster.other.test. 1 3600 600 86400 300
mail 300 IN A 198.51.100.25
"""


@pytest.fixture
def server(dns_server):
    return dns_server(
        zones={"example.test": ZONE, "other.test": OTHER},
        behaviours={
            "drop.example.test": "timeout",
            "fail.example.test": "servfail",
            "deny.example.test": "refused",
        },
    )


def ask(server, name: str, rdtype: str = "A", *, tcp: bool = False, edns: bool = True):
    query = dns.message.make_query(name, rdtype, use_edns=0 if edns else False, payload=1232)
    send = dns.query.tcp if tcp else dns.query.udp
    return send(query, "127.0.0.1", timeout=2, port=server.port)


def addresses(response) -> list[str]:
    return sorted(
        rdata.address
        for rrset in response.answer
        if rrset.rdtype == dns.rdatatype.A
        for rdata in rrset
    )


# -- plain answers -----------------------------------------------------------------------


def test_record_is_answered_authoritatively(server):
    response = ask(server, "mx.example.test")
    assert response.rcode() == dns.rcode.NOERROR
    assert response.flags & dns.flags.AA
    assert addresses(response) == ["192.0.2.10"]


def test_names_are_case_insensitive(server):
    assert addresses(ask(server, "MX.Example.TEST")) == ["192.0.2.10"]


def test_missing_name_is_nxdomain_with_soa(server):
    response = ask(server, "nope.example.test")
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert [r.rdtype for r in response.authority] == [dns.rdatatype.SOA]


def test_missing_type_is_nodata_with_soa(server):
    response = ask(server, "mx.example.test", "AAAA")
    assert (response.rcode(), response.answer) == (dns.rcode.NOERROR, [])
    assert [r.rdtype for r in response.authority] == [dns.rdatatype.SOA]


def test_empty_non_terminal_is_nodata(server):
    # b.c.example.test owns nothing but a.b.c.example.test exists below it (RFC 8020)
    response = ask(server, "b.c.example.test")
    assert (response.rcode(), response.answer) == (dns.rcode.NOERROR, [])


def test_name_outside_the_zones_is_refused(server):
    response = ask(server, "www.example.invalid")
    assert response.rcode() == dns.rcode.REFUSED
    assert not response.flags & dns.flags.AA


def test_second_zone_is_served(server):
    assert addresses(ask(server, "mail.other.test")) == ["198.51.100.25"]


# -- wildcards (RFC 4592) ----------------------------------------------------------------------


def test_wildcard_synthesises_for_a_missing_name(server):
    response = ask(server, "anything.wild.example.test")
    assert addresses(response) == ["192.0.2.2"]
    assert response.answer[0].name.to_text() == "anything.wild.example.test."


def test_wildcard_covers_several_missing_labels(server):
    assert addresses(ask(server, "x.y.wild.example.test")) == ["192.0.2.2"]


def test_wildcard_does_not_override_an_existing_name(server):
    assert addresses(ask(server, "host.wild.example.test")) == ["192.0.2.3"]


def test_existing_name_without_the_type_is_nodata_not_wildcard(server):
    response = ask(server, "sub.wild.example.test", "A")
    assert (response.rcode(), response.answer) == (dns.rcode.NOERROR, [])


def test_wildcard_does_not_match_below_an_existing_encloser(server):
    # RFC 4592 §2.2.1: the closest encloser is sub.wild, which has no wildcard of its own
    response = ask(server, "deep.sub.wild.example.test")
    assert response.rcode() == dns.rcode.NXDOMAIN


def test_wildcard_type_without_data_is_nodata(server):
    response = ask(server, "anything.wild.example.test", "MX")
    assert (response.rcode(), response.answer) == (dns.rcode.NOERROR, [])


def test_wildcard_owner_parent_is_an_empty_non_terminal(server):
    response = ask(server, "wild.example.test")
    assert (response.rcode(), response.answer) == (dns.rcode.NOERROR, [])


# -- CNAME ---------------------------------------------------------------------------------


def test_cname_is_followed_inside_the_zone(server):
    response = ask(server, "alias.example.test")
    assert [r.rdtype for r in response.answer] == [dns.rdatatype.CNAME, dns.rdatatype.A]
    assert addresses(response) == ["192.0.2.10"]


def test_cname_chain_is_followed(server):
    assert addresses(ask(server, "chain.example.test")) == ["192.0.2.10"]


def test_cname_into_another_served_zone_is_followed(server):
    assert addresses(ask(server, "away.example.test")) == ["198.51.100.25"]


def test_cname_to_a_missing_name_ends_in_nxdomain(server):
    response = ask(server, "dangling.example.test")
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert [r.rdtype for r in response.answer] == [dns.rdatatype.CNAME]


def test_cname_itself_is_answered_for_a_cname_query(server):
    response = ask(server, "alias.example.test", "CNAME")
    assert [r.rdtype for r in response.answer] == [dns.rdatatype.CNAME]


# -- behaviours ------------------------------------------------------------------------------


def test_timeout_behaviour_never_answers(server):
    query = dns.message.make_query("drop.example.test", "A")
    with pytest.raises(dns.exception.Timeout):
        dns.query.udp(query, "127.0.0.1", timeout=0.3, port=server.port)


def test_servfail_behaviour(server):
    assert ask(server, "fail.example.test").rcode() == dns.rcode.SERVFAIL


def test_refused_behaviour(server):
    assert ask(server, "deny.example.test").rcode() == dns.rcode.REFUSED


def test_queries_are_counted(server):
    ask(server, "mx.example.test")
    ask(server, "nope.example.test")
    assert server.queries == 2


# -- truncation (RFC 7766) ---------------------------------------------------------------------


def test_large_answer_without_edns_is_truncated_over_udp(server):
    response = ask(server, "big.example.test", "TXT", edns=False)
    assert response.flags & dns.flags.TC
    assert response.answer == []


def test_large_answer_within_the_edns_buffer_is_not_truncated(server):
    response = ask(server, "big.example.test", "TXT")
    assert not response.flags & dns.flags.TC
    assert len(response.answer) == 1


def test_large_answer_is_complete_over_tcp(server):
    response = ask(server, "big.example.test", "TXT", tcp=True, edns=False)
    assert not response.flags & dns.flags.TC
    assert b"".join(response.answer[0][0].strings) == b"b" * 800


def test_answer_larger_than_the_edns_buffer_is_complete_over_tcp(dns_server):
    huge = " ".join('"' + "c" * 250 + '"' for _ in range(8))  # 2000 bytes > 1232
    server = dns_server(zones={"example.test": f"huge 300 IN TXT {huge}"})
    response = ask(server, "huge.example.test", "TXT", tcp=True)
    assert b"".join(response.answer[0][0].strings) == b"c" * 2000


# -- the store, without a socket ------------------------------------------------------------


def test_records_can_be_added_one_by_one():
    store = RecordStore()
    store.add_origin("example.test")
    store.add("mx.example.test", "A", "192.0.2.10")
    response = store.answer(dns.message.make_query("mx.example.test", "A"))
    assert addresses(response) == ["192.0.2.10"]


def test_zone_text_may_omit_soa_and_ns():
    store = store_from_mapping({"example.test": "mx 60 IN A 192.0.2.10"})
    response = store.answer(dns.message.make_query("nope.example.test", "A"))
    assert response.rcode() == dns.rcode.NXDOMAIN
