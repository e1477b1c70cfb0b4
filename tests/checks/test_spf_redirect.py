"""redirect= and record length in the spf check (RFC 7208 §6.1, §3.4), against fixture
domains on a loopback DNS server (spf.test.zone)."""

from __future__ import annotations

import pytest
from support.authlab import codes, run_check, zone_files

from audit.lab.dnsserver import LabDnsServer
from audit.model import CheckResult
from checks.spf.check import SpfCheck


@pytest.fixture
def server(dns_server) -> LabDnsServer:  # type: ignore[no-untyped-def]
    return dns_server(zone_files=zone_files())


def spf(server: LabDnsServer, label: str, *ips: str) -> CheckResult:
    return run_check(SpfCheck(), server.nameserver, f"{label}.spf.test", ips)


@pytest.mark.parametrize("ips", [(), ("192.0.2.9",)])
def test_a_redirect_loop_is_no_neutral_all(server: LabDnsServer, ips: tuple[str, ...]) -> None:
    # given loopa redirects to loopb, which redirects back
    result = spf(server, "loopa", *ips)
    # then the loop is reported (a permerror for every sender), with or without IPs,
    # and no "add -all" advice for a record that ends in redirect=
    assert codes(result) == {"SPF_LOOP": "high"}


def test_a_redirect_target_without_spf_has_its_own_code(server: LabDnsServer) -> None:
    result = spf(server, "redirmissing")
    assert codes(result) == {"SPF_REDIRECT_NO_RECORD": "high"}


def test_an_include_target_without_spf_keeps_its_code(server: LabDnsServer) -> None:
    assert codes(spf(server, "incmissing")) == {"SPF_INCLUDE_NO_RECORD": "high"}


def test_a_record_over_450_octets_is_low(server: LabDnsServer) -> None:
    result = spf(server, "long")
    assert codes(result) == {"SPF_RECORD_TOO_LONG": "low"}
    assert result.findings[0].evidence["octets"] > 450
