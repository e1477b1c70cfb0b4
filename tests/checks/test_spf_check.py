"""The spf check against fixture domains on a loopback DNS server (spf.test.zone)."""

from __future__ import annotations

import asyncio

import pytest
from support.authlab import codes, codes_for, run_check, zone_files

from audit.knowledge.remediation import catalog
from audit.lab.dnsserver import LabDnsServer
from audit.model import CheckStatus, UnknownReason
from audit.net.checkdmarc_adapter import analyse_spf
from audit.net.dns import DnsClient, Nameserver
from checks.spf.check import SpfCheck


@pytest.fixture
def server(dns_server) -> LabDnsServer:  # type: ignore[no-untyped-def]
    return dns_server(zone_files=zone_files(), behaviours={"timeout.spf.test": "timeout"})


def spf(server: LabDnsServer, domain: str, *ips: str, timeout: float = 1.0):  # type: ignore[no-untyped-def]
    return run_check(SpfCheck(), server.nameserver, domain, ips, timeout=timeout)


def test_authorized_ip_on_a_healthy_domain_passes(server: LabDnsServer) -> None:
    # given a record with an own range and a nested provider include
    # when an IP from the nested include is evaluated
    result = spf(server, "good.spf.test", "192.0.2.10", "203.0.113.5")
    # then there is nothing to report and both IPs pass
    assert codes(result) == {}
    assert result.status is CheckStatus.PASS
    assert [r["result"] for r in result.evidence["results"]] == ["pass", "pass"]


def test_matching_term_is_reported_with_its_record(server: LabDnsServer) -> None:
    # given the healthy domain, when an IP covered by the provider's include is evaluated
    result = spf(server, "good.spf.test", "203.0.113.5")
    # then the evidence names the term and the record that matched
    outcome = result.evidence["results"][0]
    assert outcome["matched_term"] == "include:_spf.provider.spf.test"
    assert outcome["matched_path"] == ["include:_spf.provider.spf.test", "ip4:203.0.113.0/25"]
    assert outcome["matched_in"] == "_spf.provider.spf.test"


def test_unauthorized_sending_ip_is_high(server: LabDnsServer) -> None:
    # given a healthy record, when an IP outside it is evaluated
    result = spf(server, "good.spf.test", "198.51.100.7")
    # then that IP is not authorized, with an example record adding it
    assert codes_for(result, "198.51.100.7") == {"SPF_IP_NOT_AUTHORIZED": "high"}
    steps = result.findings[0].remediation.steps  # type: ignore[union-attr]
    assert any("ip4:198.51.100.7 -all" in step for step in steps)


def test_missing_record_is_high(server: LabDnsServer) -> None:
    # given a domain with TXT records but no v=spf1
    result = spf(server, "nospf.spf.test", "192.0.2.1")
    # then SPF is missing, and the IP is not reported twice
    assert codes(result) == {"SPF_MISSING": "high"}


def test_missing_record_example_lists_the_sending_ips(server: LabDnsServer) -> None:
    result = spf(server, "nospf.spf.test", "192.0.2.1", "2001:db8::5")
    assert result.findings[0].evidence["suggested_record"] == (
        "v=spf1 ip4:192.0.2.1 ip6:2001:db8::5 -all"
    )


def test_several_records_are_high(server: LabDnsServer) -> None:
    result = spf(server, "multi.spf.test", "192.0.2.1")
    assert codes(result) == {"SPF_MULTIPLE_RECORDS": "high"}
    assert result.evidence["results"][0]["result"] == "permerror"


def test_syntax_error_is_high(server: LabDnsServer) -> None:
    result = spf(server, "syntax.spf.test", "192.0.2.1")
    assert codes(result) == {"SPF_SYNTAX_ERROR": "high"}


def test_syntax_error_keeps_the_invalid_record(server: LabDnsServer) -> None:
    result = spf(server, "syntax.spf.test")
    assert result.evidence["record"] == "v=spf1 ip4:192.0.2.300 -all"


def test_too_many_lookups_is_high_and_counts_past_the_limit(server: LabDnsServer) -> None:
    # given 11 DNS-querying terms, 6 of them under one include
    result = spf(server, "toomany.spf.test")
    # then the limit finding is raised, the count goes past 10, and the
    # most expensive include comes first
    assert codes(result) == {"SPF_TOO_MANY_LOOKUPS": "high"}
    assert result.evidence["dns_lookups"] == 11
    assert result.evidence["include_costs"][0] == {
        "term": "include:big.spf.test",
        "dns_lookups": 6,
        "void_lookups": 0,
    }


def test_ip_matched_after_the_limit_is_a_permerror(server: LabDnsServer) -> None:
    # given the a term is the 11th lookup, when the domain's own A address is evaluated
    result = spf(server, "toomany.spf.test", "192.0.2.20")
    # then check_host() stops with permerror, explained by the limit finding
    assert result.evidence["results"][0]["result"] == "permerror"
    assert set(codes(result)) == {"SPF_TOO_MANY_LOOKUPS"}


