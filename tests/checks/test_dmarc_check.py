"""The dmarc check against fixture domains on a loopback DNS server (dmarc.test.zone)."""

from __future__ import annotations

import pytest
from support.authlab import codes, run_check, zone_files

from audit.knowledge.remediation import catalog
from audit.lab.dnsserver import LabDnsServer
from audit.model import CheckStatus, UnknownReason
from checks.dmarc.check import DmarcCheck


@pytest.fixture
def server(dns_server) -> LabDnsServer:  # type: ignore[no-untyped-def]
    return dns_server(zone_files=zone_files(), behaviours={"_dmarc.slow.dmarc.test": "timeout"})


def dmarc(server: LabDnsServer, domain: str, *ips: str, timeout: float = 1.0):  # type: ignore[no-untyped-def]
    return run_check(DmarcCheck(), server.nameserver, domain, ips, timeout=timeout)


def test_enforcing_policy_with_reports_is_clean(server: LabDnsServer) -> None:
    result = dmarc(server, "good.dmarc.test")
    assert codes(result) == {}
    assert result.evidence["rules"] == "RFC 9989"
    assert result.evidence["location"] == "good.dmarc.test"


def test_missing_record_is_high(server: LabDnsServer) -> None:
    assert codes(dmarc(server, "missing.dmarc.test")) == {"DMARC_MISSING": "high"}


def test_invalid_record_is_high_and_kept(server: LabDnsServer) -> None:
    result = dmarc(server, "invalid.dmarc.test")
    assert codes(result) == {"DMARC_INVALID": "high"}
    assert result.evidence["record"] == "v=DMARC1; p=bogus; rua=mailto:d@invalid.dmarc.test"


def test_several_records_are_high(server: LabDnsServer) -> None:
    assert codes(dmarc(server, "multi.dmarc.test")) == {"DMARC_MULTIPLE_RECORDS": "high"}


def test_policy_none_is_medium(server: LabDnsServer) -> None:
    assert codes(dmarc(server, "pnone.dmarc.test")) == {"DMARC_POLICY_NONE": "medium"}


def test_weaker_subdomain_policy_is_medium(server: LabDnsServer) -> None:
    result = dmarc(server, "spweak.dmarc.test")
    assert codes(result) == {"DMARC_SUBDOMAIN_POLICY_WEAKER": "medium"}


def test_partial_pct_is_low(server: LabDnsServer) -> None:
    assert codes(dmarc(server, "pct.dmarc.test")) == {"DMARC_PCT_PARTIAL": "low"}


def test_no_rua_is_low(server: LabDnsServer) -> None:
    assert codes(dmarc(server, "norua.dmarc.test")) == {"DMARC_NO_RUA": "low"}


def test_unauthorized_external_destination_is_medium(server: LabDnsServer) -> None:
    result = dmarc(server, "external.dmarc.test")
    assert codes(result) == {"DMARC_EXTERNAL_REPORTS_UNAUTHORIZED": "medium"}
    assert result.findings[0].subject == "reports.example"


def test_authorized_external_destination_is_clean(server: LabDnsServer) -> None:
    result = dmarc(server, "extok.dmarc.test")
    assert codes(result) == {}
    assert result.evidence["report_destinations"][0]["authorized"] is True


def test_subdomain_without_record_uses_its_parent_policy(server: LabDnsServer) -> None:
    # given no _dmarc record at the subdomain, p=reject sp=quarantine at its parent
    result = dmarc(server, "sub.fallback.dmarc.test")
    # then the parent's record applies (its sp= for the subdomain) and nothing is missing
    assert codes(result) == {}
    assert result.evidence["location"] == "fallback.dmarc.test"


def test_lookup_timeout_is_unknown_not_missing(server: LabDnsServer) -> None:
    result = dmarc(server, "slow.dmarc.test", timeout=0.3)
    assert codes(result) == {}
    assert result.status is CheckStatus.UNKNOWN
    assert result.unknowns[0].reason is UnknownReason.TIMEOUT


def test_alignment_per_sending_ip(server: LabDnsServer) -> None:
    # given SPF for 192.0.2.0/24, a DKIM key and p=reject
    result = dmarc(server, "good.dmarc.test", "192.0.2.5", "198.51.100.5")
    # then the authorized IP would pass DMARC on SPF alone, the other would not
    rows = {row["ip"]: row for row in result.evidence["alignment"]}
    assert (rows["192.0.2.5"]["spf_result"], rows["192.0.2.5"]["dmarc_with_spf_only"]) == (
        "pass",
        "pass",
    )
    assert (rows["198.51.100.5"]["spf_result"], rows["198.51.100.5"]["dmarc_with_spf_only"]) == (
        "fail",
        "fail",
    )
    assert rows["198.51.100.5"]["dkim_available"] is True


def test_alignment_without_policy_says_none(server: LabDnsServer) -> None:
    result = dmarc(server, "missing.dmarc.test", "192.0.2.5")
    assert result.evidence["alignment"][0]["dmarc_with_spf_only"] == "none"


def test_every_finding_code_has_a_remediation() -> None:
    assert DmarcCheck.finding_codes <= set(catalog())
