"""DnsClient outcomes, TCP fallback, per-run cache, and nameserver parsing (audit/net/dns.py)."""

from __future__ import annotations

import asyncio

import pytest

from audit.model import UnknownReason
from audit.net.dns import (
    NAMESERVER_ENV,
    DnsClient,
    LookupStatus,
    Nameserver,
    NameserverError,
    nameservers_from_env,
    reverse_name,
)

# Eight 200-character strings: one TXT record of 1600 bytes, more than the 1232-byte
# EDNS buffer the client advertises, so the UDP answer is truncated.
BIG_TXT = " ".join('"' + "a" * 200 + '"' for _ in range(8))

ZONE = f"""
@ 300 IN SOA ns.example.test. hostmaster.example.test. 1 3600 600 86400 300
@ 300 IN MX 10 mx.example.test.
@ 300 IN TXT "v=spf1 -all"
mx 300 IN A 192.0.2.10
big 300 IN TXT {BIG_TXT}
alias 300 IN CNAME mx
"""

FAST = 0.5  # per-query timeout for lookups that are expected to fail by timing out


def client(nameserver: str, timeout: float = 2.0) -> DnsClient:
    return DnsClient([Nameserver.parse(nameserver)], timeout=timeout)


def lookup(nameserver: str, name: str, rdtype: str, timeout: float = 2.0):
    async def go():
        return await client(nameserver, timeout).query(name, rdtype)

    return asyncio.run(go())


@pytest.fixture
def server(dns_server):
    return dns_server(
        zones={"example.test": ZONE},
        behaviours={
            "slow.example.test": "timeout",
            "broken.example.test": "servfail",
            "denied.example.test": "refused",
        },
    )


# -- outcomes ------------------------------------------------------------------------


def test_existing_record_is_an_answer(server):
    result = lookup(server.nameserver, "mx.example.test", "A")
    assert result.status is LookupStatus.ANSWER
    assert result.records == ("192.0.2.10",)


def test_missing_name_is_nxdomain(server):
    result = lookup(server.nameserver, "nope.example.test", "A")
    assert result.status is LookupStatus.NXDOMAIN
    assert result.answered and not result.exists


def test_existing_name_without_the_type_is_nodata(server):
    result = lookup(server.nameserver, "mx.example.test", "AAAA")
    assert result.status is LookupStatus.NODATA
    assert result.answered and not result.exists


def test_cname_is_followed_and_recorded(server):
    result = lookup(server.nameserver, "alias.example.test", "A")
    assert result.records == ("192.0.2.10",)
    assert result.canonical_name == "mx.example.test."


def test_silent_server_is_unknown_timeout(silent_nameserver):
    result = lookup(silent_nameserver, "example.test", "A", timeout=FAST)
    assert result.status is LookupStatus.UNKNOWN
    assert result.reason is UnknownReason.TIMEOUT
    assert not result.answered


def test_unanswered_name_is_unknown_timeout(server):
    result = lookup(server.nameserver, "slow.example.test", "A", timeout=FAST)
    assert (result.status, result.reason) == (LookupStatus.UNKNOWN, UnknownReason.TIMEOUT)


def test_servfail_is_unknown_servfail(server):
    result = lookup(server.nameserver, "broken.example.test", "A")
    assert (result.status, result.reason) == (LookupStatus.UNKNOWN, UnknownReason.SERVFAIL)


def test_refused_is_unknown_refused(server):
    result = lookup(server.nameserver, "denied.example.test", "A")
    assert (result.status, result.reason) == (LookupStatus.UNKNOWN, UnknownReason.REFUSED)


def test_unknown_is_never_an_empty_answer(server):
    result = lookup(server.nameserver, "broken.example.test", "TXT")
    assert result.status is not LookupStatus.NODATA
    assert result.to_evidence()["status"] == "unknown"
    assert result.to_evidence()["reason"] == "servfail"


def test_truncated_udp_answer_is_retried_over_tcp(server):
    result = lookup(server.nameserver, "big.example.test", "TXT")
    assert result.status is LookupStatus.ANSWER
    assert result.records == ("a" * 1600,)


def test_txt_character_strings_are_joined(dns_server):
    server = dns_server(zones={"example.test": '@ 300 IN TXT "v=spf1 " "-all"'})
    result = lookup(server.nameserver, "example.test", "TXT")
    assert result.records == ("v=spf1 -all",)


# -- cache ---------------------------------------------------------------------------


def test_concurrent_identical_queries_reach_the_server_once(dns_server):
    server = dns_server(zones={"example.test": ZONE}, delay_s=0.2)

    async def go():
        dns = client(server.nameserver)
        return await asyncio.gather(*(dns.query("mx.example.test", "A") for _ in range(5)))

    results = asyncio.run(go())
    assert server.queries == 1
    assert {r.records for r in results} == {("192.0.2.10",)}


def test_repeated_query_is_served_from_the_cache(server):
    async def go():
        dns = client(server.nameserver)
        await dns.query("mx.example.test", "A")
        await dns.query("MX.Example.Test.", "a")
        return dns

    dns = asyncio.run(go())
    assert server.queries == 1
    assert (dns.stats.queries, dns.stats.cache_hits) == (1, 1)