def test_too_many_void_lookups_is_high(server: LabDnsServer) -> None:
    result = spf(server, "voids.spf.test")
    assert codes(result) == {"SPF_TOO_MANY_VOID_LOOKUPS": "high"}
    assert result.evidence["void_lookups"] == 3


def test_plus_all_is_high(server: LabDnsServer) -> None:
    assert codes(spf(server, "passall.spf.test")) == {"SPF_PASS_ALL": "high"}


def test_question_all_is_medium(server: LabDnsServer) -> None:
    assert codes(spf(server, "neutralall.spf.test")) == {"SPF_NEUTRAL_ALL": "medium"}


def test_record_without_all_is_neutral_by_default(server: LabDnsServer) -> None:
    assert codes(spf(server, "noall.spf.test")) == {"SPF_NEUTRAL_ALL": "medium"}


def test_tilde_all_is_low(server: LabDnsServer) -> None:
    assert codes(spf(server, "softall.spf.test", "192.0.2.1")) == {"SPF_SOFTFAIL_ALL": "low"}


def test_softfail_for_an_ip_is_not_authorized(server: LabDnsServer) -> None:
    result = spf(server, "softall.spf.test", "198.51.100.9")
    assert codes_for(result, "198.51.100.9") == {"SPF_IP_NOT_AUTHORIZED": "high"}


def test_ptr_mechanism_is_low(server: LabDnsServer) -> None:
    assert codes(spf(server, "ptr.spf.test")) == {"SPF_PTR_MECHANISM": "low"}


def test_the_record_suggested_without_ptr_counts_its_lookups_and_keeps_its_fail(
    server: LabDnsServer,
) -> None:
    # given a record with ptr ending in -all, audited without a mail log
    result = spf(server, "ptr.spf.test")
    finding = next(f for f in result.findings if f.code == "SPF_PTR_MECHANISM")
    # then the suggestion drops ptr, states its lookups and keeps the owner's -all
    assert finding.evidence["suggested_record"] == "v=spf1 ip4:192.0.2.1 -all"
    step = finding.remediation.steps[-1]  # type: ignore[union-attr]
    assert "0 DNS lookups" in step


def test_redirect_follows_the_target_all(server: LabDnsServer) -> None:
    # given redirect= to a record ending in -all, the domain has no all of its own
    result = spf(server, "redirected.spf.test", "203.0.113.9")
    # then no all finding, and the IP passes through the redirect
    assert codes(result) == {}
    assert result.evidence["results"][0]["result"] == "pass"


def test_include_without_record_is_high(server: LabDnsServer) -> None:
    result = spf(server, "incmissing.spf.test", "192.0.2.1")
    assert codes(result) == {"SPF_INCLUDE_NO_RECORD": "high"}


def test_temperror_is_unknown_never_pass(server: LabDnsServer) -> None:
    # given an include whose DNS never answers
    result = spf(server, "slow.spf.test", "192.0.2.1", timeout=0.3)
    # then the IP's result is unknown with the lookup's reason, not a finding
    assert codes(result) == {}
    assert result.status is CheckStatus.UNKNOWN
    reasons = {(u.subject, u.reason) for u in result.unknowns}
    assert ("192.0.2.1", UnknownReason.TIMEOUT) in reasons


def test_helo_identity_is_evaluated(server: LabDnsServer) -> None:
    # given a HELO name with its own SPF record
    result = run_check(
        SpfCheck(),
        server.nameserver,
        "nospf.spf.test",
        ("192.0.2.10",),
        helo_names=("good.spf.test",),
    )
    # then the HELO identity is evaluated alongside the domain
    helo = result.evidence["helo_results"][0]
    assert (helo["domain"], helo["result"]) == ("good.spf.test", "pass")


def test_every_finding_code_has_a_remediation() -> None:
    assert SpfCheck.finding_codes <= set(catalog())


def test_checkdmarc_queries_go_through_the_shared_dns_layer(server: LabDnsServer) -> None:
    # given a DnsClient on the fixture server (the network guard forbids resolv.conf)
    async def go() -> tuple[str | None, int]:
        client = DnsClient([Nameserver.parse(server.nameserver)], timeout=1.0, retries=0)
        analysis = await analyse_spf(client, "good.spf.test")
        return analysis.record, client.stats.queries

    before = server.queries
    # when checkdmarc analyses the domain
    record, client_queries = asyncio.run(go())
    # then it read the fixture's record, through our client, from the fixture server
    assert record == "v=spf1 ip4:192.0.2.0/24 include:_spf.provider.spf.test -all"
    assert client_queries > 0
    assert server.queries - before >= client_queries