def test_unknown_outcome_is_cached_for_the_run(server):
    async def go():
        dns = client(server.nameserver)
        await dns.query("broken.example.test", "A")
        return await dns.query("broken.example.test", "A")

    result = asyncio.run(go())
    assert result.reason is UnknownReason.SERVFAIL
    assert server.queries == 1


def test_each_client_has_its_own_cache(server):
    async def go():
        await client(server.nameserver).query("mx.example.test", "A")
        await client(server.nameserver).query("mx.example.test", "A")

    asyncio.run(go())
    assert server.queries == 2


def test_cancelled_caller_does_not_cancel_the_shared_query(dns_server):
    # given a slow server and two callers sharing one in-flight query
    server = dns_server(zones={"example.test": ZONE}, delay_s=0.3)

    async def go():
        dns = client(server.nameserver)
        impatient = asyncio.ensure_future(dns.query("mx.example.test", "A"))
        patient = asyncio.ensure_future(dns.query("mx.example.test", "A"))
        await asyncio.sleep(0.05)
        # when the first caller is cancelled (its check ran out of time)
        impatient.cancel()
        return await patient

    # then the other caller still gets the answer
    assert asyncio.run(go()).records == ("192.0.2.10",)


def test_every_query_is_logged_for_the_appendix(server):
    async def go():
        dns = client(server.nameserver)
        await dns.query_many([("mx.example.test", "A"), ("nope.example.test", "A")])
        return dns

    dns = asyncio.run(go())
    assert sorted(entry.status.value for entry in dns.lookups) == ["answer", "nxdomain"]


# -- construction and helpers -----------------------------------------------------------


def test_client_without_nameservers_is_refused():
    with pytest.raises(NameserverError):
        DnsClient([])


def test_client_with_non_positive_timeout_is_refused():
    with pytest.raises(ValueError):
        DnsClient([Nameserver("127.0.0.1")], timeout=0)


@pytest.mark.parametrize(
    ("ip", "expected"),
    [
        ("192.0.2.1", "1.2.0.192.in-addr.arpa."),
        ("2001:db8::1", "1." + "0." * 23 + "8.b.d.0.1.0.0.2.ip6.arpa."),
    ],
)
def test_reverse_name(ip, expected):
    assert reverse_name(ip) == expected


# -- nameserver parsing --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "host", "port"),
    [
        ("192.0.2.53", "192.0.2.53", 53),
        ("127.0.0.1:5353", "127.0.0.1", 5353),
        (" 127.0.0.1:5353 ", "127.0.0.1", 5353),
        ("[2001:db8::53]:5353", "2001:db8::53", 5353),
        ("[2001:db8::53]", "2001:db8::53", 53),
        ("2001:db8::53", "2001:db8::53", 53),
        ("::1", "::1", 53),
        ("2001:DB8:0:0:0:0:0:53", "2001:db8::53", 53),
    ],
)
def test_nameserver_parse_accepts(text, host, port):
    assert Nameserver.parse(text) == Nameserver(host, port)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "dns.example.test",
        "localhost:53",
        "127.0.0.1:0",
        "127.0.0.1:65536",
        "127.0.0.1:port",
        "127.0.0.1:",
        "[2001:db8::53",
        "[2001:db8::53]x",
        "[2001:db8::53]:",
        "999.0.0.1",
        "127.0.0.1:53:53",
    ],
)
def test_nameserver_parse_rejects(text):
    with pytest.raises(NameserverError):
        Nameserver.parse(text)


@pytest.mark.parametrize(
    ("nameserver", "text"),
    [
        (Nameserver("192.0.2.53"), "192.0.2.53"),
        (Nameserver("192.0.2.53", 5353), "192.0.2.53:5353"),
        (Nameserver("2001:db8::53", 5353), "[2001:db8::53]:5353"),
    ],
)
def test_nameserver_text_round_trips(nameserver, text):
    assert str(nameserver) == text
    assert Nameserver.parse(text) == nameserver


@pytest.mark.parametrize(
    ("nameservers", "names"),
    [
        (["8.8.8.8"], ("Google Public DNS",)),
        (["[2606:4700:4700::1111]:53"], ("Cloudflare",)),
        (["9.9.9.9", "127.0.0.1:5353"], ("Quad9",)),
    ],
)
def test_public_resolver_is_detected(nameservers, names):
    info = DnsClient([Nameserver.parse(n) for n in nameservers]).info
    assert info.public is True
    assert info.public_names == names


def test_private_resolver_is_not_public():
    info = DnsClient([Nameserver.parse("127.0.0.1:5353")]).info
    assert (info.public, info.public_names) == (False, ())
    assert info.nameservers == ("127.0.0.1:5353",)


def test_nameservers_come_from_the_environment(monkeypatch):
    monkeypatch.setenv(NAMESERVER_ENV, "127.0.0.1:5353, [::1]:5300")
    assert nameservers_from_env() == [Nameserver("127.0.0.1", 5353), Nameserver("::1", 5300)]


def test_bad_nameserver_in_the_environment_is_an_error(monkeypatch):
    monkeypatch.setenv(NAMESERVER_ENV, "resolver.example.test")
    with pytest.raises(NameserverError):
        nameservers_from_env()
